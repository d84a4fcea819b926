"""People: posts, cadres, their absences and transfers, log-ins' memberships."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.stamps import Stamped

from .places import Township, Unit, Village, phone_validator


class Post(models.TextChoices):
    PARTY_SECRETARY = "party_secretary", _("党委书记")
    TOWNSHIP_HEAD = "township_head", _("镇长")
    DEPUTY_SECRETARY = "deputy_secretary", _("党委副书记")
    DEPUTY_HEAD = "deputy_head", _("副镇长")
    COMMITTEE_MEMBER = "committee_member", _("党委委员")
    DISCIPLINE_SECRETARY = "discipline_secretary", _("纪委书记")
    UNIT_HEAD = "unit_head", _("站所负责人")
    STAFF = "staff", _("机关干部")
    VILLAGE_SECRETARY = "village_secretary", _("村党支部书记")
    VILLAGE_DIRECTOR = "village_director", _("村委会主任")
    VILLAGE_COMMITTEE = "village_committee", _("村两委委员")


TOP_POSTS = frozenset({Post.PARTY_SECRETARY, Post.TOWNSHIP_HEAD})
DEPUTY_POSTS = frozenset({Post.DEPUTY_SECRETARY, Post.DEPUTY_HEAD, Post.COMMITTEE_MEMBER, Post.DISCIPLINE_SECRETARY})
VILLAGE_POSTS = frozenset({Post.VILLAGE_SECRETARY, Post.VILLAGE_DIRECTOR, Post.VILLAGE_COMMITTEE})


class Cadre(Stamped, models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class PoliticalStatus(models.TextChoices):
        PARTY_MEMBER = "party_member", _("中共党员")
        PROBATIONARY = "probationary", _("中共预备党员")
        LEAGUE_MEMBER = "league_member", _("共青团员")
        MASSES = "masses", _("群众")
        OTHER_PARTY = "other_party", _("民主党派")

    class Level(models.TextChoices):
        TOWNSHIP = "township", _("镇干部")
        VILLAGE = "village", _("村干部")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
        verbose_name=_("登录账号"),
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("乡镇"))
    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, default=Gender.MALE)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[phone_validator])
    political_status = models.CharField(
        _("政治面貌"), max_length=16, choices=PoliticalStatus.choices, default=PoliticalStatus.PARTY_MEMBER
    )
    post = models.CharField(_("职务"), max_length=24, choices=Post.choices, default=Post.STAFF)
    extra_posts = models.JSONField(_("兼任职务"), default=list, blank=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, default=Level.TOWNSHIP)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("所在站办所")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_cadres",
        verbose_name=_("所在村"),
    )
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="subordinates", verbose_name=_("上级")
    )
    is_active = models.BooleanField(_("在岗"), default=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["township_id", "id"]
        indexes = [models.Index(fields=["township", "is_active"], name="cadre_township_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(level="village") | Q(village__isnull=False),
                name="village_cadre_has_village",
                violation_error_message=_("村干部必须选择所在村。"),
            ),
            models.CheckConstraint(
                condition=~Q(reports_to=models.F("id")),
                name="cadre_not_own_superior",
                violation_error_message=_("不能把本人设为自己的上级。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name



class ExcusedAbsence(models.Model):
    """Days a cadre was not expected to write a diary (leave, training, secondment)."""

    class Reason(models.TextChoices):
        LEAVE = "leave", _("请假")
        TRAINING = "training", _("培训学习")
        SECONDMENT = "secondment", _("借调")
        OTHER = "other", _("其他公务")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="absences", verbose_name=_("干部"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=16, choices=Reason.choices, default=Reason.LEAVE)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("请假与公假")
        verbose_name_plural = _("请假与公假")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="absence_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.start}—{self.end} {self.get_reason_display()}"


class Transfer(models.Model):
    """A cadre's move to another post or township, and what was handed to the successor."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("干部"))
    successor = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("接替人")
    )
    date = models.DateField(_("日期"))
    from_post = models.CharField(_("原职务"), max_length=24, choices=Post.choices)
    to_post = models.CharField(_("新职务"), max_length=24, choices=Post.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    handed_over = models.JSONField(_("移交清单"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )

    class Meta:
        verbose_name = _("干部调动")
        verbose_name_plural = _("干部调动")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.successor} ({self.date})"


class Membership(models.Model):
    """Township of a log-in that is not a cadre (the reporter, county staff). Null township = county-wide."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("用户")
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("乡镇（空为全县）"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("账号所属")
        verbose_name_plural = _("账号所属")

    def __str__(self) -> str:
        return f"{self.user} @ {self.township or _('全县')}"


class InitialPassword(models.Model):
    """A log-in the office issued (or reset) whose one-time password is not changed yet.

    The row exists until its user sets a password of their own; while it does, the pages send the
    user to the password change and the API refuses with `password_change_required`. The password
    itself is never stored here: it is shown once (or printed once) and kept only as the hash.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="initial_password",
        verbose_name=_("登录账号"),
    )
    issued_at = models.DateTimeField(_("发放时间"), auto_now=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )

    class Meta:
        verbose_name = _("待修改的初始密码")
        verbose_name_plural = _("待修改的初始密码")

    def __str__(self) -> str:
        return str(self.user)
