"""The statistics dashboard in the system Chromium: it loads from the menu with its six charts
(server-drawn SVG) and tables, with no Content Security Policy violation (neither a console error,
the `problems` fixture, nor a securitypolicyviolation event)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from tests.quality.test_dashboard import world  # noqa: F401 - the fixture with known answers

LISTEN = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def test_the_dashboard_loads_with_no_csp_violation(
    open_page: Any,
    screenshot: Any,
    world: dict[str, Any],  # noqa: F811
    bob: User,
) -> None:
    page = open_page(bob, "/")
    page.add_init_script(LISTEN)
    page.get_by_role("link", name="Statistics", exact=True).click()
    page.wait_for_url("**/dashboard/")
    page.wait_for_load_state("load")
    assert page.locator("svg.chart").count() == 6
    assert page.locator("#table-codes tbody tr").count() == 4
    assert page.locator("#figure-release-times rect").count() > 0
    assert page.evaluate("window.__violations") == []
    screenshot(page, "dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download decisions by exemption code as CSV").click()
    assert download.value.suggested_filename.startswith("declass-codes-")
