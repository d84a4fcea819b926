"""Pledges up the pyramid: issuing from templates, the chain rules, signing, progress, assessment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cadres.roles import actor_for
from core.errors import DomainError, NotAllowed, StateError
from core.models import Notification
from supervision.models import (
    DisclosureCheck,
    GradeThreshold,
    Pledge,
    PledgeLevel,
    PledgeTarget,
    TargetAssessment,
    TargetProgress,
)
from supervision.notifications import NotificationKind
from supervision.services import pledges as svc
from supervision.services.pledges import PledgeChainError, TargetResult
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def issue(world, level="village", pledgers=None, **template_kwargs):
    template = f.pledge_template(world.township, level, **template_kwargs)
    pledgers = pledgers if pledgers is not None else [world.v1]
    return svc.pledge_issue_from_template(template=template, pledgers=pledgers, actor=actor_for(world.office.user))


def signed(world):
    [pledge] = issue(world)
    return svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))


def countersigned(world, **kwargs):
    [pledge] = issue(world, **kwargs)
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    return svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))


# --- issuing and the chain rules -------------------------------------------------------------------


def test_issue_from_template_copies_targets_and_names_the_pyramids_superior(world, django_capture_on_commit_callbacks):
    template = f.pledge_template(world.township, "village", base=(60, 40), bonus=(5,), veto=1)

    with django_capture_on_commit_callbacks(execute=True):
        pledges = svc.pledge_issue_from_template(template=template, pledgers=[world.v1, world.v2],
                                                 actor=actor_for(world.office.user))

    assert [p.pledger_village for p in pledges] == [world.v1, world.v2]
    for pledge in pledges:
        pledge.refresh_from_db()
        assert pledge.status == Pledge.Status.ISSUED
        assert pledge.superior == world.head  # 村→政府: the township head countersigns
        assert pledge.issued_at is not None
        assert [(t.kind, t.points) for t in pledge.targets.order_by("order")] == [
            ("base", Decimal("60.0")), ("base", Decimal("40.0")), ("bonus", Decimal("5.0")), ("veto", Decimal("0.0"))]
    # The village's party secretary is told there is a pledge to sign, once.
    note = Notification.objects.get(recipient=world.village1.user)
    assert note.kind == NotificationKind.PLEDGE_TO_SIGN
    assert note.url == f"/pledges/{pledges[0].pk}/"


@pytest.mark.parametrize(("level", "pledger", "superior"), [
    ("staff", "cadre1", "unit_head"),      # 机关干部→站办所: the unit's head
    ("unit", "unit", "deputy"),            # 站办所→分管领导: the unit's leader in charge
    ("deputy", "deputy", "secretary"),     # 党政副职→党政一把手: the party secretary
    ("deputy", "inspector", "secretary"),  # the discipline secretary is a deputy too
])
def test_each_level_is_countersigned_by_its_superior_in_the_pyramid(world, level, pledger, superior):
    [pledge] = issue(world, level, pledgers=[getattr(world, pledger)])
    assert pledge.superior == getattr(world, superior)
    assert pledge.level == level


def test_base_points_must_sum_to_100_when_issuing(world):
    template = f.pledge_template(world.township, "village", base=(60, 30))

    with pytest.raises(DomainError, match="基础目标分值合计应为100分，现为90分"):
        svc.pledge_issue_from_template(template=template, pledgers=[world.v1], actor=actor_for(world.office.user))
    assert Pledge.objects.count() == 0
    assert PledgeTarget.objects.count() == 0


def test_a_superior_that_does_not_match_the_pyramid_is_refused(world):
    with pytest.raises(PledgeChainError, match="应由 镇长 会签，而不是 书记"):
        svc.pledge_create(township_id=world.township.pk, year=2026, level=PledgeLevel.VILLAGE, pledger=world.v1,
                          superior=world.secretary, actor=actor_for(world.office.user))
    with pytest.raises(PledgeChainError, match="应由 站长 会签"):
        svc.pledge_create(township_id=world.township.pk, year=2026, level=PledgeLevel.STAFF, pledger=world.cadre1,
                          superior=world.deputy, actor=actor_for(world.office.user))
    assert Pledge.objects.count() == 0


def test_the_right_superior_is_accepted_for_a_draft_and_issuing_checks_points(world):
    pledge = svc.pledge_create(township_id=world.township.pk, year=2026, level=PledgeLevel.UNIT, pledger=world.unit,
                               superior=world.deputy, actor=actor_for(world.office.user),
                               targets=[{"kind": "base", "task": "农业产业", "points": Decimal("70")}])
    assert pledge.status == Pledge.Status.DRAFT
    with pytest.raises(DomainError, match="现为70分"):
        svc.pledge_issue(pledge=pledge, actor=actor_for(world.office.user))
    PledgeTarget.objects.create(pledge=pledge, kind="base", task="安全生产", points=Decimal("30"))
    assert svc.pledge_issue(pledge=pledge, actor=actor_for(world.office.user)).status == Pledge.Status.ISSUED


def test_a_unit_without_a_head_cannot_have_staff_pledges(world):
    with pytest.raises(PledgeChainError, match="财政所 尚未设置在岗负责人"):
        issue(world, "staff", pledgers=[world.cadre3])
    assert Pledge.objects.count() == 0


def test_a_pledger_of_the_wrong_kind_is_refused(world):
    with pytest.raises(PledgeChainError, match="责任方应为村"):
        issue(world, "village", pledgers=[world.cadre1])
    with pytest.raises(PledgeChainError, match="不是党政副职"):
        issue(world, "deputy", pledgers=[world.cadre1])
    with pytest.raises(PledgeChainError, match="应签订“站办所→分管领导”责任书"):
        issue(world, "staff", pledgers=[world.unit_head])


def test_a_second_pledge_of_the_same_year_refuses_the_whole_batch(world):
    issue(world, pledgers=[world.v1])
    template = f.pledge_template(world.township, "village")
    with pytest.raises(DomainError, match="东河村 的2026年度责任书已存在"):
        svc.pledge_issue_from_template(template=template, pledgers=[world.v2, world.v1], actor=actor_for(world.office.user))
    assert list(Pledge.objects.values_list("pledger_village", flat=True)) == [world.v1.pk]


def test_only_the_office_issues_pledges(world):
    template = f.pledge_template(world.township, "village")
    for user in (world.cadre1.user, world.head.user, world.outsider.user):
        with pytest.raises(NotAllowed):
            svc.pledge_issue_from_template(template=template, pledgers=[world.v1], actor=actor_for(user))
    assert Pledge.objects.count() == 0


# --- signing ---------------------------------------------------------------------------------------


def test_the_village_secretary_signs_then_the_township_head_countersigns(world, django_capture_on_commit_callbacks):
    [pledge] = issue(world)
    with django_capture_on_commit_callbacks(execute=True):
        pledge = svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    assert (pledge.status, pledge.signed_by) == (Pledge.Status.SIGNED, world.village1)
    assert Notification.objects.filter(recipient=world.head.user, dedupe_key=f"pledge-countersign:{pledge.pk}").exists()

    pledge = svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.countersigned_by) == (Pledge.Status.COUNTERSIGNED, world.head)
    assert pledge.signed_at <= pledge.countersigned_at


def test_the_village_director_may_sign_but_a_committee_member_may_not(world):
    director = f.CadreFactory(township=world.township, post="village_director", level="village", village=world.v1)
    member = f.CadreFactory(township=world.township, post="village_committee", level="village", village=world.v1)
    [pledge] = issue(world)
    with pytest.raises(NotAllowed):
        svc.pledge_sign(pledge=pledge, actor=actor_for(member.user))
    assert svc.pledge_sign(pledge=pledge, actor=actor_for(director.user)).signed_by == director


@pytest.mark.parametrize("who", ["cadre1", "head", "office", "secretary", "outsider"])
def test_only_the_pledger_side_signs(world, who):
    [pledge] = issue(world)
    with pytest.raises(NotAllowed):
        svc.pledge_sign(pledge=pledge, actor=actor_for(world.users[who]))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.signed_at, pledge.signed_by) == (Pledge.Status.ISSUED, None, None)


def test_unit_pledges_are_signed_by_the_unit_head_and_cadre_pledges_by_the_cadre(world):
    [unit_pledge] = issue(world, "unit", pledgers=[world.unit])
    [staff_pledge] = issue(world, "staff", pledgers=[world.cadre1])
    with pytest.raises(NotAllowed):
        svc.pledge_sign(pledge=unit_pledge, actor=actor_for(world.cadre1.user))
    with pytest.raises(NotAllowed):
        svc.pledge_sign(pledge=staff_pledge, actor=actor_for(world.unit_head.user))
    assert svc.pledge_sign(pledge=unit_pledge, actor=actor_for(world.unit_head.user)).status == Pledge.Status.SIGNED
    assert svc.pledge_sign(pledge=staff_pledge, actor=actor_for(world.cadre1.user)).status == Pledge.Status.SIGNED


@pytest.mark.parametrize("who", ["secretary", "village1", "office", "deputy"])
def test_only_the_superior_countersigns(world, who):
    pledge = signed(world)
    with pytest.raises(NotAllowed, match="只有会签人 镇长 可以会签"):
        svc.pledge_countersign(pledge=pledge, actor=actor_for(world.users[who]))
    pledge.refresh_from_db()
    assert (pledge.status, pledge.countersigned_at) == (Pledge.Status.SIGNED, None)


def test_illegal_transitions_are_refused_with_the_reason(world):
    [pledge] = issue(world)
    with pytest.raises(StateError, match="责任方尚未签署"):
        svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    with pytest.raises(StateError, match="不能重复签署"):
        svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    with pytest.raises(StateError, match=r"责任书已由 镇长 于 .* 会签，不能重复会签"):
        svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    draft = svc.pledge_create(township_id=world.township.pk, year=2026, level="village", pledger=world.v2,
                              actor=actor_for(world.office.user))
    with pytest.raises(NotAllowed):  # v2 has no cadre of its own in the world: nobody may sign
        svc.pledge_sign(pledge=draft, actor=actor_for(world.village1.user))


# --- scan ------------------------------------------------------------------------------------------


def test_the_signed_paper_copy_is_attached_as_pdf_after_signing(world):
    [pledge] = issue(world)
    scan = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    with pytest.raises(StateError, match="责任方签署后"):
        svc.pledge_attach_scan(pledge=pledge, upload=scan, actor=actor_for(world.office.user))
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    scan.seek(0)
    pledge = svc.pledge_attach_scan(pledge=pledge, upload=scan, actor=actor_for(world.village1.user))
    assert pledge.scan.name.endswith(".pdf")
    assert pledge.scan.read().startswith(b"%PDF")


def test_a_scan_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_stored(world):
    pledge = signed(world)
    fake = SimpleUploadedFile("scan.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")
    with pytest.raises(DomainError, match="文件类型不符"):
        svc.pledge_attach_scan(pledge=pledge, upload=fake, actor=actor_for(world.office.user))
    pledge.refresh_from_db()
    assert not pledge.scan


def test_an_outsider_cannot_attach_a_scan(world):
    pledge = signed(world)
    scan = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    with pytest.raises(NotAllowed):
        svc.pledge_attach_scan(pledge=pledge, upload=scan, actor=actor_for(world.cadre1.user))
    pledge.refresh_from_db()
    assert not pledge.scan


# --- progress ------------------------------------------------------------------------------------


def test_the_pledger_reports_quarterly_progress_once_the_pledge_is_in_force(world, monkeypatch):
    # current_quarter is looked up where pledge_report_progress lives (the package's assessment step).
    monkeypatch.setattr("supervision.services.pledges.assessment.current_quarter",
                        lambda: __import__("supervision.quarters").quarters.Quarter(2026, 3))
    [pledge] = issue(world)
    target = pledge.targets.first()
    with pytest.raises(StateError, match="会签生效后"):
        svc.pledge_report_progress(target=target, quarter=1, report="完成", actor=actor_for(world.village1.user))
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))

    svc.pledge_report_progress(target=target, quarter=2, report="已完成道路硬化 3 公里", actor=actor_for(world.village1.user))
    svc.pledge_report_progress(target=target, quarter=2, report="已完成道路硬化 4 公里", actor=actor_for(world.village1.user))
    progress = TargetProgress.objects.get(target=target, quarter=2)
    assert progress.report == "已完成道路硬化 4 公里"
    assert progress.history.count() == 2  # the first report is kept in history

    with pytest.raises(DomainError, match="尚未开始的季度"):
        svc.pledge_report_progress(target=target, quarter=4, report="提前", actor=actor_for(world.village1.user))
    with pytest.raises(DomainError, match="不能超过3000字"):
        svc.pledge_report_progress(target=target, quarter=3, report="长" * 3001, actor=actor_for(world.village1.user))
    with pytest.raises(NotAllowed):
        svc.pledge_report_progress(target=target, quarter=3, report="代填", actor=actor_for(world.cadre1.user))
    assert TargetProgress.objects.count() == 1


# --- assessment ------------------------------------------------------------------------------------


def test_assessment_totals_base_scores_and_capped_bonuses_in_the_database(world):
    pledge = countersigned(world, base=(60, 40), bonus=(8, 8), veto=1)
    base1, base2, bonus1, bonus2, veto = pledge.targets.order_by("order")

    pledge = svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user), results={
        base1.pk: TargetResult(deduction=Decimal("5")), base2.pk: TargetResult(deduction=Decimal("12.5")),
        bonus1.pk: TargetResult(bonus=Decimal("6")), bonus2.pk: TargetResult(bonus=Decimal("7")),
        veto.pk: TargetResult(failed=False),
    })

    # 55 + 27.5 = 82.5 base, bonuses 13 capped at 10 → 92.5 → 优秀
    assert (pledge.status, pledge.total_score, pledge.grade) == (Pledge.Status.ASSESSED, Decimal("92.5"), "excellent")
    assert TargetAssessment.objects.get(target=base2).score == Decimal("27.5")


def test_a_failed_veto_target_fails_the_whole_pledge(world):
    pledge = countersigned(world, base=(100,), bonus=(), veto=1)
    base, veto = pledge.targets.order_by("order")
    pledge = svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user),
                               results={base.pk: TargetResult(), veto.pk: TargetResult(failed=True, note="发生安全事故")})
    assert (pledge.total_score, pledge.grade) == (Decimal("100.0"), Pledge.Grade.FAIL)


def test_grade_thresholds_come_from_the_configurable_table(world):
    GradeThreshold.objects.filter(grade="excellent").update(min_score=Decimal("95"))
    pledge = countersigned(world, base=(100,), bonus=(), veto=0)
    [base] = pledge.targets.all()
    pledge = svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user),
        results={base.pk: TargetResult(deduction=Decimal("8"))})
    assert (pledge.total_score, pledge.grade) == (Decimal("92.0"), Pledge.Grade.GOOD)


def test_the_village_disclosure_target_is_filled_from_the_years_quarterly_checks(world):
    pledge = countersigned(world, base=(90,), bonus=(), veto=0, disclosure_points=10)
    base, disclosure = pledge.targets.order_by("order")
    for quarter, score in ((1, 90), (2, 70), (3, 80)):
        DisclosureCheck.objects.create(township=world.township, village=world.v1, year=2026, quarter=quarter,
                                       score=Decimal(score))
    DisclosureCheck.objects.create(township=world.township, village=world.v1, year=2025, quarter=4, score=0)
    DisclosureCheck.objects.create(township=world.township, village=world.v2, year=2026, quarter=1, score=0)

    pledge = svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user), results={
        base.pk: TargetResult(), disclosure.pk: TargetResult(deduction=Decimal("10"))})  # input ignored: checks win

    assessment = TargetAssessment.objects.get(target=disclosure)
    assert (assessment.score, assessment.deduction) == (Decimal("8.0"), Decimal("2.0"))  # average 80 → 8 of 10
    assert pledge.total_score == Decimal("98.0")


@pytest.mark.parametrize(("results", "message"), [
    ({"base": TargetResult(deduction=Decimal("61"))}, "扣分不能超过该项分值"),
    ({"bonus": TargetResult(bonus=Decimal("6"))}, "加分不能超过该项分值"),
    ({"base": TargetResult(deduction=Decimal("-1"))}, "不能为负数"),
])
def test_invalid_assessments_are_refused_and_nothing_changes(world, results, message):
    pledge = countersigned(world, base=(60, 40), bonus=(5,), veto=0)
    base, _base2, bonus = pledge.targets.order_by("order")
    ids = {"base": base.pk, "bonus": bonus.pk}
    with pytest.raises(DomainError, match=message):
        svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user), results={ids[k]: v for k, v in results.items()})
    pledge.refresh_from_db()
    assert (pledge.status, pledge.total_score) == (Pledge.Status.COUNTERSIGNED, None)
    assert TargetAssessment.objects.count() == 0


def test_only_the_office_assesses_and_only_pledges_in_force(world):
    [pledge] = issue(world)
    with pytest.raises(StateError, match="只有已会签"):
        svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user), results={})
    svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    with pytest.raises(NotAllowed):
        svc.pledge_assess(pledge=pledge, actor=actor_for(world.head.user), results={})
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.COUNTERSIGNED


def test_timestamps_are_aware_and_history_records_every_transition(world):
    pledge = countersigned(world)
    assert timezone.is_aware(pledge.countersigned_at)
    statuses = list(pledge.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["issued", "signed", "countersigned"]
    assert pledge.issued_at.date() <= dt.date.today() + dt.timedelta(days=1)
