"""Village development plans as services: who drafts, submits, approves, revises and follows a plan,
from which state; the scope of the reads; the milestone lights and the daily escalation."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cadres.roles import SYSTEM, actor_for
from core.errors import NotAllowed, StateError
from core.models import Notification
from supervision.models import Plan, PlanMilestone, PlanRevision
from supervision.selectors.plans import milestone_light, milestone_list, plan_list, plans_for
from supervision.services import plans as svc
from tests import factories as f

TODAY = timezone.localdate()


def actor(world, who):  # type: ignore[no-untyped-def]
    return actor_for(world.users[who])


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def drafted(world, who: str = "cadre1", village=None):  # type: ignore[no-untyped-def]
    return svc.plan_create(
        actor=actor(world, who), village=village or world.v1, title="日光温室发展规划",
        period_start=TODAY - dt.timedelta(days=30), period_end=TODAY + dt.timedelta(days=700),
        background="全村耕地 3000 亩",
        goals=[{"indicator": "新建日光温室", "unit": "座", "baseline": 10, "target": 50}],
        milestones=[{"title": "完成选址", "due": TODAY + dt.timedelta(days=20)},
                    {"title": "建成第一批 20 座", "due": TODAY + dt.timedelta(days=200)}],
    )


def approved(world):  # type: ignore[no-untyped-def]
    plan = svc.plan_submit(actor=actor(world, "cadre1"), plan=drafted(world))
    return svc.plan_approve(actor=actor(world, "secretary"), plan=plan)


# --- drafting -------------------------------------------------------------------------------------


def test_the_assigned_cadre_drafts_and_the_village_cadre_adds_a_milestone(world):
    # given a draft by cadre1, assigned to 东河村
    plan = drafted(world)
    # when the village's secretary adds a milestone and edits the title
    svc.milestone_add(actor=actor(world, "village1"), plan=plan, title="村民代表会议通过",
                      due=TODAY + dt.timedelta(days=10), responsible=world.village1)
    svc.plan_update(actor=actor(world, "village1"), plan=plan, title="东河村日光温室发展规划")
    # then the draft holds both cadres' work
    plan.refresh_from_db()
    assert (plan.status, plan.title, plan.drafted_by_id, plan.township_id) == (
        "draft", "东河村日光温室发展规划", world.cadre1.pk, world.township.pk)
    assert [(g.indicator, g.unit, g.baseline, g.target, g.achieved) for g in plan.goals.all()] == [
        ("新建日光温室", "座", Decimal("10.00"), Decimal("50.00"), Decimal("0.00"))]
    assert [m.title for m in plan.milestones.all()] == ["村民代表会议通过", "完成选址", "建成第一批 20 座"]
    assert plan.history.count() == 2


@pytest.mark.parametrize("who", ["cadre2", "cadre3", "unit_head", "reporter", "inspector", "outsider"])
def test_only_the_villages_cadres_draft_or_edit_its_plan(world, who):
    with pytest.raises(NotAllowed) as refused:
        drafted(world, who)
    assert refused.value.message == "只有本村的包村干部或村干部可以起草发展规划。"
    plan = drafted(world)
    with pytest.raises(NotAllowed):
        svc.plan_update(actor=actor(world, who), plan=plan, title="改")
    with pytest.raises(NotAllowed):
        svc.milestone_add(actor=actor(world, who), plan=plan, title="x", due=TODAY)
    plan.refresh_from_db()
    assert (plan.title, plan.milestones.count()) == ("日光温室发展规划", 2)


def test_a_milestone_must_fall_in_the_period_and_the_period_be_ordered(world):
    plan = drafted(world)
    with pytest.raises(ValidationError) as outside:
        svc.milestone_add(actor=actor(world, "cadre1"), plan=plan, title="x", due=TODAY + dt.timedelta(days=800))
    assert list(outside.value.message_dict) == ["due"]
    with pytest.raises(ValidationError) as reversed_period:
        svc.plan_update(actor=actor(world, "cadre1"), plan=plan, period_end=TODAY - dt.timedelta(days=60))
    assert reversed_period.value.message_dict == {"period_end": ["规划期止不能早于规划期起。"]}


def test_a_responsible_cadre_from_another_township_is_refused(world):
    plan = drafted(world)
    with pytest.raises(ValidationError) as refused:
        svc.milestone_add(actor=actor(world, "cadre1"), plan=plan, title="x", due=TODAY, responsible=world.outsider)
    assert refused.value.message_dict == {"responsible": ["责任人必须是本乡镇的在岗干部。"]}


# --- submission, approval, revision ---------------------------------------------------------------


def test_submit_then_approve(world):
    plan = drafted(world)
    plan = svc.plan_submit(actor=actor(world, "cadre1"), plan=plan)
    assert (plan.status, plan.submitted_by_id) == ("submitted", world.cadre1.user.pk)
    plan = svc.plan_approve(actor=actor(world, "secretary"), plan=plan)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by_id) == ("approved", world.secretary.user.pk)
    assert plan.approved_at is not None


def test_a_plan_without_goals_or_milestones_cannot_be_submitted(world):
    plan = svc.plan_create(actor=actor(world, "cadre1"), village=world.v1, title="空规划",
                           period_start=TODAY, period_end=TODAY + dt.timedelta(days=365))
    with pytest.raises(StateError) as refused:
        svc.plan_submit(actor=actor(world, "cadre1"), plan=plan)
    assert refused.value.message == "请至少填写一项目标后再提交。"


@pytest.mark.parametrize("who", ["cadre1", "cadre2", "village1", "unit_head", "reporter", "outsider"])
def test_only_leaders_the_leader_in_charge_and_the_office_approve(world, who):
    plan = svc.plan_submit(actor=actor(world, "cadre1"), plan=drafted(world))
    with pytest.raises(NotAllowed):
        svc.plan_approve(actor=actor(world, who), plan=plan)
    plan.refresh_from_db()
    assert plan.status == "submitted"


@pytest.mark.parametrize("who", ["secretary", "head", "office", "deputy"])
def test_approvers(world, who):
    plan = svc.plan_submit(actor=actor(world, "cadre1"), plan=drafted(world))
    assert svc.plan_approve(actor=actor(world, who), plan=plan).status == "approved"


def test_nobody_approves_what_they_submitted(world):
    # the deputy leads 东河村 (包村领导): may draft and approve, but not both for one plan
    plan = svc.plan_submit(actor=actor(world, "deputy"), plan=drafted(world, "deputy"))
    with pytest.raises(NotAllowed) as refused:
        svc.plan_approve(actor=actor(world, "deputy"), plan=plan)
    assert refused.value.message == "不能审批自己提交的规划。"
    assert "approve" not in svc.allowed_actions(actor(world, "deputy"), plan)


def test_illegal_transitions_are_state_errors(world):
    plan = drafted(world)
    with pytest.raises(StateError):
        svc.plan_approve(actor=actor(world, "secretary"), plan=plan)
    plan = approved(world)
    with pytest.raises(StateError) as resubmit:
        svc.plan_submit(actor=actor(world, "cadre1"), plan=plan)
    assert resubmit.value.message == "只有草稿才能提交（当前：已审批）。"
    with pytest.raises(StateError) as edit:
        svc.plan_update(actor=actor(world, "cadre1"), plan=plan, title="改名")
    assert edit.value.message == "规划当前为“已审批”，不能直接修改；已审批的规划通过修订变更。"
    with pytest.raises(StateError):
        svc.milestone_add(actor=actor(world, "cadre1"), plan=plan, title="x", due=TODAY)
    with pytest.raises(StateError):
        svc.plan_approve(actor=actor(world, "secretary"), plan=plan)


def test_return_sends_a_submitted_plan_back_to_draft_with_the_reason(world):
    plan = svc.plan_submit(actor=actor(world, "cadre1"), plan=drafted(world))
    svc.plan_return(actor=actor(world, "office"), plan=plan, note="目标值偏低")
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert list(plan.revisions.values_list("changes", "reason")) == [("退回修改", "目标值偏低")]


def test_an_approved_plan_changes_only_through_a_recorded_revision(world):
    plan = approved(world)
    goal = plan.goals.get()
    first = plan.milestones.order_by("due").first()
    revision = svc.plan_revise(
        actor=actor(world, "secretary"), plan=plan, reason="县里追加补贴",
        goal_targets={goal.pk: 80}, milestone_dues={first.pk: TODAY + dt.timedelta(days=40)},
        add_milestones=[{"title": "建成第二批", "due": TODAY + dt.timedelta(days=600)}],
    )
    assert revision.reason == "县里追加补贴"
    assert revision.changes.splitlines() == [
        "新建日光温室 目标值：50.00 → 80.00",
        f"节点“完成选址”期限：{svc.cn_date(TODAY + dt.timedelta(days=20))} → "
        f"{svc.cn_date(TODAY + dt.timedelta(days=40))}",
        f"新增节点：建成第二批（{svc.cn_date(TODAY + dt.timedelta(days=600))}）",
    ]
    goal.refresh_from_db()
    assert (goal.target, plan.milestones.count(), goal.history.count()) == (Decimal("80.00"), 3, 2)
    assert plan.history.first().history_change_reason == "县里追加补贴"


def test_a_revision_needs_a_reason_a_change_and_an_approver(world):
    plan = approved(world)
    with pytest.raises(ValidationError) as no_reason:
        svc.plan_revise(actor=actor(world, "secretary"), plan=plan, reason=" ", title="新名")
    assert no_reason.value.message_dict == {"reason": ["请填写修订理由。"]}
    with pytest.raises(ValidationError) as nothing:
        svc.plan_revise(actor=actor(world, "secretary"), plan=plan, reason="无", title=plan.title)
    assert nothing.value.message_dict == {"reason": ["没有修改内容。"]}
    with pytest.raises(NotAllowed):
        svc.plan_revise(actor=actor(world, "cadre1"), plan=plan, reason="想改", title="新名")
    assert PlanRevision.objects.count() == 0


# --- following the plan ---------------------------------------------------------------------------


def test_a_milestone_is_marked_done_with_a_photo(world):
    plan = approved(world)
    milestone = plan.milestones.order_by("due").first()
    done = svc.milestone_done(actor=actor(world, "village1"), milestone=milestone, note="已选定", evidence=png())
    done.refresh_from_db()
    assert (done.status, done.done_on, done.done_note) == ("done", TODAY, "已选定")
    assert done.evidence.name == f"evidence/{TODAY:%Y/%m}/photo.jpg"  # re-encoded by clean_upload
    with pytest.raises(StateError):
        svc.milestone_done(actor=actor(world, "cadre1"), milestone=milestone)


def test_milestones_of_a_draft_cannot_be_done_and_others_cannot_mark_them(world):
    plan = drafted(world)
    milestone = plan.milestones.first()
    with pytest.raises(StateError) as draft:
        svc.milestone_done(actor=actor(world, "cadre1"), milestone=milestone)
    assert draft.value.message == "规划审批后才能标记节点完成。"
    svc.plan_approve(actor=actor(world, "office"), plan=svc.plan_submit(actor=actor(world, "cadre1"), plan=plan))
    with pytest.raises(NotAllowed):
        svc.milestone_done(actor=actor(world, "cadre2"), milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.status == "open"


def test_the_responsible_cadre_may_mark_their_milestone_done(world):
    plan = drafted(world)
    milestone = svc.milestone_add(actor=actor(world, "cadre1"), plan=plan, title="技术培训",
                                  due=TODAY + dt.timedelta(days=5), responsible=world.cadre3)
    svc.plan_approve(actor=actor(world, "office"), plan=svc.plan_submit(actor=actor(world, "cadre1"), plan=plan))
    assert svc.milestone_done(actor=actor(world, "cadre3"), milestone=milestone).status == "done"


def test_the_achieved_value_is_updated_with_a_note(world):
    plan = approved(world)
    goal = plan.goals.get()
    with pytest.raises(ValidationError) as no_note:
        svc.goal_update_achieved(actor=actor(world, "cadre1"), goal=goal, achieved=12, note="")
    assert no_note.value.message_dict == {"note": ["请说明完成值的依据。"]}
    svc.goal_update_achieved(actor=actor(world, "cadre1"), goal=goal, achieved="12", note="第一批验收 12 座")
    goal.refresh_from_db()
    assert (goal.achieved, goal.achieved_note, goal.achieved_on) == (Decimal("12.00"), "第一批验收 12 座", TODAY)
    with pytest.raises(NotAllowed):
        svc.goal_update_achieved(actor=actor(world, "cadre2"), goal=goal, achieved=99, note="x")


# --- reads ----------------------------------------------------------------------------------------


def test_scope_of_the_plans(world):
    # given a plan in each village of the township and one in the other township
    p1 = f.PlanFactory(village=world.v1)
    p2 = f.PlanFactory(village=world.v2)
    p3 = f.PlanFactory(village=world.v3)
    f.PlanFactory(village=world.v_other)

    def seen(who: str) -> set[int]:
        return set(plans_for(actor(world, who)).values_list("pk", flat=True))

    assert seen("cadre1") == {p1.pk}
    assert seen("cadre2") == {p2.pk}
    assert seen("village1") == {p1.pk}
    assert seen("deputy") == {p1.pk, p2.pk}  # leads 东河村; supervises the unit of cadre1 and cadre2
    assert seen("unit_head") == {p1.pk, p2.pk}
    for who in ("secretary", "office", "inspector", "reporter"):
        assert seen(who) == {p1.pk, p2.pk, p3.pk}
    assert seen("outsider") == set()
    assert set(milestone_list(actor(world, "cadre2")).values_list("plan_id", flat=True)) == set()


def test_milestone_lights(world):
    plan = f.PlanFactory(village=world.v1, status="approved")
    late = f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=1))
    soon = f.PlanMilestoneFactory(plan=plan, due=TODAY + dt.timedelta(days=3))
    later = f.PlanMilestoneFactory(plan=plan, due=TODAY + dt.timedelta(days=4))
    done = f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=9), status="done", done_on=TODAY)
    lights = dict(milestone_list(actor(world, "cadre1")).values_list("pk", "light"))
    assert lights == {late.pk: "red", soon.pk: "yellow", later.pk: "green", done.pk: ""}
    assert [milestone_light(m) for m in (late, soon, later, done)] == ["red", "yellow", "green", ""]
    row = plan_list(actor(world, "cadre1")).get()
    assert (row.milestones_total, row.milestones_done, row.milestones_overdue) == (4, 1, 1)


def test_overdue_milestones_of_approved_plans_are_escalated_once_a_day(world):
    # given an approved plan with an overdue milestone for cadre1, and a draft with an overdue one
    plan = f.PlanFactory(village=world.v1, status="approved", title="日光温室发展规划")
    late = f.PlanMilestoneFactory(plan=plan, title="建成育苗棚", due=TODAY - dt.timedelta(days=2),
                                  responsible=world.cadre1)
    f.PlanMilestoneFactory(plan=plan, due=TODAY + dt.timedelta(days=1))
    f.PlanMilestoneFactory(plan=f.PlanFactory(village=world.v2), due=TODAY - dt.timedelta(days=5))
    # when the daily job runs twice
    assert svc.milestones_escalate_overdue(today=TODAY, actor=SYSTEM) == 1
    assert svc.milestones_escalate_overdue(today=TODAY, actor=SYSTEM) == 0
    # then the responsible cadre and the village's leading cadre are told once
    sent = Notification.objects.filter(kind="plan_milestone_overdue")
    assert sorted(sent.values_list("recipient__username", flat=True)) == ["cadre1", "deputy"]
    assert set(sent.values_list("title", flat=True)) == {"督办：规划节点已逾期 2 天 —— 建成育苗棚"}
    late.refresh_from_db()
    assert late.escalated_on == TODAY


def test_the_daily_task_escalates_plan_milestones(world):
    from supervision.tasks import daily_loop_task

    plan = f.PlanFactory(village=world.v2, status="approved")
    f.PlanMilestoneFactory(plan=plan, due=TODAY - dt.timedelta(days=1))
    result = daily_loop_task.apply(kwargs={"today": TODAY.isoformat()}).get()
    assert result["milestones_escalated"] == 1
    # nobody responsible and no leading cadre for 光明路村: the office is told
    assert list(Notification.objects.filter(kind="plan_milestone_overdue").values_list(
        "recipient__username", flat=True)) == ["office"]


def test_the_run_daily_job_command_escalates_plan_milestones(world):
    from io import StringIO

    from django.core.management import call_command

    plan = f.PlanFactory(village=world.v1, status="approved")
    f.PlanMilestoneFactory(plan=plan, due=dt.date(2026, 11, 20), responsible=world.cadre1)
    out = StringIO()
    call_command("run_daily_job", "--date", "2026-11-25", stdout=out)
    assert "督办逾期规划节点 1 个" in out.getvalue()
    again = StringIO()
    call_command("run_daily_job", "--date", "2026-11-25", stdout=again)
    assert "督办逾期规划节点 0 个" in again.getvalue()


def test_status_choices_are_the_three_of_the_api():
    assert Plan.Status.values == ["draft", "submitted", "approved"]
    assert PlanMilestone.Status.values == ["open", "done"]


# --- the pledge target "plan milestones done on time" ---------------------------------------------


def _milestones_of_2026(world):  # type: ignore[no-untyped-def]
    plan = f.PlanFactory(village=world.v1, status="approved")
    day = dt.date
    f.PlanMilestoneFactory(plan=plan, due=day(2026, 3, 1), status="done", done_on=day(2026, 2, 20))  # on time
    f.PlanMilestoneFactory(plan=plan, due=day(2026, 4, 1), status="done", done_on=day(2026, 4, 10))  # late
    f.PlanMilestoneFactory(plan=plan, due=day(2026, 5, 1))  # missed
    f.PlanMilestoneFactory(plan=plan, due=day(2026, 6, 1), status="done", done_on=day(2026, 6, 1))  # on time
    f.PlanMilestoneFactory(plan=plan, due=day(2025, 6, 1))  # another year
    f.PlanMilestoneFactory(plan=f.PlanFactory(village=world.v1), due=day(2026, 5, 1))  # a draft's
    f.PlanMilestoneFactory(plan=f.PlanFactory(village=world.v2, status="approved"), due=day(2026, 5, 1))


def test_the_plan_target_scores_the_share_of_milestones_done_on_time(world):
    _milestones_of_2026(world)
    score = svc.plan_target_score(village_id=world.v1.pk, year=2026, points=Decimal("10"), today=dt.date(2026, 12, 31))
    assert score == Decimal("5.0")  # 2 of 4 on time
    # on 2026-04-15 only the first two had fallen due: one of two on time
    assert svc.plan_target_score(village_id=world.v1.pk, year=2026, points=Decimal("10"),
                                 today=dt.date(2026, 4, 15)) == Decimal("5.0")
    assert svc.plan_target_score(village_id=world.v1.pk, year=2026, points=Decimal("10"),
                                 today=dt.date(2026, 3, 15)) == Decimal("10.0")
    assert svc.plan_target_score(village_id=world.v3.pk, year=2026, points=Decimal("10")) is None


def test_a_village_pledge_target_is_scored_from_the_plan(world):
    from supervision.models import TargetAssessment
    from supervision.services import pledges as pledge_svc
    from supervision.services.pledges import TargetResult

    # given a village pledge whose 10-point target is "plan milestones done on time"
    template = f.pledge_template(world.township, "village", base=(90,), bonus=(), veto=0, disclosure_points=10)
    [pledge] = pledge_svc.pledge_issue_from_template(template=template, pledgers=[world.v1], actor=actor_for(world.office.user))
    pledge_svc.pledge_sign(pledge=pledge, actor=actor_for(world.village1.user))
    pledge = pledge_svc.pledge_countersign(pledge=pledge, actor=actor_for(world.head.user))
    base, target = pledge.targets.order_by("order")
    target.auto_source = "plan"
    target.save(update_fields=["auto_source"])
    _milestones_of_2026(world)
    # when the office assesses it
    pledge = pledge_svc.pledge_assess(pledge=pledge, actor=actor_for(world.office.user), results={
        base.pk: TargetResult(), target.pk: TargetResult(deduction=Decimal("10"))})  # input ignored: the plan wins
    # then the target scores 2 of 4 milestones on time
    assessment = TargetAssessment.objects.get(target=target)
    assert (assessment.score, assessment.deduction, assessment.note) == (
        Decimal("5.0"), Decimal("5.0"), "按本年度发展规划节点按期完成率折算。")
    assert pledge.total_score == Decimal("95.0")


# --- diaries citing a milestone -------------------------------------------------------------------


def test_a_diary_cites_a_milestone_of_its_villages_plan_and_the_plan_shows_it(world):
    from supervision.selectors.plans import citable_milestones, plan_progress_log
    from supervision.services.diaries import diary_create, diary_update

    plan = approved(world)
    first = plan.milestones.order_by("due").first()
    other = f.PlanMilestoneFactory(plan=f.PlanFactory(village=world.v2, status="approved"))
    # the cadre's choices: the open milestones of the approved plans of their villages
    assert citable_milestones([world.v1.pk]) == list(plan.milestones.order_by("due"))
    with pytest.raises(ValidationError) as refused:
        diary_create(actor=actor(world, "cadre1"), village=world.v1, situation="走访", milestone=other)
    assert refused.value.message_dict == {"milestone": ["所选规划节点不属于走访村的发展规划。"]}
    diary = diary_create(actor=actor(world, "cadre1"), village=world.v1, situation="察看温室选址", milestone=first)
    assert diary.milestone == first
    assert plan_progress_log(actor(world, "secretary"), plan) == [diary]
    assert plan_progress_log(actor(world, "cadre2"), plan) == []  # not cadre2's diary to read
    # an edit without the field keeps the milestone; moving the diary to another village drops it
    diary_update(actor=actor(world, "cadre1"), diary=diary, village=world.v1, category="other", situation="改")
    diary.refresh_from_db()
    assert diary.milestone_id == first.pk
    diary_update(actor=actor(world, "cadre1"), diary=diary, village=world.v2, category="other", situation="改")
    diary.refresh_from_db()
    assert diary.milestone_id is None
