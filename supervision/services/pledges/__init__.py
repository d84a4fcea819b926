"""目标管理责任书: issuing, signing up the pyramid, progress, assessment (docs/design.md §3 Pledge).

The pyramid (who countersigns whose pledge):
    村→政府          the village's pledge, countersigned by the township head (镇长)
    机关干部→站办所   a staff cadre's pledge, countersigned by the head of the cadre's unit
    站办所→分管领导   a unit's pledge, countersigned by the unit's leader in charge
    党政副职→党政一把手 a deputy's pledge, countersigned by the party secretary

The package is split by step; this module is its public face (import from here): `pyramid`
(who pledges and signs at each level, points), `issuing`, `signing`, `assessment` (progress and
the year's assessment).
"""

from supervision.services.plans import plan_target_score  # the pledge page scores plan targets through here
from supervision.services.pledges.assessment import (
    TargetResult,
    disclosure_target_score,
    may_report_progress,
    pledge_assess,
    pledge_report_progress,
    pledge_totals,
)
from supervision.services.pledges.issuing import pledge_create, pledge_issue, pledge_issue_from_template
from supervision.services.pledges.pyramid import (
    HUNDRED,
    PROGRESS_LIMIT,
    VILLAGE_SIGNING_POSTS,
    ZERO,
    PledgeChainError,
    Pledger,
    base_points_total,
    check_pledger,
    check_superior,
    expected_superior,
    is_pledger_signer,
    pledger_field,
    pledger_signers,
    points_text,
)
from supervision.services.pledges.signing import (
    clean_scan,
    may_attach_scan,
    pledge_attach_scan,
    pledge_countersign,
    pledge_sign,
)

__all__ = [
    "HUNDRED", "PROGRESS_LIMIT", "VILLAGE_SIGNING_POSTS", "ZERO", "PledgeChainError", "Pledger", "TargetResult",
    "base_points_total", "check_pledger", "check_superior", "clean_scan", "disclosure_target_score",
    "expected_superior", "is_pledger_signer", "may_attach_scan", "may_report_progress", "plan_target_score",
    "pledge_assess", "pledge_attach_scan", "pledge_countersign", "pledge_create", "pledge_issue",
    "pledge_issue_from_template", "pledge_report_progress", "pledge_sign", "pledge_totals", "pledger_field",
    "pledger_signers", "points_text",
]
