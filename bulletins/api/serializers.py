"""Bulletins over the API: ids for references, slugs plus `<field>_display` for choices."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bulletins.content import typical_entries
from bulletins.models import Bulletin


class BulletinListSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Bulletin
        fields = [
            "id", "township", "year", "number", "cumulative_number", "title", "status", "status_display",
            "period_start", "period_end", "issue_date", "compiled_at", "approved_at", "published_at",
        ]
        read_only_fields = fields


class ModelFigureEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    name = serializers.CharField()
    place = serializers.CharField()
    story = serializers.CharField()


class BulletinDetailSerializer(BulletinListSerializer):
    figures = serializers.JSONField(read_only=True, help_text="工作动态 figures as compiled (see docs/bulletins.md)")
    problems = serializers.JSONField(read_only=True, help_text="问题通报: inspection findings, overdue matters, "
                                                               "disclosure gaps (by unit or village)")
    model_figures = serializers.SerializerMethodField()

    class Meta(BulletinListSerializer.Meta):
        fields = [
            *BulletinListSerializer.Meta.fields,
            "editor_unit", "signer", "editor_note", "narrative", "outlook", "figures", "problems", "model_figures",
            "distribution_report", "distribution_send", "distribution_issue", "copies",
        ]
        read_only_fields = fields

    @extend_schema_field(ModelFigureEntrySerializer(many=True))
    def get_model_figures(self, obj: Bulletin) -> list[dict[str, Any]]:
        """As printed: frozen on publication."""
        return typical_entries(obj)


class BulletinActionSerializer(serializers.Serializer):
    """approve and publish take no input."""
