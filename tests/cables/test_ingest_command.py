"""python manage.py ingest: failure lines, the summary line and the exit status."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cables.models import Cable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
TOKYO = FIXTURES / "09TOKYO101.txt"

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
    except CommandError as e:
        return out.getvalue(), err.getvalue(), e
    return out.getvalue(), err.getvalue(), None


def test_it_prints_the_summary_and_succeeds() -> None:
    out, err, error = run(str(TOKYO), str(FIXTURES / "folder"))

    assert out.strip().splitlines()[-1] == "ingested 3, unchanged 0, conflicts 0, failed 0"
    assert err == ""
    assert error is None
    assert Cable.objects.count() == 3


def test_it_counts_unchanged_cables_on_a_second_run() -> None:
    run(str(TOKYO))

    out, _, error = run(str(TOKYO))

    assert out.strip() == "ingested 0, unchanged 1, conflicts 0, failed 0"
    assert error is None


def test_it_prints_one_line_per_failure_and_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Harad\u00e9".encode("latin-1"))

    out, err, error = run(str(TOKYO), str(empty), str(latin1))

    assert out.strip() == "ingested 1, unchanged 0, conflicts 0, failed 2"
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{empty}: ")
    assert lines[1].startswith(f"{latin1}: not UTF-8 text")
    assert error is not None


def test_it_fails_on_a_conflict(tmp_path: Path) -> None:
    run(str(TOKYO))
    changed = tmp_path / "09TOKYO101.txt"
    changed.write_text(TOKYO.read_text() + "\nADDED LINE")

    out, err, error = run(str(changed))

    assert out.strip() == "ingested 0, unchanged 0, conflicts 1, failed 0"
    assert err.strip() == f"{changed}: conflict: 09TOKYO101 is already stored with different text; skipped"
    assert error is not None


def test_it_shows_no_progress_bar_when_stdout_is_not_a_terminal() -> None:
    out, _, _ = run(str(TOKYO))

    assert "\r" not in out
    assert "cables (" not in out


def test_it_exits_non_zero_from_the_shell(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    db = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin"}
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True)

    result = subprocess.run(
        [sys.executable, manage, "ingest", str(empty)], env=env, capture_output=True, text=True
    )

    assert result.returncode == 1
    assert result.stdout.strip() == "ingested 0, unchanged 0, conflicts 0, failed 1"
    assert result.stderr.startswith(f"{empty}: ")


def test_its_progress_bar_follows_the_input_read(tmp_path: Path) -> None:
    from cables.ingest import Counts
    from cables.management.commands.ingest import progress_bar

    assert progress_bar(Counts(ingested=3, read_fraction=0.5), 12.0, width=10) == (
        "[#####-----]  50%  3 cables (12/s)"
    )


def test_it_knows_how_much_of_its_input_it_has_read() -> None:
    from cables.ingest import Ingester

    seen: list[float] = []
    ingester = Ingester(progress=lambda counts: seen.append(counts.read_fraction), batch_size=1)
    ingester.ingest_paths([FIXTURES / "cables.jsonl", FIXTURES / "folder"])
    assert seen == sorted(seen)
    assert 0 < seen[0] < 1 and seen[-1] == 1.0
