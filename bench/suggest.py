"""Precision and recall of declass's name suggestions on a hand-checked sample of corpus portions.

    .venv/bin/python bench/suggest.py [--verbose] [--fixture PATH]

The sample (tests/fixtures/suggest/names_sample.json; its "about" says how it was drawn and
labelled) holds portions of real cables with the person names a reader wrote down by hand. The
detector (cables/names.py) runs on each portion's text with the cable's TAGS and SUBJECT as
context. A suggested span is correct if it overlaps a labelled name (precision); a labelled name
is found if a suggested span overlaps it (recall). Printed overall and per evidence kind (recall
per kind counts the labelled names that kind found), with the errors under --verbose.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cables.names import Name, find_names  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "suggest" / "names_sample.json"


@dataclass
class Score:
    suggested: int = 0
    correct: int = 0
    labelled: int = 0
    found: int = 0
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def detect(portion: dict[str, Any]) -> list[Name]:
    return find_names(portion["text"], tags=portion.get("tags", []), context=[portion.get("subject", "")])


def measure(portions: list[dict[str, Any]]) -> tuple[Score, dict[str, Score], Counter[str]]:
    """Overall score, scores per evidence kind, and role agreement counts (public/private)."""
    overall = Score()
    kinds: dict[str, Score] = {}
    roles: Counter[str] = Counter()
    for portion in portions:
        names = detect(portion)
        where = f"{portion['id']} {portion['reference_id']}#{portion['order']}"
        for name in names:
            score = kinds.setdefault(name.kind, Score())
            hit = [n for n in portion["names"] if _overlaps((name.start, name.end), (n["start"], n["end"]))]
            for s in (overall, score):
                s.suggested += 1
                s.correct += bool(hit)
            if not hit:
                for s in (overall, score):
                    s.false_positives.append(f"{where}: {name.text!r} ({name.evidence})")
            elif hit[0]["role"] in ("public", "private") and name.public is not None:
                roles["agree" if name.public == (hit[0]["role"] == "public") else "disagree"] += 1
            elif hit[0]["role"] in ("public", "private"):
                roles["unknown"] += 1
        for label in portion["names"]:
            overall.labelled += 1
            by = [n for n in names if _overlaps((n.start, n.end), (label["start"], label["end"]))]
            if by:
                overall.found += 1
                kind = kinds[by[0].kind]
                kind.found += 1
            else:
                overall.missed.append(f"{where}: {label['text']!r}")
        for kind_score in kinds.values():
            kind_score.labelled = overall.labelled
    return overall, kinds, roles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every false positive and miss")
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    args = parser.parse_args()
    data = json.loads(args.fixture.read_text(encoding="utf-8"))
    portions = data["portions"]
    overall, kinds, roles = measure(portions)
    with_names = sum(1 for p in portions if p["names"])
    print(f"{len(portions)} portions ({with_names} with a name), {overall.labelled} labelled names")
    print(f"match rule: {data['match_rule']}")
    print(f"{'evidence':<14} {'suggested':>9} {'correct':>8} {'precision':>9} {'found':>6} {'recall':>7}")
    rows = [("overall", overall), *sorted(kinds.items())]
    for label, s in rows:
        print(
            f"{label:<14} {s.suggested:>9} {s.correct:>8} {s.precision:>9.3f} {s.found:>6} {s.recall:>7.3f}"
        )
    print("(recall per kind: the share of all labelled names that kind found first)")
    strata = sorted({p["stratum"] for p in portions})
    for stratum in strata:
        s, _, _ = measure([p for p in portions if p["stratum"] == stratum])
        print(f"stratum {stratum}: precision {s.precision:.3f}, recall {s.recall:.3f} ({s.labelled} names)")
    decided = roles["agree"] + roles["disagree"]
    if decided:
        print(
            f"public/private: {roles['agree']} of {decided} found names with a known role taken the "
            f"same way as the label ({roles['agree'] / decided:.3f}); {roles['unknown']} left undecided"
        )
    if args.verbose:
        print("\nfalse positives:")
        print("\n".join(f"  {e}" for e in overall.false_positives) or "  none")
        print("\nmissed:")
        print("\n".join(f"  {e}" for e in overall.missed) or "  none")


if __name__ == "__main__":
    main()
