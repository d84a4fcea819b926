"""Pagination: page numbers for small tables, cursors for the large ones (diaries, matters, audit).

Both answer {"next", "previous", "results"}; the page style adds "count".
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination, PageNumberPagination

from core.sql import planned_once


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LargeTablePagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)


class CountedRows:
    """A page-numbered list whose rows and count come from two querysets: `rows` the page's own
    (`.values()` with the joined names and arrays a row shows), `counted` the same rows as the bare,
    filtered table, so the COUNT carries none of the page's joins or columns. Both must hold the
    same rows; Django's Paginator reads `count()` and slices, nothing else."""

    def __init__(self, rows: QuerySet, counted: QuerySet) -> None:
        self.rows = rows
        self.counted = counted

    @property
    def ordered(self) -> bool:
        return self.rows.ordered

    def count(self) -> int:
        return self.counted.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> Any:
        return self.rows[index]


class PageStatements:
    """A page-numbered list's two statements, compiled once from its scoped, filtered and ordered
    queryset: the count of its rows (no joins, no columns, no order) and the ids of a slice of
    them in the list's order. They hold SQL and its parameters, no rows, so an unfiltered list
    keeps them per scope key (core.query_memo.kept) and a page compiles nothing; both run prepared
    on the connection (core.sql.planned_once): the same statements, planned once."""

    __slots__ = ("count_sql", "ids_sql", "order", "params")

    def __init__(self, qs: QuerySet) -> None:
        self.order = tuple(qs.query.order_by)
        try:
            ids_sql, params = qs.values("id").query.sql_with_params()
            count_sql, count_params = qs.values("id").order_by().query.sql_with_params()
        except EmptyResultSet:  # a scope or filter that admits nothing
            self.count_sql: str | None = None
            self.ids_sql, self.params = "", ()
            return
        assert tuple(count_params) == tuple(params), (count_params, params)
        self.count_sql = f"SELECT count(*) FROM ({count_sql}) AS counted"  # noqa: S608 - Django's SQL
        self.ids_sql, self.params = ids_sql, tuple(params)

    def count(self) -> int:
        if self.count_sql is None:
            return 0
        with planned_once(connection) as cursor:
            cursor.execute(self.count_sql, self.params)
            return int(cursor.fetchone()[0])

    def ids(self, index: slice) -> tuple[str, tuple[Any, ...]] | None:
        """The statement selecting the slice's ids in the list's order, or None when it holds none."""
        start, stop = index.start or 0, index.stop
        if self.count_sql is None or stop is None or stop <= start:
            return None
        return f"{self.ids_sql} LIMIT %s OFFSET %s", (*self.params, stop - start, start)
