"""`/api/v1/agenda-items/`: the committee's agenda items, with the actions `major`, `consultation`
and `decide` (议事决策公开). Scoped as the agenda page (an idea follows its diary; a group's or the
office's item is read by those who read every diary of the township); out of scope is 404, the
wrong person 403, a refused step (a major item decided before its consultation …) 400 with the reason.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.roles import actor_for
from supervision.models import AgendaItem
from supervision.selectors.diaries import agenda_for
from supervision.services import agenda as services


class AgendaItemSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    consultation_method_display = serializers.CharField(source="get_consultation_method_display", read_only=True)
    problem_group = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["id", "title", "source", "source_display", "diary", "problem_group", "adopted_at", "is_major",
                  "consultation_method", "consultation_method_display", "consultation_from",
                  "consultation_summary", "consultation_start", "consultation_end", "consultation_recorded_at",
                  "status", "status_display", "meeting_date", "decision", "decided_at", "disclosure"]
        read_only_fields = fields

    def get_problem_group(self, obj: AgendaItem) -> int | None:
        group = getattr(obj, "problem_group", None)
        return group.pk if group is not None else None


class MajorSerializer(serializers.Serializer):
    is_major = serializers.BooleanField(default=True)


class ConsultationSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=AgendaItem.ConsultationMethod.choices)
    from_whom = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=5000)
    start = serializers.DateField()
    end = serializers.DateField()


class DecideSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=5000)
    meeting_date = serializers.DateField(required=False, allow_null=True)


class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """党委议题."""

    serializer_class = AgendaItemSerializer
    queryset = AgendaItem.objects.none()

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return agenda_for(actor_for(self.request.user)).order_by("-id")

    def _answer(self, item: AgendaItem) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(AgendaItemSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(request=MajorSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def major(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = MajorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.agenda_mark_major(actor=actor_for(request.user), item=item,
                                                       is_major=data.validated_data["is_major"]))

    @extend_schema(request=ConsultationSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def consultation(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = ConsultationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.agenda_consultation_record(actor=actor_for(request.user), item=item,
                                                                **data.validated_data))

    @extend_schema(request=DecideSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.agenda_decide(actor=actor_for(request.user), item=item, **data.validated_data))
