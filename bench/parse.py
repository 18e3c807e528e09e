"""Parser throughput on the bulk corpus, parse time of pathological inputs, and REF resolution.

    .venv/bin/python bench/parse.py [path/to/cables.jsonl.gz] [--rounds N] [--against OLD]

Prints MB/s and cables/s on one core (best of N rounds, CPU time of this process), and the same for
the floor, a bare scan of the same text (split into lines, one anchored regular expression tried on
each), timed in the same rounds, with the parser's time as a multiple of it (target 3x); then the time of
each bad input against its budget (1 s each, 5 s for 50 MB), then the share of REF items citing a
cable (a post name and a serial number) that got a reference id (target 98%), listing the ones that
did not. Exits 1 if a target is missed. With --against, it instead times another version of the
parser (OLD: a single-file parser, e.g. `git show 469dae8:cables/parser.py > /tmp/old_parser.py`, or
the root of another checkout, e.g. `git worktree add /tmp/old 0dda813`) and this one in the
same process, interleaved round by round (old, new, new, old, ...), which a shared machine's load
swings less than two separate runs, and exits 1 if this one is slower.
Not a test: run by hand, record the figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cables.corpus import corpus_dir, iter_bulk  # noqa: E402
from cables.parser import ParseError, parse_cable  # noqa: E402

TARGET_MB_S = 25.0
TARGET_REF_RESOLVED = 0.98
TARGET_FLOOR_RATIO = 3.0  # issue 16: the parser within 3x a bare scan of the same text

# The floor: the least a line-by-line parser does, a split into lines and one anchored regular
# expression tried on each (the paragraph-number test, the one the body tries most).
_FLOOR_RE = re.compile(r"(\d{1,3})\s?\.(?=\s|\(|$)")


def floor_scan(texts: list[str]) -> int:
    """Split each text into lines and try one anchored regular expression on each; the matches."""
    match = _FLOOR_RE.match
    found = 0
    for text in texts:
        for line in text.split("\n"):
            if match(line):
                found += 1
    return found


def parse_all(texts: list[str]) -> int:
    """Parse each text; the portions."""
    return sum(len(parse_cable(text).portions) for text in texts)


# A REF item cites a cable when it names a post (capitalised words) and a serial number; words that
# name other kinds of document (e-mails, telcons, laws, months) are not posts.
_CITES_CABLE_RE = re.compile(
    r"(?:^|[\s(;,])(?:(?:19|20)?\d\d\s+)?([A-Z][A-Z'-]+(?:\s[A-Z][A-Z'-]+){0,2})\s*#?\s*\d{1,7}(?![\d/:.A-Z-])"
)
_NOT_CABLE_WORDS = frozenset(
    "EMAIL E-MAIL E-MAILS EMAILS TELCON TELCONS MEMCON MEMO LETTER FAX FAM UNSCR RESOLUTION RESOLUTIONS LAW"
    " ARTICLE ARTICLES PARA PARAS PARAGRAPH SECTION IIR TD TDX DTG NO NUMBER PAGE OF AND DATED FY PL HR"
    " CFR USC REPORT DIPNOTE NOTE DECREE ACT CODE CASE CIRCULAR TELEGRAM BILL ITEM ANNEX VOL VOLUME CHAPTER"
    " JANUARY FEBRUARY MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER"
    " JAN FEB MAR APR JUN JUL AUG SEP SEPT OCT NOV DEC ON OF FROM TO THE IN AT".split()
)


def cites_cable(text: str) -> bool:
    """True when a REF item's text names a post and a serial number (whether or not it resolves)."""
    for m in _CITES_CABLE_RE.finditer(text.upper()):
        words = m.group(1).split()
        if words[-1] not in _NOT_CABLE_WORDS and not any(w in _NOT_CABLE_WORDS for w in words[-1:]):
            return True
    return False


def reference_resolution(records: list[dict[str, object]]) -> tuple[int, list[tuple[str, str]]]:
    """(REF items citing a cable, [(cable, item text) of those without a reference id])."""
    citing = 0
    unresolved: list[tuple[str, str]] = []
    for record in records:
        ref_id = str(record["reference_id"])
        for ref in parse_cable(str(record["text"]), known_id=ref_id).references:
            if cites_cable(ref.text):
                citing += 1
                if not ref.reference_id:
                    unresolved.append((ref_id, ref.text))
    return citing, unresolved


