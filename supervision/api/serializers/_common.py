"""Pieces the supervision serializers share: dates and moments as ISO text, category labels, the empty action body."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from cadres.roles import actor_for
from core.errors import DomainError
from core.search import parse_query
from supervision.models import Category

_CATEGORY_LABELS = dict(Category.choices)


# Formats timestamps as the declared fields do; made once, since building a ModelSerializer's
# fields for each request costs more than serializing the page.
_TIMESTAMP = serializers.DateTimeField(read_only=True)


_DAY = serializers.DateField(read_only=True)


def _day(value: Any) -> str | None:
    return None if value is None else _DAY.to_representation(value)


def _moment(value: datetime | None) -> str | None:
    return None if value is None else _TIMESTAMP.to_representation(value)


def _category_label(value: str) -> str:
    # str() of the lazy label translates it in the request's language.
    label = _CATEGORY_LABELS.get(value)
    return str(label) if label is not None else value


class EmptySerializer(serializers.Serializer):
    pass


class ReportPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("截止日期不能早于起始日期。")})
        if (attrs["end"] - attrs["start"]).days > 366 * 5:
            raise serializers.ValidationError({"end": _("统计期间最长五年。")})
        return attrs


def report_period(request: Request) -> tuple[date, date]:
    """The checked `start` and `end` of a period report's query (a 400 with the reason otherwise):
    one reading for every period report, so they cannot drift apart."""
    params = ReportPeriodSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data["start"], params.validated_data["end"]


def api_query_groups(value: str) -> list[list[str]]:
    """`?search=` as AND-groups (core.search.parse_query); a query that cannot be searched is a 400
    under the key `search`, with the reason."""
    try:
        return parse_query(value)
    except DomainError as exc:
        raise serializers.ValidationError({"search": [exc.message]}) from exc


def viewer_township(request: Any) -> int | None:
    """The one township of the caller (None for the county or no request): narrows a search
    inside the index (supervision.search.scope_term); the list's own scope still applies."""
    if request is None:
        return None
    return actor_for(request.user).township_id
