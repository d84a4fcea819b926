"""Every staff page fits a 360×740 phone: no horizontal scrolling and no element wider than the screen.

The pages are not listed by hand: the URL patterns of the staff apps are walked (django's resolver),
so a new page joins the check by existing. A pattern with an id is opened for an object of the
world below (DETAIL_OBJECTS, by URL name); a pattern that is not a page one can open (a POST-only
action, a download) answers 405 or a file and is passed over. A new pattern with an id must be
named in DETAIL_OBJECTS or NOT_PAGES, which the first test checks.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cadres.roles import actor_for
from tests import factories as f
from tests.e2e.conftest import LOCALE, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# Prefixes of the project's own pages; the admin, the API, its docs and i18n are not staff pages.
SKIPPED_PREFIXES = ("admin/", "api/", "i18n/", "healthz", "accounts/logout/", "accounts/otp/")
# Patterns with an id that are no page (POST-only steps, files, job pages of a running job).
NOT_PAGES = {
    "notification-open", "job", "bulletin-job", "bulletin-download", "bulletin-approve", "bulletin-publish",
    "agenda-decide", "diary-comment", "diary-adopt", "matter-evidence", "matter-action",
    "pledge-sign", "pledge-countersign", "pledge-progress", "pledge-scan", "pledge-pdf",
    "disclosure-photo", "disclosure-check-review", "disclosure-item-adjust",
    "inspection-finding-add", "inspection-publish", "inspection-close", "inspection-finding-rectification",
    "inspection-finding-matter", "plan-pdf", "plan-action", "plan-page-milestone-done",
    "plan-page-milestone-evidence", "plan-page-goal-achieved", "disclosure-check-show",
    "household-import-template", "cadre-import-template",
    # POST-only steps and downloads
    "job-download", "agenda-major", "agenda-consultation", "agenda-item-decide", "problem-group-adopt",
    "county-bulletin-step", "county-bulletin-pdf",
    # the county's pages: USERS below are a township's staff, for whom they do not exist
    "county-township", "county-bulletin",
}
# The object each detail pattern opens, by URL name (attribute of the `objects` namespace below).
DETAIL_OBJECTS = {
    "diary-show": "diary", "diary-edit": "diary", "diary-raise": "diary",
    "matter-show": "matter", "pledge-show": "pledge", "pledge-assess": "pledge", "pledge-print": "pledge",
    "disclosure-show": "disclosure", "inspection-show": "inspection",
    "plan-show": "plan", "plan-edit": "plan", "plan-print": "plan",
    "bulletin-detail": "bulletin", "bulletin-edit": "bulletin",
    "figure-propose-diary": "diary", "figure-propose-matter": "matter", "training-attendance": "training",
    "agenda-show": "agenda_item", "agenda-publish": "agenda_item", "problem-group-show": "group",
}
# Who opens the pages: a cadre in a village, a leader, and the office (docs/design.md §4).
USERS = ["cadre1", "secretary", "office"]


def staff_patterns() -> list[tuple[str, str, list[str]]]:
    """(url name, route, argument names) of every named pattern of the staff pages."""
    found: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if not route.startswith(SKIPPED_PREFIXES):
                    walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and p.name and not route.startswith(SKIPPED_PREFIXES):
                found.append((p.name, route, list(p.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "")
    return found


def build_objects(world: Any) -> Any:
    """One object of each kind that has a detail page, with long texts and numbers (the worst case)."""
    from bulletins.services import bulletin_compile
    from supervision.services.pledges import pledge_issue_from_template

    today = timezone.localdate()
    long_text = "村民反映灌溉渠道淤堵严重需要尽快组织清淤" * 8 + " https://example.invalid/" + "a" * 80
    diary = f.DiaryFactory(author=world.cadre1, village=world.v1, situation=long_text, problems=long_text,
                           ideas=long_text)
    diary.households.add(world.h1)
    matter = f.MatterFactory(village=world.v1, diary=diary, description=long_text, household=world.h1)
    disclosure = f.DisclosureFactory(village=world.v1, title="2026年第三季度村级财务收支明细" * 3)
    inspection = f.InspectionFactory(township=world.township, subject_village=world.v1, title="作风督查" * 10)
    f.InspectionFindingFactory(inspection=inspection, description=long_text)
    plan = f.PlanFactory(village=world.v1, title="东河村发展规划" * 6)
    f.PlanGoalFactory(plan=plan)
    f.PlanMilestoneFactory(plan=plan)
    template = f.pledge_template(world.township, level="staff", year=today.year)
    (pledge,) = pledge_issue_from_template(template=template, pledgers=[world.cadre1], actor=actor_for(world.office.user))
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    bulletin = bulletin_compile(township=world.township, start=start, end=today.replace(day=1) - dt.timedelta(days=1),
                                actor=actor_for(world.office.user))
    from cadres.models import Training
    from supervision.models import AgendaItem, ProblemGroup

    training = Training.objects.create(township=world.township, title="乡村振兴政策培训" * 4, date=today)
    agenda_item = AgendaItem.objects.create(township=world.township, source="office", title="村道硬化议题" * 6,
                                            adopted_by=world.secretary)
    group = ProblemGroup.objects.create(township=world.township, period_start=today.replace(day=1), period_end=today,
                                        label="机井 水泵 春灌", keywords=["机井", "水泵", "春灌"], first_seen=today,
                                        last_seen=today)
    group.diaries.add(diary)
    return type("Objects", (), {"diary": diary, "matter": matter, "disclosure": disclosure, "inspection": inspection,
                                "plan": plan, "pledge": pledge, "bulletin": bulletin, "training": training,
                                "agenda_item": agenda_item, "group": group})


def page_paths(objects: Any) -> list[str]:
    paths = []
    for name, _route, args in staff_patterns():
        if name in NOT_PAGES:
            continue
        if not args:
            paths.append(reverse(name))
        else:
            paths.append(reverse(name, kwargs={"pk": getattr(objects, DETAIL_OBJECTS[name]).pk}))
    return sorted(set(paths))


WIDEST = """() => {
    const limit = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
        // What scrolls inside its own box (a wide calendar in .table-wrap) does not widen the page.
        if (el.closest(".table-wrap") && !el.classList.contains("table-wrap")) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
        if (box.right > limit + 1 || box.left < -1) {
            if (el.closest(".skip-link, .visually-hidden")) continue;
            const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")}`;
            wide.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}`);
        }
    }
    return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
}"""


def test_every_pattern_with_an_id_is_opened_or_declared_no_page():
    undeclared = [name for name, _route, args in staff_patterns()
                  if args and name not in NOT_PAGES and name not in DETAIL_OBJECTS]
    assert undeclared == []


def test_every_staff_page_fits_a_360_px_phone(world, browser, live_server):
    objects = build_objects(world)
    paths = page_paths(objects)
    assert "/households/" in paths and f"/diaries/{objects.diary.pk}/" in paths  # the walk found the pages

    too_wide: dict[str, Any] = {}
    opened = 0
    for username in USERS:
        context = browser.new_context(base_url=live_server.url, **LOCALE, **PHONE_360)
        try:
            page = context.new_page()
            login(page, username)
            for path in paths:
                # Asked first without the page (same cookies): an empty 403/405 would be a browser error.
                probe = context.request.get(path, max_redirects=0)
                assert probe.status < 500, f"{username} {path}: {probe.status}"
                if probe.status != 200 or "html" not in probe.headers.get("content-type", ""):
                    continue  # not this role's page, or not a page
                page.goto(path)
                opened += 1
                if path == "/households/":
                    # a phone number stays on one line (it broke one digit per line)
                    phones = page.locator("a[href^='tel:']")
                    for i in range(phones.count()):
                        assert len(phones.nth(i).evaluate("el => [...el.getClientRects()]")) == 1
                        box = phones.nth(i).bounding_box()
                        assert box is not None and box["height"] < 40 and box["width"] > box["height"]
                found = page.evaluate(WIDEST)
                if found["scroll"] > 360 or found["wide"]:
                    too_wide[f"{username} {path}"] = found
        finally:
            context.close()

    assert opened > 2 * len([p for p in paths if not re.search(r"/\d+/", p)])  # most pages were really seen
    assert too_wide == {}
