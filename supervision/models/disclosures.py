"""党务、政务、村务、校务公开 and the quarterly check of village-affairs disclosure."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, School, Township, Village
from core.stamps import Stamped


class Domain(models.TextChoices):
    PARTY = "party_affairs", _("党务")
    GOVERNMENT = "government_affairs", _("政务")
    VILLAGE = "village_affairs", _("村务")
    SCHOOL = "school_affairs", _("校务")
    FINANCE = "finance", _("财务")


class Subject(models.TextChoices):
    """Whose disclosure it is: a village (村务), the township and its units (政务), a school (校务)."""

    VILLAGE = "village", _("村（社区）")
    TOWNSHIP = "township", _("乡镇")
    SCHOOL = "school", _("学校")


def subject_q(prefix: str = "") -> Q:
    """Exactly one subject, consistent with the kind: a village, a school, or the township alone."""
    return (
        Q(**{f"{prefix}subject_kind": Subject.VILLAGE, f"{prefix}village__isnull": False,
             f"{prefix}school__isnull": True})
        | Q(**{f"{prefix}subject_kind": Subject.SCHOOL, f"{prefix}school__isnull": False,
               f"{prefix}village__isnull": True})
        | Q(**{f"{prefix}subject_kind": Subject.TOWNSHIP, f"{prefix}village__isnull": True,
               f"{prefix}school__isnull": True})
    )


# 校务 is a school's and only a school's; 村务 is a village's; the other domains may be a village's
# or the township's (a village's party branch and the township's party committee both post 党务).
DOMAIN_SUBJECTS: dict[str, tuple[str, ...]] = {
    "party_affairs": (Subject.VILLAGE, Subject.TOWNSHIP),
    "government_affairs": (Subject.TOWNSHIP, Subject.VILLAGE),
    "village_affairs": (Subject.VILLAGE,),
    "school_affairs": (Subject.SCHOOL,),
    "finance": (Subject.VILLAGE, Subject.TOWNSHIP),
}


def domain_subject_q() -> Q:
    return (Q(domain="school_affairs", subject_kind=Subject.SCHOOL)
            | (~Q(domain="school_affairs") & ~Q(subject_kind=Subject.SCHOOL)))


class DisclosureRequirement(models.Model):
    """What must be disclosed, how often, and by when (defaults: Village Committees Organization Law art. 30)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        IMMEDIATE = "immediate", _("随时（重大事项）")
        ANNUAL = "annual", _("每年")

    township = models.ForeignKey(
        Township, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("乡镇（空为通用）")
    )
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices)
    category = models.CharField(_("类别"), max_length=60)
    frequency = models.CharField(_("频次"), max_length=10, choices=Frequency.choices)
    # Day of the month after the period by which the period's item is due; for "immediate" items,
    # days after the decision.
    due_day = models.PositiveSmallIntegerField(
        _("截止日/天数"), default=20, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    min_display_days = models.PositiveSmallIntegerField(_("最短公示天数"), default=10)
    applies_to_villages = models.BooleanField(_("各村适用"), default=True)
    # Whose items the quarterly check expects: each village, the township, or each school.
    applies_to = models.CharField(_("适用对象"), max_length=10, choices=Subject.choices, default=Subject.VILLAGE)
    is_active = models.BooleanField(_("有效"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公开要求")
        verbose_name_plural = _("公开要求")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}·{self.category}（{self.get_frequency_display()}）"


class Disclosure(Stamped, models.Model):
    class Channel(models.TextChoices):
        BOARD = "board", _("公开栏")
        BROADCAST = "broadcast", _("广播")
        WEBSITE = "website", _("网站")
        WECHAT = "wechat", _("微信群")
        MEETING = "meeting", _("会议")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    subject_kind = models.CharField(_("公开主体"), max_length=10, choices=Subject.choices, default=Subject.VILLAGE)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures", verbose_name=_("村")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures", verbose_name=_("学校")
    )
    requirement = models.ForeignKey(
        DisclosureRequirement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("对应要求"),
    )
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices)
    category = models.CharField(_("类别"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"), max_length=20000)
    period_start = models.DateField(_("所属期间起"))
    period_end = models.DateField(_("所属期间止"))
    decision_date = models.DateField(_("决定日期"), null=True, blank=True)
    posted_on = models.DateField(_("公开日期"))
    channel = models.CharField(_("公开方式"), max_length=12, choices=Channel.choices, default=Channel.BOARD)
    display_days = models.PositiveSmallIntegerField(_("公示天数"), default=10)
    posted_by = models.ForeignKey(
        Cadre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("公开人")
    )
    photo = models.ImageField(_("公开栏照片"), upload_to="disclosures/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # Set when the office vouches for a posting date earlier than the recording (补录): the check
    # then trusts posted_on; otherwise a posting counts from the day it was recorded at the earliest.
    posted_on_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公开日期确认人"),
    )
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")
        ordering = ["-posted_on", "-id"]
        indexes = [
            models.Index(fields=["village", "period_end"], name="disclosure_village_period_idx"),
            models.Index(fields=["township", "posted_on"], name="disclosure_township_posted_idx"),
            # The API's list pages a township's disclosures newest id first (LargeTablePagination):
            # without it the primary key was walked backward past every other township's newer
            # rows (37,000 at a million diaries, 4.7 ms before the first row).
            models.Index(fields=["township", "-id"], name="disclosure_township_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="disclosure_period_ordered"
            ),
            models.CheckConstraint(condition=subject_q(), name="disclosure_one_subject"),
            models.CheckConstraint(condition=domain_subject_q(), name="disclosure_school_domain_is_a_schools"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subject_name(self) -> str:
        return subject_name(self)


class DisclosureRubric(models.Model):
    """Scoring rubric of the quarterly check (board 20, content 50, procedure 30; −5 missing, −2 late)."""

    township = models.OneToOneField(
        Township, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("乡镇（空为通用）")
    )
    board_points = models.PositiveSmallIntegerField(_("公开栏分"), default=20)
    content_points = models.PositiveSmallIntegerField(_("内容分"), default=50)
    procedure_points = models.PositiveSmallIntegerField(_("程序分"), default=30)
    missing_penalty = models.PositiveSmallIntegerField(_("每缺一项扣分"), default=5)
    late_penalty = models.PositiveSmallIntegerField(_("每迟一项扣分"), default=2)
    rectification_days = models.PositiveSmallIntegerField(_("整改期限（天）"), default=15)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公开检查评分标准")
        verbose_name_plural = _("公开检查评分标准")

    def __str__(self) -> str:
        return str(self.township or _("通用标准"))


class DisclosureCheck(Stamped, models.Model):
    class Status(models.TextChoices):
        COMPILED = "compiled", _("已汇总")
        REVIEWED = "reviewed", _("已审核")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    subject_kind = models.CharField(_("检查对象"), max_length=10, choices=Subject.choices, default=Subject.VILLAGE)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosure_checks",
        verbose_name=_("村"),
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosure_checks",
        verbose_name=_("学校"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.COMPILED)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, default=0)
    on_time_count = models.PositiveSmallIntegerField(_("按时"), default=0)
    late_count = models.PositiveSmallIntegerField(_("逾期"), default=0)
    missing_count = models.PositiveSmallIntegerField(_("缺项"), default=0)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    notes = models.TextField(_("备注"), blank=True, max_length=3000)
    rectification_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    compiled_at = models.DateTimeField(_("汇总时间"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("季度公开检查")
        verbose_name_plural = _("季度公开检查")
        ordering = ["-year", "-quarter", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "quarter"], name="one_check_per_village_quarter"),
            models.UniqueConstraint(fields=["school", "year", "quarter"], name="one_check_per_school_quarter"),
            models.UniqueConstraint(fields=["township", "year", "quarter"], condition=Q(subject_kind=Subject.TOWNSHIP),
                                    name="one_township_check_per_quarter"),
            models.CheckConstraint(condition=subject_q(), name="disclosure_check_one_subject"),
        ]
        indexes = [models.Index(fields=["township", "year", "quarter"], name="check_township_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.year}Q{self.quarter}"

    @property
    def subject_name(self) -> str:
        return subject_name(self)


def subject_name(obj: Disclosure | DisclosureCheck) -> str:
    """The village's or school's name, or the township's (its 政务)."""
    if obj.subject_kind == Subject.SCHOOL and obj.school_id is not None:
        return obj.school.name if obj.school else ""
    if obj.subject_kind == Subject.TOWNSHIP:
        return str(_("%(township)s（镇本级）") % {"township": obj.township.name})
    return obj.village.name if obj.village else ""


class DisclosureCheckItem(models.Model):
    # Saving or deleting one moves the parent's updated_at, so the sync sees the parent change.
    STAMPS_PARENT = ("supervision.DisclosureCheck", "items")

    class Result(models.TextChoices):
        ON_TIME = "on_time", _("按时公开")
        LATE = "late", _("逾期公开")
        MISSING = "missing", _("未公开")

    check_run = models.ForeignKey(
        DisclosureCheck, on_delete=models.CASCADE, related_name="items", verbose_name=_("检查")
    )
    requirement = models.ForeignKey(
        DisclosureRequirement, on_delete=models.PROTECT, related_name="+", verbose_name=_("要求")
    )
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    due_date = models.DateField(_("截止日期"))
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("公开事项")
    )
    # What the job found; `result` differs from it only when the office adjusted the item.
    computed_result = models.CharField(_("汇总结果"), max_length=10, choices=Result.choices, blank=True)
    adjusted = models.BooleanField(_("人工调整"), default=False)
    adjust_reason = models.CharField(_("调整理由"), max_length=300, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调整人"),
    )
    adjusted_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查明细")
        verbose_name_plural = _("检查明细")
        ordering = ["check_run_id", "requirement_id", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["check_run", "requirement", "period_start"], name="one_item_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement} {self.period_start}: {self.get_result_display()}"
