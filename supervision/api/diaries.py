"""`/api/v1/diaries/`: list and read within scope; the author creates and updates."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import django_filters
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cadres.models import Household
from cadres.roles import Actor, actor_for
from core.api_fast import UnfilteredWithoutParams
from core.pagination import LargeTablePagination
from core.query_memo import kept_queryset
from core.sql import planned_once
from supervision.api.serializers._common import api_query_groups, viewer_township
from supervision.api.serializers.diaries import ROW_COLUMNS, ROW_TIMES, DiaryInputSerializer, DiarySerializer, diary_rows
from supervision.models import Diary
from supervision.search import SearchWalk, own_search_rows, search_diaries, township_search_rows
from supervision.selectors.diaries import (
    diaries_for,
    diaries_in_scope,
    diaries_scope_key,
    own_reader_of,
    township_reader_of,
)
from supervision.services import diaries as services

# Each diary's visited household ids as one column of the page's own query (PostgreSQL): one
# statement fewer per page than reading the link table afterwards, and no second query to compile.
# The table and column names are the models' constants.
HOUSEHOLD_IDS = RawSQL(
    'ARRAY(SELECT l.household_id FROM supervision_diary_households l '
    'WHERE l.diary_id = "supervision_diary"."id" ORDER BY l.household_id)', (),
    output_field=ArrayField(BigIntegerField()),
)


def household_ids_of(diary_ids: list[int]) -> dict[int, list[int]]:
    """Each diary's visited household ids, from the link table in one query (no Household rows)."""
    ids: dict[int, list[int]] = {pk: [] for pk in diary_ids}
    links = Diary.households.through.objects.filter(diary_id__in=diary_ids).order_by("diary_id", "household_id")
    for diary_id, household_id in links.values_list("diary_id", "household_id"):
        ids[diary_id].append(household_id)
    return ids


class DiaryPagination(LargeTablePagination):
    ordering = ("-date", "-id")  # type: ignore[assignment]
    # The cursor is (date, offset within that date). County-wide, one day holds more than
    # DRF's default 1,000 diaries; past that cutoff `next` would repeat the same page forever.
    offset_cutoff = 100_000


# The query parameters that only page or format a list.
PAGING_PARAMS = {"cursor", "page_size", "format"}

# Where the search filter leaves a township reader's search rows for `list` (two steps).
SEARCH_ROWS = "diary_search_rows"


# Where the page's ids statement goes in _page_rows_sql's statement.
_PAGE_IDS = "SELECT -1 /* the page's ids */"


@cache
def _page_rows_sql() -> tuple[str, tuple[str, ...]]:
    """The list's row statement (with each diary's household ids) of the diaries whose ids the
    _PAGE_IDS subquery selects, and its columns' names: compiled once a process, not once a page
    (~0.5 ms of CPU)."""
    rows = Diary.objects.order_by().annotate(household_ids=HOUSEHOLD_IDS).values(
        *ROW_COLUMNS, "household_ids", **ROW_TIMES
    )
    sql, params = rows.filter(pk__in=RawSQL(_PAGE_IDS, ())).query.sql_with_params()  # noqa: S611 - a constant
    assert not params and sql.count(_PAGE_IDS) == 1, "the row statement is constant"
    query = rows.query
    return sql, (*query.extra_select, *query.values_select, *query.annotation_select)


