"""Uploading a batch of cables: the page, the queued task, the worker's ingest, the job page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from cables.models import Cable
from jobs import uploads
from jobs.models import Job
from tests.jobs.conftest import INGEST_FIXTURES, make_zip, run_worker

BAD_BYTES = b"caf\xe9 is not UTF-8\n"


def good_members() -> dict[str, bytes]:
    return {
        "08BERLIN201.txt": (INGEST_FIXTURES / "folder" / "08BERLIN201.txt").read_bytes(),
        "nested/07ROME202.txt": (INGEST_FIXTURES / "folder" / "nested" / "07ROME202.txt").read_bytes(),
        "09TOKYO101.txt": (INGEST_FIXTURES / "09TOKYO101.txt").read_bytes(),
    }


@pytest.mark.django_db(transaction=True)  # the worker sees only what the upload committed
def test_it_uploads_a_zip_and_the_worker_ingests_it(client: Client, bob: User) -> None:
    client.force_login(bob)
    members = {**good_members(), "folder/bad.txt": BAD_BYTES, "README.md": b"not a cable"}
    r = client.post("/jobs/upload/", {"file": make_zip(members)})
    assert r.status_code == 302
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.created_by, job.upload_name) == ("upload", "queued", bob, "batch.zip")
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY"
    upload = AuditEvent.objects.get(action="jobs.upload")
    assert (upload.actor, upload.object_id, upload.after["name"]) == (bob, str(job.pk), "batch.zip")

    # Before the worker runs, the page says the job waits for it.
    r = client.get(f"/jobs/{job.pk}/")
    assert r.status_code == 200
    assert "Waiting for the background worker" in r.text
    assert "manage.py jobs_worker" in r.text
    assert client.get(f"/jobs/{job.pk}/status/").json()["status"] == "queued"

    run_worker()

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == "finished"
    assert job.counts == {"ingested": 3, "unchanged": 0, "conflicts": 0, "failed": 1, "max_rank": 3}
    assert job.failures == [["batch.zip:folder/bad.txt", job.failures[0][1]]]
    assert job.failures[0][1].startswith("not UTF-8 text (byte 0xe9")
    assert job.notes == ["1 member not ending in .txt skipped"]
    assert set(Cable.objects.values_list("reference_id", flat=True)) == {
        "08BERLIN201",
        "07ROME202",
        "09TOKYO101",
    }
    assert Cable.objects.get(reference_id="07ROME202").source == "batch.zip:nested/07ROME202.txt"

    status = client.get(f"/jobs/{job.pk}/status/").json()
    assert (status["status"], status["percent"], status["done"]) == ("finished", 100, True)
    r = client.get(f"/jobs/{job.pk}/")
    assert "ingested 3, unchanged 0, conflicts 0, failed 1" in r.text
    assert "batch.zip:folder/bad.txt" in r.text
    assert "not UTF-8 text" in r.text
    assert 'value="100"' in r.text  # the progress bar
    assert "js/jobs.js" not in r.text  # nothing left to poll
    finished = AuditEvent.objects.get(action="jobs.finished")
    assert finished.actor == bob
    assert finished.after["counts"] == {"ingested": 3, "unchanged": 0, "conflicts": 0, "failed": 1}


def test_the_job_page_polls_while_it_runs(client: Client, bob: User) -> None:
    client.force_login(bob)
    client.post("/jobs/upload/", {"file": make_zip(good_members())})
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status="running", progress=0.4, counts={"ingested": 1})
    r = client.get(f"/jobs/{job.pk}/")
    assert 'value="40"' in r.text
    assert 'type="module" src="/static/js/jobs.js"' in r.text
    assert '<meta http-equiv="refresh"' in r.text  # inside <noscript>
    assert f'data-status-url="/jobs/{job.pk}/status/"' in r.text
    assert client.get(f"/jobs/{job.pk}/status/").json()["percent"] == 40


def test_a_second_upload_counts_unchanged(client: Client, bob: User) -> None:
    client.force_login(bob)
    client.post("/jobs/upload/", {"file": make_zip(good_members())})
    client.post("/jobs/upload/", {"file": make_zip(good_members(), name="again.zip")})
    run_worker()
    first, second = Job.objects.order_by("pk")
    assert first.counts["ingested"] == 3
    assert second.counts == {"ingested": 0, "unchanged": 3, "conflicts": 0, "failed": 0, "max_rank": 3}


def test_it_uploads_a_cablegate_csv(client: Client, bob: User) -> None:
    client.force_login(bob)
    data = (INGEST_FIXTURES / "cables_broken_row.csv").read_bytes()
    r = client.post("/jobs/upload/", {"file": SimpleUploadedFile("cables.csv", data)})
    assert r.status_code == 302
    run_worker()
    job = Job.objects.get()
    assert job.status == "finished"
    assert job.counts["ingested"] >= 1
    assert job.counts["failed"] == len(job.failures) >= 1
    assert all(where.startswith("cables.csv:line ") for where, _ in job.failures)
    assert "broken row" in client.get(f"/jobs/{job.pk}/").text


@pytest.mark.parametrize(
    "member, message",
    [
        ("../evil.txt", "unsafe path in the zip: '../evil.txt'"),
        ("folder/../../evil.txt", "unsafe path in the zip"),
        ("/etc/evil.txt", "unsafe path in the zip: '/etc/evil.txt'"),
    ],
)
def test_it_refuses_a_zip_with_an_unsafe_path(client: Client, bob: User, member: str, message: str) -> None:
    client.force_login(bob)
    r = client.post("/jobs/upload/", {"file": make_zip({**good_members(), member: b"x"})})
    assert r.status_code == 400
    assert message in r.text.replace("&#x27;", "'")
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_it_refuses_a_zip_bomb(client: Client, bob: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(uploads, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    client.force_login(bob)
    bomb = make_zip({"a.txt": b"0" * (3 * 1024 * 1024)})
    assert bomb.size < 10_000
    r = client.post("/jobs/upload/", {"file": bomb})
    assert r.status_code == 400
    assert "the zip would unpack to 3 MB; at most 1 MB are accepted" in r.text
    assert not Job.objects.exists()


def test_it_refuses_too_many_members(client: Client, bob: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(uploads, "MAX_MEMBERS", 2)
    client.force_login(bob)
    r = client.post("/jobs/upload/", {"file": make_zip(good_members())})
    assert r.status_code == 400
    assert "the zip has 3 members; at most 2 are accepted" in r.text


def test_the_worker_rechecks_the_zip(bob: User, monkeypatch: Any, client: Client) -> None:
    client.force_login(bob)
    client.post("/jobs/upload/", {"file": make_zip(good_members())})
    monkeypatch.setattr(uploads, "MAX_MEMBERS", 2)  # e.g. the limit lowered meanwhile
    run_worker()
    job = Job.objects.get()
    assert job.status == "failed"
    assert "at most 2 are accepted" in job.error
    assert "The job failed: the zip has 3 members" in client.get(f"/jobs/{job.pk}/").text
    assert AuditEvent.objects.get(action="jobs.finished").after["status"] == "failed"


def test_it_refuses_a_file_over_the_size_limit(
    client: Client, bob: User, settings: Any, jobs_dir: Any
) -> None:
    settings.DECLASS_MAX_UPLOAD_MB = 1
    client.force_login(bob)
    big = SimpleUploadedFile("cables.csv", b"x" * 1_200_000)
    r = client.post("/jobs/upload/", {"file": big})
    assert r.status_code == 400
    assert "The file is larger than the upload limit of 1 MB." in r.text
    assert not Job.objects.exists()
    assert not jobs_dir.exists()


def test_it_refuses_other_kinds_of_file(client: Client, bob: User) -> None:
    client.force_login(bob)
    r = client.post("/jobs/upload/", {"file": SimpleUploadedFile("cables.pdf", b"%PDF")})
    assert r.status_code == 400
    assert "upload a .zip of .txt cable files or a Cablegate cables.csv" in r.text
    r = client.post("/jobs/upload/", {"file": SimpleUploadedFile("batch.zip", b"not a zip")})
    assert "not a readable zip file" in r.text


def test_it_shows_the_form_to_supervisors(client: Client, bob: User) -> None:
    client.force_login(bob)
    r = client.get("/jobs/upload/")
    assert r.status_code == 200
    assert 'enctype="multipart/form-data"' in r.text
    assert "at most 200 MB" in r.text


@pytest.mark.parametrize("user", ["alice", "carol", "erin", "frank"])
def test_it_refuses_uploads_from_others(client: Client, user: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.get("/jobs/upload/").status_code == 403
    r = client.post("/jobs/upload/", {"file": make_zip(good_members())})
    assert r.status_code == 403
    assert not Job.objects.exists()


def test_it_sends_anonymous_users_to_login(client: Client, db: None) -> None:
    r = client.post("/jobs/upload/", {"file": make_zip(good_members())})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
    assert not Job.objects.exists()


def test_it_checks_csrf(bob: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    r = client.post("/jobs/upload/", {"file": make_zip(good_members())})
    assert r.status_code == 403
    assert not Job.objects.exists()


def test_it_hides_a_job_from_users_who_may_not_see_it(
    client: Client, bob: User, sam: User, alice: User, erin: User
) -> None:
    client.force_login(sam)
    client.post("/jobs/upload/", {"file": make_zip(good_members())})
    job = Job.objects.get()
    for outsider in (alice, erin):
        client.force_login(outsider)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/status/").status_code == 404
    # Another supervisor sees every upload within their clearance.
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