def bad_inputs(seed: str) -> dict[str, tuple[str, float]]:
    """name -> (text, budget in seconds)."""
    return {
        "empty": ("", 1),
        "NUL bytes": ("VZCZC" + "\x00" * 1000 + seed, 1),
        "binary (control characters)": ("".join(chr(1 + i % 31) for i in range(1_000_000)), 1),
        "1,000,000-character line": ("A" * 1_000_000, 1),
        "1,000,000 characters of words": ("WORD " * 200_000, 1),
        "100,000 '('": ("(" * 100_000, 1),
        "100,000 '(' after a paragraph number": ("1. " + "(" * 100_000, 1),
        "100,000 '(C' pairs": ("1. " + "(C" * 100_000, 1),
        "truncated cable": (seed[: len(seed) // 3], 1),
        "50 MB of cables": (seed * (50_000_000 // len(seed) + 1), 5),
    }


def load_other(other: Path) -> object:
    """Another version of the parser: a single `parser.py` (before the split into cables/parser/), or
    the root of another checkout, whose `cables.parser` is imported under its own modules and then
    set aside, so that this checkout's stays the one `cables.parser` names."""
    if other.is_file():
        spec = importlib.util.spec_from_file_location("other_parser", other)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["other_parser"] = module
        spec.loader.exec_module(module)
        return module
    ours = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] == "cables"}
    sys.path.insert(0, str(other.resolve()))
    try:
        module = importlib.import_module("cables.parser")
    finally:
        sys.path.remove(str(other.resolve()))
        for name in [n for n in sys.modules if n.split(".")[0] == "cables"]:
            del sys.modules[name]  # the other version's modules live on through its functions
        sys.modules.update(ours)
    return module


def compare(texts: list[str], size: int, other: Path, rounds: int) -> int:
    """Time `other` (see load_other) and this parser interleaved; 1 if this one's best is slower."""
    old = load_other(other)
    best = {"other": float("inf"), "this": float("inf")}
    for n in range(1, rounds + 1):
        order = [("other", old.parse_cable), ("this", parse_cable)]
        for name, parse in order if n % 2 else order[::-1]:  # each goes first in every other round
            start = time.process_time()
            for text in texts:
                parse(text)
            elapsed = time.process_time() - start
            best[name] = min(best[name], elapsed)
            print(f"  round {n} {name:5}: {elapsed:.2f} s  {size / 1e6 / elapsed:.1f} MB/s")
    for name, elapsed in best.items():
        print(
            f"{name} ({other if name == 'other' else 'cables/parser/'}): {size / 1e6 / elapsed:.1f} MB/s, "
            f"{len(texts) / elapsed:.0f} cables/s (best of {rounds})"
        )
    ratio = best["this"] / best["other"]
    verdict = "not slower" if ratio <= 1 else "SLOWER"
    print(f"this parser takes {ratio:.3f} times the other's time ({verdict})")
    return 0 if ratio <= 1 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--against", type=Path, help="another version to compare with: an old parser.py, or a checkout's root"
    )
    args = parser.parse_args()
    root = corpus_dir()
    path = args.path or (root / "bulk" / "cables.jsonl.gz" if root else None)
    if path is None or not path.exists():
        print("no bulk corpus found: pass its path", file=sys.stderr)
        return 2

    records = list(iter_bulk(path))
    texts = [str(r["text"]) for r in records]
    size = sum(len(t.encode("utf-8")) for t in texts)
    print(
        f"declass parser benchmark, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{platform.machine()}"
    )
    print(f"corpus: {path} ({len(texts)} cables, {size / 1e6:.1f} MB of text)")
    if args.against:
        return compare(texts, size, args.against, args.rounds)
    # The parser and the floor in the same rounds, each first in every other round, so that the
    # ratio holds on a machine whose load changes while it runs.
    best = {"parse": float("inf"), "floor": float("inf")}
    for n in range(1, args.rounds + 1):
        order = [("parse", parse_all), ("floor", floor_scan)]
        for name, run in order if n % 2 else order[::-1]:
            start = time.process_time()
            run(texts)
            elapsed = time.process_time() - start
            best[name] = min(best[name], elapsed)
            print(
                f"  round {n} {name:5}: {elapsed:.3f} s  {size / 1e6 / elapsed:.1f} MB/s  "
                f"{len(texts) / elapsed:.0f} cables/s"
            )
    rate = size / 1e6 / best["parse"]
    ok = rate >= TARGET_MB_S
    print(
        f"parse: {rate:.1f} MB/s, {len(texts) / best['parse']:.0f} cables/s on one core "
        f"(target {TARGET_MB_S:.0f} MB/s: {'met' if ok else 'MISSED'})"
    )
    ratio = best["parse"] / best["floor"]
    within = ratio <= TARGET_FLOOR_RATIO
    ok = ok and within
    print(
        f"floor (split into lines, one anchored regular expression per line): "
        f"{size / 1e6 / best['floor']:.1f} MB/s; the parser takes {ratio:.1f}x the floor's time "
        f"(target {TARGET_FLOOR_RATIO:.0f}x: {'met' if within else 'MISSED'})"
    )

    seed = texts[0] if root is None else (root / "seed" / "07TOKYO1744.txt").read_text(encoding="utf-8")
    print("bad inputs:")
    for name, (text, budget) in bad_inputs(seed).items():
        start = time.process_time()
        try:
            cable = parse_cable(text)
            outcome = f"parsed, {len(cable.portions)} portions, {len(cable.warnings)} warnings"
        except ParseError as e:
            outcome = f"refused: {e}"
        elapsed = time.process_time() - start
        within = elapsed <= budget
        ok = ok and within
        print(
            f"  {name:40} {len(text) / 1e6:6.2f} M chars {elapsed:6.3f} s (budget {budget} s"
            f"{'' if within else ', EXCEEDED'}) {outcome[:70]}"
        )

    citing, unresolved = reference_resolution(records)
    share = 1 - len(unresolved) / citing if citing else 1.0
    met = share >= TARGET_REF_RESOLVED
    ok = ok and met
    print(
        f"references: {citing - len(unresolved)} of {citing} REF items citing a cable have a reference id "
        f"({share:.2%}; target {TARGET_REF_RESOLVED:.0%}: {'met' if met else 'MISSED'}); unresolved:"
    )
    for ref_id, text in unresolved:
        print(f"  {ref_id}: {' '.join(text.split())[:100]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
