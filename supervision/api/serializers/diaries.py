"""Diary serializers: the list rows (built from plain rows), the input, completeness parameters."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadres.models import Household, Village
from core.api_fast import moment_text, utc_wall_clock
from core.api_fields import PrimaryKeyList
from supervision.api.serializers._common import _CATEGORY_LABELS, _TIMESTAMP, ReportPeriodSerializer, _category_label
from supervision.models import TEXT_LIMIT, Category, Diary
from supervision.services.diaries import HOUSEHOLDS_REFUSED

# A day's visits: far more than any cadre makes; a longer list is refused before it is looked up.
MAX_HOUSEHOLDS = 100


class DiarySerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    author_name = serializers.CharField(source="author.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    households = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Diary
        fields = [
            "id", "author", "author_name", "date", "village", "village_name", "households", "category",
            "category_display", "place", "people_met", "situation", "problems", "ideas", "on_time",
            "created_at", "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Diary) -> dict[str, Any]:
        """The same shape as the declared fields (the schema's source), built directly.

        The list serves 50 diaries a request at county scale; DRF's generic path spends most of
        the request on attribute lookups and on `get_category_display`, which hashes every
        (lazy) choice label. tests/supervision/test_diaries_api.py checks both paths agree.
        """
        return {
            "id": instance.pk,
            "author": instance.author_id,
            "author_name": instance.author.name,
            "date": instance.date.isoformat(),
            "village": instance.village_id,
            "village_name": instance.village.name,
            "households": _household_ids(instance),
            "category": instance.category,
            "category_display": _category_label(instance.category),
            "place": instance.place,
            "people_met": instance.people_met,
            "situation": instance.situation,
            "problems": instance.problems,
            "ideas": instance.ideas,
            "on_time": instance.on_time,
            "created_at": _TIMESTAMP.to_representation(instance.created_at),
            "updated_at": _TIMESTAMP.to_representation(instance.updated_at),
        }

    def generic_representation(self, instance: Diary) -> dict[str, Any]:
        """DRF's field-by-field path, kept to check the fast one against."""
        return dict(super().to_representation(instance))


# The columns a list row is built from (diary_rows), read with `.values()`: a page of 50 rows then
# builds no model instances at all.
ROW_COLUMNS = (
    "id", "author_id", "author__name", "date", "village_id", "village__name", "category", "place", "people_met",
    "situation", "problems", "ideas", "on_time",
)
# Its timestamps, read as UTC wall-clock times (core.api_fast.UtcWallClock: psycopg parses them in C)
# under `<name>_utc`: `.values(*ROW_COLUMNS, **ROW_TIMES)`.
ROW_TIMES = utc_wall_clock("created_at", "updated_at")


def diary_rows(page: list[dict[str, Any]], household_ids: dict[int, list[int]]) -> list[dict[str, Any]]:
    """DiarySerializer's representation of `.values(*ROW_COLUMNS)` rows (the list's page).

    Labels are translated and the time zone looked up once a page, not once a row.
    tests/supervision/test_diaries_api.py checks the result against DRF's field-by-field one."""
    labels = {value: str(label) for value, label in _CATEGORY_LABELS.items()}
    stamp = moment_text(utc_wall_clock=True)

    return [
        {
            "id": row["id"],
            "author": row["author_id"],
            "author_name": row["author__name"],
            "date": row["date"].isoformat(),
            "village": row["village_id"],
            "village_name": row["village__name"],
            "households": household_ids[row["id"]],
            "category": row["category"],
            "category_display": labels.get(row["category"], row["category"]),
            "place": row["place"],
            "people_met": row["people_met"],
            "situation": row["situation"],
            "problems": row["problems"],
            "ideas": row["ideas"],
            "on_time": row["on_time"],
            "created_at": stamp(row["created_at_utc"]),
            "updated_at": stamp(row["updated_at_utc"]),
        }
        for row in page
    ]


def _household_ids(diary: Diary) -> list[int]:
    # Create attaches the ids it saved; otherwise the prefetched households.
    attached = getattr(diary, "household_ids", None)
    return attached if attached is not None else [h.pk for h in diary.households.all()]


class _VillageId(serializers.PrimaryKeyRelatedField):
    """The village's id, type-checked; DiaryInputSerializer.validate fetches the village."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        raise AssertionError  # fail() raises


# The household and village columns _VillageHouseholds reads: what validation and the service use
# of a household, and the whole village (the diary's answer and the service read it).
_HOUSEHOLD_COLUMNS = ("id", "village_id", "is_active")
_VILLAGE_COLUMNS = tuple(f.attname for f in Village._meta.concrete_fields)
# Built once (nothing is read here): resolving the joined columns took a third of the lookup.
# Each lookup filters a clone of it.
_HOUSEHOLD_ROWS = (Household.objects.filter(is_active=True).order_by()
                   .values_list(*_HOUSEHOLD_COLUMNS, *(f"village__{name}" for name in _VILLAGE_COLUMNS)))


class _VillageHouseholds(PrimaryKeyList):
    """The diary's households: active households of the village the input names (the parent's
    `households_village_id`), each with its village attached, so validate needs no query for it.

    Read as plain columns, not `select_related` instances: building the query and two full model
    instances per household cost more than the read. The households carry only the columns read
    (the rest deferred, loaded if ever touched); the village is complete, as select_related's."""

    def lookup(self, ids: list[int]) -> dict[int, Model]:
        village_id = getattr(self.parent, "households_village_id", None)
        if village_id is None:
            return {}
        rows = _HOUSEHOLD_ROWS.filter(village_id=village_id, pk__in=ids)
        found: dict[int, Model] = {}
        village: Village | None = None
        cache_village = Household._meta.get_field("village").set_cached_value  # type: ignore[union-attr]
        width = len(_HOUSEHOLD_COLUMNS)
        for row in rows:
            household = Household.from_db(rows.db, _HOUSEHOLD_COLUMNS, row[:width])
            village = village or Village.from_db(rows.db, _VILLAGE_COLUMNS, row[width:])
            cache_village(household, village)
            found[household.pk] = household
        return found


