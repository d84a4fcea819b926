"""问题/诉求台账: follow-up matters and their life cycle."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Household, Township, Unit, Village
from core.stamps import Stamped

from .choices import Category
from .diaries import Diary


class Matter(Stamped, models.Model):
    class Source(models.TextChoices):
        DIARY = "diary", _("民情日记")
        INSPECTION = "inspection", _("督查")
        HOTLINE = "hotline", _("12345热线")
        PETITION = "petition", _("信访")
        VILLAGER = "villager", _("群众诉求")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("登记")
        ASSIGNED = "assigned", _("交办")
        IN_PROGRESS = "in_progress", _("办理中")
        RESOLVED = "resolved", _("已办结")
        REVISITED = "revisited", _("已回访")
        CLOSED = "closed", _("销号")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    OPEN_STATUSES = (Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS)

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.DIARY)
    external_ref = models.CharField(_("外部编号"), max_length=60, blank=True)
    diary = models.ForeignKey(
        Diary, on_delete=models.PROTECT, null=True, blank=True, related_name="matters", verbose_name=_("来源日记")
    )
    finding = models.ForeignKey(
        "supervision.InspectionFinding",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
        verbose_name=_("来源督查问题"),
    )
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="matters", verbose_name=_("村"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="matters", verbose_name=_("农户")
    )
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("问题描述"), max_length=5000)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    raised_by = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="raised_matters", verbose_name=_("登记人")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="matters", verbose_name=_("承办单位")
    )
    assignee = models.ForeignKey(
        Cadre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_matters",
        verbose_name=_("承办人"),
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), max_length=5000, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="evidence/%Y/%m/", blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    satisfaction = models.CharField(_("回访满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    revisit_note = models.TextField(_("回访记录"), max_length=2000, blank=True)
    revisited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("销号人"),
    )
    escalated_on = models.DateField(_("最近督办"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("问题台账")
        verbose_name_plural = _("问题台账")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["township", "status", "-id"], name="matter_township_status_idx"),
            models.Index(fields=["village", "-id"], name="matter_village_idx"),
            models.Index(fields=["assignee", "status"], name="matter_assignee_status_idx"),
            models.Index(fields=["unit", "status"], name="matter_unit_status_idx"),
            models.Index(fields=["status", "deadline"], name="matter_status_deadline_idx"),
            models.Index(fields=["township", "created_at"], name="matter_township_created_idx"),
            # The county's monthly figures count a period's matters raised, resolved and closed
            # across every township: a range on each timestamp, not a scan of all years' matters.
            models.Index(fields=["created_at"], name="matter_created_idx"),
            models.Index(fields=["resolved_at"], name="matter_resolved_idx"),
            models.Index(fields=["closed_at"], name="matter_closed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description[:20]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class MatterEvent(models.Model):
    """The readable timeline of a matter: each transition, who made it, and the note."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="events", verbose_name=_("事项"))
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Matter.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Matter.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True, max_length=5000)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("事项记录")
        verbose_name_plural = _("事项记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.action}"


class DeadlineRule(models.Model):
    """Default deadline (calendar days) for a category; 15 days where no rule is set."""

    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("期限（天）"), default=15, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办理期限规则")
        verbose_name_plural = _("办理期限规则")

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.days}"
