"""督查: inspections by the discipline inspection role and their findings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Township, Unit, Village
from core.stamps import Stamped


class Inspection(Stamped, models.Model):
    class Kind(models.TextChoices):
        ANNOUNCED = "announced", _("明察")
        UNANNOUNCED = "unannounced", _("暗访")

    class SubjectType(models.TextChoices):
        CADRE = "cadre", _("干部")
        UNIT = "unit", _("站办所")
        VILLAGE = "village", _("村")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=12, choices=Kind.choices, default=Kind.ANNOUNCED)
    title = models.CharField(_("名称"), max_length=200)
    inspectors = models.ManyToManyField(Cadre, related_name="inspections_made", verbose_name=_("督查人员"))
    subject_type = models.CharField(_("督查对象类型"), max_length=8, choices=SubjectType.choices)
    subject_cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("对象干部")
    )
    subject_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("对象单位")
    )
    subject_village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("对象村")
    )
    summary = models.TextField(_("情况概述"), blank=True, max_length=10000)
    published_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    history = HistoricalRecords(m2m_fields=[inspectors], no_db_index="updated_at")

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["township", "date"], name="inspection_township_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject_type="cadre", subject_cadre__isnull=False)
                    | Q(subject_type="unit", subject_unit__isnull=False)
                    | Q(subject_type="village", subject_village__isnull=False)
                ),
                name="inspection_subject_matches_type",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def confidential(self) -> bool:
        """Unannounced findings stay with the inspectors and leaders until a 通报 publishes them."""
        return self.kind == self.Kind.UNANNOUNCED and self.published_at is None


class InspectionFinding(models.Model):
    # Saving or deleting one moves the parent's updated_at, so the sync sees the parent change.
    STAMPS_PARENT = ("supervision.Inspection", "findings")

    class Category(models.TextChoices):
        FORMALISM = "formalism", _("形式主义")
        BUREAUCRATISM = "bureaucratism", _("官僚主义")
        SLACKNESS = "slackness", _("庸懒散拖")
        BUCK_PASSING = "buck_passing", _("推诿扯皮")
        INDIFFERENCE = "indifference", _("漠视群众利益")
        EIGHT_RULES = "eight_rules", _("违反八项规定")
        OTHER = "other", _("其他")

    class Action(models.TextChoices):
        REMINDER = "reminder", _("提醒谈话")
        CIRCULATED = "circulated", _("通报")
        INTERVIEW = "interview", _("约谈")
        ADMONISHMENT = "admonishment", _("诫勉")
        ACCOUNTABILITY = "accountability", _("问责")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("督查")
    )
    category = models.CharField(_("问题类别"), max_length=16, choices=Category.choices)
    description = models.TextField(_("问题描述"), max_length=5000)
    action = models.CharField(_("处理方式"), max_length=16, choices=Action.choices, blank=True)
    rectification_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    rectification_report = models.TextField(_("整改情况"), blank=True, max_length=5000)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督查问题")
        verbose_name_plural = _("督查问题")
        ordering = ["inspection_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:20]}"
