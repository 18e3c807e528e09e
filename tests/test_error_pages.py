"""The error pages carry the site's navigation and a way back; refusals are logged as one line."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path

from config.errors import OneLineRefusals, server_error
from config.urls import urlpatterns as site_urls


def boom(request: Any) -> Any:
    raise RuntimeError("a fault")


urlpatterns = [path("boom/", boom), *site_urls]
handler500 = "config.errors.server_error"


def test_a_404_has_the_navigation_and_a_way_back(client: Client, alice: User) -> None:
    client.force_login(alice)
    r = client.get("/no/such/page/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "There is nothing here" in html
    assert 'class="site-nav"' in html and "<strong>alice</strong>" in html
    assert 'href="/">Back to what is waiting for you</a>' in html


def test_a_404_for_the_anonymous_points_to_sign_in_and_the_reading_room(client: Client, db: None) -> None:
    html = client.get("/reading-room/99XNOWHERE1/").content.decode()
    assert (
        'href="/login/">Sign in</a>' in html and 'href="/reading-room/">the public reading room</a>' in html
    )


def test_a_403_is_styled_and_logged_as_one_line(
    client: Client, carol: User, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(carol)  # no role
    with caplog.at_level(logging.WARNING, logger="django.request"):
        r = client.get("/approvals/")
    assert r.status_code == 403
    assert 'class="site-nav"' in r.content.decode()
    (record,) = [rec for rec in caplog.records if rec.name == "django.request"]
    assert record.exc_info is None and record.exc_text is None
    assert "\n" not in record.getMessage()


def test_the_one_line_filter_leaves_faults_their_traceback() -> None:
    try:
        raise RuntimeError("a fault")
    except RuntimeError:
        import sys

        info = sys.exc_info()
    fault = logging.LogRecord("django.request", logging.ERROR, "", 0, "Internal Server Error", (), info)
    fault.status_code = 500
    refusal = logging.LogRecord("django.request", logging.WARNING, "", 0, "Forbidden", (), info)
    refusal.status_code = 403
    assert OneLineRefusals().filter(fault) and fault.exc_info is not None
    assert OneLineRefusals().filter(refusal) and refusal.exc_info is None


@pytest.mark.urls("tests.test_error_pages")
def test_a_500_is_styled_with_the_navigation(client: Client, alice: User) -> None:
    client.raise_request_exception = False
    client.force_login(alice)
    r = client.get("/boom/")
    assert r.status_code == 500
    html = r.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="site-nav"' in html


def test_the_500_handler_is_the_styled_one(rf: Any, db: None) -> None:
    from config import urls

    assert urls.handler500 == "config.errors.server_error"
    assert "Something went wrong" in server_error(rf.get("/")).content.decode()
