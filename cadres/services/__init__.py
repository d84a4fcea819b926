"""The cadres app's one write path (STYLE.md, "A service"): views, admin, API and demo call these."""

from .links import (
    absence_save,
    absence_validate,
    assignment_check,
    assignment_create,
    assignment_end,
    assignment_update_duties,
    contact_check,
    contact_create,
    contact_end,
    contact_update_plan,
)
from .places import household_save, training_save, village_save
from .pyramid import (
    CadreRuleError,
    cadre_save,
    cadre_validate,
    cadre_validate_superior,
    cadres_align_superiors,
    expected_superior,
    party_secretary,
    township_head,
    unit_save,
    unit_superior,
    unit_validate,
    village_superior,
)
from .transfers import cadre_transfer

__all__ = [
    "CadreRuleError",
    "absence_save",
    "absence_validate",
    "assignment_check",
    "assignment_create",
    "assignment_end",
    "assignment_update_duties",
    "cadre_save",
    "cadre_transfer",
    "cadre_validate",
    "cadre_validate_superior",
    "cadres_align_superiors",
    "contact_check",
    "contact_create",
    "contact_end",
    "contact_update_plan",
    "expected_superior",
    "household_save",
    "party_secretary",
    "township_head",
    "training_save",
    "unit_save",
    "unit_superior",
    "unit_validate",
    "village_save",
    "village_superior",
]