class DiaryInputSerializer(serializers.Serializer):
    """Create: `date` defaults to today. Update: the date never changes (it is the diary's day)."""

    date = serializers.DateField(required=False, help_text=_("默认今天；可补写近几天漏写的工作日"))
    village = _VillageId(queryset=Village.objects.all())
    # Looked up among the diary's own village's households (see _VillageHouseholds).
    households = _VillageHouseholds(queryset=Household.objects.none(), required=False, max_items=MAX_HOUSEHOLDS,
                                    error_messages={"not_found": HOUSEHOLDS_REFUSED})
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    people_met = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    situation = serializers.CharField(max_length=TEXT_LIMIT)
    problems = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="")
    ideas = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="")
    client_id = serializers.UUIDField(required=False, help_text=_(
        "离线上传：手机生成的编号（UUID）。同一编号再次提交时返回已保存的日记（200），不会重复"))
    written_on = serializers.DateField(required=False, help_text=_(
        "离线上传：日记在手机上保存的日期，补写期限从这一天算起；需同时提供 client_id"))

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF deep-copies every declared field for each serializer, re-running each field's
        # __init__ (a tenth of a diary's write). These fields keep no state of a request (the
        # households' village is the serializer's, see to_internal_value), so a shallow copy,
        # bound to this serializer as usual, is enough.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def to_internal_value(self, data: Any) -> Any:
        # Households are looked up among the active households of the diary's own village only, so
        # an id from elsewhere is refused exactly like an unknown id, by id (never by name).
        raw = data.get("village") if hasattr(data, "get") else None
        self.households_village_id = raw if isinstance(raw, int) and not isinstance(raw, bool) else (
            int(raw) if isinstance(raw, str) and raw.isdigit() else None)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A diary's households are usually in its village: read with them, it needs no query.
        village_id = attrs["village"]
        village = next((h.village for h in attrs.get("households", ()) if h.village_id == village_id), None)
        if village is None:
            village = Village.objects.filter(pk=village_id).first()
        if village is None:
            message = self.fields["village"].error_messages["does_not_exist"].format(pk_value=village_id)
            raise serializers.ValidationError({"village": [message]})
        attrs["village"] = village
        if "written_on" in attrs and "client_id" not in attrs:
            raise serializers.ValidationError({"written_on": [_("只有离线上传（带 client_id）才能指定保存日期。")]})
        return attrs


class CompletenessParamsSerializer(ReportPeriodSerializer):
    by = serializers.ChoiceField(choices=[("village", _("按村")), ("unit", _("按单位")), ("cadre", _("按干部")),
                                          ("township", _("按镇"))],
                                 default="village")
