"""Django's {# ... #} comment holds on one line only: one spread over lines is shown as text. The
cable filters of /assign/, /due/ and /triage/ once showed theirs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("url", ["/assign/", "/due/", "/triage/"])
def test_the_cable_filter_pages_show_no_template_comment(client: Client, bob: User, url: str) -> None:
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="origin"' in html  # the filters are there
    assert "{#" not in html and "#}" not in html
    assert "names the origins" not in html


def test_no_template_spreads_a_short_comment_over_lines() -> None:
    spread = [
        f"{path.relative_to(TEMPLATES)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text()]
        for m in re.finditer(r"\{#.*?#\}", text, re.S)
        if "\n" in m.group()
    ]
    assert spread == [], "use {% comment %} for a comment over several lines"
