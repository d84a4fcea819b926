"""API input fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class PrimaryKeyList(serializers.ManyRelatedField):
    """A list of ids resolved in one query, in the order given, duplicates dropped.

    DRF's `PrimaryKeyRelatedField(many=True)` reads the objects one by one: a diary listing ten
    households cost ten queries. Errors are DRF's own, in the request's language. Ids the queryset
    does not hold are refused together and by id only (`not_found`), the same whether the object
    does not exist or lies outside the caller's scope: a refusal never tells more than the id sent."""

    default_error_messages = {
        **serializers.ManyRelatedField.default_error_messages,
        "too_many": _("最多选择 %(limit)s 项，现为 %(count)s 项。"),
        "not_found": _("以下编号不存在或不可选：%(ids)s。"),
    }

    def __init__(self, queryset: QuerySet[Any], *, max_items: int | None = None, **kwargs: Any) -> None:
        super().__init__(child_relation=serializers.PrimaryKeyRelatedField(queryset=queryset), **kwargs)
        self.max_items = max_items

    def to_internal_value(self, data: Any) -> list[Model]:
        if isinstance(data, (str, dict)) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and len(data) == 0:
            self.fail("empty")
        if self.max_items is not None and len(data) > self.max_items:
            # Checked before anything is read: a list of thousands of ids is refused, not looked up.
            raise serializers.ValidationError(
                str(self.error_messages["too_many"]) % {"limit": self.max_items, "count": len(data)}, code="too_many"
            )
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
        found = self.lookup(ids)
        refused = [pk for pk in ids if pk not in found]
        if refused:
            raise serializers.ValidationError(
                str(self.error_messages["not_found"]) % {"ids": "、".join(str(pk) for pk in refused)},
                code="does_not_exist",
            )
        return [found[pk] for pk in ids]

    def lookup(self, ids: list[int]) -> dict[int, Model]:
        """The objects of `ids` the field accepts, by id (a missing id is refused)."""
        queryset = self.child_relation.get_queryset()
        assert queryset is not None  # given to __init__
        return queryset.in_bulk(ids)
