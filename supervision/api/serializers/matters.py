"""Matter serializers: the list rows, the detail with its timeline, and the action bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cadres.models import Cadre, Household, Unit, Village
from core.api_fast import moment_text
from supervision.api.serializers._common import _day, _moment
from supervision.models import Category, Diary, Matter, MatterEvent
from supervision.selectors.matters import GREEN, RED, YELLOW, light_of, overdue_days, yellow_days

# Deadline lights of open matters ("" for matters no longer open).
LIGHT_CHOICES = [(GREEN, _("正常")), (YELLOW, _("临期")), (RED, _("逾期"))]


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
    overdue_days = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Matter
        fields = [
            "id", "source", "source_display", "external_ref", "diary", "village", "village_name", "household",
            "category", "category_display", "description", "status", "status_display", "light", "light_display",
            "overdue", "overdue_days",
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
            "overdue_days": overdue_days(instance),
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

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_overdue_days(self, obj: Matter) -> int | None:
        """Days past the deadline of an open matter (Beijing calendar); null otherwise."""
        return overdue_days(obj)

    def get_light_display(self, obj: Matter) -> str:
        return str(dict(LIGHT_CHOICES).get(self._light(obj), ""))

    def get_overdue(self, obj: Matter) -> bool:
        return self._light(obj) == RED

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence(self, obj: Matter) -> str | None:
        if not obj.evidence:
            return None
        return _evidence_url(obj.pk, self.context.get("request"))


# The columns a list row is built from (matter_rows), read with `.values()`: a page of 50 rows then
# builds no model instances, and the light is worked out from status and deadline (light_of's rule)
# rather than compiled into the query.
ROW_COLUMNS = (
    "id",
    "source",
    "external_ref",
    "diary_id",
    "village_id",
    "village__name",
    "household_id",
    "category",
    "description",
    "status",
    "raised_by_id",
    "unit_id",
    "assignee_id",
    "deadline",
    "resolution",
    "evidence",
    "satisfaction",
    "revisit_note",
    "escalated_on",
)


# Its timestamps, read as UTC wall-clock times (core.api_fast.UtcWallClock: psycopg parses them in C)
# under `<name>_utc`: `.values(*ROW_COLUMNS, **utc_wall_clock(*ROW_TIMES))`.
ROW_TIMES = ("assigned_at", "started_at", "resolved_at", "revisited_at", "closed_at", "created_at", "updated_at")


def matter_rows(page: list[dict[str, Any]], request: Any = None) -> list[dict[str, Any]]:
    """MatterSerializer's representation of `.values(*ROW_COLUMNS)` rows (the list's page).

    tests/supervision/test_matters_api.py checks the result against DRF's field-by-field one."""
    labels = _matter_labels()
    sources, categories, statuses = labels["source"], labels["category"], labels["status"]
    satisfactions, lights = labels["satisfaction"], labels["light"]
    moment = moment_text(utc_wall_clock=True)
    today = timezone.localdate()
    yellow_until = today + timedelta(days=yellow_days())
    open_statuses = Matter.OPEN_STATUSES
    out = []
    for row in page:
        status, deadline = row["status"], row["deadline"]
        light, overdue = "", None
        if status in open_statuses:  # light_of and overdue_days, on the row's values
            if deadline is None:
                light = GREEN
            elif deadline < today:
                light, overdue = RED, (today - deadline).days
            else:
                light = YELLOW if deadline <= yellow_until else GREEN
        out.append(
            {
                "id": row["id"],
                "source": row["source"],
                "source_display": sources.get(row["source"], row["source"]),
                "external_ref": row["external_ref"],
                "diary": row["diary_id"],
                "village": row["village_id"],
                "village_name": row["village__name"],
                "household": row["household_id"],
                "category": row["category"],
                "category_display": categories.get(row["category"], row["category"]),
                "description": row["description"],
                "status": status,
                "status_display": statuses.get(status, status),
                "light": light,
                "light_display": lights.get(light, ""),
                "overdue": light == RED,
                "overdue_days": overdue,
                "raised_by": row["raised_by_id"],
                "unit": row["unit_id"],
                "assignee": row["assignee_id"],
                "deadline": None if deadline is None else deadline.isoformat(),
                "assigned_at": moment(row["assigned_at_utc"]),
                "started_at": moment(row["started_at_utc"]),
                "resolution": row["resolution"],
                "evidence": _evidence_url(row["id"], request) if row["evidence"] else None,
                "resolved_at": moment(row["resolved_at_utc"]),
                "satisfaction": row["satisfaction"],
                "satisfaction_display": satisfactions.get(row["satisfaction"], row["satisfaction"]),
                "revisit_note": row["revisit_note"],
                "revisited_at": moment(row["revisited_at_utc"]),
                "closed_at": moment(row["closed_at_utc"]),
                "escalated_on": None if row["escalated_on"] is None else row["escalated_on"].isoformat(),
                "created_at": moment(row["created_at_utc"]),
                "updated_at": moment(row["updated_at_utc"]),
            }
        )
    return out


def _evidence_url(matter_id: int, request: Any) -> str:
    from django.urls import reverse

    url = reverse("matter-evidence", args=[matter_id])
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


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000)
    evidence = serializers.FileField(required=False, allow_null=True)


class RevisitSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Matter.Satisfaction.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