def page_rows(ids_sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """The list's rows of the diaries `ids_sql` selects (unordered and unscoped: the caller found
    the ids within the scope), as `.values(*ROW_COLUMNS, "household_ids", **ROW_TIMES)` reads them
    (PostgreSQL: no column needs a converter).

    Planned once per connection (core.sql.planned_once): a search page's statement took ~0.7 ms
    (a township's) to 1.1 ms (a cadre's) to plan, a third of its run at a million diaries. Its plan
    does not turn on the words: the search table has one index for them (the GIN), a cadre's walk
    checks its filters' bits as parameters, each branch is chosen as the statement runs
    (SearchWalk), and only a page's ids reach the diaries."""
    sql, names = _page_rows_sql()
    with planned_once(connection) as cursor:
        cursor.execute(sql.replace(_PAGE_IDS, ids_sql), params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class DiaryFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起始日期（含）"))
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("截止日期（含）"))
    village = django_filters.NumberFilter(field_name="village_id", label=_("村 id"))
    author = django_filters.NumberFilter(field_name="author_id", label=_("作者（干部 id）"))
    search = django_filters.CharFilter(
        method="filter_search", label=_("搜索：民情、问题、思路、地点、走访对象中须含每一个词（空格分开）；结果仍按列表顺序分页")
    )

    class Meta:
        model = Diary
        fields = ["start", "end", "village", "author", "search"]

    def filter_search(self, qs: QuerySet[Diary], name: str, value: str) -> QuerySet[Diary]:
        # The API keeps the list's cursor order: no rank to compute.
        request = getattr(self, "request", None)
        groups = api_query_groups(value)

        def found() -> QuerySet[Diary]:
            return search_diaries(qs, groups, township_id=viewer_township(request), rank=False)

        if request is None or connection.vendor != "postgresql" or not self._searches_only():
            return found()
        # The same rows as `found`, in the list's order (list pages them): a reader whose scope
        # the search index answers alone (index_walk), else the reader's newest rows walked.
        walk = index_walk(actor_for(request.user), groups) or SearchWalk(qs, groups, found(), rows=page_rows)
        setattr(request, SEARCH_ROWS, walk)
        # The list pages the walk and never reads this set (building it cost ~0.3 ms a page);
        # any other action still filters by it.
        view = getattr(request, "parser_context", {}).get("view")
        return qs if getattr(view, "action", None) == "list" else found()

    def _searches_only(self) -> bool:
        """No filter but the search (the others need the diaries' own columns), neither this set's
        nor another backend's (`?updated_since=`, which filters the rows after this set)."""
        request = getattr(self, "request", None)
        if request is not None and not set(request.query_params) <= {*self.form.cleaned_data, *PAGING_PARAMS}:
            return False
        return all(value in EMPTY_VALUES for key, value in self.form.cleaned_data.items() if key != "search")


def index_walk(actor: Actor, groups: Sequence[Sequence[str]]) -> SearchWalk | None:
    """A search page's walk for a reader whose every readable diary the search index finds on its
    own, with no need of the list's scope: a cadre who reads only their own diaries (a walk of
    their diaries' term filters), a reader of a whole township (the search table's index, from
    the page's months first). None for any other reader (PostgreSQL only)."""
    if (own := own_reader_of(actor)) is not None:
        return SearchWalk(None, groups, own_search_rows(groups, author_id=own[0], township_id=own[1]),
                          rows=page_rows, walk_rows=0)
    if (reader_of := township_reader_of(actor)) is not None:
        return SearchWalk(None, groups, township_search_rows(groups, township_id=reader_of), rows=page_rows,
                          walk_rows=0)
    return None


def _rows(qs: QuerySet[Diary]) -> QuerySet[Any]:
    """The list's plain rows, each with its households' ids (PostgreSQL)."""
    return qs.annotate(household_ids=HOUSEHOLD_IDS).values(*ROW_COLUMNS, "household_ids", **ROW_TIMES)


class DiaryViewSet(
    UnfilteredWithoutParams,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """民情日记. Read by the author, the village's leading cadre, the author's unit head and
    leader in charge, the leaders, the office, the inspector and the reporting role."""

    serializer_class = DiarySerializer
    pagination_class = DiaryPagination
    filterset_class = DiaryFilter
    queryset = Diary.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[Diary]:
        qs = diaries_for(actor_for(self.request.user))
        if self.action == "list":
            return qs
        return qs.select_related("author", "village").prefetch_related(
            Prefetch("households", queryset=Household.objects.only("id").order_by("id"))
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Plain rows, not model instances: at county scale building 150 model objects a page
        # (diary, author, village) cost more than the query. Households: one query for the page.
        if connection.vendor == "postgresql" and self.unfiltered():
            # Unfiltered, the rows' queryset is the scope's alone: built once per process and
            # scope (core.query_memo).
            key = diaries_scope_key(actor_for(request.user))
            return self._page(kept_queryset(("api.diaries.rows", key), lambda: _rows(diaries_in_scope(key))))
        if connection.vendor == "postgresql" and (walk := self._search_only_walk()) is not None:
            return self._search_page(walk)
        qs = self.filter_queryset(self.get_queryset())
        if (search_rows := getattr(request, SEARCH_ROWS, None)) is not None:
            return self._search_page(search_rows)
        if connection.vendor == "postgresql":
            return self._page(_rows(qs))
        page = self.paginate_queryset(qs.values(*ROW_COLUMNS, **ROW_TIMES))
        assert page is not None
        households = household_ids_of([row["id"] for row in page])
        return self.get_paginated_response(diary_rows(page, households))

    def _search_only_walk(self) -> SearchWalk | None:
        """The page's walk of a request that only searches (and pages) by a reader whose matches
        the index finds alone (index_walk): the list's scope and its filter set, which such a
        page never reads, are not built (~1.3 ms of a cadre's ~6 ms of CPU at a million diaries).
        A query that cannot be searched is the filter's 400 (the same message, under `search`);
        None: the filter set answers (an empty search, another parameter, any other reader)."""
        params = self.request.query_params
        value = (params.get("search") or "").strip()  # as the filter's form cleans it
        if not value or not params.keys() <= {"search", *PAGING_PARAMS}:
            return None
        return index_walk(actor_for(self.request.user), api_query_groups(value))

    def _page(self, rows: QuerySet[Any]) -> Response:
        """A page of _rows (PostgreSQL: each row carries its households)."""
        page = self.paginate_queryset(rows)
        assert page is not None  # the viewset always paginates
        households = {row["id"]: row.pop("household_ids") for row in page}
        return self.get_paginated_response(diary_rows(page, households))

    def _search_page(self, search_rows: SearchWalk) -> Response:
        # The page's diary ids in the list's order and cursor, (date, id), walked from the list's
        # newest rows (supervision.search.SearchWalk), and the list's rows of those ids, in one
        # statement. The walk answers what the cursor paginator asks of a queryset: order_by,
        # filter, a slice.
        page: list[dict[str, Any]] | None = self.paginate_queryset(search_rows)  # type: ignore[arg-type, assignment]
        assert page is not None  # the viewset always paginates
        households = {row["id"]: row.pop("household_ids") for row in page}
        return self.get_paginated_response(diary_rows(page, households))

    @extend_schema(request=DiaryInputSerializer, responses={
        201: DiarySerializer, 200: DiarySerializer,
        409: OpenApiResponse(description=str(_("该日已有日记（离线上传）：body 的 diary 是已保存的日记")))})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        data = DiaryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "client_id" in values:
            return self._submit(actor, values)
        diary = services.diary_create(actor=actor, **values)
        # The author reads their own diary: answer from the saved object, not a second read.
        diary.household_ids = sorted(h.pk for h in values.get("households", ()))  # type: ignore[attr-defined]
        return Response(DiarySerializer(diary).data, status=status.HTTP_201_CREATED)

    def _submit(self, actor: Actor, values: dict[str, Any]) -> Response:
        """An upload from a phone's outbox: 201 written, 200 already stored (a retry), 409 the day
        is written already, with the stored diary so the page can offer to merge."""
        try:
            diary, created = services.diary_submit(actor=actor, **values)
        except services.DiaryConflict as exc:
            stored = self.get_queryset().filter(pk=exc.diary.pk).first() or exc.diary
            return Response({"detail": exc.message, "code": exc.code, "errors": {"date": [exc.message]},
                             "diary": DiarySerializer(stored).data}, status=status.HTTP_409_CONFLICT)
        if created:
            diary.household_ids = sorted(h.pk for h in values.get("households", ()))  # type: ignore[attr-defined]
            return Response(DiarySerializer(diary).data, status=status.HTTP_201_CREATED)
        # A withdrawn diary is no longer listed, but a retry still gets its own diary back, not a 404.
        stored = self.get_queryset().filter(pk=diary.pk).first() or diary
        return Response(DiarySerializer(stored).data, status=status.HTTP_200_OK)

    @extend_schema(request=DiaryInputSerializer, responses={200: DiarySerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_for(request.user)
        diary = self.get_object()
        partial = kwargs.get("partial", False)
        current = {
            "village": diary.village_id, "households": [h.pk for h in diary.households.all()],
            "category": diary.category, "place": diary.place, "people_met": diary.people_met,
            "situation": diary.situation, "problems": diary.problems, "ideas": diary.ideas,
        }
        incoming = {**current, **request.data} if partial else request.data
        data = DiaryInputSerializer(data=incoming)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for name in ("date", "client_id", "written_on"):  # a diary's day and offline id never change
            values.pop(name, None)
        services.diary_update(actor=actor, diary=diary, **values)
        return Response(DiarySerializer(self.get_queryset().get(pk=diary.pk)).data)

    @extend_schema(request=DiaryInputSerializer, responses={200: DiarySerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)
