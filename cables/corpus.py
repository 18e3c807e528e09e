"""Where the sample corpus lives: the seed cable, the 239 cables with metadata, the bulk file.

It sits beside the checkout (`../shared/corpus`); DECLASS_CORPUS points elsewhere.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def corpus_dir() -> Path | None:
    candidates = [
        os.environ.get("DECLASS_CORPUS", ""),
        BASE_DIR.parent / "shared" / "corpus",
        "/work/shared/corpus",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "cables").is_dir():
            return Path(candidate)
    return None


def corpus_or_exit() -> Path:
    """The corpus, or exit with status 1 saying where it was looked for (the benchmarks)."""
    corpus = corpus_dir()
    if corpus is None:
        print("no corpus at ../shared/corpus (or DECLASS_CORPUS)", file=sys.stderr)
        raise SystemExit(1)
    return corpus


def iter_bulk(path: Path) -> Iterator[dict[str, object]]:
    """The records of a gzipped JSON-lines file, one at a time."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
