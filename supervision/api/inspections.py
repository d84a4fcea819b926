"""`/api/v1/inspections/`: inspections in the caller's scope; the inspectors may record one."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.models import Cadre, Unit, Village
from cadres.roles import actor_for
from cadres.scope import in_townships
from core.api_fast import UnfilteredWithoutParams
from core.errors import NotAllowed
from core.query_memo import kept
from supervision.api.serializers._json_sql import writes_json
from supervision.api.serializers.inspections import (
    InspectionCreateSerializer,
    InspectionSerializer,
    inspection_page,
    inspection_rows,
    inspection_values,
)
from supervision.models import Inspection
from supervision.selectors.inspections import LIST_ORDER, inspection_list, inspections_in_scope, inspections_scope_key
from supervision.services.inspections import inspection_create, is_inspector


class InspectionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices)
    closed = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", exclude=True)
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = ["kind", "closed", "start", "end"]


class InspectionViewSet(UnfilteredWithoutParams, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """督查. Inspectors and leaders see the township's; the office all but unpublished unannounced
    ones; a subject its own published inspections."""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    queryset = Inspection.objects.none()

    def get_queryset(self) -> Any:
        return inspection_list(actor_for(self.request.user)).prefetch_related("findings__matters")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        if writes_json():
            # Each row the JSON text PostgreSQL writes (inspection_page); unfiltered, the page's
            # statements are the scope's alone: compiled once per process and scope.
            source: Any  # an object list for Django's Paginator
            if self.unfiltered():
                key = inspections_scope_key(actor)
                source = kept(("api.inspections.page", key),
                              lambda: inspection_page(inspections_in_scope(key).order_by(*LIST_ORDER)))
            else:
                source = inspection_page(self.filter_queryset(inspection_list(actor).prefetch_related(None)))
            page = self.paginate_queryset(source)
            assert page is not None  # the viewset always paginates
            return self.get_paginated_response(page)
        # Elsewhere plain rows, each dict built by hand in the serializer's key order
        # (inspection_rows); the count is the filtered scope's, without the page's joins and
        # columns. InspectionSerializer stays the schema and the detail.
        rows: Any = inspection_values(self.filter_queryset(inspection_list(actor).prefetch_related(None)))
        page = self.paginate_queryset(rows)
        assert page is not None
        return self.get_paginated_response(inspection_rows(page))

    @extend_schema(request=InspectionCreateSerializer, responses={201: InspectionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        if not is_inspector(actor):
            raise NotAllowed(_("只有纪委（督查人员）可以登记督查。"))
        data = InspectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        subjects: dict[str, Any] = {"cadre": Cadre.objects.all(), "unit": Unit.objects.all(),
                                    "village": Village.objects.all()}
        subject = in_townships(subjects[values.pop("subject_type")], actor).filter(pk=values.pop("subject_id")).first()
        if subject is None:
            raise ValidationError({"subject_id": ["督查对象不存在。"]})
        inspectors = list(in_townships(Cadre.objects.all(), actor).filter(pk__in=values.pop("inspectors")))
        inspection = inspection_create(actor=actor_for(request.user), subject=subject, inspectors=inspectors, **values)
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data,
                        status=status.HTTP_201_CREATED)
