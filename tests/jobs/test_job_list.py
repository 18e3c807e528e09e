"""The jobs list: a user's own jobs; supervisors also see every upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from jobs.models import Job


def test_it_lists_jobs_by_who_may_see_them(
    client: Client, bob: User, sam: User, erin: User, django_assert_max_num_queries: Any
) -> None:
    upload = Job.objects.create(kind="upload", created_by=bob, upload_name="batch.zip", rank=3)
    export = Job.objects.create(kind="export", created_by=erin)
    client.force_login(sam)
    with django_assert_max_num_queries(8):
        r = client.get("/jobs/")
    assert r.status_code == 200
    assert f'href="/jobs/{upload.pk}/"' in r.text
    assert f'href="/jobs/{export.pk}/"' not in r.text
    assert 'href="/jobs/upload/"' in r.text
    assert 'action="/jobs/export/"' not in r.text

    client.force_login(erin)
    r = client.get("/jobs/")
    assert f'href="/jobs/{export.pk}/"' in r.text
    assert f'href="/jobs/{upload.pk}/"' not in r.text
    assert 'action="/jobs/export/"' in r.text
    assert 'href="/jobs/upload/"' not in r.text


@pytest.mark.parametrize("user", ["alice", "carol", "frank"])
def test_it_refuses_users_without_jobs(client: Client, user: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/jobs/").status_code == 403
    assert 'href="/jobs/"' not in client.get("/").text


def test_it_sends_anonymous_users_to_login(client: Client, db: None) -> None:
    assert client.get("/jobs/")["Location"].startswith("/login/")


def test_the_menu_links_to_jobs(client: Client, bob: User) -> None:
    client.force_login(bob)
    assert 'href="/jobs/"' in client.get("/").text
