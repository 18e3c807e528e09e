"""Jobs keep to the clearance gate (issue 12, findings 1 and 8).

An upload is at its uploader's clearance: the worker stores nothing above it and says of every
cable above it (as marked, or stored above it under the same reference id) only REFUSED, never
"unchanged" or "already stored with different text"; a job, its page, its status, the list and the
admin are shown only to users cleared for it; its audit events are at the rank they concern.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import AUDITOR, SUPERVISOR
from audit.access import visible_audit_events
from audit.models import AuditEvent
from cables.ingest import REFUSED, ingest_cable
from cables.models import Cable
from jobs.models import Job
from tests.conftest import make_user
from tests.jobs.conftest import INGEST_FIXTURES, make_zip, run_worker

BERLIN = (INGEST_FIXTURES / "folder" / "08BERLIN201.txt").read_bytes()  # SECRET
TOKYO = (INGEST_FIXTURES / "09TOKYO101.txt").read_bytes()  # CONFIDENTIAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_secret(db: None) -> Cable:
    return ingest_cable(BERLIN.decode(), source="08BERLIN201.txt")


@pytest.fixture
def cora(db: None) -> User:
    """A supervisor cleared only to CONFIDENTIAL."""
    return make_user("cora", SUPERVISOR, clearance="C")


def probing_zip() -> Any:
    """What a C-cleared supervisor would upload to learn about the SECRET 08BERLIN201."""
    return make_zip(
        {
            "08BERLIN201.txt": BERLIN,  # its exact text: "unchanged" would confirm it
            "again/08BERLIN201.txt": TOKYO,  # other text under its id: "already stored" would say it exists
            "new/08BERLIN999.txt": BERLIN,  # a SECRET cable not yet stored
            "09TOKYO101.txt": TOKYO,  # within the clearance
        }
    )


def upload_both(bob: User, cora: User) -> None:
    """bob (TOP SECRET) uploads a SECRET cable, cora (CONFIDENTIAL) a CONFIDENTIAL one."""
    for user, name, members in [
        (bob, "berlin-secret.zip", {"08BERLIN201.txt": BERLIN}),
        (cora, "tokyo.zip", {"09TOKYO101.txt": TOKYO}),
    ]:
        uploader = Client()
        uploader.force_login(user)
        uploader.post("/jobs/upload/", {"file": make_zip(members, name=name)})
    run_worker()


def test_finding1_upload_above_the_uploaders_clearance_is_refused_without_saying_why(
    client: Client, cora: User, stored_secret: Cable
) -> None:
    client.force_login(cora)
    client.post("/jobs/upload/", {"file": probing_zip()})
    run_worker()

    job = Job.objects.get()
    assert job.status == "finished"
    assert job.counts == {"ingested": 1, "unchanged": 0, "conflicts": 0, "failed": 3, "max_rank": 2}
    assert sorted(job.failures) == [
        ["batch.zip:08BERLIN201.txt", REFUSED],
        ["batch.zip:again/08BERLIN201.txt", REFUSED],
        ["batch.zip:new/08BERLIN999.txt", REFUSED],
    ]
    # Nothing above her clearance was stored, nor the stored cable changed.
    assert set(Cable.objects.values_list("reference_id", flat=True)) == {"08BERLIN201", "09TOKYO101"}
    assert Cable.objects.get(reference_id="08BERLIN201").source == "08BERLIN201.txt"
    for page in (client.get(f"/jobs/{job.pk}/").text, client.get("/jobs/").text):
        assert "ingested 1, unchanged 0, conflicts 0, failed 3" in page
        assert "already stored" not in page
        assert "different text" not in page
    assert client.get(f"/jobs/{job.pk}/status/").json()["counts"]["unchanged"] == 0


def test_finding1_upload_within_the_clearance_reports_as_before(
    client: Client, bob: User, stored_secret: Cable
) -> None:
    client.force_login(bob)  # cleared to TOP SECRET: the same zip, told everything
    client.post("/jobs/upload/", {"file": probing_zip()})
    run_worker()

    job = Job.objects.get()
    assert job.counts == {"ingested": 2, "unchanged": 1, "conflicts": 1, "failed": 0, "max_rank": 3}
    conflict = "conflict: 08BERLIN201 is already stored with different text; skipped"
    assert job.failures == [["batch.zip:again/08BERLIN201.txt", conflict]]
    assert Cable.objects.filter(reference_id="08BERLIN999").exists()


def test_finding1_jobs_above_the_viewers_clearance_are_hidden_everywhere(
    client: Client, bob: User, sam: User, cora: User
) -> None:
    upload_both(bob, cora)
    secret_job = Job.objects.get(created_by=bob)
    tokyo_job = Job.objects.get(created_by=cora)
    assert (secret_job.rank, tokyo_job.rank) == (4, 2)

    for viewer in (sam, cora):  # SECRET, CONFIDENTIAL
        client.force_login(viewer)
        listing = client.get("/jobs/").text
        assert "berlin-secret.zip" not in listing
        assert f'href="/jobs/{secret_job.pk}/"' not in listing
        assert "tokyo.zip" in listing
        assert client.get(f"/jobs/{secret_job.pk}/").status_code == 404
        assert client.get(f"/jobs/{secret_job.pk}/status/").status_code == 404
        assert client.get(f"/jobs/{tokyo_job.pk}/").status_code == 200
    client.force_login(bob)
    assert "berlin-secret.zip" in client.get("/jobs/").text

    # The admin keeps to the clearance too.
    admin = make_user("root", clearance="C")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(admin)
    changelist = client.get("/admin/jobs/job/").text
    assert "tokyo.zip" in changelist
    assert "berlin-secret.zip" not in changelist
    assert client.get(f"/admin/jobs/job/{secret_job.pk}/change/").status_code in (302, 404)


def test_finding8_job_events_are_recorded_at_the_rank_they_concern(
    client: Client, bob: User, cora: User
) -> None:
    upload_both(bob, cora)
    secret_job = Job.objects.get(created_by=bob)
    tokyo_job = Job.objects.get(created_by=cora)

    events = {
        (e.action, e.object_id): e.cable_rank for e in AuditEvent.objects.filter(object_type="jobs.job")
    }
    assert events[("jobs.upload", str(secret_job.pk))] == 4  # its name: up to the uploader's clearance
    assert events[("jobs.finished", str(secret_job.pk))] == 3  # counts of a SECRET cable
    assert events[("jobs.upload", str(tokyo_job.pk))] == 2
    assert events[("jobs.finished", str(tokyo_job.pk))] == 2

    auditor = make_user("audra", AUDITOR, clearance="C")
    seen = visible_audit_events(auditor).filter(object_type="jobs.job")
    assert str(secret_job.pk) not in set(seen.values_list("object_id", flat=True))
    assert not seen.filter(after__name="berlin-secret.zip").exists()
    assert {e.action for e in seen} == {"jobs.upload", "jobs.finished"}
    client.force_login(auditor)
    assert "berlin-secret.zip" not in client.get("/audit/").text
