"""Each role's dashboard (首页, docs/design.md §4) in the browser: it answers "what should I do today?"
first — today's diary, the matters assigned to me, the pledges waiting for my signature — and
only then shows figures; the leaders', the office's and the county's charts are server-drawn SVG
with an accessible title and a text table that matches the database. Cadres on a phone, the
office and the leaders at a desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from cadres.roles import actor_for
from supervision.models import Matter, Pledge
from supervision.selectors.matters import LIGHT_LABELS, light_of
from supervision.services.diaries import diary_create
from supervision.services.matters import matter_assign, matter_create
from supervision.services.pledges import pledge_issue_from_template, pledge_sign
from tests import factories as f
from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY_DIARY = "今天的民情日记"
MY_MATTERS = "我的问题台账"
PLEDGES = "待签责任书"
HOUSEHOLDS = "我的联系户"
TOWNSHIP = "全镇民情日记与台账"
CHARTS = "全镇短板一览"
# Panels of figures, shown after whatever the user has to do.
FIGURES = (TOWNSHIP, CHARTS)


@dataclass
class Given:
    """What the world holds beyond tests/world.py, for the dashboards to show."""

    assigned: Matter  # assigned to cadre1, open
    registered: Matter  # raised by village1, waiting for the office
    year: int


@pytest.fixture
def given(world: Any) -> Given:
    year = timezone.localdate().year
    office = world.office.user
    # the party secretary has written today's diary; nobody else has
    diary_create(actor=actor_for(world.secretary.user), village=world.v1, situation="走访东河村，了解春耕准备。")
    # a matter the office assigned to cadre1, and one village1 registered that nobody has assigned yet
    assigned = matter_create(actor=actor_for(world.cadre1.user), village=world.v1, category="infrastructure",
                             description="三组路灯坏了三盏。")
    matter_assign(actor=actor_for(office), matter=assigned, unit=world.unit, assignee=world.cadre1)
    registered = matter_create(actor=actor_for(world.village1.user), village=world.v1, category="livelihood",
                               description="五保户冬季取暖煤未到位。")
    # this year's pledges: cadre1's and 东河村's to sign; cadre2's signed, for the unit head to countersign
    staff = f.pledge_template(world.township, level="staff", year=year)
    _cadre1_pledge, cadre2_pledge = pledge_issue_from_template(
        template=staff, pledgers=[world.cadre1, world.cadre2], actor=actor_for(office))
    pledge_sign(pledge=cadre2_pledge, actor=actor_for(world.cadre2.user))
    pledge_issue_from_template(template=f.pledge_template(world.township, level="village", year=year),
                               pledgers=[world.v1], actor=actor_for(office))
    # a county user, who reads every township
    county = f.UserFactory(username="county", groups=["county"])
    f.MembershipFactory(user=county, township=None)
    return Given(assigned=Matter.objects.get(pk=assigned.pk), registered=registered, year=year)


@dataclass
class Role:
    username: str
    device: dict[str, Any]
    # panel heading → texts it must show (a callable gets the Given)
    todo: dict[str, list[Any]] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    charts: bool = False
    # panels of figures → texts they must show
    shows: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.username


def matter_light(given: Given) -> str:
    """cadre1's one open matter, under its deadline light (正常 1, 临期 1 or 逾期 1)."""
    return f"{LIGHT_LABELS[light_of(given.assigned)]} 1"


def registered_light(given: Given) -> str:
    return f"{LIGHT_LABELS[light_of(given.registered)]} 1"


# Raised this week and this month: the two matters of `given`; none closed.
WEEK_FIGURES = ["新登记问题\t2\t2", "销号\t0\t0"]


