"""The twin property on many real cables: nothing a release redacts shapes what it releases.

    .venv/bin/python bench/twin.py [N]    (default 300 cables)

For each of N real cables (the 239 of ../shared/corpus/cables, then the bulk file's in order),
in a new temporary SQLite database: random decisions (Hypothesis, fixed seed: excised spans
mid-word, across line breaks, around punctuation and on repeated words; withheld and referred
portions), a twin cable whose redacted characters are random text of other lengths, both released
through the real actions, and every output compared (txt, HTML, PDF bytes, reading-room page,
redaction-log CSVs, export folder; tests/review/twin.py). Every redacted string is also searched
for in every output of its own cable. Prints cables, decisions, strings checked, leaks and
mismatches; exits 1 on any leak or mismatch (or when no cable could be read).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cables(corpus: Path, n: int) -> Iterator[tuple[str, str, str]]:
    """(reference id, text, source) of the first n cables."""
    from cables.corpus import iter_bulk

    seen = set()
    for path in sorted((corpus / "cables").glob("*.txt")):
        if len(seen) >= n:
            return
        seen.add(path.stem)
        yield path.stem, path.read_text(encoding="utf-8"), f"cables/{path.name}"
    bulk = corpus / "bulk" / "cables.jsonl.gz"
    if not bulk.is_file():
        return
    for number, record in enumerate(iter_bulk(bulk), start=1):
        if len(seen) >= n:
            return
        ref = str(record["reference_id"])
        if ref not in seen:
            seen.add(ref)
            yield ref, str(record["text"]), f"bulk#record {number}"


def run(n: int, corpus: Path) -> int:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from accounts.models import Profile
    from accounts.roles import RELEASER, REVIEWER, SUPERVISOR
    from cables.ingest import IngestError, ingest_cable
    from tests.review.twin import Outcome, check_twins

    setup_test_environment()  # the test client's host
    call_command("migrate", verbosity=0)
    users = {}
    for name, role in (("reviewer", REVIEWER), ("supervisor", SUPERVISOR), ("releaser", RELEASER)):
        user = User.objects.create(username=name)
        Profile.objects.create(user=user, clearance="TS")
        user.groups.add(Group.objects.get(name=role))
        users[name] = User.objects.get(pk=user.pk)

    outcomes: list[Outcome] = []
    unreadable = 0
    started = time.perf_counter()
    for ref, text, source in cables(corpus, n):
        try:
            cable = ingest_cable(text, source=source, reference_id=ref)
        except IngestError as e:
            unreadable += 1
            print(f"  {ref}: not ingested ({e})", file=sys.stderr)
            continue

        @settings(
            max_examples=1,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def once(data: st.DataObject) -> None:
            outcomes.append(check_twins(data.draw, cable, users))  # noqa: B023 (run at once)

        once()
        last = outcomes[-1]
        for problem in last.leaks + last.mismatches:
            print(f"  {last.reference_id}: {problem}", file=sys.stderr)
        if len(outcomes) % 25 == 0:
            print(f"  ... {len(outcomes)} cables", file=sys.stderr)
    elapsed = time.perf_counter() - started

    leaks = sum(len(o.leaks) for o in outcomes)
    mismatches = sum(len(o.mismatches) for o in outcomes)
    print(f"twin property, {len(outcomes)} cables (SQLite, {elapsed:.0f} s):")
    print(f"  cables            {len(outcomes):10,}")
    print(f"  decisions         {sum(o.decisions for o in outcomes):10,}  (each cable and its twin)")
    print(f"  strings checked   {sum(o.strings_checked for o in outcomes):10,}")
    print(f"  leaks             {leaks:10,}")
    print(f"  mismatches        {mismatches:10,}")
    if unreadable:
        print(f"  not ingested      {unreadable:10,}")
    ok = outcomes and not leaks and not mismatches
    print("OK" if ok else "FAILED: see above")
    return 0 if ok else 1


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from cables.corpus import corpus_or_exit

    corpus = corpus_or_exit()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="declass-twin-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'twin.sqlite3'}"
        return run(n, corpus)


if __name__ == "__main__":
    sys.exit(main())
