"""The admin goes through the clearance gate: a staff user cleared to CONFIDENTIAL (even a
superuser) learns nothing of a SECRET cable there, by any admin page, search, count or shortcut.

Every registered ModelAdmin is walked from admin.site, so a model registered later is covered
without being listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Profile
from audit import log as audit
from cables.models import Cable
from jobs.models import Job
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in

pytestmark = pytest.mark.django_db

SECRET_REF = "09ANKARA100"
SECRET_TEXTS = [
    SECRET_REF,
    "TALKS WITH THE MINISTER",
    "Minister Ali Bey said the border would reopen in May.",
    "Paragraph 1 names a source.",  # the supervisor's comment on returning the review
]


def make_staff(username: str, clearance: str) -> User:
    user = User.objects.create(username=username, is_staff=True, is_superuser=True)
    Profile.objects.create(user=user, clearance=clearance)
    return user


@pytest.fixture
def secret_world(cable: Cable, alice: User, bob: User) -> Review:
    """The SECRET cable of tests/review/conftest.py with a review returned with a comment, its
    decisions and audit events, an upload job and its task whose failures name it; and a
    CONFIDENTIAL cable beside it."""
    review = review_in("returned", cable, alice, bob)
    make_cable("07TOKYO1744", level="C", portions=[{"kind": "paragraph", "label": "1", "text": "Hello."}])
    Job.objects.create(
        kind=Job.Kind.UPLOAD,
        status=Job.Status.FINISHED,
        created_by=bob,
        counts={"conflicts": 1},
        failures=[[f"{SECRET_REF}.txt", "already stored with different text"]],
        upload_name="batch.zip",
    )
    DBTaskResult.objects.create(  # the worker's record of a failed upload
        task_path="jobs.tasks.run_job",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        return_value={"conflicts": 1},
        exception_class_path="ValueError",
        traceback=f"ValueError: {SECRET_REF}.txt is not a cable",
    )
    audit.record(bob, "access.denied", cable)
    return review


def admin_pages(client: Client) -> Iterator[str]:
    """Every admin page about every stored object, and each model's list, searched and counted."""
    # (A search is asked only of lists that search: the others ignore q and list everything.)
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        yield base
        if model_admin.search_fields:
            yield f"{base}?q={SECRET_REF}"
        yield f"{base}?_facets=1"
        content_type = ContentType.objects.get_for_model(model)
        for pk in model._default_manager.values_list("pk", flat=True):
            yield f"{base}{pk}/change/"
            yield f"{base}{pk}/history/"
            yield f"{base}{pk}/delete/"
            yield f"/admin/r/{content_type.pk}/{pk}/"


def leaks(client: Client) -> list[str]:
    found = []
    for path in admin_pages(client):
        r = client.get(path, follow=True)
        # Where it was sent counts as much as what it shows (the "view on site" shortcut).
        body = r.content.decode() + " ".join(url for url, _ in r.redirect_chain)
        if r.status_code >= 500:
            found.append(f"{path}: {r.status_code}")
        if "?q=" in path:
            # The page repeats the search term; what it must not show is a result.
            if r.context and r.context.get("cl") and r.context["cl"].result_count:
                found.append(f"{path}: {r.context['cl'].result_count} results {SECRET_REF!r}")
            continue
        found += [f"{path}: {text!r}" for text in SECRET_TEXTS if text in body]
    return found


def test_the_admin_shows_a_confidential_staff_user_nothing_of_a_secret_cable(
    client: Client, secret_world: Review
) -> None:
    client.force_login(make_staff("root-c", "C"))
    assert leaks(client) == []


def test_the_admin_shows_a_top_secret_staff_user_the_secret_cable(
    client: Client, secret_world: Review
) -> None:
    # The twin: the same walk finds the cable for a user cleared to see it.
    client.force_login(make_staff("root-ts", "TS"))
    assert any(SECRET_REF in leak for leak in leaks(client))


def test_admin_view_on_site_404s_above_clearance(client: Client, cable: Cable) -> None:
    content_type = ContentType.objects.get_for_model(Cable)
    client.force_login(make_staff("root-c", "C"))
    above = client.get(f"/admin/r/{content_type.pk}/{cable.pk}/")
    missing = client.get(f"/admin/r/{content_type.pk}/{cable.pk + 1000}/")
    assert above.status_code == missing.status_code == 404
    # The styled 404 page carries the site's navigation, whose sign-out form has a CSRF token
    # masked afresh on every response: the pages are the same but for it.
    assert _unmasked(above.content) == _unmasked(missing.content)
    assert SECRET_REF not in above.get("Location", "")


def _unmasked(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken"', content)


def test_admin_view_on_site_redirects_within_clearance(client: Client, cable: Cable) -> None:
    content_type = ContentType.objects.get_for_model(Cable)
    client.force_login(make_staff("root-s", "S"))
    r = client.get(f"/admin/r/{content_type.pk}/{cable.pk}/")
    assert r.status_code == 302 and r["Location"].endswith(f"/cables/{SECRET_REF}/")


def test_admin_view_on_site_404s_for_a_model_the_admin_does_not_show(client: Client, cable: Cable) -> None:
    # Not registered in the admin: no gate to ask, so nothing to redirect to.
    content_type = ContentType.objects.get_for_model(Profile)
    user = make_staff("root-ts", "TS")
    client.force_login(user)
    assert client.get(f"/admin/r/{content_type.pk}/{user.profile.pk}/").status_code == 404


def test_admin_clearance_menu_offers_only_clearances_up_to_the_editors_own(client: Client) -> None:
    editor = make_staff("root-c", "C")
    other = make_user("ursula", clearance="U")
    client.force_login(editor)
    page = client.get(f"/admin/accounts/profile/{other.profile.pk}/change/").content.decode()
    assert 'value="C"' in page and 'value="S"' not in page and 'value="TS"' not in page
    r = client.post(
        f"/admin/accounts/profile/{editor.profile.pk}/change/", {"user": editor.pk, "clearance": "TS"}
    )
    assert r.status_code == 200  # the form refuses the choice
    editor.profile.refresh_from_db()
    assert editor.profile.clearance == "C"


def test_admin_leaves_a_profile_cleared_above_the_editor_read_only(client: Client, alice: User) -> None:
    client.force_login(make_staff("root-c", "C"))
    r = client.post(
        f"/admin/accounts/profile/{alice.profile.pk}/change/", {"user": alice.pk, "clearance": "U"}
    )
    assert r.status_code == 403
    alice.profile.refresh_from_db()
    assert alice.profile.clearance == "TS"
