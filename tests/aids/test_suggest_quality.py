"""The name suggestions keep their measured quality on the hand-checked sample (bench/suggest.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "suggest" / "names_sample.json"


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_suggest", ROOT / "bench" / "suggest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_sample_is_big_enough_and_well_formed() -> None:
    portions = json.loads(FIXTURE.read_text(encoding="utf-8"))["portions"]
    assert len(portions) >= 220
    assert sum(1 for p in portions if p["names"]) >= 100
    for p in portions:
        for name in p["names"]:
            assert p["text"][name["start"] : name["end"]] == name["text"], p["id"]
            assert name["role"] in ("public", "private", "unknown")


def test_precision_and_recall_of_name_suggestions_stay_at_least_0_8() -> None:
    portions = json.loads(FIXTURE.read_text(encoding="utf-8"))["portions"]
    overall, _, _ = bench().measure(portions)
    assert overall.precision >= 0.8, overall.false_positives
    assert overall.recall >= 0.8, overall.missed
