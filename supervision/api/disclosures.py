"""`/api/v1/disclosures/` (list, create, detail) and `/api/v1/disclosure-checks/` (list, detail)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.roles import actor_for
from cadres.scope import schools_for, villages_for
from core.api_fast import UnfilteredWithoutParams
from core.pagination import LargeTablePagination
from core.query_memo import kept_queryset
from supervision.api.serializers.disclosures import (
    DisclosureCheckDetailSerializer,
    DisclosureCheckSerializer,
    DisclosureCreateSerializer,
    DisclosureSerializer,
    disclosure_rows,
    disclosure_values,
)
from supervision.models import Disclosure, DisclosureCheck, DisclosureCheckItem, Domain, Subject
from supervision.quarters import QuarterError, parse_quarter
from supervision.selectors import disclosures as sel
from supervision.services.disclosures import disclosure_create


def _quarter_filter(field_year: str, field_quarter: str):  # type: ignore[no-untyped-def]
    def apply(queryset: QuerySet, name: str, value: str) -> QuerySet:
        try:
            q = parse_quarter(value)
        except QuarterError as exc:
            raise ValidationError({"quarter": [exc.message]}) from None
        return queryset.filter(**{field_year: q.year, field_quarter: q.quarter})

    return apply


class DisclosureFilter(django_filters.FilterSet):
    village = django_filters.NumberFilter(field_name="village_id")
    school = django_filters.NumberFilter(field_name="school_id")
    subject_kind = django_filters.ChoiceFilter(choices=Subject.choices)
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    quarter = django_filters.CharFilter(method="by_quarter", help_text="2026Q3: disclosures whose period overlaps it")

    class Meta:
        model = Disclosure
        fields = ["village", "school", "subject_kind", "domain", "quarter"]

    def by_quarter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        try:
            q = parse_quarter(value)
        except QuarterError as exc:
            raise ValidationError({"quarter": [exc.message]}) from None
        return queryset.filter(period_start__lte=q.end, period_end__gte=q.start)


class DisclosureViewSet(UnfilteredWithoutParams, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """公开事项. Village cadres post for their own village, the office for any of its villages."""

    serializer_class = DisclosureSerializer
    filterset_class = DisclosureFilter
    pagination_class = LargeTablePagination
    queryset = Disclosure.objects.none()

    def get_queryset(self) -> Any:
        return sel.disclosures_for(actor_for(self.request.user)).select_related("village", "school", "township")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The page as plain rows (disclosure_values), each dict built by hand in the serializer's key
        # order (disclosure_rows); DisclosureSerializer stays the schema and the detail.
        actor = actor_for(request.user)
        if self.unfiltered():
            # Unfiltered, the rows' queryset is the scope's alone: built once per process and
            # scope (core.query_memo).
            key = sel.village_scope_key(actor)
            rows = kept_queryset(("api.disclosures.rows", key), lambda: disclosure_values(
                sel.village_scoped(Disclosure.objects.all(), key, village_field="village_id")))
        else:
            rows = disclosure_values(self.filter_queryset(sel.disclosures_for(actor)))
        page = self.paginate_queryset(rows)
        assert page is not None  # the viewset always paginates
        return self.get_paginated_response(disclosure_rows(page))

    @extend_schema(request=DisclosureCreateSerializer, responses={201: DisclosureSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DisclosureCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        actor = actor_for(request.user)
        village_id, school_id = values.pop("village", None), values.pop("school", None)
        subject = values.get("subject_kind", Subject.VILLAGE)
        village = school = None
        if subject == Subject.VILLAGE:
            village = villages_for(actor).filter(pk=village_id, is_active=True).first() if village_id else None
            if village is None:
                raise ValidationError({"village": [_("所选村不存在。")]})
        elif subject == Subject.SCHOOL:
            school = schools_for(actor).filter(pk=school_id, is_active=True).first() if school_id else None
            if school is None:
                raise ValidationError({"school": [_("所选学校不存在。")]})
        disclosure = disclosure_create(actor=actor, village=village, school=school, **values)
        return Response(DisclosureSerializer(disclosure).data, status=status.HTTP_201_CREATED)


class DisclosureCheckFilter(django_filters.FilterSet):
    village = django_filters.NumberFilter(field_name="village_id")
    school = django_filters.NumberFilter(field_name="school_id")
    subject_kind = django_filters.ChoiceFilter(choices=Subject.choices)
    quarter = django_filters.CharFilter(method=_quarter_filter("year", "quarter"), help_text="2026Q3")
    year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=DisclosureCheck.Status.choices)

    class Meta:
        model = DisclosureCheck
        fields = ["village", "school", "subject_kind", "quarter", "year", "status"]


@extend_schema_view(retrieve=extend_schema(responses=DisclosureCheckDetailSerializer))
class DisclosureCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """季度公开检查: per village and quarter, the score and the result of every item."""

    serializer_class = DisclosureCheckSerializer
    filterset_class = DisclosureCheckFilter
    queryset = DisclosureCheck.objects.none()

    def get_queryset(self) -> Any:
        qs = sel.checks_for(actor_for(self.request.user)).select_related("village", "school", "township").order_by(
            "-year", "-quarter", "village__code")
        if self.action == "retrieve":
            from django.db.models import Prefetch

            qs = qs.prefetch_related(Prefetch("items", queryset=DisclosureCheckItem.objects.select_related(
                "requirement").order_by("requirement__order", "requirement_id", "period_start")))
        return qs

    def get_serializer_class(self) -> Any:
        return DisclosureCheckDetailSerializer if self.action == "retrieve" else DisclosureCheckSerializer
