"""Release-copy benchmark: copies/s per format, leak check included, on 1,000 released reviews.

    .venv/bin/python bench/export.py [N]    (default 1,000 documents; 50 end-to-end releases)

Rendering: N ReleaseDocuments built directly (no database) from corpus cables
(../shared/corpus/cables, each used several times) with random decisions (seeded: the same
every run); each format is rendered and leak-checked (text extracted from the file itself).
End to end: reviews of real cables in a new temporary SQLite database, decided and approved
through the actions, then released one by one (render all three formats, check, store, audit).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def decisions_for(portions, rng):  # type: ignore[no-untyped-def]
    from cables.export import PortionDecision

    out = {}
    for p in portions:
        kind = rng.choice(["release"] * 5 + ["excise", "excise", "withhold", "refer"])
        if kind == "excise" and len(p.text) > 20:
            start = rng.randrange(0, len(p.text) - 10)
            out[p.order] = PortionDecision("excise", (), ((start, start + rng.randint(3, 10), ("B6",)),))
        elif kind in ("withhold", "refer"):
            out[p.order] = PortionDecision(kind, ("B1", "1.4(d)"))
        else:
            out[p.order] = PortionDecision("release")
    return out


def rendering(n: int, corpus: Path) -> None:
    from dataclasses import dataclass

    from cables.export import ReleaseDocument, check_leaks, extract, release_view, secrets_of
    from cables.formats import render
    from cables.parser import parse_cable

    @dataclass
    class P:
        order: int
        kind: str
        label: str
        marking: str
        text: str

    rng = random.Random(1744)
    cables = []
    for path in sorted((corpus / "cables").glob("*.txt")):
        parsed = parse_cable(path.read_text(encoding="utf-8"))
        cables.append(
            (parsed, [P(i, p.kind, p.label, p.marking, p.text) for i, p in enumerate(parsed.portions, 1)])
        )
    docs = []
    for i in range(n):
        parsed, portions = cables[i % len(cables)]
        decisions = decisions_for(portions, rng)
        doc = ReleaseDocument(
            reference_id=parsed.reference_id or f"DOC{i}",
            case_number=f"F-2026-{i + 1:05d}",
            doc_number=f"C{i + 1:08d}",
            release_date=date(2026, 11, 26),
            original_classification=parsed.classification or "CONFIDENTIAL",
            declassified_by="bench",
            authority="E.O. 13526",
            portions=tuple(release_view(portions, decisions)),
            codes=("B1", "1.4(d)", "B6"),
        )
        docs.append((doc, secrets_of(portions, decisions)))
    print(f"rendering + leak check, {n:,} documents from {len(cables)} corpus cables:")
    for fmt in ("txt", "html", "pdf"):
        started = time.perf_counter()
        size = 0
        for doc, secrets in docs:
            data = render(doc, fmt)
            check_leaks(fmt, extract(fmt, data), doc, secrets)
            size += len(data)
        elapsed = time.perf_counter() - started
        print(f"  {fmt:4} {n / elapsed:8,.0f} copies/s  ({elapsed:.2f} s, {size / n / 1000:.1f} kB per copy)")


def end_to_end(n: int, corpus: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="declass-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        import django

        django.setup()
        from django.contrib.auth.models import Group, User
        from django.core.management import call_command

        from accounts.models import Profile
        from accounts.roles import RELEASER, REVIEWER, SUPERVISOR
        from cables.ingest import ingest_cable
        from review import actions, mosaic_status
        from review.decisions import DecisionRequest, SpanRequest

        call_command("migrate", verbosity=0)
        users = {}
        for name, role in (("rev", REVIEWER), ("sup", SUPERVISOR), ("sup2", SUPERVISOR), ("rel", RELEASER)):
            user = User.objects.create(username=name)
            Profile.objects.create(user=user, clearance="TS")
            user.groups.add(Group.objects.get(name=role))
            users[name] = User.objects.get(pk=user.pk)
        rng = random.Random(1744)
        approved = []
        for path in sorted((corpus / "cables").glob("*.txt"))[:n]:
            cable = ingest_cable(path.read_text(encoding="utf-8"), source=path.name, reference_id=path.stem)
            review = actions.open_review(cable, actor=users["sup"])
            review = actions.assign(review, actor=users["sup"], reviewer=users["rev"])
            review = actions.start(review, actor=users["rev"])
            for p in cable.portions.all():
                request = DecisionRequest("release")
                if rng.random() < 0.2 and len(p.text) > 20:
                    request = DecisionRequest("excise", (), "bench", spans=(SpanRequest(3, 12, ("B6",)),))
                elif rng.random() < 0.1:
                    request = DecisionRequest("withhold", ("B5",), "bench")
                actions.decide(review, p, request, actor=users["rev"])
            # Random excisions leave mosaic findings: released on purpose here (the gate needs it).
            for status in mosaic_status.for_review(review).open:
                actions.acknowledge_mosaic(review, status.finding.key, "bench", actor=users["rev"])
            review = actions.submit(review, actor=users["rev"])
            keys = [s.finding.key for s in mosaic_status.for_review(review)]
            approved.append(actions.approve(review, actor=users["sup2"], confirm_mosaic=keys))
        started = time.perf_counter()
        for review in approved:
            actions.release(review, actor=users["rel"])
        elapsed = time.perf_counter() - started
        print(
            "end to end (release action: render 3 formats, check, store, audit; SQLite), "
            f"{len(approved)} reviews:\n"
            f"  {len(approved) / elapsed:8,.1f} releases/s  ({elapsed:.2f} s)"
        )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from cables.corpus import corpus_or_exit

    corpus = corpus_or_exit()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rendering(n, corpus)
    end_to_end(50, corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
