"""民情日记 and what grows out of it: leaders' comments and adopted ideas."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Household, Township, Village
from core.history import HistoricalRecordsWithLinks
from core.stamps import Stamped

from .choices import Category

TEXT_LIMIT = 5000
DIARY_PER_DAY = "one_diary_per_cadre_per_day"  # the constraint's name (diary_create reads it)
DIARY_CLIENT_ID = "one_diary_per_author_client_id"  # an offline upload's id, once per author


class Diary(Stamped, models.Model):
    # The township is denormalised from the author so county-scale lists filter on one index.
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    author = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="diaries", verbose_name=_("作者"))
    date = models.DateField(_("日期"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="diaries", verbose_name=_("走访村"))
    households = models.ManyToManyField(Household, blank=True, related_name="diaries", verbose_name=_("走访农户"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    people_met = models.CharField(_("走访对象"), max_length=200, blank=True)
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, default=Category.OTHER)
    situation = models.TextField(_("民情"), max_length=TEXT_LIMIT)
    problems = models.TextField(_("新问题"), max_length=TEXT_LIMIT, blank=True)
    ideas = models.TextField(_("新思路"), max_length=TEXT_LIMIT, blank=True)
    # The village development plan's milestone the visit worked on: the plan page's progress log.
    milestone = models.ForeignKey(
        "supervision.PlanMilestone", on_delete=models.SET_NULL, null=True, blank=True, related_name="diaries",
        verbose_name=_("推进的规划节点"),
    )
    # Made on the phone when a diary is saved offline (the outbox, static/js/offline.js): a retry of
    # the same upload finds the stored diary instead of writing a second one. Set by the API only.
    client_id = models.UUIDField(_("离线编号"), null=True, blank=True, editable=False)
    on_time = models.BooleanField(_("按时"), default=True, help_text=_("当天填写为按时"))
    created_at = models.DateTimeField(_("填写时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True, db_index=True)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    # core.history.create_with_links records a new diary and its households as one version.
    history = HistoricalRecordsWithLinks(m2m_fields=[households], no_db_index="updated_at")

    class Meta:
        verbose_name = _("民情日记")
        verbose_name_plural = _("民情日记")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "date"], name=DIARY_PER_DAY),
            models.UniqueConstraint(fields=["author", "client_id"], name=DIARY_CLIENT_ID),
        ]
        indexes = [
            models.Index(fields=["township", "-date", "-id"], name="diary_township_date_idx"),
            models.Index(fields=["village", "-date", "-id"], name="diary_village_date_idx"),
            # A cadre's own feed: the newest page without sorting every diary they ever wrote.
            models.Index(fields=["author", "-date", "-id"], name="diary_author_date_idx"),
            # A period's diaries read from the index alone (PostgreSQL; plain date index elsewhere):
            # the county reports and bulletins count a quarter's diaries without visiting the
            # table, so their cost follows the period, not the years of diaries behind it.
            models.Index(
                fields=["date"], include=["id", "author", "village", "township", "on_time"],
                condition=Q(deleted_at__isnull=True), name="diary_period_idx",
            ),
            models.Index(fields=["date"], name="diary_date_idx"),
            # Whose and which day a diary is, by its id, from the index alone: the coverage count
            # (supervision.services.completeness.coverage) checks the diaries a household's links
            # name; reading them from the table cost 5x over 27 months at 1M diaries.
            models.Index(
                fields=["id"], include=["author", "date"], condition=Q(deleted_at__isnull=True),
                name="diary_id_author_date_idx",
            ),
            # One township's diaries of a period, with their authors, from the index alone: the
            # dashboard's eight weeks of completeness (services.completeness.daily_totals) read
            # 3,600 entries instead of filtering every township's 72,000 out of diary_period_idx
            # (0.6 ms instead of 20 ms at 1M diaries).
            models.Index(
                fields=["township", "date"], include=["author"], condition=Q(deleted_at__isnull=True),
                name="diary_township_day_idx",
            ),
            # The few withdrawn diaries, which a search page leaves out without reading each
            # match's diary: a township's, a cadre's own of it (supervision.search.IndexRows).
            models.Index(
                fields=["township", "author", "id"], condition=Q(deleted_at__isnull=False),
                name="diary_withdrawn_scope_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} {self.date:%Y-%m-%d}"


class DiaryComment(models.Model):
    """批示: a leader's comment on a diary."""

    diary = models.ForeignKey(Diary, on_delete=models.CASCADE, related_name="comments", verbose_name=_("日记"))
    author = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="+", verbose_name=_("批示人"))
    text = models.TextField(_("批示内容"), max_length=2000)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("日记批示")
        verbose_name_plural = _("日记批示")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class AgendaItem(Stamped, models.Model):
    """An item on the party committee's agenda (an adopted idea 采纳, a group of recurring problems,
    or one the office entered), its consultation when it is major, and the decision taken on it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待议")
        DECIDED = "decided", _("已决策")

    class Source(models.TextChoices):
        IDEA = "idea", _("采纳的建议")
        GROUP = "group", _("群众反映集中的问题")
        OFFICE = "office", _("党政办提出")

    class ConsultationMethod(models.TextChoices):
        MEETING = "meeting", _("座谈会/村民代表会议")
        NOTICE = "notice", _("公告征求意见")
        VISITS = "visits", _("入户走访")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.IDEA)
    diary = models.OneToOneField(
        Diary, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_item", verbose_name=_("来源日记")
    )
    # 重大事项: the committee seeks the people's views before it decides (consultation_* below).
    is_major = models.BooleanField(_("重大事项"), default=False)
    consultation_method = models.CharField(
        _("征求意见方式"), max_length=10, choices=ConsultationMethod.choices, blank=True)
    consultation_from = models.CharField(_("征求意见对象"), max_length=200, blank=True)
    consultation_summary = models.TextField(_("意见汇总"), max_length=5000, blank=True)
    consultation_start = models.DateField(_("征求意见起"), null=True, blank=True)
    consultation_end = models.DateField(_("征求意见止"), null=True, blank=True)
    consultation_recorded_at = models.DateTimeField(_("意见登记时间"), null=True, blank=True)
    # The disclosure the decision was published as (党务/政务公开), once the office posted it.
    disclosure = models.ForeignKey(
        "supervision.Disclosure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("决策公开"),
    )
    title = models.CharField(_("议题"), max_length=200)
    adopted_by = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="+", verbose_name=_("采纳人"))
    adopted_at = models.DateTimeField(_("采纳时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    meeting_date = models.DateField(_("会议日期"), null=True, blank=True)
    decision = models.TextField(_("决策内容"), max_length=5000, blank=True)
    decided_at = models.DateTimeField(_("决策时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("党委议题")
        verbose_name_plural = _("党委议题")
        ordering = ["-adopted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status="pending") | ~Q(decision=""), name="decided_item_has_decision"),
            # A major item is decided only after its consultation is on record.
            models.CheckConstraint(
                condition=Q(status="pending") | Q(is_major=False) | Q(consultation_recorded_at__isnull=False),
                name="major_item_consulted_before_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title
