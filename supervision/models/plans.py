"""帮村发展规划: a village's development plan, drawn up with its assigned cadre and followed to the end.

A plan belongs to a village and a period; its goals carry measurable indicators (baseline,
target, achieved) and its milestones a due date, a responsible cadre and evidence when done.
Draft → submitted → approved; an approved plan changes only through a recorded revision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Township, Village
from core.stamps import Stamped


class Plan(Stamped, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审批")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="plans", verbose_name=_("村"))
    title = models.CharField(_("规划名称"), max_length=200)
    background = models.TextField(_("基本情况"), max_length=10000, blank=True)
    period_start = models.DateField(_("规划期起"))
    period_end = models.DateField(_("规划期止"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("起草人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("提交人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("审批人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("帮村发展规划")
        verbose_name_plural = _("帮村发展规划")
        ordering = ["-period_start", "-id"]
        indexes = [
            models.Index(fields=["township", "status"], name="plan_township_status_idx"),
            models.Index(fields=["village", "-period_start"], name="plan_village_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="plan_period_ordered",
                violation_error_message=_("规划期止不能早于规划期起。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanGoal(models.Model):
    """A measurable goal: 新建日光温室 50 座 (indicator, unit, baseline, target, achieved)."""
    # Saving or deleting one moves the plan's updated_at, so the sync sees the plan change.
    STAMPS_PARENT = ("supervision.Plan", "goals")


    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("规划"))
    indicator = models.CharField(_("指标"), max_length=200)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    baseline = models.DecimalField(_("基数"), max_digits=14, decimal_places=2, default=0)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    achieved = models.DecimalField(_("完成值"), max_digits=14, decimal_places=2, default=0)
    achieved_note = models.CharField(_("完成情况说明"), max_length=500, blank=True)
    achieved_on = models.DateField(_("完成值更新日期"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规划目标")
        verbose_name_plural = _("规划目标")
        ordering = ["plan_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.target}{self.unit}"


class PlanMilestone(Stamped, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("未完成")
        DONE = "done", _("已完成")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("规划"))
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("完成期限"))
    responsible = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_milestones",
        verbose_name=_("责任人"),
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_note = models.TextField(_("完成情况"), max_length=2000, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="evidence/%Y/%m/", blank=True)
    escalated_on = models.DateField(_("最近督办"), null=True, blank=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("规划节点")
        verbose_name_plural = _("规划节点")
        ordering = ["plan_id", "due", "id"]
        indexes = [models.Index(fields=["status", "due"], name="plan_milestone_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", done_on__isnull=True) | Q(status="done", done_on__isnull=False),
                name="plan_milestone_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class PlanRevision(models.Model):
    """How an approved plan changed: what changed and why, by whom and when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("规划"))
    changes = models.TextField(_("修订内容"), max_length=5000)
    reason = models.TextField(_("修订理由"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("修订人"),
    )
    at = models.DateTimeField(_("修订时间"), default=timezone.now)

    class Meta:
        verbose_name = _("规划修订")
        verbose_name_plural = _("规划修订")
        ordering = ["plan_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.at:%Y-%m-%d}"
