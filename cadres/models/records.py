"""The township's records: trainings and attendance, model figures, the work calendar."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.stamps import Stamped

from .people import Cadre
from .places import Township, Village


class Training(Stamped, models.Model):
    class Kind(models.TextChoices):
        WORK_METHOD = "work_method", _("干部工作方法培训班")
        ACTIVISTS = "activists", _("入党积极分子培训班")
        AGRI_TECH = "agri_tech", _("农业技术培训")
        REMOTE_EDUCATION = "remote_education", _("远程教育")
        OTHER = "other", _("其他")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("乡镇"))
    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    venue = models.CharField(_("地点"), max_length=120, blank=True)
    village = models.ForeignKey(
        Village,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("所在村（远程教育站点）"),
    )
    date = models.DateField(_("日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=2, validators=[MinValueValidator(0)])
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["township", "date"], name="training_township_date_idx")]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("培训"))
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="trainings_attended", verbose_name=_("干部")
    )
    present = models.BooleanField(_("出席"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("培训出勤")
        verbose_name_plural = _("培训出勤")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "cadre"],
                name="attendance_once_per_training",
                violation_error_message=_("该干部已在本次培训的出勤名单中。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.training} — {self.cadre}"


class ModelFigure(models.Model):
    """典型: a cadre or villager held up as an example in the bulletin."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="model_figures", verbose_name=_("乡镇")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("干部")
    )
    villager_name = models.CharField(_("群众姓名"), max_length=30, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("村")
    )
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("已推荐")
        CONFIRMED = "confirmed", _("已确认")

    title = models.CharField(_("标题"), max_length=120)
    story = models.TextField(_("事迹"), max_length=10000)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    # A figure proposed from a staff page waits for the office; only confirmed ones reach a bulletin.
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(_("推荐来源"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("推荐人"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("典型")
        verbose_name_plural = _("典型")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="model_figure_period_ordered",
                violation_error_message=_("期间止不能早于期间起。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarDay(models.Model):
    """An exception to the default week (Mon–Fri work): a holiday or a make-up workday.

    One calendar per year is the set of a year's rows; a township-specific row overrides the
    national one (township null) for the same date.
    """

    township = models.ForeignKey(
        Township,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("乡镇（空为全国）"),
    )
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("上班"), default=False)
    name = models.CharField(_("说明"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "date"], name="calendar_day_unique", violation_error_message=_("该日期已有安排。")
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(township__isnull=True),
                name="national_calendar_day_unique",
                violation_error_message=_("该日期已有全国安排。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
