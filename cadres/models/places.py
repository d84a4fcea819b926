"""Places: townships, villages with their groups (村民小组), units (站办所)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
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


class School(Stamped, models.Model):
    """A school of the township (校务公开 is its own): in a village, or in the township's seat."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="schools", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=80)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="schools", verbose_name=_("所在村")
    )
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(no_db_index="updated_at")

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["township_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="school_name_unique_in_township",
                violation_error_message=_("本镇已有同名的学校。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        village = self.village if self.village_id is not None else None
        if village is not None and self.township_id is not None and village.township_id != self.township_id:
            raise ValidationError({"village": _("所在村不属于该乡镇。")})


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
