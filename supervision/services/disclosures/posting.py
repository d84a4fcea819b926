"""Posting a disclosure (公开事项): who may post for which subject, and the checks on what is posted."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre, School, Township, Village
from cadres.roles import Actor, Role
from core.errors import NotAllowed
from supervision.models import (
    Disclosure,
    DisclosureRequirement,
    Domain,
    Subject,
)
from supervision.models.disclosures import DOMAIN_SUBJECTS
from supervision.services.disclosures.requirements import Frequency

TITLE_LIMIT = 200
CONTENT_LIMIT = 20000
DEFAULT_DISPLAY_DAYS = 10


def backdate_days() -> int:
    """How far before its recording a non-office posting may be dated (setting DISCLOSURE_BACKDATE_DAYS)."""
    return int(settings.PORTAL.get("DISCLOSURE_BACKDATE_DAYS", 7))


def may_post_for(actor: Any, village: Village) -> bool:
    """Village cadres post for their own village; the office for any village of its township."""
    if actor.has(Role.OFFICE):
        return actor.township_ids is None or village.township_id in actor.township_ids
    cadre = actor.cadre
    return cadre is not None and cadre.level == Cadre.Level.VILLAGE and cadre.village_id == village.pk


def may_post_for_subject(actor: Any, *, subject_kind: str, township_id: int, village: Village | None) -> bool:
    """A village's items: its village cadres or the office; the township's and a school's: the office."""
    if subject_kind == Subject.VILLAGE:
        return village is not None and may_post_for(actor, village)
    return actor.has(Role.OFFICE) and (actor.township_ids is None or township_id in actor.township_ids)




@transaction.atomic
def disclosure_create(
    *, actor: Actor, village: Village | None = None, title: str, content: str, period_start: date, period_end: date,
    posted_on: date, requirement: DisclosureRequirement | None = None, domain: str = "", category: str = "",
    decision_date: date | None = None, channel: str = Disclosure.Channel.BOARD, display_days: int | None = None,
    photo: UploadedFile | None = None, subject_kind: str = Subject.VILLAGE, school: School | None = None,
    township: Township | None = None,
) -> Disclosure:
    subject_kind, township_id = _subject(actor, subject_kind=subject_kind, village=village, school=school,
                                         township=township)
    if not may_post_for_subject(actor, subject_kind=subject_kind, township_id=township_id, village=village):
        if subject_kind == Subject.VILLAGE:
            raise NotAllowed(_("只有本村村干部或党政办可以登记该村的公开事项。"))
        raise NotAllowed(_("只有本镇党政办可以登记乡镇或学校的公开事项。"))
    # Every field is checked and all errors are reported together, in this order, before the one write.
    errors: dict[str, list[str]] = defaultdict(list)
    title, content = _check_text(errors, title=title, content=content)
    domain, category, minimum = _check_kind(errors, requirement=requirement, subject_kind=subject_kind,
                                            township_id=township_id, domain=domain, category=category)
    if channel not in Disclosure.Channel.values:
        errors["channel"].append(_("请选择公开方式。"))
    today = timezone.localdate()
    office = actor.has(Role.OFFICE)
    _check_dates(errors, period_start=period_start, period_end=period_end, posted_on=posted_on,
                 decision_date=decision_date, requirement=requirement, today=today, office=office)
    days = DEFAULT_DISPLAY_DAYS if display_days is None else display_days
    if days < minimum:
        errors["display_days"].append(_("公示时间不得少于%(n)s天。") % {"n": minimum})
    elif days > 3650:
        errors["display_days"].append(_("公示天数过大。"))
    clean_photo = None
    if photo is not None:
        from core.uploads import clean_upload

        try:
            clean_photo = clean_upload(photo, kinds=("image",))
        except ValidationError as exc:
            errors["photo"].extend(exc.messages)
    if errors:
        raise ValidationError(dict(errors))
    disclosure = Disclosure(
        township_id=township_id, subject_kind=subject_kind, village=village if subject_kind == Subject.VILLAGE else None,
        school=school if subject_kind == Subject.SCHOOL else None, requirement=requirement, domain=domain,
        category=category.strip(), title=title, content=content, period_start=period_start, period_end=period_end,
        decision_date=decision_date, posted_on=posted_on, channel=channel, display_days=days, posted_by=actor.cadre,
        # The office entering an earlier date vouches for it (recorded); a cadre's date is a claim.
        posted_on_confirmed_by_id=actor.user_id if office and posted_on < today else None,
    )
    if clean_photo is not None:
        disclosure.photo.save(clean_photo.name or "board.jpg", clean_photo, save=False)
    disclosure.save()
    return disclosure


