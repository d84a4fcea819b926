"""Inspection and finding serializers."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from rest_framework import serializers

from core.api_fast import FastRepresentation, choice_labels
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


class InspectionRowSerializer(InspectionSerializer):
    """A list row without its inspectors and findings: the list adds them (finding_rows)."""

    inspectors = None  # type: ignore[assignment]
    findings = None  # type: ignore[assignment]

    class Meta(InspectionSerializer.Meta):
        fields = [name for name in InspectionSerializer.Meta.fields if name not in ("inspectors", "findings")]


_FINDING = [name for name in InspectionFindingSerializer.Meta.fields if name != "matter" and not name.endswith("_display")]


def finding_rows(inspection_ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[dict[str, Any]]]]:
    """Each inspection's inspector ids and `findings`, as InspectionSerializer gives them, from
    `.values()` rows in two queries; Django's prefetch of `inspectors`, `findings` and
    `findings__matters` built and filtered a queryset per inspection and per finding.
    tests/portal/test_list_costs.py checks the rows against DRF's field-by-field path."""
    inspectors: dict[int, list[int]] = {pk: [] for pk in inspection_ids}
    links = Inspection.inspectors.through.objects.filter(inspection_id__in=inspection_ids)
    # The cadres' own order (Cadre.Meta.ordering), as `inspectors.all()` gives them.
    for inspection_id, cadre_id in links.order_by("cadre__township_id", "cadre_id").values_list(
            "inspection_id", "cadre_id"):
        inspectors[inspection_id].append(cadre_id)
    fields = InspectionFindingSerializer().fields
    labels = {name: choice_labels(InspectionFinding, name) for name in ("category", "action")}
    # A finding's matter: the first of its matters in Matter's order (newest first), in the same query.
    first_matter = Subquery(Matter.objects.filter(finding_id=OuterRef("pk")).order_by("-id").values("id")[:1])
    findings: dict[int, list[dict[str, Any]]] = {pk: [] for pk in inspection_ids}
    rows = InspectionFinding.objects.filter(inspection_id__in=inspection_ids).annotate(first_matter=first_matter)
    for row in rows.values("inspection_id", "first_matter", *_FINDING):
        out: dict[str, Any] = {}
        for name in InspectionFindingSerializer.Meta.fields:
            if name == "matter":
                out[name] = row["first_matter"]
            elif name.endswith("_display"):
                value = row[name[:-8]]
                out[name] = labels[name[:-8]].get(value, value)
            else:
                value = row[name]
                out[name] = None if value is None else fields[name].to_representation(value)
        findings[row["inspection_id"]].append(out)
    return inspectors, findings
