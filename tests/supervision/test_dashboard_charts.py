"""The leaders' dashboard charts: diary completeness per week, open matters by light and category,
the last checked quarter's disclosures by village and this year's pledges by status — figures on a
small known data set, who sees them, the page (SVG, no script) and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cadres.models import ExcusedAbsence
from cadres.roles import actor_for
from supervision.dashboard.charts import panels, weekly_completeness
from supervision.models import DisclosureCheck, Pledge
from tests import factories as f
from tests.helpers import assert_num_queries

WED = dt.date(2026, 11, 25)  # weeks start on Monday 2026-10-05 … 2026-11-23


def charts_of(user):  # type: ignore[no-untyped-def]
    result = [p for p in panels(actor_for(user), user) if p["template"] == "supervision/dashboard/_charts.html"]
    assert len(result) == 1
    return {chart["key"]: chart for chart in result[0]["charts"]}


def test_weekly_completeness_counts_workdays_excused_days_and_written_diaries(world):
    # given nine active township cadres in 东河镇, a leave day and a few diaries
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 23))
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 24))
    f.DiaryFactory(author=world.cadre2, village=world.v2, date=WED)
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 17))
    ExcusedAbsence.objects.create(cadre=world.cadre3, start=dt.date(2026, 11, 18), end=dt.date(2026, 11, 18))
    f.DiaryFactory(author=world.cadre3, village=world.v3, date=dt.date(2026, 11, 18))  # on leave: not counted
    f.DiaryFactory(author=world.cadre2, village=world.v2, date=dt.date(2026, 11, 19),
                   deleted_at=timezone.now())  # deleted: not counted
    f.DiaryFactory(author=world.cadre1, village=world.v1, date=dt.date(2026, 11, 22))  # Sunday: not a workday
    f.DiaryFactory(author=world.outsider, date=WED)  # another township
    # when
    weeks = weekly_completeness([world.township.pk], WED)
    # then
    assert [w["week"] for w in weeks] == [dt.date(2026, 10, 5) + dt.timedelta(weeks=n) for n in range(8)]
    assert (weeks[0]["expected"], weeks[0]["written"], weeks[0]["completeness"]) == (27, 0, 0.0)  # 国庆: 3 workdays
    assert (weeks[6]["expected"], weeks[6]["written"], weeks[6]["completeness"]) == (44, 1, 2.3)
    assert (weeks[7]["expected"], weeks[7]["written"], weeks[7]["completeness"]) == (27, 3, 11.1)
    assert [w["expected"] for w in weeks[1:6]] == [45] * 5


def _known_matters_checks_and_pledges(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    f.MatterFactory(village=world.v1, status="assigned", category="infrastructure", deadline=today - dt.timedelta(days=2))
    f.MatterFactory(village=world.v1, status="in_progress", category="infrastructure",
                    deadline=today + dt.timedelta(days=1))
    f.MatterFactory(village=world.v2, status="registered", category="livelihood", deadline=today + dt.timedelta(days=20))
    f.MatterFactory(village=world.v2, status="registered", category="disputes", deadline=today - dt.timedelta(days=5))
    f.MatterFactory(village=world.v1, status="closed", category="policy", deadline=today - dt.timedelta(days=9))
    f.MatterFactory(village=world.v_other, status="registered", category="policy", deadline=today)
    t = world.township
    DisclosureCheck.objects.create(township=t, village=world.v1, year=2026, quarter=2, on_time_count=9)
    DisclosureCheck.objects.create(township=t, village=world.v1, year=2026, quarter=3, on_time_count=3, late_count=1)
    DisclosureCheck.objects.create(township=t, village=world.v2, year=2026, quarter=3, on_time_count=2,
                                   missing_count=2)
    DisclosureCheck.objects.create(township=world.other_township, village=world.v_other, year=2026, quarter=4,
                                   missing_count=5)
    year = today.year
    for village, status, y in [(world.v1, "issued", year), (world.v2, "issued", year), (world.v3, "signed", year),
                               (world.v1, "assessed", year - 1)]:
        Pledge.objects.create(township=t, year=y, level="village", pledger_village=village, superior=world.head,
                              status=status)
    Pledge.objects.create(township=world.other_township, year=year, level="village", pledger_village=world.v_other,
                          superior=world.outsider, status="countersigned")


@pytest.mark.parametrize("who", ["secretary", "office"])
def test_leaders_and_office_see_the_townships_figures(world, who):
    _known_matters_checks_and_pledges(world)
    charts = charts_of(world.users[who])
    assert charts["lights"]["counts"] == {"green": 1, "yellow": 1, "red": 2}
    assert charts["lights"]["rows"] == [["正常", 1], ["临期", 1], ["逾期", 2]]
    assert charts["categories"]["rows"] == [["基础设施", 2], ["民生保障", 1], ["矛盾纠纷", 1]]
    disclosures = charts["disclosures"]
    assert str(disclosures["quarter"]) == "2026Q3"
    assert disclosures["rows"] == [["东河村", 3, 1, 0], ["光明路村", 2, 0, 2]]
    assert charts["pledges"]["counts"] == {"draft": 0, "issued": 2, "signed": 1, "countersigned": 0, "assessed": 0}
    assert len(charts["completeness"]["rows"]) == 8
    for chart in charts.values():
        svg = str(chart["svg"])
        assert svg.startswith("<svg") and 'role="img"' in svg and 'width="100%"' in svg
        assert f"<title>{chart['title']}</title>" in svg and f'aria-label="{chart["title"]}"' in svg


def test_county_user_sees_every_township(world):
    _known_matters_checks_and_pledges(world)
    county = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=county, township=None)
    charts = charts_of(county)
    assert charts["lights"]["counts"] == {"green": 1, "yellow": 2, "red": 2}
    assert str(charts["disclosures"]["quarter"]) == "2026Q4"
    assert charts["disclosures"]["rows"] == [["西山村", 0, 0, 5]]
    assert charts["pledges"]["counts"]["countersigned"] == 1


@pytest.mark.parametrize("who", ["cadre1", "village1", "unit_head", "reporter"])
def test_cadres_village_cadres_and_reporters_get_no_chart_panel(client, world, who):
    _known_matters_checks_and_pledges(world)
    user = world.users[who]
    assert panels(actor_for(user), user) == []
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "全镇短板一览" not in html and "<svg" not in html


def test_dashboard_page_shows_svg_charts_with_text_tables_and_no_script(client, world):
    _known_matters_checks_and_pledges(world)
    client.force_login(world.secretary.user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "全镇短板一览" in html and html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<svg" in main and "<script" not in main
    assert all(tag.startswith(" src=") for tag in html.split("<script")[1:])  # only the site's own file
    assert "<caption>2026年第三季度村务公开检查</caption>" in html
    assert '<th scope="row">东河村</th><td>3</td><td>1</td><td>0</td>' in html
    assert ' style="' not in html


def test_labels_are_escaped(world):
    world.v1.name = "<i>村"
    world.v1.save()
    DisclosureCheck.objects.create(township=world.township, village=world.v1, year=2026, quarter=3, on_time_count=1)
    svg = str(charts_of(world.secretary.user)["disclosures"]["svg"])
    assert "<i>" not in svg and ">&lt;i&gt;村</text>" in svg


def _fill(world, rows):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for i in range(rows):
        f.DiaryFactory(author=[world.cadre1, world.cadre2, world.cadre3][i % 3], village=world.v1,
                       date=today - dt.timedelta(days=i // 3))
        f.MatterFactory(village=[world.v1, world.v2][i % 2], status="assigned", category=["policy", "other"][i % 2],
                        deadline=today + dt.timedelta(days=i - 25))
    village_ids = [world.v1, world.v2, world.v3][: min(rows, 3)]
    for index, village in enumerate(village_ids):
        DisclosureCheck.objects.create(township=world.township, village=village, year=2026, quarter=3,
                                       on_time_count=index)
        Pledge.objects.create(township=world.township, year=today.year, level="village", pledger_village=village,
                              superior=world.head, status="issued")


@pytest.mark.parametrize("rows", [1, 50])
def test_panel_query_count_is_pinned_for_the_secretary(world, rows):
    _fill(world, rows)
    user = world.secretary.user
    actor = actor_for(user)
    # cadres with their leave, calendar, diaries by date, matters by light and category, last quarter, its
    # checks, pledges
    with assert_num_queries(7):
        panels(actor, user)


def test_long_village_names_are_shortened_in_the_svg_but_whole_in_the_table(world):
    world.v2.name = "光明路村第一村民小组"
    world.v2.save()
    DisclosureCheck.objects.create(township=world.township, village=world.v2, year=2026, quarter=3, late_count=1)
    chart = charts_of(world.secretary.user)["disclosures"]
    assert ">光明路村第…</text>" in str(chart["svg"]) and chart["rows"] == [["光明路村第一村民小组", 0, 1, 0]]


def test_completeness_columns_are_coloured_by_threshold_and_named_in_words(world):
    chart = charts_of(world.secretary.user)["completeness"]

    # no diary written: every week is behind, and the text says so besides the colour
    assert [label for _level, label in chart["legend"]] == ["达标（≥90%）", "偏低（70%–89%）", "落后（<70%）"]
    assert chart["columns"][-1] == "情况"
    assert all(row[-1] in ("落后（<70%）", "—") for row in chart["rows"])
    page = page_client_html(world.secretary.user)
    assert '<ul class="chart-legend"' in page and "达标（≥90%）" in page


def page_client_html(user):  # type: ignore[no-untyped-def]
    from tests.helpers import page_client

    return page_client(user).get("/").content.decode()


# The charts' tables as the template wrote them with nested loops, before their cells were written
# in Python (supervision.dashboard.charts._table_html): the page must not change by a byte.
LOOPED_TABLE = (
    '{% load i18n %}{% for chart in panel.charts %}'
    '<thead><tr>{% for column in chart.columns %}<th scope="col">{{ column }}</th>{% endfor %}</tr></thead>'
    '<tbody>{% for row in chart.rows %}<tr>{% for cell in row %}{% if forloop.first %}<th scope="row">{{ cell }}</th>'
    '{% else %}<td>{{ cell }}</td>{% endif %}{% endfor %}</tr>{% empty %}<tr><td colspan="{{ chart.columns|length }}">'
    '{% translate "暂无数据" %}</td></tr>{% endfor %}</tbody>{% endfor %}'
)
PREPARED_TABLE = ('{% for chart in panel.charts %}<thead><tr>{{ chart.head }}</tr></thead>'
                  '<tbody>{{ chart.body }}</tbody>{% endfor %}')


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("with_rows", [False, True])
@pytest.mark.parametrize("grouped", [False, True], ids=["plain", "thousands-grouped"])
def test_the_charts_tables_read_as_the_looped_template_wrote_them(world, settings, language, with_rows, grouped):
    from django.template import Context, Template
    from django.utils import translation

    from supervision.dashboard.charts import _charts_panel

    settings.DASHBOARD_FIGURES_SECONDS = 0
    settings.USE_THOUSAND_SEPARATOR = grouped  # the counts' fast path writes what localize would
    if with_rows:
        village = f.VillageFactory(township=world.township, name='<b>"前进"村</b> & 后山', code="V010")
        f.MatterFactory(village=village, status="registered", category="infrastructure")
        f.MatterFactory(village=world.v1, status="assigned", unit=world.unit,
                        deadline=timezone.localdate() - dt.timedelta(days=2))
        DisclosureCheck.objects.create(township=world.township, village=village, year=2026, quarter=3,
                                       on_time_count=1234, late_count=1, missing_count=2)
    with translation.override(language):
        panel = _charts_panel(actor_for(world.secretary.user))
        looped = Template(LOOPED_TABLE).render(Context({"panel": panel}))
        prepared = Template(PREPARED_TABLE).render(Context({"panel": panel}))
    assert prepared == looped
    # English groups by thousands; Chinese by ten-thousands (万), so 1234 stays whole there
    commas = grouped and language == "en"
    assert ("1,234" in prepared) == (with_rows and commas) and ("1234" in prepared) == (with_rows and not commas)
    assert ("&lt;b&gt;&quot;前进&quot;村&lt;/b&gt; &amp; 后山" in prepared) == with_rows
    assert ('colspan="2"' in prepared) == (not with_rows)  # no open matter: the categories' table is empty
