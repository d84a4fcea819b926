"""《作风建设简报》: compiled from the data, edited, approved and published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import ModelFigure, Township, Unit
from core.history import HistoricalRecordsWithLinks
from core.model_fields import DocumentJSONField
from core.stamps import Stamped


class Bulletin(Stamped, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审核")
        PUBLISHED = "published", _("已发布")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="bulletins", verbose_name=_("乡镇"))
    year = models.PositiveSmallIntegerField(_("年度"))
    # 第N期 is given on publication, so drafts never burn a number.
    number = models.PositiveSmallIntegerField(_("期号"), null=True, blank=True)
    cumulative_number = models.PositiveIntegerField(_("总期号"), null=True, blank=True)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=60, default="作风建设简报")
    editor_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("编印单位")
    )
    issue_date = models.DateField(_("印发日期"), null=True, blank=True)
    signer = models.CharField(_("签发人"), max_length=30, blank=True)
    editor_note = models.TextField(_("按语"), blank=True, max_length=5000)
    outlook = models.TextField(_("下步打算"), blank=True, max_length=10000)
    # 工作动态 figures and 问题通报 lists as compiled; frozen once published.
    figures = DocumentJSONField(_("统计数据"), default=dict, blank=True)
    problems = DocumentJSONField(_("问题通报"), default=list, blank=True)
    narrative = models.TextField(_("工作动态（文字）"), blank=True, max_length=20000)
    # Once the editor has written the narrative or picked the model figures, compiling again
    # refreshes the figures but leaves the editor's choices alone.
    narrative_edited = models.BooleanField(_("文字已修改"), default=False)
    model_figures_edited = models.BooleanField(_("典型已选定"), default=False)
    # The model figures as printed, copied on publication so later edits of a ModelFigure
    # never change a published bulletin.
    typical = DocumentJSONField(_("典型经验（定稿）"), default=list, blank=True)
    model_figures = models.ManyToManyField(
        ModelFigure, blank=True, related_name="bulletins", verbose_name=_("典型经验")
    )
    distribution_report = models.CharField(_("报"), max_length=300, blank=True)
    distribution_send = models.CharField(_("送"), max_length=300, blank=True)
    distribution_issue = models.CharField(_("发"), max_length=300, blank=True)
    copies = models.PositiveSmallIntegerField(_("印数（份）"), default=30)
    compiled_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True, db_index=True)
    # core.history.create_with_links records a new bulletin and its model figures as one version.
    history = HistoricalRecordsWithLinks(m2m_fields=[model_figures], no_db_index="updated_at")

    class Meta:
        verbose_name = _("作风建设简报")
        verbose_name_plural = _("作风建设简报")
        ordering = ["-year", "-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year", "number"],
                condition=Q(number__isnull=False),
                name="bulletin_number_unique_per_year",
            ),
            models.UniqueConstraint(
                fields=["township", "cumulative_number"],
                condition=Q(cumulative_number__isnull=False),
                name="bulletin_cumulative_number_unique",
            ),
            models.UniqueConstraint(fields=["township", "period_start", "period_end"], name="one_bulletin_per_period"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="bulletin_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(number__isnull=False), name="published_bulletin_has_number"
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return _("%(year)s年第%(number)s期") % {"year": self.year, "number": self.number}
        return _("%(start)s至%(end)s（草稿）") % {"start": self.period_start, "end": self.period_end}

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CountyBulletin(models.Model):
    """The county's own bulletin (issue #21): the townships' figures of a month or quarter side by
    side, compiled, approved and published by county-level staff, in the official layout, with
    its own numbering (第N期 of the year, given on publication)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审核")
        PUBLISHED = "published", _("已发布")

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("期号"), null=True, blank=True)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("标题"), max_length=60, default="作风建设简报")
    editor = models.CharField(_("编印单位"), max_length=60, default="县委作风建设办公室")
    # One row per township (bulletins.county_dashboard.county_rows) and the county's totals.
    figures = DocumentJSONField(_("统计数据"), default=dict, blank=True)
    compiled_at = models.DateTimeField(_("汇总时间"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("发布人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("县级简报")
        verbose_name_plural = _("县级简报")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="county_bulletin_one_per_period"),
            models.UniqueConstraint(fields=["year", "number"], name="county_bulletin_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}-{self.number or '—'}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED
