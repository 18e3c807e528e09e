"""Sensitivity triage measured on the bulk corpus: recall of classified portions, false-positive
rate and ROC AUC, on a split by cable and a split by time.

    .venv/bin/python bench/triage.py [--bulk PATH] [--cables DIR]

Reads ../shared/corpus/bulk/cables.jsonl.gz and ../shared/corpus/cables/*.txt (a cable in both is
read once), parses each cable (cables/parser/) and keeps the portions their authors marked
(aids/sensitivity.py trainable()). Each split keeps the same and nearly the same passages (the
consistency fingerprints and band keys) off opposite sides; the operating threshold is chosen from
out-of-fold scores of the training side alone. Target (issue 18): recall >= 0.90 with a
false-positive rate <= 0.10 on both splits; exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aids import sensitivity  # noqa: E402
from cables.corpus import corpus_dir, iter_bulk  # noqa: E402
from cables.parser import parse_cable  # noqa: E402


def read(bulk: Path, folder: Path | None) -> list[sensitivity.Example]:
    texts: dict[str, tuple[str, int | None]] = {}
    for record in iter_bulk(bulk):
        created = str(record.get("created") or "")
        texts[str(record["reference_id"])] = (
            str(record["text"]),
            int(created[:4]) if created[:4].isdigit() else None,
        )
    if folder is not None:
        for path in sorted(folder.glob("*.txt")):
            texts.setdefault(path.stem, (path.read_text(encoding="utf-8"), None))
    examples = []
    for ref, (text, year) in sorted(texts.items()):
        cable = parse_cable(text, known_id=ref)
        if year is None:
            year = cable.sent_at.year if cable.sent_at else None
        for p in cable.portions:
            if sensitivity.trainable(p.kind, p.label, p.marking, p.level):
                examples.append(sensitivity.example(ref, year, p.kind, p.label, p.text, p.level))
    return examples


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> int:
    corpus = corpus_dir()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", type=Path, default=corpus / "bulk" / "cables.jsonl.gz" if corpus else None)
    parser.add_argument("--cables", type=Path, default=corpus / "cables" if corpus else None)
    args = parser.parse_args()
    if args.bulk is None or not args.bulk.exists():
        print("no bulk corpus found (../shared/corpus/bulk/cables.jsonl.gz; or pass --bulk)", file=sys.stderr)
        return 2
    t = time.monotonic()
    sum(range(10**8))
    print(f"calibration: sum(range(10**8)) {time.monotonic() - t:.2f} s")
    started = time.monotonic()
    examples = read(args.bulk, args.cables)
    summary = sensitivity.summary(examples)
    print(
        f"{summary['portions']:,} marked portions in {summary['cables']:,} cables "
        f"({summary['classes']['classified']:,} classified, {summary['classes']['unclassified']:,} not), "
        f"years {summary['years'][0]}-{summary['years'][1]}; read in {time.monotonic() - started:.0f} s"
    )
    year = sensitivity.first_test_year(examples)
    splits = [sensitivity.split_by_cable(examples)]
    if year is not None:
        splits.append(sensitivity.split_by_time(examples, year))
    missed = []
    print(
        f"target: recall >= {sensitivity.TARGET_RECALL:.2f} with false-positive rate <= "
        f"{sensitivity.TARGET_FPR:.2f}, threshold chosen on the training side"
    )
    for split in splits:
        t = time.monotonic()
        f = sensitivity.evaluate(examples, split)
        print(
            f"\n{f.split} ({f.describe}): train {f.train_portions:,} portions / {f.train_cables:,} cables, "
            f"test {f.test_portions:,} portions ({f.test_classified:,} classified) / {f.test_cables:,} "
            f"cables, {f.dropped_repeats:,} test passages dropped as repeats of training ones"
        )
        print(
            f"  portion level: threshold {f.threshold:.3f}  recall {fmt(f.recall)}  "
            f"false-positive rate {fmt(f.false_positive_rate)}  ROC AUC {fmt(f.auc)}  "
            f"{'MET' if f.met else 'MISSED'}"
        )
        print(
            f"  cable level (highest portion score; for the Souza et al. 2016 anchor): threshold "
            f"{f.cable_threshold:.3f}  recall {fmt(f.cable_recall)}  false-positive rate "
            f"{fmt(f.cable_false_positive_rate)}  ROC AUC {fmt(f.cable_auc)}  ({time.monotonic() - t:.0f} s)"
        )
        if not f.met:
            missed.append(f.split)
    if missed:
        print(f"\nMISSED on: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
