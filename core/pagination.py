"""Pagination: page numbers for small tables, cursors for the large ones (diaries, matters, audit).

Both answer {"next", "previous", "results"}; the page style adds "count".
"""

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination, PageNumberPagination


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
