"""Inspection and finding serializers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, Field, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from rest_framework import serializers

from core.api_fast import FastRepresentation, choice_labels
from supervision.api.serializers._rows import UtcWallClock, day_text, moment_text, utc_wall_clock
from supervision.models import (
    Inspection,
    InspectionFinding,
    Matter,
)


class InspectionFindingSerializer(FastRepresentation, serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    matter = serializers.SerializerMethodField()

    class Meta:
        model = InspectionFinding
        fields = ["id", "category", "category_display", "description", "action", "action_display",
                  "rectification_deadline", "rectification_report", "rectified_at", "matter"]

    def get_matter(self, obj: InspectionFinding) -> int | None:
        matters = list(obj.matters.all())
        return matters[0].pk if matters else None


class InspectionSerializer(FastRepresentation, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    subject_type_display = serializers.CharField(source="get_subject_type_display", read_only=True)
    subject_id = serializers.SerializerMethodField()
    subject_name = serializers.SerializerMethodField()
    confidential = serializers.BooleanField(read_only=True)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    findings = InspectionFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "date", "kind", "kind_display", "title", "subject_type", "subject_type_display", "subject_id",
                  "subject_name", "inspectors", "summary", "published_at", "closed_at", "confidential", "findings"]

    def _subject(self, obj: Inspection) -> Any:
        return obj.subject_cadre or obj.subject_unit or obj.subject_village

    def get_subject_id(self, obj: Inspection) -> int | None:
        subject = self._subject(obj)
        return subject.pk if subject else None

    def get_subject_name(self, obj: Inspection) -> str:
        subject = self._subject(obj)
        return subject.name if subject else ""


class InspectionCreateSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices)
    title = serializers.CharField(max_length=200)
    subject_type = serializers.ChoiceField(choices=Inspection.SubjectType.choices)
    subject_id = serializers.IntegerField()
    inspectors = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=50)
    summary = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")


# What the list reads of each inspection: its own columns and its subject's name.
_COLUMNS = (
    "id", "date", "kind", "title", "subject_type", "subject_cadre_id", "subject_unit_id", "subject_village_id",
    "subject_cadre__name", "subject_unit__name", "subject_village__name", "summary",
)

# Each inspection's inspector ids, in the cadres' own order (Cadre.Meta.ordering, as
# `inspectors.all()` gives them), as one column of the page's own query on PostgreSQL: a statement
# fewer than reading the link table afterwards. The table and column names are the models'.
INSPECTOR_IDS = RawSQL(
    'ARRAY(SELECT l.cadre_id FROM supervision_inspection_inspectors l JOIN cadres_cadre c ON c.id = l.cadre_id '
    'WHERE l.inspection_id = "supervision_inspection"."id" ORDER BY c.township_id, c.id)', (),
    output_field=ArrayField(BigIntegerField()),
)


# Each inspection's findings in their own order (InspectionFinding.Meta.ordering), each a JSON array
# [id, category, description, action, deadline, report, rectified_at in UTC, matter], as one more
# column of the page's query on PostgreSQL: a statement fewer than finding_rows, whose building and
# compiling cost more than reading it. psycopg decodes `json` with json.loads; the date and the UTC
# wall-clock timestamp arrive as ISO text. A finding's matter is the first of its matters in
# Matter's order (newest first).
FINDINGS_JSON = RawSQL(
    "(SELECT json_agg(json_build_array(f.id, f.category, f.description, f.action, f.rectification_deadline, "
    "f.rectification_report, f.rectified_at AT TIME ZONE 'UTC', "
    "(SELECT m.id FROM supervision_matter m WHERE m.finding_id = f.id ORDER BY m.id DESC LIMIT 1)) ORDER BY f.id) "
    'FROM supervision_inspectionfinding f WHERE f.inspection_id = "supervision_inspection"."id")', (),
    output_field=Field(),  # no converter: psycopg's json loader gives the lists
)


def inspection_values(qs: QuerySet[Inspection]) -> QuerySet[Inspection, dict[str, Any]]:
    """The list's inspections as the plain rows inspection_rows reads."""
    extra: dict[str, Any] = utc_wall_clock("published_at", "closed_at")
    if connection.vendor == "postgresql":
        extra["inspector_ids"] = INSPECTOR_IDS
        extra["findings_json"] = FINDINGS_JSON
    return qs.values(*_COLUMNS, **extra)


