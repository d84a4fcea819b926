"""English is complete and compiled: no untranslated or fuzzy message, and the .mo matches the .po."""

from pathlib import Path

import polib
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def test_every_message_has_an_english_translation():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_compiled_catalogue_is_current():
    po = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in polib.pofile(str(LOCALE / "django.po"))
          if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural) for e in polib.mofile(str(LOCALE / "django.mo"))
          if e.msgid}
    assert po == mo, "run `make messages` to recompile locale/en"


def test_english_is_served_from_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("民情日记") == "Diaries"
    with translation.override("zh-hans"):
        assert translation.gettext("民情日记") == "民情日记"
