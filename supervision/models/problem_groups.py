"""一类事: the same problem raised in several villages in a period, grouped by its words.

A group is recomputed from the period's diaries (their new problems) and registered matters; its
keywords are the words its members share, which is what the page shows as the reason they were
grouped. A group the party secretary put on the committee's agenda keeps its agenda item across
reruns (the rerun matches the new group to the old one by the members they share).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Township, Village

from .choices import Category
from .diaries import AgendaItem, Diary
from .matters import Matter


class ProblemGroup(models.Model):
    class Trend(models.TextChoices):
        NEW = "new", _("新出现")
        UP = "up", _("上升")
        FLAT = "flat", _("持平")
        DOWN = "down", _("下降")

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="+", verbose_name=_("乡镇"))
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    category = models.CharField(_("类别"), max_length=24, choices=Category.choices, blank=True)
    label = models.CharField(_("问题"), max_length=100)
    keywords = models.JSONField(_("关键词"), default=list)
    villages = models.ManyToManyField(Village, related_name="+", verbose_name=_("涉及村"))
    diaries = models.ManyToManyField(Diary, blank=True, related_name="problem_groups", verbose_name=_("民情日记"))
    matters = models.ManyToManyField(Matter, blank=True, related_name="problem_groups", verbose_name=_("问题台账"))
    # Counted once when the group is built: the page sorts by size without counting the links.
    village_count = models.PositiveIntegerField(_("村数"), default=0)
    diary_count = models.PositiveIntegerField(_("日记数"), default=0)
    matter_count = models.PositiveIntegerField(_("事项数"), default=0)
    first_seen = models.DateField(_("首次反映"))
    last_seen = models.DateField(_("最近反映"))
    previous_size = models.PositiveIntegerField(_("上期条数"), default=0)
    trend = models.CharField(_("趋势"), max_length=6, choices=Trend.choices, default=Trend.NEW)
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="problem_group",
        verbose_name=_("党委议题"),
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("一类事")
        verbose_name_plural = _("一类事")
        ordering = ["-village_count", "-diary_count", "-matter_count", "id"]
        indexes = [models.Index(fields=["township", "period_start", "period_end"], name="problemgroup_period_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="problemgroup_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def size(self) -> int:
        return self.diary_count + self.matter_count