def inspection_rows(inspections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's page as InspectionSerializer gives it, from inspection_values rows and their
    inspectors and findings (finding_rows): no model instances, no field objects per value.
    tests/supervision/test_list_rows.py checks the page against the serializer's output."""
    moment = moment_text(utc_wall_clock=True)
    kinds = choice_labels(Inspection, "kind")
    subject_types = choice_labels(Inspection, "subject_type")
    ids = [row["id"] for row in inspections]
    if inspections and "inspector_ids" in inspections[0]:
        inspectors = {row["id"]: row.pop("inspector_ids") for row in inspections}
    else:
        inspectors = inspector_ids_of(ids)
    if inspections and "findings_json" in inspections[0]:
        findings = findings_from_json({row["id"]: row.pop("findings_json") for row in inspections})
    else:
        findings = finding_rows(ids)
    out = []
    for row in inspections:
        # InspectionSerializer._subject: the cadre, else the unit, else the village.
        subject_id, subject_name = None, ""
        for side in ("cadre", "unit", "village"):
            if row[f"subject_{side}_id"] is not None:
                subject_id, subject_name = row[f"subject_{side}_id"], row[f"subject_{side}__name"]
                break
        kind = row["kind"]
        out.append({
            "id": row["id"],
            "date": day_text(row["date"]),
            "kind": kind,
            "kind_display": kinds.get(kind, kind),
            "title": row["title"],
            "subject_type": row["subject_type"],
            "subject_type_display": subject_types.get(row["subject_type"], row["subject_type"]),
            "subject_id": subject_id,
            "subject_name": subject_name,
            "inspectors": inspectors[row["id"]],
            "summary": row["summary"],
            "published_at": moment(row["published_at_utc"]),
            "closed_at": moment(row["closed_at_utc"]),
            "confidential": kind == Inspection.Kind.UNANNOUNCED and row["published_at_utc"] is None,  # .confidential
            "findings": findings[row["id"]],
        })
    return out


def inspector_ids_of(inspection_ids: list[int]) -> dict[int, list[int]]:
    """Each inspection's inspector ids from the link table in one query (INSPECTOR_IDS elsewhere)."""
    inspectors: dict[int, list[int]] = {pk: [] for pk in inspection_ids}
    if not inspection_ids:
        return inspectors
    links = Inspection.inspectors.through.objects.filter(inspection_id__in=inspection_ids)
    # The cadres' own order (Cadre.Meta.ordering), as `inspectors.all()` gives them.
    for inspection_id, cadre_id in links.order_by("cadre__township_id", "cadre_id").values_list(
            "inspection_id", "cadre_id"):
        inspectors[inspection_id].append(cadre_id)
    return inspectors


def findings_from_json(pages: dict[int, list[list[Any]] | None]) -> dict[int, list[dict[str, Any]]]:
    """Each inspection's `findings`, as InspectionSerializer gives them, from its FINDINGS_JSON
    column (None for an inspection without findings)."""
    moment = moment_text(utc_wall_clock=True)
    categories = choice_labels(InspectionFinding, "category")
    actions = choice_labels(InspectionFinding, "action")
    parse = datetime.fromisoformat
    findings: dict[int, list[dict[str, Any]]] = {}
    for inspection_id, items in pages.items():
        findings[inspection_id] = [{
            "id": pk,
            "category": category,
            "category_display": categories.get(category, category),
            "description": description,
            "action": action,
            "action_display": actions.get(action, action),
            "rectification_deadline": deadline,  # JSON's ISO date, as DateField gives it
            "rectification_report": report,
            "rectified_at": moment(parse(rectified_at)) if rectified_at else None,
            "matter": matter,
        } for pk, category, description, action, deadline, report, rectified_at, matter in items or ()]
    return findings


def finding_rows(inspection_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each inspection's `findings`, as InspectionSerializer gives them, from `.values()` rows in
    one query (none for an empty page); Django's prefetch of `findings` and `findings__matters`
    built and filtered a queryset per inspection and per finding."""
    findings: dict[int, list[dict[str, Any]]] = {pk: [] for pk in inspection_ids}
    if not inspection_ids:
        return findings
    moment = moment_text(utc_wall_clock=True)
    categories = choice_labels(InspectionFinding, "category")
    actions = choice_labels(InspectionFinding, "action")
    # A finding's matter: the first of its matters in Matter's order (newest first), in the same query.
    first_matter = Subquery(Matter.objects.filter(finding_id=OuterRef("pk")).order_by("-id").values("id")[:1])
    rows = InspectionFinding.objects.filter(inspection_id__in=inspection_ids).annotate(first_matter=first_matter)
    for (inspection_id, pk, category, description, action, deadline, report, rectified_at,
         matter) in rows.values_list("inspection_id", "id", "category", "description", "action",
                                     "rectification_deadline", "rectification_report",
                                     UtcWallClock("rectified_at"), "first_matter"):
        findings[inspection_id].append({
            "id": pk,
            "category": category,
            "category_display": categories.get(category, category),
            "description": description,
            "action": action,
            "action_display": actions.get(action, action),
            "rectification_deadline": day_text(deadline),
            "rectification_report": report,
            "rectified_at": moment(rectified_at),
            "matter": matter,
        })
    return findings
