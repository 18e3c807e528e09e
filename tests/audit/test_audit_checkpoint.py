"""audit_checkpoint: the head of the audit log as one JSON object, printed and optionally written."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import log as audit
from audit.models import AuditEvent


def audit_checkpoint(*args: str) -> str:
    out = StringIO()
    call_command("audit_checkpoint", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create(username="alice")


def test_it_prints_the_head(user: User) -> None:
    audit.record(user, "auth.login", user)
    last = audit.record(user, "auth.logout", user)

    out = audit_checkpoint()

    assert out.count("\n") == 1
    assert json.loads(out) == {"seq": 2, "hash": last.hash, "at": last.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}


def test_it_writes_the_same_to_a_file(user: User, tmp_path: Path) -> None:
    audit.record(user, "auth.login", user)
    path = tmp_path / "head.json"

    out = audit_checkpoint("--output", str(path))

    assert path.read_text() == out
    # The head when it was taken (the checkpoint is then noted in the log, after it).
    assert audit.parse_checkpoint(path.read_text()) == (1, AuditEvent.objects.get(seq=1).hash)


def test_an_empty_log_has_the_genesis_head(db: None) -> None:
    assert json.loads(audit_checkpoint()) == {"seq": 0, "hash": audit.GENESIS, "at": None}


def test_it_says_in_one_line_when_it_cannot_write(user: User, tmp_path: Path) -> None:
    path = tmp_path / "missing" / "head.json"

    with pytest.raises(CommandError) as excinfo:
        audit_checkpoint("--output", str(path))

    assert str(excinfo.value) == f"checkpoint {path}: cannot write it: No such file or directory"
