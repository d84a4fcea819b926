"""`/api/v1/plans/` (actions submit, approve) and `/api/v1/plan-milestones/` (action done).

Scoped like the village's other records (supervision.selectors.plans): out of scope is 404; the
wrong person 403; an illegal transition 400 with the reason. Actions answer 200 with the
updated object.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.models import Cadre
from cadres.roles import actor_for
from cadres.scope import cadres_for, villages_for
from core.pagination import LargeTablePagination
from supervision.models import Plan, PlanGoal, PlanMilestone
from supervision.selectors import plans as sel
from supervision.services import plans as services

# --- output ---------------------------------------------------------------------------------------


class PlanGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "indicator", "unit", "baseline", "target", "achieved", "achieved_note", "achieved_on"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    goals = PlanGoalSerializer(many=True, read_only=True)
    milestones_total = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    milestones_overdue = serializers.IntegerField(read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "village", "village_name", "title", "background", "period_start", "period_end", "status",
                  "status_display", "goals", "milestones_total", "milestones_done", "milestones_overdue",
                  "submitted_at", "approved_at", "created_at", "updated_at"]
        read_only_fields = fields


class PlanMilestoneSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    light = serializers.CharField(read_only=True)
    light_display = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = PlanMilestone
        fields = ["id", "plan", "title", "due", "responsible", "status", "status_display", "done_on", "done_note",
                  "light", "light_display", "evidence"]
        read_only_fields = fields

    def get_light_display(self, obj: PlanMilestone) -> str:
        return str(sel.LIGHT_LABELS.get(getattr(obj, "light", ""), ""))

    def get_evidence(self, obj: PlanMilestone) -> str | None:
        if not obj.evidence:
            return None
        url = reverse("plan-page-milestone-evidence", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


# --- input ----------------------------------------------------------------------------------------


class GoalInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=Decimal(0))
    target = serializers.DecimalField(max_digits=14, decimal_places=2)


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due = serializers.DateField()
    responsible = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.none(), required=False, allow_null=True,
                                                     default=None)

    def __init__(self, *args: Any, cadres: QuerySet[Cadre] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cadres is not None:
            field: Any = self.fields["responsible"]
            field.queryset = cadres


class PlanCreateSerializer(serializers.Serializer):
    village = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    background = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    goals = GoalInputSerializer(many=True, required=False, default=list)
    milestones = serializers.ListField(child=serializers.DictField(), required=False, default=list, max_length=100)


class MilestoneCreateSerializer(MilestoneInputSerializer):
    plan = serializers.IntegerField()


class DoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence = serializers.FileField(required=False, allow_null=True, default=None)


class EmptySerializer(serializers.Serializer):
    pass


# --- views ----------------------------------------------------------------------------------------


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Plan.Status.choices, label=_("状态"))
    village = django_filters.NumberFilter(field_name="village_id", label=_("村 id"))

    class Meta:
        model = Plan
        fields = ["status", "village"]


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """帮村发展规划."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    pagination_class = LargeTablePagination
    queryset = Plan.objects.none()

    def get_queryset(self) -> QuerySet[Plan]:
        return sel.plan_list(actor_for(self.request.user))

    def _answer(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        fresh = sel.plan_list(actor_for(self.request.user)).get(pk=plan.pk)
        return Response(PlanSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        village = villages_for(actor).filter(pk=values.pop("village"), is_active=True).first()
        if village is None:
            raise ValidationError({"village": [str(_("所选村不存在。"))]})
        cadres = cadres_for(actor).filter(is_active=True)
        milestones = []
        for raw in values.pop("milestones"):
            row = MilestoneInputSerializer(data=raw, cadres=cadres)
            row.is_valid(raise_exception=True)
            milestones.append(dict(row.validated_data))
        goals = [dict(goal) for goal in values.pop("goals")]
        plan = services.plan_create(actor=actor, village=village, goals=goals, milestones=milestones, **values)
        return self._answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=EmptySerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        return self._answer(services.plan_submit(actor=actor_for(request.user), plan=plan))

    @extend_schema(request=EmptySerializer, responses={200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        return self._answer(services.plan_approve(actor=actor_for(request.user), plan=plan))


class MilestoneFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("规划 id"))
    status = django_filters.ChoiceFilter(choices=PlanMilestone.Status.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("是否逾期"))

    class Meta:
        model = PlanMilestone
        fields = ["plan", "status", "overdue"]

    def filter_overdue(self, qs: QuerySet[PlanMilestone], name: str, value: bool | None) -> QuerySet[PlanMilestone]:
        if value is None:
            return qs
        return qs.filter(sel.overdue_milestones_q()) if value else qs.exclude(sel.overdue_milestones_q())


class PlanMilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):
    """规划节点, with the deadline lights of matters."""

    serializer_class = PlanMilestoneSerializer
    filterset_class = MilestoneFilter
    pagination_class = LargeTablePagination
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    queryset = PlanMilestone.objects.none()

    def get_queryset(self) -> QuerySet[PlanMilestone]:
        return sel.milestone_list(actor_for(self.request.user))

    def _answer(self, milestone: PlanMilestone, code: int = status.HTTP_200_OK) -> Response:
        fresh = sel.milestone_list(actor_for(self.request.user)).get(pk=milestone.pk)
        return Response(PlanMilestoneSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=MilestoneCreateSerializer, responses={201: PlanMilestoneSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        data = MilestoneCreateSerializer(data=request.data, cadres=cadres_for(actor).filter(is_active=True))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = sel.plans_for(actor).filter(pk=values.pop("plan")).first()
        if plan is None:
            raise ValidationError({"plan": [str(_("所选规划不存在。"))]})
        milestone = services.milestone_add(actor=actor, plan=plan, **values)
        return self._answer(milestone, status.HTTP_201_CREATED)

    @extend_schema(request=DoneSerializer, responses={200: PlanMilestoneSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        milestone = self.get_object()
        data = DoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.milestone_done(
            actor=actor_for(request.user), milestone=milestone, note=data.validated_data["note"],
            evidence=data.validated_data["evidence"],
        ))
