"""Inspection and finding serializers, and the list's pages (inspection_page, inspection_rows)."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, QuerySet, Subquery
from rest_framework import serializers

from cadres.models import Cadre, Unit, Village
from core.api_fast import FastRepresentation, choice_labels
from core.pagination import CountedRows, PageStatements
from supervision.api.serializers._json_sql import JsonPage, args, label_sql, local_times_sql, moment_sql
from supervision.api.serializers._rows import UtcWallClock, day_text, moment_text, utc_wall_clock
from supervision.models import (
    Inspection,
    InspectionFinding,
    Matter,
)
from supervision.selectors.inspections import LIST_ORDER


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

def inspection_page(qs: QuerySet[Inspection]) -> JsonPage:
    """The list's pages on PostgreSQL (writes_json): each inspection the JSON text
    InspectionSerializer's output renders to, written by _page_sql; compiling the page's joins
    and columns through the ORM, building its rows and findings in Python and their JSON cost
    most of a leader's page. Kept per scope key for the unfiltered list."""
    return JsonPage(PageStatements(qs), LIST_ORDER, _page_sql, _args)


def inspection_values(qs: QuerySet[Inspection]) -> CountedRows:
    """The list's rows for inspection_rows, counted without the page's joins."""
    return CountedRows(qs.values(*_COLUMNS, **utc_wall_clock("published_at", "closed_at")), qs)


def _args(zone: ZoneInfo) -> tuple[str, str]:
    return args(zone, "inspections", lambda: {
        **{name: choice_labels(Inspection, name) for name in ("kind", "subject_type")},
        **{name: choice_labels(InspectionFinding, name) for name in ("category", "action")},
    })


@cache
def _page_sql() -> str:
    """The page's statement after its ids (`page`) and arguments (`arg`): each inspection's JSON
    text, keys in InspectionSerializer's order and values as inspection_rows writes them."""
    inspection, finding, matter = (model._meta.db_table for model in (Inspection, InspectionFinding, Matter))
    links, cadre, unit, village = (Inspection.inspectors.through._meta.db_table,
                                   *(model._meta.db_table for model in (Cadre, Unit, Village)))
    moment = {name: f"COALESCE({moment_sql(f'm.{name}_local', f'm.{name}_offset')}, 'null')"
              for name in ("published_at", "closed_at", "rectified_at")}
    # A finding's matter: the first of its matters in Matter's order (newest first).
    first_matter = f"(SELECT x.id FROM {matter} x WHERE x.finding_id = f.id ORDER BY x.id DESC LIMIT 1)"  # noqa: S608
    findings = (
        """SELECT f.inspection_id, '[' || string_agg('{"id":' || f.id"""  # noqa: S608 - tables from the models
        """ || ',"category":' || to_json(f.category)::text"""
        f""" || ',"category_display":' || {label_sql("f.category", "category")}"""
        """ || ',"description":' || to_json(f.description)::text || ',"action":' || to_json(f.action)::text"""
        f""" || ',"action_display":' || {label_sql("f.action", "action")}"""
        """ || ',"rectification_deadline":' || COALESCE(to_json(f.rectification_deadline)::text, 'null')"""
        """ || ',"rectification_report":' || to_json(f.rectification_report)::text"""
        f""" || ',"rectified_at":' || {moment["rectified_at"]}"""
        f""" || ',"matter":' || COALESCE({first_matter}::text, 'null') || '}}', ',' ORDER BY f.id) || ']' AS text"""
        f" FROM {finding} f CROSS JOIN arg CROSS JOIN LATERAL (SELECT {local_times_sql('f', ['rectified_at'])}) m"
        " WHERE f.inspection_id IN (SELECT id FROM page) GROUP BY f.inspection_id"
    )
    # The inspectors in the cadres' own order (Cadre.Meta.ordering), as `inspectors.all()` gives them.
    inspectors = (f"to_json(ARRAY(SELECT l.cadre_id FROM {links} l JOIN {cadre} lc ON lc.id = l.cadre_id"  # noqa: S608
                  " WHERE l.inspection_id = i.id ORDER BY lc.township_id, lc.id))::text")
    unannounced = Inspection.Kind.UNANNOUNCED.value
    row = (
        f"""'{{"id":' || i.id || ',"date":' || to_json(i.date)::text || ',"kind":' || to_json(i.kind)::text"""
        f""" || ',"kind_display":' || {label_sql("i.kind", "kind")} || ',"title":' || to_json(i.title)::text"""
        f""" || ',"subject_type":' || to_json(i.subject_type)::text"""
        f""" || ',"subject_type_display":' || {label_sql("i.subject_type", "subject_type")}"""
        # InspectionSerializer._subject: the cadre, else the unit, else the village.
        """ || ',"subject_id":' || COALESCE(COALESCE(i.subject_cadre_id, i.subject_unit_id, i.subject_village_id)::text,"""
        """ 'null') || ',"subject_name":' || to_json(COALESCE(CASE WHEN i.subject_cadre_id IS NOT NULL THEN c.name"""
        """ WHEN i.subject_unit_id IS NOT NULL THEN u.name WHEN i.subject_village_id IS NOT NULL THEN v.name END,"""
        """ ''))::text"""
        f""" || ',"inspectors":' || {inspectors} || ',"summary":' || to_json(i.summary)::text"""
        f""" || ',"published_at":' || {moment["published_at"]} || ',"closed_at":' || {moment["closed_at"]}"""
        # Inspection.confidential
        f""" || ',"confidential":' || CASE WHEN i.kind = '{unannounced}' AND i.published_at IS NULL"""
        """ THEN 'true' ELSE 'false' END || ',"findings":' || COALESCE(fd.text, '[]') || '}'"""
    )
    return (
        f"SELECT {row} FROM {inspection} i CROSS JOIN arg"  # noqa: S608 - tables from the models
        f" CROSS JOIN LATERAL (SELECT {local_times_sql('i', ['published_at', 'closed_at'])}) m"
        f" LEFT JOIN {cadre} c ON c.id = i.subject_cadre_id LEFT JOIN {unit} u ON u.id = i.subject_unit_id"
        f" LEFT JOIN {village} v ON v.id = i.subject_village_id LEFT JOIN ({findings}) fd ON fd.inspection_id = i.id"
        " WHERE i.id IN (SELECT id FROM page) ORDER BY i.date DESC, i.id DESC"
    )


def inspection_rows(inspections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's page as InspectionSerializer gives it, from inspection_values rows and their
    inspectors and findings (finding_rows): no model instances, no field objects per value.
    tests/supervision/test_list_rows.py checks the page against the serializer's output."""
    moment = moment_text(utc_wall_clock=True)
    kinds = choice_labels(Inspection, "kind")
    subject_types = choice_labels(Inspection, "subject_type")
    ids = [row["id"] for row in inspections]
    inspectors = inspector_ids_of(ids)
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
