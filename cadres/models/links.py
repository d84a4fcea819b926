"""Who looks after what: village assignments (包村), households and their contacts (联系户), quotas."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.stamps import Stamped

from .people import Cadre, Post
from .places import Village, VillageGroup, phone_validator


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
