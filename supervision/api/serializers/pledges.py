"""Pledge serializers: pledges with their targets, progress and assessment."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fast import FastRepresentation, choice_labels
from supervision.models import (
    Pledge,
    PledgeTarget,
    TargetAssessment,
    TargetProgress,
)

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


class PledgeRowSerializer(PledgeSerializer):
    """A list row without its targets: the list adds them from `target_rows`."""

    targets = None  # type: ignore[assignment]

    class Meta(PledgeSerializer.Meta):
        fields = [name for name in PledgeSerializer.Meta.fields if name != "targets"]


_ASSESSMENT = TargetAssessmentSerializer.Meta.fields
_PROGRESS = TargetProgressSerializer.Meta.fields


def target_rows(pledge_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each pledge's `targets` as PledgeTargetSerializer gives them, from `.values()` rows in two
    queries (targets with their assessment, then progress). A page holds 50 pledges with ~300
    targets: as model instances, prefetched and serialized one by one, they cost most of the
    request. tests/portal/test_list_costs.py checks the rows against DRF's field-by-field path."""
    fields = PledgeTargetSerializer().fields
    assessment_fields = TargetAssessmentSerializer().fields
    progress_fields = TargetProgressSerializer().fields
    kinds = choice_labels(PledgeTarget, "kind")
    sources = choice_labels(PledgeTarget, "auto_source")
    points = fields["points"].to_representation

    def value(field: serializers.Field, data: Any) -> Any:
        return None if data is None else field.to_representation(data)

    targets = list(
        PledgeTarget.objects.filter(pledge_id__in=pledge_ids).order_by("order", "id").values(
            "id", "pledge_id", "kind", "task", "indicator", "points", "assessing_unit_id", "scoring_rule",
            "auto_source", "order", "assessment__id", *(f"assessment__{name}" for name in _ASSESSMENT),
        )
    )
    progress: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in targets}
    if progress:
        # By the pledges' ids (a join) rather than ~300 target ids to bind one by one.
        reports = TargetProgress.objects.filter(target__pledge_id__in=pledge_ids).values("target_id", *_PROGRESS)
        for row in reports:
            progress[row["target_id"]].append(
                {name: value(progress_fields[name], row[name]) for name in _PROGRESS}
            )
    rows: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pledge_ids}
    for row in targets:
        assessment = None
        if row["assessment__id"] is not None:
            assessment = {name: value(assessment_fields[name], row[f"assessment__{name}"]) for name in _ASSESSMENT}
        rows[row["pledge_id"]].append({
            "id": row["id"],
            "kind": row["kind"],
            "kind_display": kinds.get(row["kind"], row["kind"]),
            "task": row["task"],
            "indicator": row["indicator"],
            "points": None if row["points"] is None else points(row["points"]),
            "assessing_unit": row["assessing_unit_id"],
            "scoring_rule": row["scoring_rule"],
            "auto_source": row["auto_source"],
            "auto_source_display": sources.get(row["auto_source"], row["auto_source"]),
            "order": row["order"],
            "assessment": assessment,
            "progress": progress[row["id"]],
        })
    return rows
