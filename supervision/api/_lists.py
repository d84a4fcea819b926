"""What the hand-built lists (pledges, disclosures, inspections) share in their views."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

# Query parameters that only page: the filter backends read none of them.
PAGING_PARAMS = frozenset({"page", "page_size", "cursor"})


class FilterOnlyWhenAskedMixin:
    """Runs the filter backends only when the query names something besides the page.

    Without a filter parameter every backend (the FilterSet, `updated_since`) hands the queryset
    back as it is, but building the FilterSet's form class and form to find that out costs about
    a third of a millisecond a request; a client reading the first page sends no parameter.
    """

    request: Any

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.request.query_params.keys() <= PAGING_PARAMS:
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc,no-any-return]
