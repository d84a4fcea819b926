"""API input fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers


class PrimaryKeyList(serializers.ManyRelatedField):
    """A list of ids resolved in one query, in the order given, duplicates dropped.

    DRF's `PrimaryKeyRelatedField(many=True)` reads the objects one by one: a diary listing ten
    households cost ten queries. Errors are DRF's own, in the request's language."""

    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(child_relation=serializers.PrimaryKeyRelatedField(queryset=queryset), **kwargs)

    def to_internal_value(self, data: Any) -> list[Model]:
        if isinstance(data, (str, dict)) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and len(data) == 0:
            self.fail("empty")
        child = self.child_relation
        ids: list[int] = []
        for item in data:
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                child.fail("incorrect_type", data_type=type(item).__name__)
            try:
                ids.append(int(item))
            except ValueError:
                child.fail("incorrect_type", data_type=type(item).__name__)
        ids = list(dict.fromkeys(ids))
        queryset = child.get_queryset()
        assert queryset is not None  # given to __init__
        found = queryset.in_bulk(ids)
        for pk in ids:
            if pk not in found:
                child.fail("does_not_exist", pk_value=pk)
        return [found[pk] for pk in ids]
