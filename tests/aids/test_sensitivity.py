"""The learning side of sensitivity triage (aids/sensitivity.py): labels, splits, thresholds."""

from __future__ import annotations

import numpy as np

from aids import sensitivity
from aids.sensitivity import Example, example

SOURCE = "the minister told us in confidence that the cabinet will move troops to the northern border soon"
NEAR = "the minister told us in confidence that the cabinet will move troops to the northern border very soon"


def _examples() -> list[Example]:
    """Twenty cables of two paragraphs each; cables 3, 7 and 15 repeat one passage (exactly or nearly)."""
    out = []
    for n in range(20):
        ref = f"0{n % 10}TOKYO{n}"
        year = 2000 + n // 4
        text = SOURCE if n in (3, 7) else NEAR if n == 15 else f"cable {n} says item {n} was discussed " * 3
        out.append(example(ref, year, "paragraph", "1", text, "C"))
        out.append(
            example(ref, year, "paragraph", "2", f"the weather in town {n} was fine all week " * 2, "U")
        )
    return out


def test_it_labels_the_authors_own_marks() -> None:
    assert sensitivity.trainable("paragraph", "1", "S//NF", "S")
    assert sensitivity.trainable("header", "SUBJECT", "C", "C")
    assert not sensitivity.trainable("paragraph", "1", "", "C")  # unmarked: level inferred from the banner
    assert not sensitivity.trainable("text", "", "C", "C")
    assert example("X", None, "paragraph", "1", "words", "TS").classified
    assert not example("X", None, "paragraph", "1", "words", "SBU").classified


def test_the_model_never_reads_the_portion_marks_inside_a_text() -> None:
    assert "nf" not in sensitivity.model_text("A. (S/NF) The source said so.").split()


def test_split_by_cable_keeps_repeated_passages_on_one_side() -> None:
    examples = _examples()
    for seed in range(10):
        split = sensitivity.split_by_cable(examples, test_share=0.3, seed=seed)
        train_fp = {examples[i].fingerprint for i in split.train} - {None}
        test_fp = {examples[i].fingerprint for i in split.test} - {None}
        assert not train_fp & test_fp
        sides = {examples[i].cable: "train" for i in split.train} | {
            examples[i].cable: "test" for i in split.test
        }
        # The exact repeat (cables 3 and 7) and the near repeat (cable 15) are on one side.
        assert sides["03TOKYO3"] == sides["07TOKYO7"] == sides["05TOKYO15"]
        assert sorted(split.train + split.test) == list(range(len(examples)))


def test_split_by_time_drops_test_passages_that_repeat_training_ones() -> None:
    examples = _examples()
    split = sensitivity.split_by_time(examples, 2003)  # cables 12..19 are tested; 15 repeats 3 and 7
    tested = {examples[i].cable for i in split.test}
    assert all(examples[i].year >= 2003 for i in split.test)
    assert all(examples[i].year < 2003 for i in split.train)
    assert split.dropped == 1
    assert not any(examples[i].text == NEAR for i in split.test)
    assert "05TOKYO15" in tested  # its other, unrepeated paragraph stays
    train_fp = {examples[i].fingerprint for i in split.train} - {None}
    assert not train_fp & ({examples[i].fingerprint for i in split.test} - {None})


def test_the_threshold_keeps_the_target_recall() -> None:
    labels = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3, 0.2, 0.1, 0.95, 0.05])
    threshold = sensitivity.threshold_for(labels, scores, recall=0.9)
    assert threshold == 0.2
    assert (scores[labels == 1] >= threshold).mean() >= 0.9


def test_the_first_test_year_holds_the_later_years() -> None:
    examples = _examples()  # 8 examples a year, 2000..2004
    assert sensitivity.first_test_year(examples, test_share=0.2) == 2004
    assert sensitivity.first_test_year(examples, test_share=0.35) == 2003
