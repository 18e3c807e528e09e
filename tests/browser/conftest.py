"""Playwright fixtures: the system Chromium (never a downloaded one), signed-in pages, screenshots,
and a record of every CSP violation and script error a page reports."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.review.conftest import cable  # noqa: F401 - the SECRET cable with three portions

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse to touch
# the database from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"no system Chromium at {CHROMIUM}: install the 'chromium' package (never downloaded)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason:
        here = Path(__file__).parent
        for item in items:
            if here in Path(str(item.fspath)).parents:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Problems(list[str]):
    """Console errors about the Content Security Policy, and uncaught script errors."""

    def csp(self) -> list[str]:
        return [p for p in self if "Content Security Policy" in p or "Content-Security-Policy" in p]


@pytest.fixture
def problems() -> Iterator[Problems]:
    """What the pages reported; after the test, no CSP violation and no uncaught error allowed."""
    found = Problems()
    yield found
    assert found.csp() == [], found.csp()
    assert [p for p in found if p.startswith("pageerror")] == []


def new_context(
    browser: Any, url: str, user: User | None, *, javascript: bool = True, width: int = 1280
) -> Any:
    """A browser context signed in as user (None: signed out) with the session cookie of a forced
    login, so that no test spends its time on the sign-in form."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}])
    return context


@pytest.fixture
def open_page(browser: Any, live_server: Any, problems: Problems) -> Iterator[Callable[..., Any]]:
    """open_page(user or None, path, javascript=True, width=1280): a page, signed in unless user is None."""
    contexts = []

    def open_(user: User | None, path: str, *, javascript: bool = True, width: int = 1280) -> Any:
        context = new_context(browser, live_server.url, user, javascript=javascript, width=width)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """screenshot(page, name): saves var/screenshots/<test>-<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