def _check_text(errors: dict[str, list[str]], *, title: str, content: str) -> tuple[str, str]:
    """The title and content, stripped; their errors added to `errors`."""
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        errors["title"].append(_("请填写标题。"))
    elif len(title) > TITLE_LIMIT:
        errors["title"].append(_("标题不能超过%(n)s字。") % {"n": TITLE_LIMIT})
    if not content:
        errors["content"].append(_("请填写公开内容。"))
    elif len(content) > CONTENT_LIMIT:
        errors["content"].append(_("公开内容不能超过%(n)s字。") % {"n": CONTENT_LIMIT})
    return title, content


def _check_kind(errors: dict[str, list[str]], *, requirement: DisclosureRequirement | None, subject_kind: str,
                township_id: int, domain: str, category: str) -> tuple[str, str, int]:
    """(domain, category, minimum display days): the requirement's when there is one, else as given;
    their errors added to `errors`."""
    if requirement is not None:
        if not requirement.is_active or requirement.township_id not in (None, township_id):
            errors["requirement"].append(_("该公开要求不适用于本镇。"))
        elif requirement.applies_to != subject_kind:
            errors["requirement"].append(_("该公开要求适用于%(kind)s，与所选公开主体不符。") % {
                "kind": requirement.get_applies_to_display()})
        domain, category = requirement.domain, requirement.category
        minimum = requirement.min_display_days
    else:
        minimum = DEFAULT_DISPLAY_DAYS
        if domain not in Domain.values:
            errors["domain"].append(_("请选择公开领域。"))
        if not (category or "").strip():
            errors["category"].append(_("请填写公开类别。"))
    if domain in DOMAIN_SUBJECTS and subject_kind not in DOMAIN_SUBJECTS[domain]:
        errors["domain"].append(_("%(domain)s不能以%(kind)s为公开主体（校务属于学校，村务属于村）。") % {
            "domain": Domain(domain).label, "kind": Subject(subject_kind).label})
    return domain, category, minimum


def _check_dates(errors: dict[str, list[str]], *, period_start: date, period_end: date, posted_on: date,
                 decision_date: date | None, requirement: DisclosureRequirement | None, today: date,
                 office: bool) -> None:
    """The period, the posting date (back-dating beyond backdate_days is the office's) and the
    decision date; their errors added to `errors`."""
    if period_end < period_start:
        errors["period_end"].append(_("所属期间的结束日期不能早于开始日期。"))
    elif (period_end - period_start).days > 366:
        errors["period_end"].append(_("所属期间不能超过一年。"))
    if posted_on > today:
        errors["posted_on"].append(_("公开日期不能晚于今天。"))
    elif posted_on < today - timedelta(days=backdate_days()) and not office:
        errors["posted_on"].append(
            _("公开日期不能早于登记日%(n)s天以上；补录更早的公开请由党政办登记确认。") % {"n": backdate_days()})
    if requirement is not None and requirement.frequency == Frequency.IMMEDIATE and decision_date is None:
        errors["decision_date"].append(_("重大事项请填写决定日期（应在决定后%(n)s日内公开）。") % {"n": requirement.due_day})
    if decision_date is not None and decision_date > today:
        errors["decision_date"].append(_("决定日期不能晚于今天。"))


def _subject(actor: Any, *, subject_kind: str, village: Village | None, school: School | None,
             township: Township | None) -> tuple[str, int]:
    """The subject's kind and township; refuses a missing or mismatched subject (field errors)."""
    if subject_kind not in Subject.values:
        raise ValidationError({"subject_kind": [_("请选择公开主体。")]})
    if subject_kind == Subject.VILLAGE:
        if village is None:
            raise ValidationError({"village": [_("请选择村（社区）。")]})
        return subject_kind, village.township_id
    if subject_kind == Subject.SCHOOL:
        if school is None or not school.is_active:
            raise ValidationError({"school": [_("请选择学校。")]})
        return subject_kind, school.township_id
    township_id = township.pk if township is not None else actor.township_id
    if township_id is None:
        raise ValidationError({"township": [_("请选择乡镇。")]})
    return subject_kind, township_id
