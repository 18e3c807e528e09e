"""A releaser's bulk export as a job: a zip of the released copies within their clearance."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import RELEASER
from audit.models import AuditEvent
from cables.models import Cable
from jobs.models import Job
from review.models import ReleaseCopy, Review
from tests.conftest import make_cable, make_user
from tests.jobs.conftest import run_worker
from tests.release.test_export_command import released_with
from tests.review.conftest import cable  # noqa: F401 - the SECRET cable fixture


@pytest.fixture
def confidential(db: None) -> Cable:
    return make_cable(
        "09ROME300",
        portions=[
            {
                "kind": "paragraph",
                "label": "1",
                "marking": "C",
                "level": "C",
                "text": "The source spoke freely.",
            },
            {"kind": "paragraph", "label": "2", "marking": "U", "level": "U", "text": "It rained in Rome."},
        ],
    )


@pytest.fixture
def both_released(
    cable: Cable,  # noqa: F811
    confidential: Cable,
    alice: User,
    bob: User,
    erin: User,
) -> list[Review]:
    """09ANKARA100 (SECRET) and 09ROME300 (CONFIDENTIAL), each with paragraph 1 withheld."""
    return [released_with(c, alice, bob, erin) for c in (cable, confidential)]


def zip_of(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db(transaction=True)  # the worker sees only what was committed
def test_it_exports_released_copies_as_a_zip(client: Client, erin: User, both_released: list[Review]) -> None:
    client.force_login(erin)
    r = client.post("/jobs/export/")
    assert r.status_code == 302
    job = Job.objects.get()
    assert (job.kind, job.status) == ("export", "queued")
    assert "Waiting for the background worker" in client.get(f"/jobs/{job.pk}/").text

    run_worker()

    job.refresh_from_db()
    assert job.status == "finished", job.error
    assert job.counts["copies"] == 2
    page = client.get(f"/jobs/{job.pk}/").text
    assert "exported 2 cables, 8 files" in page
    assert f"/jobs/{job.pk}/download/" in page

    r = client.get(f"/jobs/{job.pk}/download/")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="declass-export-{job.pk}.zip"'
    archive = zip_of(r)
    assert sorted(archive.namelist()) == [
        "09ANKARA100.html",
        "09ANKARA100.pdf",
        "09ANKARA100.txt",
        "09ROME300.html",
        "09ROME300.pdf",
        "09ROME300.txt",
        "manifest.json",
        "redaction-log.csv",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["files"]) == 7
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    copy = ReleaseCopy.objects.get(cable__reference_id="09ANKARA100")
    assert archive.read("09ANKARA100.pdf") == bytes(copy.pdf)
    assert b"Ali Bey" not in archive.read("09ANKARA100.txt")
    assert b"source spoke" not in archive.read("09ROME300.txt")
    # finding 10: the reviewers' justifications stay out of the bulk export's redaction log.
    log = archive.read("redaction-log.csv").decode()
    assert log.splitlines()[0] == "reference_id,version,portion,decision,codes"
    assert "names a confidential source" not in log

    bulk = AuditEvent.objects.get(action="export.bulk")
    assert (bulk.actor, bulk.object_id) == (erin, str(job.pk))
    assert bulk.after["copies"] == [["09ANKARA100", 1], ["09ROME300", 1]]
    assert bulk.after["manifest_sha256"] == hashlib.sha256(archive.read("manifest.json")).hexdigest()
    assert bulk.cable_rank == Cable.objects.get(reference_id="09ANKARA100").access_rank
    assert AuditEvent.objects.filter(action="jobs.finished", actor=erin).exists()
    assert AuditEvent.objects.filter(action="jobs.download", actor=erin).exists()


def test_it_exports_only_cables_within_the_clearance(
    client: Client, both_released: list[Review], erin: User
) -> None:
    rita = make_user("rita", RELEASER, clearance="C")
    client.force_login(rita)
    client.post("/jobs/export/")
    run_worker()
    job = Job.objects.get()
    archive = zip_of(client.get(f"/jobs/{job.pk}/download/"))
    assert sorted(archive.namelist()) == [
        "09ROME300.html",
        "09ROME300.pdf",
        "09ROME300.txt",
        "manifest.json",
        "redaction-log.csv",
    ]
    assert b"09ANKARA100" not in archive.read("redaction-log.csv")
    # Nor may another releaser download it, however cleared.
    client.force_login(erin)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_download_needs_the_clearance_still(
    client: Client, erin: User, both_released: list[Review]
) -> None:
    client.force_login(erin)
    client.post("/jobs/export/")
    run_worker()
    job = Job.objects.get()
    erin.profile.clearance = "C"
    erin.profile.save()
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert "Download the export" not in client.get(f"/jobs/{job.pk}/").text


@pytest.mark.parametrize("user", ["alice", "bob", "carol", "frank"])
def test_only_releasers_export(client: Client, user: str, request: Any) -> None:
    client.force_login(request.getfixturevalue(user))
    assert client.post("/jobs/export/").status_code == 403
    assert not Job.objects.exists()


def test_export_is_post_only(client: Client, erin: User) -> None:
    client.force_login(erin)
    assert client.get("/jobs/export/").status_code == 405
    assert not Job.objects.exists()


def test_a_supervisor_cannot_see_an_export(client: Client, erin: User, bob: User) -> None:
    client.force_login(erin)
    client.post("/jobs/export/")
    job = Job.objects.get()
    client.force_login(bob)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_export_zip_is_byte_identical_run_to_run(
    client: Client, erin: User, both_released: list[Review], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as clock

    client.force_login(erin)
    zips = []
    for hour in (0, 5):
        # A later run, on the clock zip entries would otherwise take their dates from.
        monkeypatch.setattr(
            clock, "localtime", lambda *a, h=hour: clock.struct_time((2031, 7, 9, h, 1, 2, 0, 1, 0))
        )
        client.post("/jobs/export/")
        run_worker()
        job = Job.objects.latest("pk")
        assert job.status == "finished", job.error
        zips.append(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert zips[0] == zips[1]
    archive = zipfile.ZipFile(io.BytesIO(zips[0]))
    names = archive.namelist()
    assert names == sorted(names)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
