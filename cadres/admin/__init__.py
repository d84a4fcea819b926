"""The office's admin (党政办) for people and places, in Chinese.

Querysets and choices are limited by the scope (cadres.scope) for everyone but superusers; the
office administers its township, other staff users get at most what Django permissions grant.
Saves, inline rows and actions go through the services, so the admin keeps the same rules as
the API. Villages, units, cadres and households import from XLSX/CSV with a preview.

base.py holds what every app's admin builds on (OfficeAdminMixin …); people.py and places.py
register this app's pages.
"""

from . import people, places  # noqa: F401 - registers the pages
from .base import (
    FK_SCOPES,
    ColumnExportForm,
    OfficeAdminMixin,
    OfficeImportExportMixin,
    OfficeInlineMixin,
    ScopedAdminMixin,
    ScopedHistoryAdmin,
    SharedSettingsMixin,
    ViewOnlyMixin,
    is_office,
    may_edit_shared,
)

__all__ = [
    "FK_SCOPES",
    "ColumnExportForm",
    "OfficeAdminMixin",
    "OfficeImportExportMixin",
    "OfficeInlineMixin",
    "ScopedAdminMixin",
    "ScopedHistoryAdmin",
    "SharedSettingsMixin",
    "ViewOnlyMixin",
    "is_office",
    "may_edit_shared",
]
