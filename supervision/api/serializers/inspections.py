"""Inspection and finding serializers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from rest_framework import serializers

from core.api_fast import FastRepresentation, choice_labels
from core.pagination import CountedRows
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
INSPECTOR_IDS_SQL = (
    "ARRAY(SELECT l.cadre_id FROM supervision_inspection_inspectors l JOIN cadres_cadre c ON c.id = l.cadre_id "
    'WHERE l.inspection_id = "supervision_inspection"."id" ORDER BY c.township_id, c.id)'
)

# Each inspection's findings in their own order (InspectionFinding.Meta.ordering), each a JSON array
# [id, category, description, action, deadline, report, rectified_at in UTC, matter], as one more
# column of the page's query on PostgreSQL: a statement fewer than finding_rows. psycopg decodes
# `json` with json.loads; the date and the UTC wall-clock timestamp arrive as ISO text. A finding's
# matter is the first of its matters in Matter's order (newest first).
FINDINGS_JSON_SQL = (
    "(SELECT json_agg(json_build_array(f.id, f.category, f.description, f.action, f.rectification_deadline, "
    "f.rectification_report, f.rectified_at AT TIME ZONE 'UTC', "
    "(SELECT m.id FROM supervision_matter m WHERE m.finding_id = f.id ORDER BY m.id DESC LIMIT 1)) ORDER BY f.id) "
    'FROM supervision_inspectionfinding f WHERE f.inspection_id = "supervision_inspection"."id")'
)

# The page on PostgreSQL: _COLUMNS, the timestamps as UTC wall-clock times (UtcWallClock), the
# inspectors and the findings, for the ids the scoped and filtered queryset selects (its WHERE,
# ORDER BY and LIMIT, compiled by Django), in inspection_list's order. Only the ids' subquery is
# compiled per request: compiling the page's joins and columns through the ORM cost more than
# reading it.
_PAGE_SQL = (  # the subqueries are the constants above; the ids' SQL is Django's, values as parameters
    'SELECT "supervision_inspection"."id", "supervision_inspection"."date", "supervision_inspection"."kind", '  # noqa: S608
    '"supervision_inspection"."title", "supervision_inspection"."subject_type", '
    '"supervision_inspection"."subject_cadre_id", "supervision_inspection"."subject_unit_id", '
    '"supervision_inspection"."subject_village_id", c.name, u.name, v.name, "supervision_inspection"."summary", '
    '"supervision_inspection"."published_at" AT TIME ZONE \'UTC\', '
    '"supervision_inspection"."closed_at" AT TIME ZONE \'UTC\', '
    f"{INSPECTOR_IDS_SQL}, {FINDINGS_JSON_SQL} "
    'FROM "supervision_inspection" '
    'LEFT JOIN cadres_cadre c ON c.id = "supervision_inspection"."subject_cadre_id" '
    'LEFT JOIN cadres_unit u ON u.id = "supervision_inspection"."subject_unit_id" '
    'LEFT JOIN cadres_village v ON v.id = "supervision_inspection"."subject_village_id" '
    'WHERE "supervision_inspection"."id" IN ({ids}) '
    'ORDER BY "supervision_inspection"."date" DESC, "supervision_inspection"."id" DESC'
)
_PAGE_KEYS = (*_COLUMNS, "published_at_utc", "closed_at_utc", "inspector_ids", "findings_json")
_PAGE_ORDER = ("-date", "-id")


class InspectionPage:
    """The list's object list for Django's Paginator on PostgreSQL: `count()` counts the filtered
    scope (no joins, no columns), a slice reads that page's rows with _PAGE_SQL."""

    def __init__(self, qs: QuerySet[Inspection]) -> None:
        if tuple(qs.query.order_by) != _PAGE_ORDER:
            raise ValueError(f"InspectionPage reads pages in {_PAGE_ORDER}, not {qs.query.order_by}")
        self.qs = qs
        self.ordered = True

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        try:
            ids, params = self.qs.values("id")[index].query.sql_with_params()
        except EmptyResultSet:  # a scope or filter that admits nothing
            return []
        with connection.cursor() as cursor:
            cursor.execute(_PAGE_SQL.format(ids=ids), params)
            return [dict(zip(_PAGE_KEYS, row, strict=True)) for row in cursor.fetchall()]


def inspection_page(qs: QuerySet[Inspection]) -> Any:
    """The list's inspections for the paginator, as the plain rows inspection_rows reads: on
    PostgreSQL an InspectionPage, elsewhere `.values()` rows (the inspectors and findings are then
    read afterwards) counted without the page's joins."""
    if connection.vendor == "postgresql":
        return InspectionPage(qs)
    return CountedRows(qs.values(*_COLUMNS, **utc_wall_clock("published_at", "closed_at")), qs)


def inspection_rows(inspections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's page as InspectionSerializer gives it, from inspection_page rows and their
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
    """Each inspection's inspector ids from the link table in one query (INSPECTOR_IDS_SQL elsewhere)."""
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
    """Each inspection's `findings`, as InspectionSerializer gives them, from its FINDINGS_JSON_SQL
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
