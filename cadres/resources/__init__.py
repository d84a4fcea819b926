"""Imports (and exports) of villages, units, cadres and households: XLSX or CSV, Chinese columns.

The admin shows a preview first; every error is listed by row and column, in Chinese; and a file
with any invalid row imports nothing (the whole import is one transaction that is rolled back).
Rows are saved through the same services as the admin and the API, so the pyramid and the other
rules hold for imported data too. ID-card numbers are refused outright (PIPL).
"""

from .base import ID_CARD_HEADER, TOWNSHIP_COLUMN, RowErrors, ScopedResource, _text
from .people import CadreResource, HouseholdResource
from .places import UnitResource, VillageResource

__all__ = [
    "ID_CARD_HEADER",
    "TOWNSHIP_COLUMN",
    "CadreResource",
    "HouseholdResource",
    "RowErrors",
    "ScopedResource",
    "UnitResource",
    "VillageResource",
    "_text",
]
