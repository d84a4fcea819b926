"""Disclosure and quarterly-check serializers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from rest_framework import serializers

from core.api_fast import FastRepresentation, choice_labels
from supervision.api.serializers._rows import day_text, moment_text, url_for_pk, utc_wall_clock
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


# What the list reads of each disclosure: its own columns and the names of its subject.
_COLUMNS = (
    "id", "subject_kind", "village_id", "village__name", "school_id", "school__name", "township__name",
    "requirement_id", "domain", "category", "title", "content", "period_start", "period_end", "decision_date",
    "posted_on", "channel", "display_days", "posted_by_id", "photo",
)


def disclosure_values(qs: QuerySet[Disclosure]) -> QuerySet[Disclosure, dict[str, Any]]:
    """The list's disclosures as the plain rows disclosure_rows reads."""
    return qs.values(*_COLUMNS, **utc_wall_clock("created_at"))


def disclosure_rows(disclosures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's page as DisclosureSerializer gives it, from disclosure_values rows:
    no model instances, no field objects per value. tests/supervision/test_list_rows.py checks the
    page against the serializer's output."""
    moment = moment_text(utc_wall_clock=True)
    kinds = choice_labels(Disclosure, "subject_kind")
    domains = choice_labels(Disclosure, "domain")
    channels = choice_labels(Disclosure, "channel")
    township_own = gettext("%(township)s（镇本级）")  # models.disclosures.subject_name
    photo_url: Callable[[int], str] | None = None
    out = []
    for row in disclosures:
        kind, village_name, school_name = row["subject_kind"], row["village__name"], row["school__name"]
        if kind == Subject.SCHOOL and row["school_id"] is not None:
            subject = school_name or ""
        elif kind == Subject.TOWNSHIP:
            subject = township_own % {"township": row["township__name"]}
        else:
            subject = village_name or ""
        url = None
        if row["photo"]:
            photo_url = photo_url or url_for_pk("disclosure-photo")
            url = photo_url(row["id"])
        out.append({
            "id": row["id"],
            "subject_kind": kind,
            "subject_kind_display": kinds.get(kind, kind),
            "subject_name": subject,
            "village": row["village_id"],
            "village_name": village_name,
            "school": row["school_id"],
            "school_name": school_name,
            "requirement": row["requirement_id"],
            "domain": row["domain"],
            "domain_display": domains.get(row["domain"], row["domain"]),
            "category": row["category"],
            "title": row["title"],
            "content": row["content"],
            "period_start": day_text(row["period_start"]),
            "period_end": day_text(row["period_end"]),
            "decision_date": day_text(row["decision_date"]),
            "posted_on": day_text(row["posted_on"]),
            "channel": row["channel"],
            "channel_display": channels.get(row["channel"], row["channel"]),
            "display_days": row["display_days"],
            "posted_by": row["posted_by_id"],
            "photo_url": url,
            "created_at": moment(row["created_at_utc"]),
        })
    return out
