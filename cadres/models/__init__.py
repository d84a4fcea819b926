"""People and places (docs/design.md §3, cadres): townships, villages, units, cadres and their links.

places.py, people.py, links.py and records.py hold them by entity; import them from here."""

from .links import ContactQuota, Household, HouseholdContact, HouseholdTag, VillageAssignment
from .people import DEPUTY_POSTS, TOP_POSTS, VILLAGE_POSTS, Cadre, ExcusedAbsence, InitialPassword, Membership, Post, Transfer
from .places import School, Township, Unit, Village, VillageGroup, phone_validator
from .records import CalendarDay, ModelFigure, Training, TrainingAttendance

__all__ = [
    "DEPUTY_POSTS",
    "TOP_POSTS",
    "VILLAGE_POSTS",
    "Cadre",
    "CalendarDay",
    "ContactQuota",
    "ExcusedAbsence",
    "Household",
    "HouseholdContact",
    "HouseholdTag",
    "InitialPassword",
    "Membership",
    "ModelFigure",
    "Post",
    "School",
    "Township",
    "Training",
    "TrainingAttendance",
    "Transfer",
    "Unit",
    "Village",
    "VillageAssignment",
    "VillageGroup",
    "phone_validator",
]
