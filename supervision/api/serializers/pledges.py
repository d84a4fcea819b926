"""Pledge serializers: pledges with their targets, progress and assessment."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from cadres.models import Cadre, Unit, Village
from core.api_fast import FastRepresentation, choice_labels
from core.pagination import CountedRows, PageStatements
from core.renderers import JsonText
from core.replica import current_read_alias
from core.sql import planned_once
from supervision.api.serializers._json_sql import ARG_SQL, JsonPage, args, label_sql, local_times_sql, moment_sql
from supervision.api.serializers._rows import UtcWallClock, decimal_text, moment_text, utc_wall_clock
from supervision.models import (
    Pledge,
    PledgeTarget,
    TargetAssessment,
    TargetProgress,
)
from supervision.selectors.pledges import LIST_ORDER

PLEDGER_TYPES = [("village", _("村")), ("unit", _("站办所")), ("cadre", _("干部"))]


class TargetAssessmentSerializer(FastRepresentation, serializers.ModelSerializer):
    class Meta:
        model = TargetAssessment
        fields = ["score", "deduction", "bonus", "failed", "note"]


class TargetProgressSerializer(FastRepresentation, serializers.ModelSerializer):
    class Meta:
        model = TargetProgress
        fields = ["quarter", "report", "at"]


class PledgeTargetSerializer(FastRepresentation, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    auto_source_display = serializers.CharField(source="get_auto_source_display", read_only=True)
    assessment = serializers.SerializerMethodField()
    progress = TargetProgressSerializer(many=True, read_only=True)

    class Meta:
        model = PledgeTarget
        fields = ["id", "kind", "kind_display", "task", "indicator", "points", "assessing_unit", "scoring_rule",
                  "auto_source", "auto_source_display", "order", "assessment", "progress"]

    @extend_schema_field(TargetAssessmentSerializer(allow_null=True))
    def get_assessment(self, obj: PledgeTarget) -> dict[str, Any] | None:
        try:
            assessment = obj.assessment
        except TargetAssessment.DoesNotExist:
            return None
        # One assessment serializer for the whole page, not one built per target.
        serializer = self.__dict__.get("_assessment_serializer")
        if serializer is None:
            serializer = self.__dict__["_assessment_serializer"] = TargetAssessmentSerializer()
        return dict(serializer.to_representation(assessment))


class PledgeSerializer(FastRepresentation, serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    pledger_type = serializers.ChoiceField(choices=PLEDGER_TYPES, read_only=True)
    pledger_type_display = serializers.SerializerMethodField()
    pledger_id = serializers.IntegerField(read_only=True)
    pledger_name = serializers.CharField(read_only=True)
    superior_name = serializers.CharField(source="superior.name", read_only=True)
    has_scan = serializers.SerializerMethodField()
    targets = PledgeTargetSerializer(many=True, read_only=True)

    class Meta:
        model = Pledge
        fields = ["id", "year", "level", "level_display", "title", "status", "status_display", "pledger_type",
                  "pledger_type_display", "pledger_id", "pledger_name", "superior", "superior_name", "issued_at",
                  "signed_at", "signed_by",
                  "countersigned_at", "countersigned_by", "assessed_at", "bonus_cap", "total_score", "grade",
                  "grade_display", "has_scan", "targets"]

    def get_pledger_type_display(self, obj: Pledge) -> str:
        return str(dict(PLEDGER_TYPES)[obj.pledger_type])

    def get_has_scan(self, obj: Pledge) -> bool:
        return bool(obj.scan)


# What the list reads of each pledge: its own columns and the names of its pledger and superior.
_COLUMNS = (
    "id", "year", "level", "title", "status", "pledger_village_id", "pledger_unit_id", "pledger_cadre_id",
    "pledger_village__name", "pledger_unit__name", "pledger_cadre__name", "superior_id", "superior__name",
    "signed_by_id", "countersigned_by_id", "bonus_cap", "total_score", "grade", "scan",
)
_TIMES = ("issued_at", "signed_at", "countersigned_at", "assessed_at")


def pledge_values(qs: QuerySet[Pledge]) -> QuerySet[Pledge, dict[str, Any]]:
    """The list's pledges as the plain rows pledge_rows reads."""
    return qs.values(*_COLUMNS, **utc_wall_clock(*_TIMES))


