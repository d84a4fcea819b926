"""The life cycle of a matter (问题台账): 登记 → 交办 → 办理中 → 已办结 → 已回访 → 销号, with 退回.

One service per transition; each locks the row, checks who acts and from which state, writes a
MatterEvent for the timeline and tells the next person after commit. An illegal transition is a
StateError (400 with the reason), the wrong person a NotAllowed (403); out-of-scope objects
never reach here (selectors answer 404).

The package is split by concern; this module is its public face (import from here): `rules` (who
may do what, shared helpers), `lifecycle` (one service per transition), `overdue`, `handover`.
"""

from supervision.services.matters.handover import (
    matters_hand_over,
)
from supervision.services.matters.lifecycle import (
    matter_assign,
    matter_close,
    matter_create,
    matter_resolve,
    matter_revisit,
    matter_start,
)
from supervision.services.matters.overdue import (
    matters_escalate_overdue,
)
from supervision.services.matters.rules import (
    DESCRIPTION_LIMIT,
    NOTE_LIMIT,
    S,
    allowed_actions,
    can_assign,
    can_close,
    can_create,
    can_handle,
    can_raise_from_diary,
    can_revisit,
    default_deadline,
)

__all__ = [
    "DESCRIPTION_LIMIT", "NOTE_LIMIT", "S", "allowed_actions", "can_assign", "can_close", "can_create",
    "can_handle", "can_raise_from_diary", "can_revisit", "default_deadline", "matter_assign", "matter_close",
    "matter_create", "matter_resolve", "matter_revisit", "matter_start", "matters_escalate_overdue",
    "matters_hand_over"
]
