"""目标管理责任书: pledges signed level by level, their targets, progress and assessment."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Township, Unit, Village
from core.stamps import Stamped


class PledgeLevel(models.TextChoices):
    VILLAGE = "village", _("村→政府")
    STAFF = "staff", _("机关干部→站办所")
    UNIT = "unit", _("站办所→分管领导")
    DEPUTY = "deputy", _("党政副职→党政一把手")


class TargetKind(models.TextChoices):
    BASE = "base", _("基础目标")
    BONUS = "bonus", _("加分目标")
    VETO = "veto", _("一票否决")


class PledgeTemplate(models.Model):
    """A set of targets reused across the pledges of one level."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    level = models.CharField(_("层级"), max_length=10, choices=PledgeLevel.choices)
    name = models.CharField(_("名称"), max_length=120)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任书模板")
        verbose_name_plural = _("责任书模板")
        constraints = [
            models.UniqueConstraint(fields=["township", "year", "level", "name"], name="pledge_template_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TargetFields(models.Model):
    kind = models.CharField(_("类型"), max_length=8, choices=TargetKind.choices, default=TargetKind.BASE)
    task = models.CharField(_("目标任务"), max_length=300)
    indicator = models.CharField(_("考核指标"), max_length=300, blank=True)
    points = models.DecimalField(
        _("分值"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    assessing_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("考核单位")
    )
    scoring_rule = models.CharField(_("评分办法"), max_length=500, blank=True)
    # Filled automatically from another record: "disclosure" = the quarterly disclosure checks;
    # "plan" = the village development plans' milestones done on time.
    auto_source = models.CharField(
        _("自动取数"), max_length=16, blank=True,
        choices=[("", _("无")), ("disclosure", _("村务公开检查")), ("plan", _("发展规划节点按期完成"))],
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        abstract = True


class PledgeTemplateTarget(TargetFields):
    template = models.ForeignKey(
        PledgeTemplate, on_delete=models.CASCADE, related_name="targets", verbose_name=_("模板")
    )

    class Meta:
        verbose_name = _("模板目标")
        verbose_name_plural = _("模板目标")
        ordering = ["template_id", "order", "id"]

    def __str__(self) -> str:
        return self.task


class Pledge(Stamped, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已下达")
        SIGNED = "signed", _("责任方已签")
        COUNTERSIGNED = "countersigned", _("已会签（生效）")
        ASSESSED = "assessed", _("已考核")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    level = models.CharField(_("层级"), max_length=10, choices=PledgeLevel.choices)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    template = models.ForeignKey(
        PledgeTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("模板")
    )
    pledger_village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges", verbose_name=_("责任村")
    )
    pledger_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges", verbose_name=_("责任单位")
    )
    pledger_cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges", verbose_name=_("责任人")
    )
    superior = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="pledges_to_countersign", verbose_name=_("会签人")
    )
    status = models.CharField(_("状态"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    bonus_cap = models.DecimalField(_("加分上限"), max_digits=4, decimal_places=1, default=Decimal("10"))
    issued_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("责任方签署时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        Cadre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("责任方签署人")
    )
    countersigned_at = models.DateTimeField(_("会签时间"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        Cadre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("会签人（实际）")
    )
    assessed_at = models.DateTimeField(_("考核时间"), null=True, blank=True)
    total_score = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)
    scan = models.FileField(_("签字盖章扫描件"), upload_to="pledges/%Y/", blank=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["-year", "level", "id"]
        indexes = [models.Index(fields=["township", "year", "status"], name="pledge_township_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(pledger_village__isnull=False, pledger_unit__isnull=True, pledger_cadre__isnull=True)
                    | Q(pledger_village__isnull=True, pledger_unit__isnull=False, pledger_cadre__isnull=True)
                    | Q(pledger_village__isnull=True, pledger_unit__isnull=True, pledger_cadre__isnull=False)
                ),
                name="pledge_has_exactly_one_pledger",
            ),
            models.UniqueConstraint(
                fields=["year", "level", "pledger_village"],
                condition=Q(pledger_village__isnull=False),
                name="one_pledge_per_village_year",
            ),
            models.UniqueConstraint(
                fields=["year", "level", "pledger_unit"],
                condition=Q(pledger_unit__isnull=False),
                name="one_pledge_per_unit_year",
            ),
            models.UniqueConstraint(
                fields=["year", "level", "pledger_cadre"],
                condition=Q(pledger_cadre__isnull=False),
                name="one_pledge_per_cadre_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.year} {self.pledger_name}"

    @property
    def pledger_type(self) -> str:
        if self.pledger_village_id:
            return "village"
        if self.pledger_unit_id:
            return "unit"
        return "cadre"

    @property
    def pledger_id(self) -> int | None:
        return self.pledger_village_id or self.pledger_unit_id or self.pledger_cadre_id

    @property
    def pledger_name(self) -> str:
        pledger = self.pledger_village or self.pledger_unit or self.pledger_cadre
        return str(pledger) if pledger else ""


class PledgeTarget(TargetFields):
    # Saving or deleting one moves the parent's updated_at, so the sync sees the parent change.
    STAMPS_PARENT = ("supervision.Pledge", "targets")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="targets", verbose_name=_("责任书"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任目标")
        verbose_name_plural = _("责任目标")
        ordering = ["pledge_id", "order", "id"]

    def __str__(self) -> str:
        return self.task


class TargetProgress(models.Model):
    """季度进展: a short report per target per quarter."""

    # Saving or deleting one moves the parent's updated_at, so the sync sees the parent change.
    STAMPS_PARENT = ("supervision.Pledge", "targets__progress")

    target = models.ForeignKey(PledgeTarget, on_delete=models.CASCADE, related_name="progress", verbose_name=_("目标"))
    quarter = models.PositiveSmallIntegerField(_("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    report = models.TextField(_("进展情况"), max_length=3000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("填报人")
    )
    at = models.DateTimeField(_("填报时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("季度进展")
        verbose_name_plural = _("季度进展")
        ordering = ["target_id", "quarter"]
        constraints = [models.UniqueConstraint(fields=["target", "quarter"], name="one_progress_per_target_quarter")]

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.target}"


class TargetAssessment(models.Model):
    """The year-end score of one target."""

    # Saving or deleting one moves the parent's updated_at, so the sync sees the parent change.
    STAMPS_PARENT = ("supervision.Pledge", "targets__assessment")

    target = models.OneToOneField(
        PledgeTarget, on_delete=models.CASCADE, related_name="assessment", verbose_name=_("目标")
    )
    score = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    deduction = models.DecimalField(
        _("扣分"), max_digits=5, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    bonus = models.DecimalField(
        _("加分"), max_digits=5, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    failed = models.BooleanField(_("未完成（否决项）"), default=False)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("考核人")
    )
    at = models.DateTimeField(_("考核时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标考核")
        verbose_name_plural = _("目标考核")

    def __str__(self) -> str:
        return f"{self.target}: {self.score}"


class GradeThreshold(models.Model):
    """Lowest total for a grade (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60 by default); editable in the admin."""

    grade = models.CharField(_("等次"), max_length=10, choices=Pledge.Grade.choices, unique=True)
    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核等次")
        verbose_name_plural = _("考核等次")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} ≥ {self.min_score}"
