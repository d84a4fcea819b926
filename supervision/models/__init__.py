from .choices import Category
from .diaries import TEXT_LIMIT, AgendaItem, Diary, DiaryComment
from .diary_months import DiaryMonth, DiaryVillageMonth
from .disclosures import (
    Disclosure,
    DisclosureCheck,
    DisclosureCheckItem,
    DisclosureRequirement,
    DisclosureRubric,
    Domain,
    Subject,
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
from .search import DiarySearch, DiaryTerms, MatterSearch

__all__ = [
    "TEXT_LIMIT",
    "AgendaItem",
    "Category",
    "DeadlineRule",
    "Diary",
    "DiaryComment",
    "DiaryMonth",
    "DiarySearch",
    "DiaryTerms",
    "DiaryVillageMonth",
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
    "MatterSearch",
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
    "Subject",
    "TargetAssessment",
    "TargetKind",
    "TargetProgress",
]
