"""Pagination: page numbers for small tables, cursors for the large ones (diaries, matters, audit).

Both answer {"next", "previous", "results"}; the page style adds "count".
"""

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
