"""manage.py export: the stored copies, re-checked, with the redaction log and a manifest."""

from __future__ import annotations

import csv
import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from cables import formats
from cables.models import Cable
from release import redaction_log
from review import actions
from review import release as release_copies
from review.models import ReleaseCopy, Review
from tests.review.conftest import RELEASE, WITHHOLD_B1
from tests.review.test_release import approved, approved_seed, seed  # noqa: F401


def released_with(cable: Cable, alice: User, bob: User, erin: User) -> Review:
    """The small SECRET cable released with paragraph 1 withheld."""
    review = actions.open_review(cable, actor=bob)
    review = actions.assign(review, actor=bob, reviewer=alice)
    review = actions.start(review, actor=alice)
    for p in cable.portions.all():
        actions.decide(review, p, WITHHOLD_B1 if p.label == "1" else RELEASE, actor=alice)
    review = actions.submit(review, actor=alice)
    return actions.release(actions.approve(review, actor=bob), actor=erin)


@pytest.fixture
def released(cable: Cable, alice: User, bob: User, erin: User) -> Review:
    return released_with(cable, alice, bob, erin)


def run(*args: str) -> str:
    out = StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def test_it_exports_every_released_cable_with_log_and_manifest(
    released: Review,
    approved: Review,  # noqa: F811 - the fixture imported above
    erin: User,
    tmp_path: Path,
) -> None:
    actions.release(approved, actor=erin)
    output = run("--released", "--out", str(tmp_path))
    assert "exported 2 cables" in output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "07TOKYO1744.html",
        "07TOKYO1744.pdf",
        "07TOKYO1744.txt",
        "09ANKARA100.html",
        "09ANKARA100.pdf",
        "09ANKARA100.txt",
        "manifest.json",
        "redaction-log.csv",
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    copy = ReleaseCopy.objects.get(review=released)
    assert (tmp_path / "09ANKARA100.pdf").read_bytes() == bytes(copy.pdf)
    assert "Ali Bey" not in (tmp_path / "09ANKARA100.txt").read_text()
    rows = list(csv.reader((tmp_path / "redaction-log.csv").open()))
    assert rows[0] == list(redaction_log.REDACTION_LOG_HEADER[:-1])  # no justifications
    withheld = ["09ANKARA100", "1", "paragraph 1", "withhold", "B1; 1.4(D)"]
    assert withheld in rows
    event = AuditEvent.objects.latest("seq")
    assert event.action == "export.bulk"
    assert event.after["copies"] == [["07TOKYO1744", 1], ["09ANKARA100", 1]]


def test_finding10_the_bulk_export_leaves_out_justifications_unless_asked(
    released: Review, tmp_path: Path
) -> None:
    run("--released", "--out", str(tmp_path / "public"))
    log = (tmp_path / "public" / "redaction-log.csv").read_text()
    assert "justification" not in log
    assert "names a confidential source" not in log

    err = StringIO()
    full = tmp_path / "full"
    args = ["--released", "--with-justifications", "--out", str(full)]
    call_command("export", *args, stdout=StringIO(), stderr=err)
    assert "warning: redaction-log.csv will hold the reviewers' justifications" in err.getvalue()
    rows = list(csv.reader((tmp_path / "full" / "redaction-log.csv").open()))
    assert rows[0] == list(redaction_log.REDACTION_LOG_HEADER)
    withheld = ["09ANKARA100", "1", "paragraph 1", "withhold", "B1; 1.4(D)", "names a confidential source"]
    assert withheld in rows
    assert AuditEvent.objects.filter(action="export.bulk").latest("seq").after["justifications"] is True


def test_it_exports_one_cable_in_the_formats_asked(released: Review, tmp_path: Path) -> None:
    run("09ankara100", "--out", str(tmp_path), "--format", "txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "09ANKARA100.txt",
        "manifest.json",
        "redaction-log.csv",
    ]
    assert AuditEvent.objects.latest("seq").action == "export.cable"


def test_it_refuses_a_cable_never_released(cable: Cable, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="09ANKARA100: no released copy"):
        run("09ANKARA100", "--out", str(tmp_path))


def test_it_refuses_an_unknown_format(released: Review, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown format docx"):
        run("--released", "--out", str(tmp_path), "--format", "txt,docx")


def test_a_stored_copy_that_leaks_is_not_exported(
    cable: Cable, alice: User, bob: User, erin: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy stored by a release whose leak check was broken (as a bug might): the export re-checks.
    secret = cable.portions.get(label="1").text
    with monkeypatch.context() as m:
        m.setattr(release_copies, "check_leaks", lambda *args: None)
        m.setattr(formats, "render_text", lambda doc: f"{doc.page_header}\n{secret}\n")
        released_with(cable, alice, bob, erin)
    with pytest.raises(CommandError, match="leak check failed: the TXT copy of 09ANKARA100"):
        run("--released", "--out", str(tmp_path))
    assert not (tmp_path / "09ANKARA100.txt").exists()
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.after["format"], event.after["during"]) == (
        "export.leak_blocked",
        "txt",
        "export",
    )
    assert "Ali Bey" not in event.note
