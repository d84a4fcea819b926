"""Serializers of the duties API: pledges, disclosures, disclosure checks, inspections.

Output serializers carry choice slugs with a `<field>_display` label beside them; input
serializers check the shape only and hand the values to the services.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    Domain,
    Inspection,
    InspectionFinding,
    Pledge,
    PledgeTarget,
    TargetAssessment,
    TargetProgress,
)

PLEDGER_TYPES = [("village", _("村")), ("unit", _("站办所")), ("cadre", _("干部"))]

class TargetAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetAssessment
        fields = ["score", "deduction", "bonus", "failed", "note"]


class TargetProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetProgress
        fields = ["quarter", "report", "at"]


class PledgeTargetSerializer(serializers.ModelSerializer):
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
        return dict(TargetAssessmentSerializer(assessment).data)


class PledgeSerializer(serializers.ModelSerializer):
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


class DisclosureSerializer(serializers.ModelSerializer):
    domain_display = serializers.CharField(source="get_domain_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = ["id", "village", "village_name", "requirement", "domain", "domain_display", "category", "title",
                  "content", "period_start", "period_end", "decision_date", "posted_on", "channel", "channel_display",
                  "display_days", "posted_by", "photo_url", "created_at"]

    def get_photo_url(self, obj: Disclosure) -> str | None:
        return reverse("disclosure-photo", args=[obj.pk]) if obj.photo else None


class DisclosureCreateSerializer(serializers.Serializer):
    village = serializers.IntegerField()
    requirement = serializers.PrimaryKeyRelatedField(queryset=DisclosureRequirement.objects.filter(is_active=True),
                                                     required=False, allow_null=True)
    domain = serializers.ChoiceField(choices=Domain.choices, required=False, allow_blank=True)
    category = serializers.CharField(max_length=60, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20000)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    decision_date = serializers.DateField(required=False, allow_null=True)
    posted_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=Disclosure.Channel.choices, default=Disclosure.Channel.BOARD)
    display_days = serializers.IntegerField(min_value=1, max_value=3650, default=10)
    photo = serializers.FileField(required=False, allow_null=True)


class DisclosureCheckItemSerializer(serializers.ModelSerializer):
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    requirement_category = serializers.CharField(source="requirement.category", read_only=True)
    domain = serializers.ChoiceField(source="requirement.domain", choices=Domain.choices, read_only=True)
    domain_display = serializers.CharField(source="requirement.get_domain_display", read_only=True)
    computed_result_display = serializers.CharField(source="get_computed_result_display", read_only=True)

    class Meta:
        model = DisclosureCheckItem
        fields = ["id", "requirement", "requirement_category", "domain", "domain_display", "period_start", "period_end",
                  "due_date", "result", "result_display", "computed_result", "computed_result_display", "disclosure",
                  "adjusted", "adjust_reason",
                  "adjusted_at"]


class DisclosureCheckSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureCheck
        fields = ["id", "village", "village_name", "year", "quarter", "period", "status", "status_display", "score",
                  "on_time_count", "late_count", "missing_count", "rectification_deadline", "compiled_at",
                  "reviewed_at"]

    def get_period(self, obj: DisclosureCheck) -> str:
        return f"{obj.year}Q{obj.quarter}"


class DisclosureCheckDetailSerializer(DisclosureCheckSerializer):
    items = DisclosureCheckItemSerializer(many=True, read_only=True)

    class Meta(DisclosureCheckSerializer.Meta):
        fields = [*DisclosureCheckSerializer.Meta.fields, "notes", "items"]


class InspectionFindingSerializer(serializers.ModelSerializer):
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


class InspectionSerializer(serializers.ModelSerializer):
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
