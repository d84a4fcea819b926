"""The bulletin's plan progress: milestones due in the month, done, on time and overdue at its end,
by village; printed as a figure group and a section, and absent from bulletins compiled before."""

from __future__ import annotations

import datetime as dt

from bulletins.content import figure_groups, problem_sections
from bulletins.figures import Period, compile_figures, plan_progress
from tests import factories as f

NOV = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_plan_progress_counts_the_month_by_village(world):
    day = dt.date
    p1 = f.PlanFactory(village=world.v1, status="approved")
    f.PlanMilestoneFactory(plan=p1, due=day(2026, 11, 10), status="done", done_on=day(2026, 11, 8))  # on time
    f.PlanMilestoneFactory(plan=p1, due=day(2026, 11, 20), status="done", done_on=day(2026, 11, 25))  # late
    f.PlanMilestoneFactory(plan=p1, due=day(2026, 11, 25))  # overdue at the end
    f.PlanMilestoneFactory(plan=p1, due=day(2026, 9, 1))  # overdue since September
    f.PlanMilestoneFactory(plan=p1, due=day(2026, 9, 1), status="done", done_on=day(2026, 9, 1))  # done before
    f.PlanMilestoneFactory(plan=p1, due=day(2026, 12, 5))  # not yet due
    p2 = f.PlanFactory(village=world.v2, status="approved")
    f.PlanMilestoneFactory(plan=p2, due=day(2026, 11, 5), status="done", done_on=day(2026, 12, 2))  # done after
    f.PlanMilestoneFactory(plan=f.PlanFactory(village=world.v3), due=day(2026, 11, 5))  # a draft's
    f.PlanMilestoneFactory(plan=f.PlanFactory(village=world.v_other, status="approved"), due=day(2026, 11, 5))

    totals, rows = plan_progress(world.township, NOV)

    assert totals == {"due": 4, "done": 2, "on_time": 1, "overdue": 3, "villages": 2}
    assert rows == [{"village": "东河村", "due": 3, "done": 2, "overdue": 2},
                    {"village": "光明路村", "due": 1, "done": 0, "overdue": 1}]


def test_the_bulletin_prints_the_plans_and_old_bulletins_do_not_change(world):
    plan = f.PlanFactory(village=world.v1, status="approved")
    f.PlanMilestoneFactory(plan=plan, due=dt.date(2026, 11, 25))
    figures, problems = compile_figures(world.township, NOV.start, NOV.end)
    group = figure_groups(figures)[-1]
    assert (group.title, group.rows) == ("帮村发展规划", [("本期到期节点（个）", "1"), ("已完成（个）", "0"),
                                                         ("按期完成（个）", "0"), ("期末逾期未完成（个）", "1")])
    [section] = [s for s in problem_sections(problems) if s.kind == "plan_progress"]
    assert (section.kind, section.title, section.rows) == (
        "plan_progress", "发展规划推进情况（按村）", [["东河村", "1", "0", "1"]])
    # a bulletin compiled before the plans existed has neither
    del figures["plans"]
    old = [p for p in problems if p["kind"] not in ("plan_progress", "problem_groups")]
    assert figure_groups(figures)[-1].title == "作风督查"
    assert [s.kind for s in problem_sections(old)] == ["inspection_findings", "overdue_matters", "disclosure_gaps"]
