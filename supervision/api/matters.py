"""`/api/v1/matters/` with the actions assign, start, resolve, revisit and close (docs/design.md §6).

Each action answers 200 with the updated matter; an illegal transition 400 with the reason,
the wrong person 403, a matter out of scope 404.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.roles import actor_for
from core.api_fast import UnfilteredWithoutParams, utc_wall_clock
from core.pagination import LargeTablePagination
from core.query_memo import kept_queryset
from supervision.api.serializers._common import EmptySerializer, api_query_groups, viewer_township
from supervision.api.serializers.matters import ROW_COLUMNS as MATTER_ROW_COLUMNS
from supervision.api.serializers.matters import ROW_TIMES as MATTER_ROW_TIMES
from supervision.api.serializers.matters import (
    AssignSerializer,
    CloseSerializer,
    MatterCreateSerializer,
    MatterDetailSerializer,
    MatterSerializer,
    ResolveSerializer,
    RevisitSerializer,
    matter_rows,
)
from supervision.models import Matter
from supervision.search import search_matters
from supervision.selectors.diaries import diaries_for
from supervision.selectors.matters import (
    matter_detail_queryset,
    matter_list,
    matters_for,
    matters_in_scope,
    matters_scope_key,
    overdue_q,
)
from supervision.services import matters as services


class MatterFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Matter.Status.choices, label=_("状态"))
    village = django_filters.NumberFilter(field_name="village_id", label=_("村 id"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("是否逾期"))
    search = django_filters.CharFilter(
        method="filter_search", label=_("搜索：问题描述、办理结果中须含每一个词（空格分开）；结果仍按列表顺序分页")
    )

    class Meta:
        model = Matter
        fields = ["status", "village", "overdue", "search"]

    def filter_search(self, qs: QuerySet[Matter], name: str, value: str) -> QuerySet[Matter]:
        township_id = viewer_township(getattr(self, "request", None))
        return search_matters(qs, api_query_groups(value), township_id=township_id, rank=False)

    def filter_overdue(self, qs: QuerySet[Matter], name: str, value: bool | None) -> QuerySet[Matter]:
        if value is None:
            return qs
        return qs.filter(overdue_q()) if value else qs.exclude(overdue_q())


def _rows(qs: QuerySet[Matter]) -> QuerySet[Any]:
    return qs.values(*MATTER_ROW_COLUMNS, **utc_wall_clock(*MATTER_ROW_TIMES))


class MatterViewSet(
    UnfilteredWithoutParams, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """问题台账."""

    pagination_class = LargeTablePagination
    filterset_class = MatterFilter
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    queryset = Matter.objects.none()

    def get_queryset(self) -> QuerySet[Matter]:
        actor = actor_for(self.request.user)
        if self.action == "list":
            # The list's rows name only the village (MatterSerializer): four joins fewer.
            return matter_list(actor, related=("village",))
        return matter_detail_queryset(actor)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Plain rows, not model instances: building 100 objects a page (matter, village) and the
        # light's CASE cost more than the query (matter_rows works the light out per row).
        actor = actor_for(request.user)
        if self.unfiltered():
            # Unfiltered, the rows' queryset is the scope's alone: built once per process and
            # scope (core.query_memo), it saves half a millisecond of a page's four.
            key = matters_scope_key(actor)
            rows = kept_queryset(("api.matters.rows", key), lambda: _rows(matters_in_scope(key)))
        else:
            rows = _rows(self.filter_queryset(matters_for(actor)))
        page = self.paginate_queryset(rows)
        assert page is not None  # the viewset always paginates
        return self.get_paginated_response(matter_rows(page, request))

    def get_serializer_class(self) -> type:
        return MatterSerializer if self.action == "list" else MatterDetailSerializer

    def _answer(self, matter: Matter, code: int = status.HTTP_200_OK) -> Response:
        fresh = matter_detail_queryset(actor_for(self.request.user)).get(pk=matter.pk)
        return Response(MatterDetailSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=MatterCreateSerializer, responses={201: MatterDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        data = MatterCreateSerializer(data=request.data, diaries=diaries_for(actor))
        data.is_valid(raise_exception=True)
        matter = services.matter_create(actor=actor, **data.validated_data)
        return self._answer(matter, status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        matter = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.matter_assign(actor=actor_for(request.user), matter=matter, **data.validated_data))

    @extend_schema(request=EmptySerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        matter = self.get_object()
        return self._answer(services.matter_start(actor=actor_for(request.user), matter=matter))

    @extend_schema(request=ResolveSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        matter = self.get_object()
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.matter_resolve(
            actor=actor_for(request.user), matter=matter, resolution=data.validated_data["resolution"],
            evidence=data.validated_data.get("evidence"),
        ))

    @extend_schema(request=RevisitSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def revisit(self, request: Request, pk: str | None = None) -> Response:
        matter = self.get_object()
        data = RevisitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.matter_revisit(actor=actor_for(request.user), matter=matter, **data.validated_data))

    @extend_schema(request=CloseSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        matter = self.get_object()
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.matter_close(actor=actor_for(request.user), matter=matter, **data.validated_data))
