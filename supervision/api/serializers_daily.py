"""API shapes of the daily loop (DESIGN.md §6): ids as references, choices as slugs with
`<field>_display`, ISO dates. Input serializers only parse; the services decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadres.models import Cadre, Household, Unit, Village
from portal.api_fields import PrimaryKeyList
from supervision.models import TEXT_LIMIT, Category, Diary, Matter, MatterEvent
from supervision.selectors.matters import GREEN, RED, YELLOW, light_of
from supervision.services.diaries import HOUSEHOLDS_REFUSED

# A day's visits: far more than any cadre makes; a longer list is refused before it is looked up.
MAX_HOUSEHOLDS = 100

# Deadline lights of open matters ("" for matters no longer open).
LIGHT_CHOICES = [(GREEN, _("正常")), (YELLOW, _("临期")), (RED, _("逾期"))]


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


_CATEGORY_LABELS = dict(Category.choices)
# Formats timestamps as the declared fields do; made once, since building a ModelSerializer's
# fields for each request costs more than serializing the page.
_TIMESTAMP = serializers.DateTimeField(read_only=True)


# The columns a list row is built from (diary_rows), read with `.values()`: a page of 50 rows then
# builds no model instances at all.
ROW_COLUMNS = (
    "id", "author_id", "author__name", "date", "village_id", "village__name", "category", "place", "people_met",
    "situation", "problems", "ideas", "on_time", "created_at", "updated_at",
)


def diary_rows(page: list[dict[str, Any]], household_ids: dict[int, list[int]]) -> list[dict[str, Any]]:
    """DiarySerializer's representation of `.values(*ROW_COLUMNS)` rows (the list's page).

    Labels are translated and the time zone looked up once a page, not once a row.
    tests/supervision/test_diaries_api.py checks the result against DRF's field-by-field one."""
    labels = {value: str(label) for value, label in _CATEGORY_LABELS.items()}
    zone = timezone.get_current_timezone()

    def stamp(value: datetime) -> str:
        # As DRF's DateTimeField: the current time zone, ISO 8601, "Z" for UTC.
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

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
            "created_at": stamp(row["created_at"]),
            "updated_at": stamp(row["updated_at"]),
        }
        for row in page
    ]


def _household_ids(diary: Diary) -> list[int]:
    # Create attaches the ids it saved; otherwise the prefetched households.
    attached = getattr(diary, "household_ids", None)
    return attached if attached is not None else [h.pk for h in diary.households.all()]


# Choice labels of the matter list, per language (the catalogues do not change while running).
_MATTER_LABELS: dict[str, dict[str, dict[str, str]]] = {}


def _matter_labels() -> dict[str, dict[str, str]]:
    language = translation.get_language() or ""
    labels = _MATTER_LABELS.get(language)
    if labels is None:
        labels = _MATTER_LABELS[language] = {
            name: {value: str(label) for value, label in choices}
            for name, choices in (
                ("source", Matter.Source.choices), ("category", Category.choices),
                ("status", Matter.Status.choices), ("satisfaction", Matter.Satisfaction.choices),
                ("light", LIGHT_CHOICES),
            )
        }
    return labels


_DAY = serializers.DateField(read_only=True)


def _day(value: Any) -> str | None:
    return None if value is None else _DAY.to_representation(value)


def _moment(value: datetime | None) -> str | None:
    return None if value is None else _TIMESTAMP.to_representation(value)


def _category_label(value: str) -> str:
    # str() of the lazy label translates it in the request's language.
    label = _CATEGORY_LABELS.get(value)
    return str(label) if label is not None else value


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


class DiaryInputSerializer(serializers.Serializer):
    """Create: `date` defaults to today. Update: the date never changes (it is the diary's day)."""

    date = serializers.DateField(required=False, help_text=_("默认今天；可补写近几天漏写的工作日"))
    village = _VillageId(queryset=Village.objects.all())
    # The queryset is narrowed to the diary's village in to_internal_value (see there).
    households = PrimaryKeyList(queryset=Household.objects.none(), required=False, max_items=MAX_HOUSEHOLDS,
                                error_messages={"not_found": HOUSEHOLDS_REFUSED})
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    people_met = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    situation = serializers.CharField(max_length=TEXT_LIMIT)
    problems = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="")
    ideas = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True, default="")

    def to_internal_value(self, data: Any) -> Any:
        # Households are looked up among the active households of the diary's own village only, so
        # an id from elsewhere is refused exactly like an unknown id, by id (never by name).
        raw = data.get("village") if hasattr(data, "get") else None
        village_id = raw if isinstance(raw, int) and not isinstance(raw, bool) else (
            int(raw) if isinstance(raw, str) and raw.isdigit() else None)
        field = self.fields["households"]
        field.child_relation.queryset = (  # type: ignore[attr-defined]
            Household.objects.filter(village_id=village_id, is_active=True).select_related("village")
            if village_id is not None else Household.objects.none()
        )
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
        return attrs


class MatterEventSerializer(serializers.ModelSerializer):
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)

    class Meta:
        model = MatterEvent
        fields = ["action", "from_status", "from_status_display", "to_status", "to_status_display", "by", "note", "at"]
        read_only_fields = fields


class MatterSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    satisfaction_display = serializers.CharField(source="get_satisfaction_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    satisfaction = serializers.ChoiceField(choices=Matter.Satisfaction.choices, allow_blank=True, read_only=True)
    light = serializers.SerializerMethodField()
    light_display = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Matter
        fields = [
            "id", "source", "source_display", "external_ref", "diary", "village", "village_name", "household",
            "category", "category_display", "description", "status", "status_display", "light", "light_display",
            "overdue",
            "raised_by", "unit", "assignee", "deadline", "assigned_at", "started_at", "resolution", "evidence",
            "resolved_at", "satisfaction", "satisfaction_display", "revisit_note", "revisited_at", "closed_at",
            "escalated_on", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Matter) -> dict[str, Any]:
        """The declared fields' shape, built directly: DRF's generic path looked every attribute up
        through its field objects and translated each choice label on every row (27 lookups and
        as many translations a row, 80 % of a 50-row page). tests/supervision/test_matters_api.py
        checks both paths agree."""
        labels = _matter_labels()
        light = self._light(instance)
        return {
            "id": instance.pk,
            "source": instance.source,
            "source_display": labels["source"].get(instance.source, instance.source),
            "external_ref": instance.external_ref,
            "diary": instance.diary_id,
            "village": instance.village_id,
            "village_name": instance.village.name,
            "household": instance.household_id,
            "category": instance.category,
            "category_display": labels["category"].get(instance.category, instance.category),
            "description": instance.description,
            "status": instance.status,
            "status_display": labels["status"].get(instance.status, instance.status),
            "light": light,
            "light_display": labels["light"].get(light, ""),
            "overdue": light == RED,
            "raised_by": instance.raised_by_id,
            "unit": instance.unit_id,
            "assignee": instance.assignee_id,
            "deadline": _day(instance.deadline),
            "assigned_at": _moment(instance.assigned_at),
            "started_at": _moment(instance.started_at),
            "resolution": instance.resolution,
            "evidence": self.get_evidence(instance),
            "resolved_at": _moment(instance.resolved_at),
            "satisfaction": instance.satisfaction,
            "satisfaction_display": labels["satisfaction"].get(instance.satisfaction, instance.satisfaction),
            "revisit_note": instance.revisit_note,
            "revisited_at": _moment(instance.revisited_at),
            "closed_at": _moment(instance.closed_at),
            "escalated_on": _day(instance.escalated_on),
            "created_at": _moment(instance.created_at),
            "updated_at": _moment(instance.updated_at),
        }

    def generic_representation(self, instance: Matter) -> dict[str, Any]:
        """DRF's field-by-field path, kept to check the fast one against."""
        return dict(super().to_representation(instance))

    def _light(self, obj: Matter) -> str:
        return str(getattr(obj, "light", "")) if hasattr(obj, "light") else light_of(obj)

    @extend_schema_field(serializers.ChoiceField(choices=LIGHT_CHOICES, allow_blank=True))
    def get_light(self, obj: Matter) -> str:
        return self._light(obj)

    def get_light_display(self, obj: Matter) -> str:
        return str(dict(LIGHT_CHOICES).get(self._light(obj), ""))

    def get_overdue(self, obj: Matter) -> bool:
        return self._light(obj) == RED

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence(self, obj: Matter) -> str | None:
        if not obj.evidence:
            return None
        from django.urls import reverse

        url = reverse("matter-evidence", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class MatterDetailSerializer(MatterSerializer):
    events = MatterEventSerializer(many=True, read_only=True)

    def to_representation(self, instance: Matter) -> dict[str, Any]:
        # One matter at a time: the declared fields, events included.
        return self.generic_representation(instance)

    class Meta(MatterSerializer.Meta):
        fields = [*MatterSerializer.Meta.fields, "events"]
        read_only_fields = fields


SOURCE_INPUT = [(v, label) for v, label in Matter.Source.choices if v != Matter.Source.DIARY]


class MatterCreateSerializer(serializers.Serializer):
    diary = serializers.PrimaryKeyRelatedField(queryset=Diary.objects.none(), required=False, allow_null=True)
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), required=False)
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all(), required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=SOURCE_INPUT, required=False,  # type: ignore[assignment]
                                     help_text=_("不带日记时的来源：督查、12345热线、信访、群众诉求"))
    external_ref = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, diaries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if diaries is not None:
            field: Any = self.fields["diary"]
            field.queryset = diaries  # only diaries the caller may read

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("diary"):
            if not attrs.get("village"):
                raise serializers.ValidationError({"village": _("请选择村。")})
            if not (attrs.get("description") or "").strip():
                raise serializers.ValidationError({"description": _("请填写问题描述。")})
        return attrs


class AssignSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=Cadre.objects.all(), required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmptySerializer(serializers.Serializer):
    pass


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000)
    evidence = serializers.FileField(required=False, allow_null=True)


class RevisitSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Matter.Satisfaction.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("截止日期不能早于起始日期。")})
        if (attrs["end"] - attrs["start"]).days > 366 * 5:
            raise serializers.ValidationError({"end": _("统计期间最长五年。")})
        return attrs


class CompletenessParamsSerializer(ReportPeriodSerializer):
    by = serializers.ChoiceField(choices=[("village", _("按村")), ("unit", _("按单位")), ("cadre", _("按干部"))],
                                 default="village")
