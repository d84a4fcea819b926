"""Two personal panels of the dashboard written out in Python: a leader's contact households and
the agenda waiting for the party committee.

Why: a personal panel is rendered on every visit (the shared ones come from the cache with their
HTML), and these two templates' `{% blocktranslate %}`, `{% url %}` and filters cost a warm
dashboard ~0.9 ms of its ~6.8 ms of CPU (at 1m, one process), where the same strings written here
cost a tenth of that. Each function writes exactly what its template writes — the same
messages (the template's msgids, so the catalogue serves both), values localized and escaped as
`{{ }}` does, URLs escaped as `{% url %}` does — and tests/supervision/test_panel_html.py
compares both, byte for byte, in both languages and every state. The templates stay: the tests
read them, and a change to one must be made to both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext, pgettext


def _value(value: Any) -> str:
    """`{{ value }}`: localized, then escaped. Text and whole numbers (without thousands
    separators, the default) localize to themselves, and skip the look-ups that find so."""
    if isinstance(value, str):
        return str(conditional_escape(value))
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return str(conditional_escape(localize(value)))


@lru_cache(maxsize=256)
def _translated(language: str | None, message: str) -> str:
    """gettext(message) in `language`, the active one (the catalogues never change in a process)."""
    return gettext(message)


def _text(message: str) -> str:
    """`{% translate message %}`."""
    return _value(_translated(get_language(), message))


def _truncated(text: str, length: int) -> str:
    """`text|truncatechars:length`: a text that fits comes back as Truncator gives it (NFC)."""
    normal = unicodedata.normalize("NFC", text)
    return normal if len(normal) <= length else Truncator(text).chars(length)


def _url(name: str, *args: Any) -> str:
    """`{% url name args %}`."""
    return str(conditional_escape(reverse(name, args=args)))


def households_html(panel: dict[str, Any]) -> SafeString:
    """cadres/panel_households.html."""
    quota = panel["quota"]
    out = ['<section class="card" aria-labelledby="panel-households">\n'
           f'  <h2 id="panel-households">{_text("我的联系户")}</h2>\n  ']
    if quota.has_quota:
        out.append("\n    ")
        if quota.is_short:
            short = ngettext("联系户还差 %(n)s 户", "联系户还差 %(n)s 户", quota.shortfall) % {"n": _value(quota.shortfall)}
            kinds = _translated(get_language(), "（困难党员户 %(poor)s/%(need_poor)s，普通农户 %(farmer)s/%(need_farmer)s）") % {
                "poor": _value(quota.poor), "need_poor": _value(quota.required_poor),
                "farmer": _value(quota.farmer), "need_farmer": _value(quota.required_farmer),
            }
            out.append(f'\n      <p><span class="light red">{short}</span>\n      {kinds}</p>\n    ')
        else:
            out.append(f'\n      <p><span class="light green">{_text("联系户已达定额")}</span></p>\n    ')
        out.append("\n  ")
    out.append("\n  ")
    count = panel["stale_count"]
    if count:
        stale = ngettext("%(n)s 户超过 %(days)s 天未走访：", "%(n)s 户超过 %(days)s 天未走访：", count) % {
            "n": _value(count), "days": _value(panel["stale_after"])}
        out.append(f'\n    <p>{stale}</p>\n    <ul class="list">')
        visited, never = _translated(get_language(), "最近走访 %(day)s"), _text("尚未走访")
        for contact in panel["stale"]:
            household = contact.household
            day = contact.last_visit
            seen = visited % {"day": _value(date_format(day, "MONTH_DAY_FORMAT"))} if day else never
            out.append(f'\n      <li>{_value(household.head_name)} <span class="muted">'
                       f'{_value(household.village.name)} · {seen}</span></li>\n    ')
        out.append("</ul>\n  ")
    else:
        out.append(f'\n    <p class="muted">{_text("联系户近期都已走访。")}</p>\n  ')
    out.append(f'\n  <p><a href="{_url("households")}">{_text("查看全部联系户")}</a></p>\n</section>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def agenda_html(panel: dict[str, Any]) -> SafeString:
    """supervision/dashboard/_todo_agenda.html."""
    short_date = pgettext("date format", "n月j日")
    waiting = ngettext("%(n)s 条采纳的建议等待党委决策：", "%(n)s 条采纳的建议等待党委决策：", panel["count"]) % {
        "n": _value(panel["count"])}
    out = ['<section class="card panel-todo-agenda" aria-labelledby="panel-todo-agenda-title">\n'
           f'  <h2 id="panel-todo-agenda-title">{_text("待议的党委议题")}</h2>\n'
           f'  <p>{waiting}</p>\n  <ul class="list">\n    ']
    items: Sequence[Any] = panel["items"]
    adopted_on = _translated(get_language(), "%(day)s采纳")
    for item in items:
        link = _url("diary-show", item.diary_id) if item.diary_id else _url("agenda-show", item.pk)
        where = _value(item.village_name) if item.diary_id else _value(item.source_label)
        day = _value(date_format(timezone.localtime(item.adopted_at), short_date))
        adopted = adopted_on % {"day": day}
        out.append(f'\n    <li><a href="{link}">{_value(_truncated(item.title, 40))}</a>\n'
                   f'      <br><small class="muted">{where} · {adopted}</small></li>\n    ')
    out.append(f'\n  </ul>\n  <p><a href="{_url("agenda")}">{_text("查看党委议题")}</a>')
    if panel["more"]:
        more = ngettext("（另有 %(n)s 条）", "（另有 %(n)s 条）", panel["more"]) % {"n": _value(panel["more"])}
        out.append(f' <span class="muted">{more}</span>')
    out.append("</p>\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
