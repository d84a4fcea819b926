from .choices import Category
from .diaries import TEXT_LIMIT, AgendaItem, Diary, DiaryComment
from .disclosures import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
    Domain,
)
from .inspections import Inspection, InspectionFinding
from .matters import DeadlineRule, Matter, MatterEvent
from .plans import Plan, PlanGoal, PlanMilestone, PlanRevision
from .pledges import (
    GradeThreshold,
    Pledge,
    PledgeLevel,
    PledgeTarget,
    PledgeTemplate,
    PledgeTemplateTarget,
    TargetAssessment,
    TargetKind,
    TargetProgress,
)
from .problem_groups import ProblemGroup

__all__ = [
    "TEXT_LIMIT",
    "AgendaItem",
    "Category",
    "DeadlineRule",
    "Diary",
    "DiaryComment",
    "Disclosure",
    "DisclosureCheck",
    "DisclosureCheckItem",
    "DisclosureRequirement",
    "DisclosureRubric",
    "Domain",
    "GradeThreshold",
    "Inspection",
    "InspectionFinding",
    "Matter",
    "MatterEvent",
    "Plan",
    "PlanGoal",
    "PlanMilestone",
    "PlanRevision",
    "Pledge",
    "PledgeLevel",
    "PledgeTarget",
    "PledgeTemplate",
    "PledgeTemplateTarget",
    "ProblemGroup",
    "TargetAssessment",
    "TargetKind",
    "TargetProgress",
]
