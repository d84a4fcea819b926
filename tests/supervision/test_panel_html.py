"""The dashboard's personal panels written in Python (supervision.dashboard.panel_html) are, byte
for byte, what their templates render: in both languages, in every state, with what a user typed
escaped the same way."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cadres.selectors import QuotaStatus
from supervision.dashboard.panel_html import agenda_html, households_html
from supervision.dashboard.todo import AgendaRow

LANGUAGES = ("zh-hans", "en")


def _contact(name: str, village: str, last_visit: dt.date | None) -> SimpleNamespace:
    return SimpleNamespace(household=SimpleNamespace(head_name=name, village=SimpleNamespace(name=village)),
                           last_visit=last_visit)


STALE = [_contact("张<b>三</b> & 李四", "东河村", None), _contact("王五", "光明路村 \"西\"", dt.date(2026, 10, 3)),
         _contact("赵六", "西山村", dt.date(2025, 12, 31))]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("quota", "stale", "count"), [
    (QuotaStatus(required_poor=2, required_farmer=3, poor=1, farmer=1), STALE, 7),  # short by 3, 7 stale
    (QuotaStatus(required_poor=1, required_farmer=0, poor=0, farmer=0), STALE[:1], 1),  # short by 1, one stale
    (QuotaStatus(required_poor=2, required_farmer=3, poor=2, farmer=4), [], 0),  # the quota met, all visited
    (QuotaStatus(required_poor=0, required_farmer=0, poor=0, farmer=0), STALE[1:], 2),  # no quota
    (QuotaStatus(required_poor=0, required_farmer=1200, poor=0, farmer=0), STALE, 1500),  # thousands
])
def test_the_households_panel_is_its_template_byte_for_byte(language, quota, stale, count):
    panel = {"template": "cadres/panel_households.html", "order": 20, "quota": quota, "stale": stale,
             "stale_count": count, "stale_after": 30}
    with translation.override(language):
        expected = render_to_string(panel["template"], {"panel": panel})
        written = households_html(panel)
    assert written == expected
    if stale is STALE:  # what a user typed is shown escaped
        assert "张&lt;b&gt;三&lt;/b&gt; &amp; 李四" in written


def _item(pk: int, diary_id: int | None, title: str, source: str, adopted: dt.datetime,
          village: str | None) -> AgendaRow:
    return AgendaRow(pk, diary_id, title, source, adopted, village)


ITEMS = [
    _item(1, 41, "加压泵<script>alert(1)</script>更换，群众反映供水不稳定，建议尽快安排资金" * 2, "民情日记",
          dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC), "东河村 & 西河村"),  # 1 December in Beijing
    _item(2, None, "村级公益事业一事一议", "党政办录入", dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), None),
    _item(3, 43, "短标题", "民情日记", dt.datetime(2026, 6, 9, 8, 0, tzinfo=dt.UTC), None),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("items", "count"), [(ITEMS, 3), (ITEMS[:1], 1), (ITEMS, 1234)])
def test_the_agenda_panel_is_its_template_byte_for_byte(language, items, count):
    panel = {"template": "supervision/dashboard/_todo_agenda.html", "order": 26, "count": count, "items": items,
             "more": count - len(items)}
    with translation.override(language), timezone.override("Asia/Shanghai"):
        expected = render_to_string(panel["template"], {"panel": panel})
        written = agenda_html(panel)
    assert written == expected
    assert "<script>" not in written


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_shows_its_personal_panels_as_their_templates_render_them(world, language):
    # given the party secretary with an adopted idea waiting for the committee, and cadre1 with a
    # contact household never visited
    from cadres.models import HouseholdContact
    from cadres.roles import actor_for
    from supervision.dashboard import diaries_matters, todo
    from supervision.models import AgendaItem
    from tests import factories as f
    from tests.helpers import page_client

    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, date=timezone.localdate(), ideas="建议<统一>规划")
    AgendaItem.objects.create(township_id=world.v1.township_id, diary=diary, title="议题 <统一规划> & 资金",
                              adopted_by=world.secretary, status=AgendaItem.Status.PENDING)
    HouseholdContact.objects.filter(cadre=world.cadre1).delete()
    f.ContactFactory(cadre=world.cadre1, household=world.h1, start=dt.date(2026, 1, 1))
    cases = [(world.secretary.user, todo.panels, "supervision/dashboard/_todo_agenda.html"),
             (world.cadre1.user, diaries_matters.panels, "cadres/panel_households.html")]
    for user, panels, template in cases:
        with translation.override(language):
            panel = next(p for p in panels(actor_for(user), user) if p["template"] == template)
            # then each carries its HTML, what its template renders from the same panel
            assert panel["html"] == render_to_string(template, {"panel": panel})
        # and the page shows it
        client = page_client(user)
        client.cookies["django_language"] = language
        assert str(panel["html"]).strip() in client.get("/").content.decode(), (template, language)
