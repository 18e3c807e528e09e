"""A worker that stops mid-job (killed, or its machine down) leaves the job running with a heartbeat
that no longer moves; the next worker to start (manage.py jobs_worker) queues it again and runs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from cables.models import Cable
from jobs.models import STALLED_AFTER, Job
from review.models import AuditEvent
from tests.jobs.conftest import make_zip, run_worker
from tests.jobs.test_upload import good_members

pytestmark = pytest.mark.django_db


def interrupted(client: Client, bob: User, *, silent_for: timedelta) -> Job:
    """An upload whose worker claimed it, then fell silent `silent_for` ago."""
    client.force_login(bob)
    client.post("/jobs/upload/", {"file": make_zip(good_members())})
    job = Job.objects.get()
    heard = timezone.now() - silent_for
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=heard, heartbeat_at=heard)
    return job


def test_the_next_worker_queues_a_stalled_job_again_and_runs_it(client: Client, bob: User) -> None:
    job = interrupted(client, bob, silent_for=STALLED_AFTER + timedelta(seconds=5))

    r = client.get(f"/jobs/{job.pk}/")
    assert "No word from the background worker since" in r.text
    assert client.get(f"/jobs/{job.pk}/status/").json()["stalled"] is True

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.FINISHED
    assert job.counts["ingested"] == 3
    assert Cable.objects.count() == 3
    assert job.notes[0].startswith("The worker stopped while running this job")
    requeued = AuditEvent.objects.get(action="jobs.requeued")
    assert (requeued.actor, requeued.object_id) == (bob, str(job.pk))
    r = client.get(f"/jobs/{job.pk}/")
    assert "The worker stopped while running this job" in r.text
    assert "No word from the background worker" not in r.text


def test_a_job_whose_worker_is_alive_is_left_alone(client: Client, bob: User) -> None:
    job = interrupted(client, bob, silent_for=timedelta(seconds=10))

    assert "No word from the background worker" not in client.get(f"/jobs/{job.pk}/").text
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # another worker has it: not run twice
    assert not AuditEvent.objects.filter(action="jobs.requeued").exists()
    assert Cable.objects.count() == 0
