"""Inspection and finding serializers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api_fast import FastRepresentation
from supervision.models import (
    Inspection,
    InspectionFinding,
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
