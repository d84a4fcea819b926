"""Village development plans (帮村发展规划): draft → submitted → approved, then followed to the end.

Who may do what:
- draft (create, edit, add goals and milestones, submit): the village's assigned cadres (包村) and
  its village cadres — whoever works in the village (cadres.scope.assigned_village_ids);
- approve or return a submitted plan, and revise an approved one: the township leaders, the
  office, the village's leading cadre (包村领导) or the leader in charge of a unit whose cadre is
  assigned to the village; nobody approves a plan they submitted themselves;
- mark a milestone done (with evidence) and update a goal's achieved value: the village's
  cadres, the milestone's responsible cadre and the office, on an approved plan.
An approved plan changes only through `plan_revise`, which records what changed and why.
Out-of-scope plans never reach here (selectors answer 404).

The package is split by step; this module is its public face (import from here): `rules` (who
may do what, shared helpers), `drafting`, `approval` (submit, approve, return, revise), `following`.
"""

from supervision.services._common import cn_date  # the plan pages and tests format dates through here
from supervision.services.plans.approval import (
    plan_approve,
    plan_return,
    plan_revise,
    plan_submit,
)
from supervision.services.plans.drafting import (
    goal_add,
    milestone_add,
    plan_create,
    plan_update,
)
from supervision.services.plans.following import (
    goal_update_achieved,
    milestone_done,
    milestones_escalate_overdue,
    plan_target_score,
)
from supervision.services.plans.rules import (
    BACKGROUND_LIMIT,
    MAX_GOALS,
    MAX_MILESTONES,
    NOTE_LIMIT,
    TITLE_LIMIT,
    S,
    allowed_actions,
    can_approve,
    can_draft,
    can_edit,
    can_follow,
)

__all__ = [
    "BACKGROUND_LIMIT",
    "MAX_GOALS",
    "MAX_MILESTONES",
    "NOTE_LIMIT",
    "TITLE_LIMIT",
    "S",
    "allowed_actions",
    "can_approve",
    "can_draft",
    "can_edit",
    "can_follow",
    "cn_date",
    "goal_add",
    "goal_update_achieved",
    "milestone_add",
    "milestone_done",
    "milestones_escalate_overdue",
    "plan_approve",
    "plan_create",
    "plan_return",
    "plan_revise",
    "plan_submit",
    "plan_target_score",
    "plan_update"
]