ROLES = [
    Role("cadre1", PHONE, todo={
        TODAY_DIARY: ["未写", "写今天的日记"],
        HOUSEHOLDS: ["张三", "尚未走访"],  # the contact household not visited yet
        MY_MATTERS: [matter_light],
        PLEDGES: ["待我签署"],
    }, absent=FIGURES),
    Role("village1", PHONE, todo={
        MY_MATTERS: [registered_light],
        PLEDGES: ["东河村", "待我签署"],
    }, absent=(TODAY_DIARY, *FIGURES)),
    Role("unithead", PHONE, todo={
        TODAY_DIARY: ["未写"],
        PLEDGES: ["干部乙", "待我会签"],
    }, absent=FIGURES),
    Role("inspector", DESKTOP, todo={TODAY_DIARY: ["未写"]}, absent=(PLEDGES, *FIGURES)),
    Role("office", DESKTOP, todo={TODAY_DIARY: ["未写"]}, absent=(PLEDGES,), charts=True,
         shows={TOWNSHIP: WEEK_FIGURES}),
    Role("secretary", DESKTOP, todo={TODAY_DIARY: ["已写", "查看今天的日记"]}, absent=(PLEDGES,), charts=True,
         shows={TOWNSHIP: WEEK_FIGURES}),
    # the county: its townships side by side (issue 21), not one township's charts
    Role("county", DESKTOP, absent=(TODAY_DIARY, MY_MATTERS, PLEDGES, TOWNSHIP),
         shows={"各乡镇作风建设情况": ["东河镇", "西山镇", "不作排名"]}),
]


def panel_headings(page: Any) -> list[str]:
    """The dashboard's panels, in the order shown."""
    return [text.strip() for text in page.locator("main section.card > h2").all_inner_texts()]


def chart_titles(year: int) -> list[str]:
    return ["近8周民情日记完成率", "在办问题：按期限", "在办问题：按类别", "村务公开检查（暂无）", f"{year}年目标责任书进度"]


def table_of(page: Any, key: str) -> dict[str, str]:
    """A chart's text table (visually hidden, read by screen readers): first column → second."""
    rows = page.locator(f"#chart-{key} tbody tr")
    return {
        row.locator("th").text_content().strip(): row.locator("td").first.text_content().strip()
        for row in rows.all()
    }


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.id)
def test_the_dashboard_says_what_to_do_today_first(world, given, new_page, role):
    # given the world's pledges, matters and diaries, and the role signed in on their device
    page = new_page(role.device)

    # when they log in and land on the dashboard
    login(page, role.username)

    # then the things to do come first, each saying what it is about
    headings = panel_headings(page)
    assert page.get_by_role("heading", level=1).inner_text() == "首页"
    for heading, texts in role.todo.items():
        panel = page.get_by_role("region", name=heading, exact=True)
        shown = panel.inner_text()
        for text in texts:
            expected = text(given) if callable(text) else text
            assert expected in shown, f"{heading!r} does not show {expected!r}: {shown!r}"
        assert all(headings.index(heading) < headings.index(fig) for fig in FIGURES if fig in headings), headings
    if TODAY_DIARY in role.todo:
        assert headings[0] == TODAY_DIARY
    for heading in role.absent:
        assert heading not in headings, headings
    for heading, texts in role.shows.items():
        shown = page.get_by_role("region", name=heading, exact=True).inner_text()
        assert all(text in shown for text in texts), shown

    # and the links lead where the work is
    if "写今天的日记" in role.todo.get(TODAY_DIARY, []):
        link = page.get_by_role("region", name=TODAY_DIARY).get_by_role("link", name="写今天的日记")
        assert link.get_attribute("href") == "/diaries/new/"
    if PLEDGES in role.todo:
        pledge_links = page.get_by_role("region", name=PLEDGES).get_by_role("link")
        assert pledge_links.count() == 1
        assert pledge_links.first.get_attribute("href").startswith("/pledges/")

    # and the charts, for those who get them, are SVG images named by their titles
    if role.charts:
        panel = page.get_by_role("region", name=CHARTS)
        for title in chart_titles(given.year):
            chart = panel.get_by_role("img", name=title, exact=True)
            assert chart.is_visible()
            assert chart.evaluate("e => e.tagName.toLowerCase()") == "svg"
            assert chart.locator("title").text_content() == title
        # whose text tables match the database
        open_matters = Matter.objects.filter(status__in=Matter.OPEN_STATUSES)
        assert sum(int(n) for n in table_of(page, "lights").values()) == open_matters.count() == 2
        assert table_of(page, "categories") == {"基础设施": "1", "民生保障": "1"}
        pledges = table_of(page, "pledges")
        assert (pledges["已下达"], pledges["责任方已签"]) == (
            str(Pledge.objects.filter(status=Pledge.Status.ISSUED).count()),
            str(Pledge.objects.filter(status=Pledge.Status.SIGNED).count()),
        ) == ("2", "1")
    else:
        assert page.locator("main svg[role=img]").count() == 0

    # and on a phone nothing runs off the side of the screen
    if role.device is PHONE:
        assert not has_horizontal_scroll(page)
