"""Pledge serializers: pledges with their targets, progress and assessment."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_fast import FastRepresentation
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
