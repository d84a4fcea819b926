"""`/api/v1/pledges/`: the caller's pledges in scope, with `sign` and `countersign` actions."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.roles import actor_for
from core.api_fast import UnfilteredWithoutParams
from core.query_memo import kept
from supervision.api.serializers._json_sql import writes_json
from supervision.api.serializers.pledges import PledgeSerializer, pledge_page, pledge_rows, pledge_values_page
from supervision.models import Pledge, PledgeLevel
from supervision.selectors.pledges import LIST_ORDER, pledge_list, pledge_list_with_targets, pledges_in_scope, pledges_scope_key
from supervision.services import pledges as svc


class PledgeFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(choices=Pledge.Status.choices)
    level = django_filters.ChoiceFilter(choices=PledgeLevel.choices)

    class Meta:
        model = Pledge
        fields = ["year", "status", "level"]


class PledgeViewSet(UnfilteredWithoutParams, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """目标管理责任书. Pledger side, superior, leaders, office and inspector see a pledge; the
    reporting role sees the villages' and units' pledges; others get 404."""

    serializer_class = PledgeSerializer
    filterset_class = PledgeFilter
    queryset = Pledge.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self) -> Any:
        return pledge_list_with_targets(actor_for(self.request.user)).prefetch_related("targets__progress")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The page's rows as PledgeSerializer gives them: on PostgreSQL each row's JSON text written
        # by one statement (pledge_page; unfiltered, the page's statements are the scope's alone,
        # compiled once per process and scope), elsewhere dicts built from `.values()`.
        # PledgeSerializer stays the schema. The count is the filtered scope's, without the page's
        # joins and columns.
        actor = actor_for(request.user)
        source: Any  # an object list for Django's Paginator
        written = writes_json()
        if written and self.unfiltered():
            key = pledges_scope_key(actor)
            source = kept(("api.pledges.page", key), lambda: pledge_page(pledges_in_scope(key).order_by(*LIST_ORDER)))
        elif written:
            source = pledge_page(self.filter_queryset(pledge_list(actor)))
        else:
            source = pledge_values_page(self.filter_queryset(pledge_list(actor)))
        page = self.paginate_queryset(source)
        assert page is not None  # the viewset always paginates
        return self.get_paginated_response(page if written else pledge_rows(page))

    def _act(self, request: Request, service: Any) -> Response:
        pledge = self.get_object()  # 404 outside the caller's scope
        service(pledge=pledge, actor=actor_for(request.user))  # 403 not theirs, 400 illegal transition
        return Response(self.get_serializer(self.get_queryset().get(pk=pledge.pk)).data)

    @extend_schema(request=None, responses=PledgeSerializer, summary="Sign a pledge (the pledger side)")
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, svc.pledge_sign)

    @extend_schema(request=None, responses=PledgeSerializer, summary="Countersign a pledge (the superior)")
    @action(detail=True, methods=["post"])
    def countersign(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, svc.pledge_countersign)
