"""Disclosure and quarterly-check serializers."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from core.api_fast import FastRepresentation
from supervision.models import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    Domain,
    Subject,
)


class DisclosureSerializer(FastRepresentation, serializers.ModelSerializer):
    domain_display = serializers.CharField(source="get_domain_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True)
    subject_kind_display = serializers.CharField(source="get_subject_kind_display", read_only=True)
    subject_name = serializers.CharField(read_only=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = ["id", "subject_kind", "subject_kind_display", "subject_name", "village", "village_name", "school",
                  "school_name", "requirement", "domain", "domain_display", "category", "title",
                  "content", "period_start", "period_end", "decision_date", "posted_on", "channel", "channel_display",
                  "display_days", "posted_by", "photo_url", "created_at"]

    def get_photo_url(self, obj: Disclosure) -> str | None:
        return reverse("disclosure-photo", args=[obj.pk]) if obj.photo else None


class DisclosureCreateSerializer(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=Subject.choices, default=Subject.VILLAGE)
    village = serializers.IntegerField(required=False, allow_null=True, help_text="for subject_kind=village")
    school = serializers.IntegerField(required=False, allow_null=True, help_text="for subject_kind=school")
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
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True)
    subject_kind_display = serializers.CharField(source="get_subject_kind_display", read_only=True)
    subject_name = serializers.CharField(read_only=True)
    period = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureCheck
        fields = ["id", "subject_kind", "subject_kind_display", "subject_name", "village", "village_name", "school",
                  "school_name", "year", "quarter", "period", "status", "status_display", "score",
                  "on_time_count", "late_count", "missing_count", "rectification_deadline", "compiled_at",
                  "reviewed_at"]

    def get_period(self, obj: DisclosureCheck) -> str:
        return f"{obj.year}Q{obj.quarter}"


class DisclosureCheckDetailSerializer(DisclosureCheckSerializer):
    items = DisclosureCheckItemSerializer(many=True, read_only=True)

    class Meta(DisclosureCheckSerializer.Meta):
        fields = [*DisclosureCheckSerializer.Meta.fields, "notes", "items"]
