"""English is complete and compiled: no untranslated or fuzzy message, and the .mo matches the .po."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.utils import translation

from tests.conftest import _missing

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale" / "en" / "LC_MESSAGES"


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


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """A string wrapped for translation but never extracted is as untranslated as an empty msgstr:
    extract from a copy of the sources (as `make messages` does) and compare with the catalogue."""
    if shutil.which("xgettext") is None:
        _missing("xgettext (Debian package gettext) is not installed")
    skip = shutil.ignore_patterns(".git", ".venv", "var", "tests", "test-results", "out", "node_modules",
                                  "__pycache__", "*.mo", "static")
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=skip)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v0"],
                   cwd=copy, env=env, check=True, capture_output=True)
    extracted = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    catalogue = {(e.msgctxt, e.msgid) for e in polib.pofile(str(LOCALE / "django.po")) if not e.obsolete}
    assert len(extracted) > 1000  # the extraction found the project's messages
    missing = sorted(msgid for _ctx, msgid in extracted - catalogue)
    assert missing == [], "run `make messages` and translate these"