@cache
def _fields() -> dict[str, Any]:
    """The declared fields, built once: only their decimal formatting is borrowed."""
    return {
        "pledge": PledgeSerializer().fields,
        "target": PledgeTargetSerializer().fields,
        "assessment": TargetAssessmentSerializer().fields,
    }


def pledge_rows(pledges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's page as PledgeSerializer gives it, from pledge_values rows and their
    targets (target_rows): no model instances, no field objects per value. A page of 50 pledges
    holds ~300 targets and ~450 progress reports; DRF's path over them cost most of the request.
    tests/supervision/test_list_rows.py checks the page against the serializers' output."""
    fields = _fields()["pledge"]
    moment = moment_text(utc_wall_clock=True)
    bonus_cap = decimal_text(fields["bonus_cap"])
    total_score = decimal_text(fields["total_score"])
    levels = choice_labels(Pledge, "level")
    statuses = choice_labels(Pledge, "status")
    grades = choice_labels(Pledge, "grade")
    pledger_types = {value: str(label) for value, label in PLEDGER_TYPES}
    targets = target_rows([row["id"] for row in pledges])
    out = []
    for row in pledges:
        # Pledge.pledger_type / pledger_id / pledger_name: the one pledger the constraint allows.
        if row["pledger_village_id"]:
            kind, name = "village", row["pledger_village__name"]
        elif row["pledger_unit_id"]:
            kind, name = "unit", row["pledger_unit__name"]
        else:
            kind, name = "cadre", row["pledger_cadre__name"]
        out.append({
            "id": row["id"],
            "year": row["year"],
            "level": row["level"],
            "level_display": levels.get(row["level"], row["level"]),
            "title": row["title"],
            "status": row["status"],
            "status_display": statuses.get(row["status"], row["status"]),
            "pledger_type": kind,
            "pledger_type_display": pledger_types[kind],
            "pledger_id": row["pledger_village_id"] or row["pledger_unit_id"] or row["pledger_cadre_id"],
            "pledger_name": "" if name is None else name,
            "superior": row["superior_id"],
            "superior_name": row["superior__name"],
            "issued_at": moment(row["issued_at_utc"]),
            "signed_at": moment(row["signed_at_utc"]),
            "signed_by": row["signed_by_id"],
            "countersigned_at": moment(row["countersigned_at_utc"]),
            "countersigned_by": row["countersigned_by_id"],
            "assessed_at": moment(row["assessed_at_utc"]),
            "bonus_cap": bonus_cap(row["bonus_cap"]),
            "total_score": total_score(row["total_score"]),
            "grade": row["grade"],
            "grade_display": grades.get(row["grade"], row["grade"]),
            "has_scan": bool(row["scan"]),
            "targets": targets[row["id"]],
        })
    return out


def pledge_page(qs: QuerySet[Pledge]) -> JsonPage:
    """The list's pages on PostgreSQL (writes_json): each pledge the JSON text PledgeSerializer's
    output renders to, written by _page_sql; compiling the page's joins and columns through the
    ORM and building its rows and ~200 timestamps in Python cost most of the request. Kept per
    scope key for the unfiltered list."""
    return JsonPage(PageStatements(qs), LIST_ORDER, _page_sql, _args)


def pledge_values_page(qs: QuerySet[Pledge]) -> CountedRows:
    """The list's pages elsewhere: `.values()` rows (pledge_values) counted without the page's
    joins; pledge_rows builds each page's rows."""
    return CountedRows(pledge_values(qs), qs)


@cache
def _page_sql() -> str:
    """The page's statement after its ids (`page`) and arguments (`arg`): each pledge's JSON text,
    keys in PledgeSerializer's order and values as pledge_rows writes them, its targets from
    _targets_sql."""
    fields = _fields()["pledge"]
    levels, statuses, grades = (label_sql(f"p.{name}", name) for name in ("level", "status", "grade"))
    kinds = label_sql("k.kind", "pledger_type")
    # Each timestamp's wall-clock time in the zone and the zone's offset then, for _moment_sql.
    moments = local_times_sql("p", _TIMES)
    at = {name: f"""COALESCE({moment_sql(f"m.{name}_local", f"m.{name}_offset")}, 'null')""" for name in _TIMES}
    cadre, unit, village = (model._meta.db_table for model in (Cadre, Unit, Village))
    pledge = (
        f"""'{{"id":' || p.id || ',"year":' || p.year || ',"level":' || to_json(p.level)::text"""
        f""" || ',"level_display":' || {levels} || ',"title":' || to_json(p.title)::text"""
        f""" || ',"status":' || to_json(p.status)::text || ',"status_display":' || {statuses}"""
        f""" || ',"pledger_type":' || to_json(k.kind)::text || ',"pledger_type_display":' || {kinds}"""
        """ || ',"pledger_id":' || COALESCE(COALESCE(p.pledger_village_id, p.pledger_unit_id, p.pledger_cadre_id)::text,"""
        """ 'null')"""
        """ || ',"pledger_name":' || to_json(COALESCE(CASE k.kind WHEN 'village' THEN v.name WHEN 'unit' THEN u.name"""
        """ ELSE c.name END, ''))::text"""
        """ || ',"superior":' || COALESCE(p.superior_id::text, 'null')"""
        """ || ',"superior_name":' || COALESCE(to_json(s.name)::text, 'null')"""
        f""" || ',"issued_at":' || {at["issued_at"]} || ',"signed_at":' || {at["signed_at"]}"""
        """ || ',"signed_by":' || COALESCE(p.signed_by_id::text, 'null')"""
        f""" || ',"countersigned_at":' || {at["countersigned_at"]}"""
        """ || ',"countersigned_by":' || COALESCE(p.countersigned_by_id::text, 'null')"""
        f""" || ',"assessed_at":' || {at["assessed_at"]}"""
        f""" || ',"bonus_cap":' || COALESCE({_decimal_sql("p.bonus_cap", fields["bonus_cap"])}, 'null')"""
        f""" || ',"total_score":' || COALESCE({_decimal_sql("p.total_score", fields["total_score"])}, 'null')"""
        f""" || ',"grade":' || to_json(p.grade)::text || ',"grade_display":' || {grades}"""
        """ || ',"has_scan":' || CASE WHEN p.scan <> '' THEN 'true' ELSE 'false' END"""
        """ || ',"targets":' || COALESCE(tg.text, '[]') || '}'"""
    )
    return (
        f"SELECT {pledge} FROM {Pledge._meta.db_table} p CROSS JOIN arg"  # noqa: S608 - tables from the models, values as parameters
        # Pledge.pledger_type: the one pledger the constraint allows.
        " CROSS JOIN LATERAL (SELECT CASE WHEN p.pledger_village_id IS NOT NULL THEN 'village'"
        " WHEN p.pledger_unit_id IS NOT NULL THEN 'unit' ELSE 'cadre' END AS kind) k"
        f" CROSS JOIN LATERAL (SELECT {moments}) m"
        f" LEFT JOIN {village} v ON v.id = p.pledger_village_id LEFT JOIN {unit} u ON u.id = p.pledger_unit_id"
        f" LEFT JOIN {cadre} c ON c.id = p.pledger_cadre_id LEFT JOIN {cadre} s ON s.id = p.superior_id"
        f" LEFT JOIN ({_targets_sql()}) tg ON tg.pledge_id = p.id"
        " WHERE p.id IN (SELECT id FROM page) ORDER BY p.year DESC, p.level, p.id"
    )


_ASSESSMENT = TargetAssessmentSerializer.Meta.fields


def target_rows(pledge_ids: list[int]) -> dict[int, Any]:
    """Each pledge's `targets` as PledgeTargetSerializer gives them: on PostgreSQL as the JSON
    text they render to, written by the database (target_json), elsewhere as dicts
    (target_dicts); nothing read for an empty page."""
    if not pledge_ids:
        return {}
    connection = connections[current_read_alias()]
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    if connection.vendor == "postgresql" and isinstance(zone, ZoneInfo):
        return target_json(pledge_ids, connection=connection, zone=zone)
    return target_dicts(pledge_ids)


def target_dicts(pledge_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each pledge's `targets` as PledgeTargetSerializer gives them, from `.values()` rows in two
    queries (targets with their assessment, then progress)."""
    rows: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pledge_ids}
    if not pledge_ids:
        return rows
    fields = _fields()
    moment = moment_text(utc_wall_clock=True)
    points = decimal_text(fields["target"]["points"])
    assessment_fields = fields["assessment"]
    score, deduction, bonus = (decimal_text(assessment_fields[name]) for name in ("score", "deduction", "bonus"))
    kinds = choice_labels(PledgeTarget, "kind")
    sources = choice_labels(PledgeTarget, "auto_source")

    targets = list(
        PledgeTarget.objects.filter(pledge_id__in=pledge_ids).order_by("order", "id").values_list(
            "id", "pledge_id", "kind", "task", "indicator", "points", "assessing_unit_id", "scoring_rule",
            "auto_source", "order", "assessment__id", *(f"assessment__{name}" for name in _ASSESSMENT),
        )
    )
    progress: dict[int, list[dict[str, Any]]] = {row[0]: [] for row in targets}
    if progress:
        # By the pledges' ids (a join) rather than ~300 target ids to bind one by one; in
        # TargetProgress's order (target, quarter), as `target.progress.all()` gives them.
        reports = TargetProgress.objects.filter(target__pledge_id__in=pledge_ids).values_list(
            "target_id", "quarter", "report", UtcWallClock("at"))
        for target_id, quarter, report, at in reports:
            progress[target_id].append({"quarter": quarter, "report": report, "at": moment(at)})
    for (pk, pledge_id, kind, task, indicator, point, unit_id, rule, source, order,
         assessment_id, a_score, a_deduction, a_bonus, a_failed, a_note) in targets:
        assessment = None
        if assessment_id is not None:
            assessment = {"score": score(a_score), "deduction": deduction(a_deduction), "bonus": bonus(a_bonus),
                          "failed": a_failed, "note": a_note}
        rows[pledge_id].append({
            "id": pk,
            "kind": kind,
            "kind_display": kinds.get(kind, kind),
            "task": task,
            "indicator": indicator,
            "points": points(point),
            "assessing_unit": unit_id,
            "scoring_rule": rule,
            "auto_source": source,
            "auto_source_display": sources.get(source, source),
            "order": order,
            "assessment": assessment,
            "progress": progress[pk],
        })
    return rows



def target_json(pledge_ids: list[int], *, connection: Any, zone: ZoneInfo) -> dict[int, JsonText]:
    """Each pledge's `targets` as the JSON text PledgeTargetSerializer's output renders to,
    written by PostgreSQL in one query (_targets_sql): building a page's ~300 targets (and their
    progress reports) as dicts cost most of the page's CPU. tests/supervision/test_list_rows.py
    compares the pages with the serializers' byte for byte."""
    # The ids as one array literal: psycopg adapts a list value by value.
    ids = "{" + ",".join(str(int(pk)) for pk in pledge_ids) + "}"
    sql = f"WITH page AS (SELECT unnest(%s::bigint[]) AS id), {ARG_SQL} {_targets_sql()}"
    rows = dict.fromkeys(pledge_ids, JsonText("[]"))
    with planned_once(connection) as cursor:
        cursor.execute(sql, (ids, *_args(zone)))
        for pledge_id, text in cursor.fetchall():
            rows[pledge_id] = JsonText(text)
    return rows


@cache
def _targets_sql() -> str:
    """The statement giving each pledge of `page` that has targets and its targets' JSON text
    (`arg` holds the zone and the labels): keys in PledgeTargetSerializer's order, values as
    target_dicts writes them."""
    fields = _fields()
    points, assessment = fields["target"]["points"], fields["assessment"]
    score, deduction, bonus = (_decimal_sql(f"a.{name}", assessment[name]) for name in ("score", "deduction", "bonus"))
    kinds, sources = label_sql("t.kind", "kind"), label_sql("t.auto_source", "auto_source")
    # A target's progress in TargetProgress's order (target, quarter); the local time and offset
    # worked out once a report.
    progress = (
        "SELECT p.target_id, '[' || string_agg("  # noqa: S608 - tables from the models
        """'{"quarter":' || p.quarter || ',"report":' || to_json(p.report)::text"""
        f""" || ',"at":' || {moment_sql("m.at_local", "m.at_offset")} || '}}', ',' ORDER BY p.quarter) || ']' AS text"""
        f" FROM {TargetProgress._meta.db_table} p CROSS JOIN arg JOIN {PledgeTarget._meta.db_table} pt ON pt.id = p.target_id"
        f" CROSS JOIN LATERAL (SELECT {local_times_sql('p', ['at'])}) m"
        " WHERE pt.pledge_id IN (SELECT id FROM page) GROUP BY p.target_id"
    )
    target = (
        f"""'{{"id":' || t.id || ',"kind":' || to_json(t.kind)::text || ',"kind_display":' || {kinds}"""
        """ || ',"task":' || to_json(t.task)::text || ',"indicator":' || to_json(t.indicator)::text"""
        f""" || ',"points":' || {_decimal_sql("t.points", points)}"""
        """ || ',"assessing_unit":' || COALESCE(t.assessing_unit_id::text, 'null')"""
        """ || ',"scoring_rule":' || to_json(t.scoring_rule)::text || ',"auto_source":' || to_json(t.auto_source)::text"""
        f""" || ',"auto_source_display":' || {sources} || ',"order":' || t."order" """
        """|| ',"assessment":' || CASE WHEN a.id IS NULL THEN 'null' ELSE"""
        f""" '{{"score":' || {score} || ',"deduction":' || {deduction} || ',"bonus":' || {bonus}"""
        """ || ',"failed":' || CASE WHEN a.failed THEN 'true' ELSE 'false' END"""
        """ || ',"note":' || to_json(a.note)::text || '}' END || ',"progress":' || COALESCE(pr.text, '[]') || '}'"""
    )
    return (
        f"""SELECT t.pledge_id, '[' || string_agg({target}, ',' ORDER BY t."order", t.id) || ']' AS text"""  # noqa: S608 - tables from the models
        f" FROM {PledgeTarget._meta.db_table} t CROSS JOIN arg"
        f" LEFT JOIN {TargetAssessment._meta.db_table} a ON a.target_id = t.id"
        f" LEFT JOIN ({progress}) pr ON pr.target_id = t.id WHERE t.pledge_id IN (SELECT id FROM page)"
        " GROUP BY t.pledge_id"
    )


def _decimal_sql(column: str, field: Any) -> str:
    # DecimalField's text of a numeric column whose scale is the field's decimal_places: the
    # value needs no rounding, so PostgreSQL's text is Python's '{:f}'.
    assert getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING), field
    assert not field.localize and not getattr(field, "normalize_output", False), field
    return f"""'"' || round({column}, {int(field.decimal_places)})::text || '"'"""


def _args(zone: ZoneInfo) -> tuple[str, str]:
    return args(zone, "pledges", lambda: {
        **{name: choice_labels(Pledge, name) for name in ("level", "status", "grade")},
        "pledger_type": {value: str(label) for value, label in PLEDGER_TYPES},
        **{name: choice_labels(PledgeTarget, name) for name in ("kind", "auto_source")},
    })
