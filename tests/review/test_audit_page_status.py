"""The audit page's chain and checkpoint status (issue 12): a reader who may not see every event
learns nothing of the others from it (finding 8: no total, no head, no hash of a hidden event), and
the page shows when the latest checkpoint was taken and whether the log was verified against one
kept elsewhere (finding 6)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from accounts.roles import AUDITOR
from audit import log as audit
from audit.models import AuditEvent
from cables.models import Cable
from review.models import Review
from tests.conftest import make_cable, make_user
from tests.review.conftest import review_in


def text(response: Any) -> str:
    """The page's words, one space apart (none before punctuation)."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r" ([,.)])", r"\1", words)


@pytest.fixture
def lou(db: None) -> User:
    """An auditor cleared only to CONFIDENTIAL."""
    return make_user("lou", AUDITOR, clearance="C")


@pytest.fixture
def history(alice: User, bob: User, cable: Cable, lou: User) -> int:
    """A CONFIDENTIAL cable's events, then the SECRET cable's (the newest): returns the newest seq
    lou may see."""
    portion = {"kind": "paragraph", "label": "1", "level": "C", "text": "x"}
    confidential = make_cable("09ROME1", portions=[portion])
    review_in(Review.State.ASSIGNED, confidential, alice, bob)
    newest_visible = AuditEvent.objects.latest("seq").seq
    review_in(Review.State.ASSIGNED, cable, alice, bob)
    return newest_visible


def allow_tampering() -> None:
    """Lift the trigger refusing UPDATE for the rest of the test's transaction (its rollback restores it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS review_auditevent_no_update")
        else:  # (deferred constraint checks pending would refuse the ALTER TABLE)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE review_auditevent DISABLE TRIGGER review_auditevent_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_finding8_the_chain_status_shows_a_low_auditor_only_events_they_may_see(
    client: Client, lou: User, history: int
) -> None:
    client.force_login(lou)  # appends auth.login, which lou may see: the newest visible event
    head = AuditEvent.objects.latest("seq")
    hidden = AuditEvent.objects.filter(cable_ref="09ANKARA100").latest("seq")
    audit.record(None, "access.denied", make_cable("09SECRET2", level="S"))  # a hidden head
    page = text(client.get("/audit/"))
    assert f"Chain verified through event {head.seq}, the newest event you may see" in page
    total = AuditEvent.objects.count()
    assert f"event {total}" not in page and "events checked" not in page
    assert hidden.hash[:12] not in page and AuditEvent.objects.latest("seq").hash[:12] not in page


def test_the_twin_a_top_secret_auditor_sees_the_whole_log_s_figures(
    client: Client, frank: User, history: int
) -> None:
    client.force_login(frank)
    head = AuditEvent.objects.latest("seq")
    page = text(client.get("/audit/"))
    assert f"Chain verified through event {head.seq} ({head.seq} events checked" in page
    assert f"head hash {head.hash[:12]}" in page


def test_finding8_a_broken_chain_does_not_name_an_event_the_reader_may_not_see(
    client: Client, lou: User, frank: User, history: int
) -> None:
    client.force_login(lou)
    hidden = AuditEvent.objects.filter(cable_ref="09ANKARA100").earliest("seq")
    allow_tampering()
    AuditEvent.objects.filter(seq=hidden.seq).update(note="edited afterwards")
    page = text(client.get("/audit/"))
    assert f"BROKEN after event {history}" in page  # the newest event lou may see before the break
    assert f"event {hidden.seq}" not in page and "does not match its hash" not in page
    client.force_login(frank)
    assert f"BROKEN at event {hidden.seq}: its content does not match its hash" in text(client.get("/audit/"))


def test_finding6_the_audit_page_shows_the_latest_checkpoint_and_its_check(
    client: Client, frank: User, lou: User, history: int, tmp_path: Path
) -> None:
    client.force_login(frank)
    assert "No checkpoint taken yet." in text(client.get("/audit/"))
    path = tmp_path / "head.json"
    audit.record(None, "access.denied", make_cable("09SECRET2", level="S"))  # a head lou may not see
    seq, digest = audit.head()
    call_command("audit_checkpoint", "--output", str(path), stdout=StringIO())
    page = text(client.get("/audit/"))
    assert "Latest checkpoint taken" in page
    assert f"through event {seq} (head #{seq}, hash {digest[:12]}" in page
    assert "Never checked against a kept checkpoint" in page

    call_command("verify_audit", "--checkpoint", str(path), stdout=StringIO())
    checked = r"Last checked against a kept checkpoint [\d-]+ [\d:]+ UTC: verified"
    assert re.search(checked, text(client.get("/audit/")))

    # lou learns when, and through the newest event lou may see, not the log's head or hash.
    client.force_login(lou)
    page = text(client.get("/audit/"))
    newest_visible = AuditEvent.objects.filter(seq__lte=seq, cable_rank__lte=2).latest("seq").seq
    assert newest_visible < seq
    assert "Latest checkpoint taken" in page and f"through event {newest_visible}." in page
    assert digest[:12] not in page and f"#{seq}" not in page


def test_finding6_a_failed_check_against_a_kept_checkpoint_shows(
    client: Client, frank: User, history: int, tmp_path: Path
) -> None:
    path = tmp_path / "head.json"
    call_command("audit_checkpoint", "--output", str(path), stdout=StringIO())
    allow_tampering()
    AuditEvent.objects.filter(seq=2).update(note="edited afterwards")
    with pytest.raises(CommandError):
        call_command("verify_audit", "--checkpoint", str(path), stdout=StringIO())
    client.force_login(frank)
    page = text(client.get("/audit/"))
    assert "UTC: FAILED" in page and "BROKEN at event 2" in page


def test_finding6_a_log_that_no_longer_extends_the_noted_checkpoint_is_broken(
    client: Client, frank: User, history: int, tmp_path: Path
) -> None:
    """The page checks the log against the latest noted checkpoint too: a head rewritten after
    it (the hash chain recomputed) shows as broken there."""
    call_command("audit_checkpoint", stdout=StringIO())
    noted = audit.latest(audit.CHECKPOINT_TAKEN)
    assert noted is not None
    target = AuditEvent.objects.get(seq=noted.after["seq"])
    allow_tampering()
    forged_hash = "f" * 64
    AuditEvent.objects.filter(seq=target.seq).update(hash=forged_hash)
    client.force_login(frank)
    assert f"BROKEN at event {target.seq}" in text(client.get("/audit/"))
