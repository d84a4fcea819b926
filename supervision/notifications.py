"""The notification kinds of the duties and their follow-up (registered with core.notifications)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MATTER_ASSIGNED = "matter_assigned", _("事项交办")
    MATTER_OVERDUE = "matter_overdue", _("事项逾期督办")
    MATTER_UPDATED = "matter_updated", _("事项进展")
    DIARY_COMMENTED = "diary_commented", _("日记批示")
    IDEA_DECIDED = "idea_decided", _("建议决策")
    GROUP_DECIDED = "group_decided", _("一类事决策")
    DIARY_REMINDER = "diary_reminder", _("日记提醒")
    PLEDGE_TO_SIGN = "pledge_to_sign", _("待签责任书")
    DISCLOSURE_CHECK = "disclosure_check", _("公开检查结果")
    INSPECTION = "inspection", _("督查")
    PLAN_UPDATED = "plan_updated", _("发展规划")
    PLAN_MILESTONE_OVERDUE = "plan_milestone_overdue", _("规划节点逾期督办")
