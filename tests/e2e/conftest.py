"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

One Chromium per session (starting it costs about a second); every test gets fresh browser
contexts (cookies, storage), so tests never share a log-in. The live server runs in a thread of
this process and shares the test database, hence transactional tests.

Never `playwright install`: the browser is the distribution's (`apt-get install chromium`), at
CHROMIUM_PATH (default /usr/bin/chromium). Tests are marked `browser`; tests/conftest.py skips
them on a laptop without Chromium and fails them in CI.

A failing test leaves a full-page screenshot of each of its pages in test-results/.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import CHROMIUM
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told it is safe (it is: the loop only drives the browser).
# Django reads the variable at each call, so setting it when this conftest loads is enough.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
AXE_JS = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--headless",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# The township's users: a Chinese browser in China's time zone.
LOCALE = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
# Short enough that a missing element fails quickly, long enough for a slow shared machine.
TIMEOUT_MS = 10_000

# The staff pages every signed-in user reaches from the navigation (docs/design.md §6), by URL name.
MAIN_PAGES = [
    "dashboard", "notifications", "password_change", "diaries", "diary-new", "matters", "households",
    "pledges", "plans", "trainings", "disclosures", "inspections", "bulletins", "search",
]


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    # E2E_HEADED=1 shows the window (on a desktop session), to watch a test do its work.
    headed = os.environ.get("E2E_HEADED", "") not in ("", "0")
    args = [arg for arg in CHROMIUM_ARGS if not (headed and arg == "--headless")]
    chromium = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=args, headless=not headed, slow_mo=250 if headed else 0
    )
    yield chromium
    chromium.close()


class PageProblems:
    """What the browser complained about while a page was open: CSP refusals and script errors."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("console", lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    @property
    def csp_refusals(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Factory for pages in fresh contexts: `new_page(PHONE)`, `new_page(DESKTOP, bypass_csp=True)`."""
    contexts: list[Any] = []

    def make(device: dict[str, Any], **options: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, **LOCALE, **device, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems()
        page.problems.watch(page)
        return page

    yield make
    for context in contexts:
        # A test's route handler may still be inside a call (a Route.fetch to the live server) when
        # the test ends; closing the context under it fails the next test's first call. Wait for it.
        context.unroute_all(behavior="wait")
        context.close()


@pytest.fixture
def page_phone(new_page: Callable[..., Any]) -> Any:
    """A 390×844 touch phone (the cadre in a village)."""
    return new_page(PHONE)


@pytest.fixture
def page_desktop(new_page: Callable[..., Any]) -> Any:
    """A 1366×900 office screen."""
    return new_page(DESKTOP)


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form, with the keyboard's Enter, and land on the dashboard."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_label("密码").press("Enter")
    wait_for_path(page, "/")


def signed_in(new_page: Callable[..., Any], device: dict[str, Any], username: str) -> Any:
    """A new page on `device`, logged in as `username`."""
    page = new_page(device)
    login(page, username)
    return page


def submit(page: Any, button: str) -> None:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def post_crafted_form(page: Any, action: str, fields: dict[str, str]) -> Any:
    """Submit a form the page never offered, with the page's own CSRF token, as a tampering user
    would from the developer tools; returns the response the browser then shows."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
                for (const [name, value] of Object.entries({...fields, csrfmiddlewaretoken: token})) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [action, fields],
        )
    return navigation.value


def wait_for_path(page: Any, pattern: str) -> None:
    """Wait until the page's path (its query aside) matches `pattern` entirely."""
    regex = re.compile(pattern)
    page.wait_for_url(lambda url: regex.fullmatch(urlsplit(url).path) is not None)


def query_of(page: Any) -> str:
    return unquote(urlsplit(page.url).query)


def goto(page: Any, path: str) -> Any:
    """Open a path; a server error is a failure on every page, whatever the test checks."""
    response = page.goto(path)
    assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
    return response


def main_paths() -> list[str]:
    from django.urls import reverse

    return [reverse(name) for name in MAIN_PAGES]


def open_menu_if_collapsed(page: Any) -> None:
    """On a phone the main navigation sits behind the menu button."""
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def has_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth"))


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Run the vendored axe-core on the page; returns the violations (WCAG 2.1 A/AA and best practice).

    The script is read from static/vendor and injected inline, so the page's context must be opened
    with bypass_csp=True (the portal's CSP rightly refuses inline scripts).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def _pages_of(item: pytest.Item) -> list[tuple[str, Any]]:
    from playwright.sync_api import Page

    funcargs = getattr(item, "funcargs", {})
    pages = [(name, value) for name, value in funcargs.items() if isinstance(value, Page)]
    # Pages made by the new_page factory are reachable through their browser contexts.
    browser = funcargs.get("browser")
    if browser is not None:
        seen = {id(p) for _, p in pages}
        for i, context in enumerate(browser.contexts):
            for j, page in enumerate(context.pages):
                if id(page) not in seen:
                    pages.append((f"context{i}-page{j}", page))
    return pages


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when in ("setup", "call") and report.failed:
        _save_screenshots(item, report)
    return report


def _save_screenshots(item: pytest.Item, report: pytest.TestReport) -> None:
    RESULTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", item.nodeid.split("tests/e2e/")[-1])
    for name, page in _pages_of(item):
        if page.is_closed():
            continue
        path = RESULTS / f"{stem}-{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # a failed screenshot must not hide the test's own failure
            report.sections.append(("screenshot", f"could not save {path.name}: {exc}"))
        else:
            report.sections.append(("screenshot", f"saved {path.relative_to(ROOT)} (url {page.url})"))
