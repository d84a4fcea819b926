"""People and places (docs/design.md §3, cadres): townships, villages, units, cadres and their links."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.stamps import Stamped

phone_validator = RegexValidator(r"^[0-9+\-\s]{5,20}$", _("电话号码格式不正确。"))


class Township(Stamped, models.Model):
    name = models.CharField(_("名称"), max_length=60)
    code = models.CharField(_("行政区划代码"), max_length=20, unique=True)
    county = models.CharField(_("所属县区"), max_length=60, blank=True)
    # Whether the yearly assessment 公示 also lists each cadre's score and grade (the township
    # decides; villages and units are always listed).
    publish_cadre_assessments = models.BooleanField(_("考核结果公示含干部个人"), default=False)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Village(Stamped, models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("行政村")
        COMMUNITY = "community", _("社区")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=60)
    code = models.CharField(_("代码"), max_length=20, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.VILLAGE)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["township_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_name_unique_in_township",
                violation_error_message=_("本镇已有同名的村（社区）。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class VillageGroup(models.Model):
    """村民小组."""

    # Saving or deleting one moves the parent's updated_at, so the sync sees the parent change.
    STAMPS_PARENT = ("cadres.Village", "groups")

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="groups", verbose_name=_("村"))
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("村民小组")
        verbose_name_plural = _("村民小组")
        ordering = ["village_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                name="group_name_unique_in_village",
                violation_error_message=_("本村已有同名的村民小组。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.village.name}{self.name}"


class Unit(Stamped, models.Model):
    """站办所 / 机关部门."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("办公室")
        CENTER = "center", _("服务中心")
        STATION = "station", _("站所")
        DEPARTMENT = "department", _("机关部门")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="units", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.STATION)
    head = models.ForeignKey(
        "Cadre", on_delete=models.SET_NULL, null=True, blank=True, related_name="headed_units", verbose_name=_("负责人")
    )
    leader_in_charge = models.ForeignKey(
        "Cadre",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_units",
        verbose_name=_("分管领导"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("站办所")
        verbose_name_plural = _("站办所")
        ordering = ["township_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="unit_name_unique_in_township",
                violation_error_message=_("本镇已有同名的站办所。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


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


class VillageAssignment(Stamped, models.Model):
    """包村/联村: a township cadre's duty for a village."""

    class Role(models.TextChoices):
        LEADER = "leader", _("包村领导")
        CADRE = "cadre", _("包村干部")
        RESIDENT = "resident", _("驻村干部")

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("干部"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("村"))
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.CADRE)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    duties = models.TextField(_("职责"), blank=True, max_length=2000)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("包村联村")
        verbose_name_plural = _("包村联村")
        ordering = ["village_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(role="leader", end__isnull=True),
                name="one_active_leading_cadre_per_village",
                violation_error_message=_("每村只能有一名在任的包村领导。"),
            ),
            models.UniqueConstraint(
                fields=["cadre", "village"],
                condition=Q(end__isnull=True),
                name="one_active_assignment_per_cadre_village",
                violation_error_message=_("该干部已在包联此村，不能重复登记。"),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.village}（{self.get_role_display()}）"


class HouseholdTag(models.Model):
    slug = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        verbose_name = _("农户标签")
        verbose_name_plural = _("农户标签")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Household(Stamped, models.Model):
    """农户. No ID-card numbers are ever stored (PIPL, docs/design.md §2)."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("村"))
    group = models.ForeignKey(
        VillageGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("村民小组"),
    )
    head_name = models.CharField(_("户主姓名"), max_length=30)
    members = models.PositiveSmallIntegerField(_("家庭人口"), default=1, validators=[MinValueValidator(1)])
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    tags = models.ManyToManyField(HouseholdTag, blank=True, related_name="households", verbose_name=_("标签"))
    note = models.TextField(_("备注"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("有效"), default=True)
    # Set when the household's personal data was erased on request (PIPL); statistics stay.
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[tags], no_db_index="updated_at")

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["village_id", "id"]

    def __str__(self) -> str:
        return self.head_name


class HouseholdContact(Stamped, models.Model):
    """联系户: a cadre's standing link with a household."""

    class Kind(models.TextChoices):
        POOR_PARTY_MEMBER = "poor_party_member", _("困难党员户")
        FARMER = "farmer", _("普通农户")
        ASSISTED = "assisted", _("帮扶户")

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("干部"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("农户"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.FARMER)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    help_plan = models.TextField(_("帮扶措施"), blank=True, max_length=4000)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("联系户")
        verbose_name_plural = _("联系户")
        ordering = ["cadre_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "household"],
                condition=Q(end__isnull=True),
                name="one_active_contact_per_cadre_household",
                violation_error_message=_("该干部已联系此农户，不能重复登记。"),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="contact_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} — {self.household}"


class ContactQuota(models.Model):
    """How many households of each kind a post must link (configurable per post)."""

    post = models.CharField(_("职务"), max_length=24, choices=Post.choices, unique=True)
    poor_party_member = models.PositiveSmallIntegerField(_("困难党员户"), default=1)
    farmer = models.PositiveSmallIntegerField(_("普通农户"), default=10)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联系户定额")
        verbose_name_plural = _("联系户定额")

    def __str__(self) -> str:
        return f"{self.get_post_display()}：{self.poor_party_member}+{self.farmer}"


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
    title = models.CharField(_("标题"), max_length=120)
    story = models.TextField(_("事迹"), max_length=10000)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
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
