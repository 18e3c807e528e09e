"""Redaction rules' previews on the bulk corpus: time, cables the search index lets the preview
read, and the counts against a direct count that reads every portion.

    .venv/bin/python bench/rules.py [--database-url URL] [--target-s 5.0]

The database defaults to var/rules-bench.sqlite3, made on the first run (migrate, then `manage.py
ingest --bulk` of ../shared/corpus/bulk/cables.jsonl.gz: 6,575 cables, a few minutes) and kept.
A TOP SECRET supervisor makes each rule below; for each, the preview runs (best of RUNS) and a
direct count reads every portion of every cable with the same matcher (review.rules.direct_counts).

- A term rule must give exactly the direct count per cable (the index only narrows what is read).
- A pattern rule for every cable matches only in cables holding its index words (docs/rules.md);
  the bench prints how many matches the direct count finds in cables without them, which is what
  the index words cost.

Prints one line per rule and exits 1 when a term rule's counts differ from the direct count or a
preview takes longer than the target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 3
DEFAULT_DB = ROOT / "var" / "rules-bench.sqlite3"
BULK = ROOT.parent / "shared" / "corpus" / "bulk" / "cables.jsonl.gz"

RULES = [
    ("source markers", "terms", {"terms": "PROTECT\nSTRICTLY PROTECT"}),
    ("leaders' names", "terms", {"terms": "Karzai\nChavez\nBerlusconi\nMedvedev\nAhmadinejad"}),
    ("a common word", "terms", {"terms": "minister"}),
    ("passport numbers", "pattern", {"pattern": r"\b[A-Z]{1,2}[0-9]{6,9}\b", "index_words": "passport"}),
    (
        "phone numbers",
        "pattern",
        {"pattern": r"\b[0-9]{2,4}[-. ][0-9]{3,4}[-. ][0-9]{3,4}\b", "index_words": "tel"},
    ),
]


def setup(database_url: str | None) -> None:
    fresh = False
    if database_url is None:
        DEFAULT_DB.parent.mkdir(exist_ok=True)
        fresh = not DEFAULT_DB.exists()
        database_url = f"sqlite:///{DEFAULT_DB}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from cables.models import Cable

    if fresh or not Cable.objects.exists():
        started = time.perf_counter()
        call_command("ingest", str(BULK), "--bulk", verbosity=0)
        print(f"ingested {Cable.objects.count():,} cables in {time.perf_counter() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--target-s", type=float, default=5.0, help="slowest preview, seconds")
    args = parser.parse_args()
    if args.database_url is None and not BULK.exists():
        print(f"no bulk corpus at {BULK}", file=sys.stderr)
        return 2
    setup(args.database_url)

    from django.contrib.auth.models import Group, User

    from accounts.models import Profile
    from accounts.roles import SUPERVISOR
    from cables.access import visible_cables
    from cables.models import Cable, Portion
    from review import rules
    from review.models import RedactionRule

    user, made = User.objects.get_or_create(username="bench-rules-supervisor")
    if made:
        Profile.objects.create(user=user, clearance="TS")
        user.groups.add(Group.objects.get(name=SUPERVISOR))
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    cables, portions = Cable.objects.count(), Portion.objects.count()
    print(f"{cables:,} cables, {portions:,} portions")
    failed = False
    for name, kind, fields in RULES:
        content = rules.check_content(kind, codes=["B6"], justification="bench", **fields)
        rule = RedactionRule.objects.filter(name=f"bench: {name}").first()
        if rule is None:
            rule = rules.create_rule(actor=user, name=f"bench: {name}", content=content, level="TS")
        version = rule.current()
        read = rules.candidates(version, visible_cables(user)).count()
        best = float("inf")
        for _ in range(RUNS):
            started = time.perf_counter()
            preview = rules.preview(rule, version, user)
            best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        direct = rules.direct_counts(version, visible_cables(user))
        direct_s = time.perf_counter() - started
        counts = {row.reference_id: row.count for row in preview.rows}
        listed_equal = all(direct.get(ref) == n for ref, n in counts.items())
        total_direct = sum(direct.values())
        line = (
            f"{name:18} preview {best:6.2f} s, {read:,} of {cables:,} cables found by the index;"
            f" {preview.matches:,} matches in {preview.cables:,} cables"
            f" | direct {direct_s:6.2f} s: {total_direct:,} matches in {len(direct):,}"
        )
        if kind == "terms":
            same = preview.matches == total_direct and preview.cables == len(direct) and listed_equal
            line += " | equal" if same else " | DIFFERENT"
            failed |= not same
        else:
            line += (
                f" | {total_direct - preview.matches:,} matches in cables without '{fields['index_words']}'"
            )
        if best > args.target_s:
            line += f" | SLOWER than {args.target_s} s"
            failed = True
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
