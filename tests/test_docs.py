"""The README and docs/*.md say nothing stale about the repository: the commands they give exist,
every file, folder and link they name exists (anchors included), the review's state diagram in
docs/architecture.md is the one review.models.Review declares, and the README stays short.

Only what looks like a path in this repository is checked: a link to a file, or a `backticked`
word that starts with one of the repository's top-level folders and names a file (with an
extension) or a folder (ending in /). Anything else in backticks (URLs, migration labels such as
`review/0003`, placeholders with <, *, [ or {) is left alone.
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted([README, *(ROOT / "docs").rglob("*.md")])
MAX_README_LINES = 200

# The repository's top-level folders (not hidden ones, but .ci/; not var/ or build output).
TOP_FOLDERS = {
    p.name
    for p in ROOT.iterdir()
    if p.is_dir() and (p.name == ".ci" or ("." not in p.name and p.name != "var"))
}
SCRIPT_FOLDERS = {".ci"}  # files without an extension: .ci/run
EXTENSIONS = {".py", ".md", ".html", ".js", ".css", ".png", ".json", ".toml", ".sh", ".svg", ".txt"}

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE_CODE = re.compile(r"`([^`]+)`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.M)
MANAGE = re.compile(r"manage\.py +([a-z_]+)")


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def prose(text: str) -> str:
    """The text without its fenced code blocks."""
    return FENCE.sub("", text)


def clean(word: str) -> str:
    """A word without the punctuation around it (a leading ./ stays: it marks a path)."""
    return word.lstrip("('\"").rstrip(".,;:)'\"")


def looks_like_repo_path(word: str) -> bool:
    word = clean(word)
    if not word or any(c in word for c in "<>*[]{}$") or "://" in word:
        return False
    if word.startswith("./"):
        word = word[2:]
        return bool(word) and "/" not in word.rstrip("/") or looks_like_repo_path(word)
    top = word.split("/", 1)[0]
    if "/" not in word or top not in TOP_FOLDERS:
        return False
    return word.endswith("/") or Path(word).suffix in EXTENSIONS or top in SCRIPT_FOLDERS


def named_paths(text: str) -> set[str]:
    """Every `backticked` word of the prose that looks like a path in this repository."""
    words = {w for code in INLINE_CODE.findall(prose(text)) for w in code.split()}
    return {clean(w).removeprefix("./") for w in words if looks_like_repo_path(w)}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(h) for h in HEADING.findall(prose(path.read_text(encoding="utf-8")))}


def missing(relative: str) -> bool:
    return not (ROOT / relative).exists()


def test_readme_is_at_most_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move detail to docs/"


def test_readme_quick_start_commands_exist_and_are_executable() -> None:
    blocks = FENCE.findall(README.read_text(encoding="utf-8"))
    commands = [line.split()[0] for block in blocks for line in block.splitlines() if line.startswith("./")]
    assert {"./run", "./test"} <= set(commands), "the README's quick start lost ./run or ./test"
    for command in commands:
        assert os.access(ROOT / command, os.X_OK), f"README.md: {command} is not an executable here"


@pytest.mark.parametrize("doc", DOCS, ids=name)
def test_every_path_a_doc_names_exists(doc: Path) -> None:
    gone = sorted(p for p in named_paths(doc.read_text(encoding="utf-8")) if missing(p))
    assert not gone, f"{name(doc)} names paths that do not exist: {gone}"


@pytest.mark.parametrize("doc", DOCS, ids=name)
def test_every_link_of_a_doc_leads_somewhere(doc: Path) -> None:
    broken = []
    for target in LINK.findall(prose(doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (doc.parent / file_part).resolve() if file_part else doc
        relative = linked.relative_to(ROOT).as_posix() if linked.is_relative_to(ROOT) else str(linked)
        if missing(relative):
            broken.append(f"{target} (no {relative})")
        elif anchor and linked.suffix == ".md" and linked.exists() and anchor not in anchors(linked):
            broken.append(f"{target} (no heading #{anchor} in {relative})")
    assert not broken, f"{name(doc)} has broken links: {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=name)
def test_every_management_command_a_doc_names_exists(doc: Path) -> None:
    known = set(get_commands())
    named = set(MANAGE.findall(doc.read_text(encoding="utf-8")))
    if doc == ROOT / "docs" / "operations.md":
        # The list of commands: each item starts with the command's name in backticks.
        section = doc.read_text(encoding="utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
        listed = set(re.findall(r"^- `([a-z_]+)", section, re.M))
        assert len(listed) >= 5, "docs/operations.md: the list of commands is no longer found"
        named |= listed
    unknown = sorted(named - known)
    assert not unknown, f"{name(doc)} names management commands that do not exist: {unknown}"


def test_architecture_state_diagram_is_the_one_the_transitions_declare() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    begin, end = "<!-- review_states: begin -->\n```mermaid\n", "```\n<!-- review_states: end -->"
    match = re.search(re.escape(begin) + "(.*?)" + re.escape(end), text, re.S)
    assert match, "docs/architecture.md lost its review_states block"
    out = StringIO()
    call_command("review_states", stdout=out)
    assert match.group(1) == out.getvalue(), (
        "docs/architecture.md's state diagram differs from the transitions of review.models.Review: "
        "paste the output of `manage.py review_states` between the review_states markers"
    )


def test_path_check_recognises_repo_paths_and_ignores_the_rest() -> None:
    text = (
        "See `review/actions.py`, `tests/cables/`, `./run`, `bench/scale.py [--cables N]` and "
        "`docs/nowhere.md`, `.ci/run`; not `review/0003`, `css/declass.css`, `/reading-room/<ref>/`, "
        "`docs/screens/*.png` or `https://example.org/a.py`.\n```sh\ncat cables/in_a_block.py\n```\n"
    )
    assert named_paths(text) == {
        "review/actions.py",
        "tests/cables/",
        "run",
        "bench/scale.py",
        "docs/nowhere.md",
        ".ci/run",
    }
    assert [p for p in sorted(named_paths(text)) if missing(p)] == ["docs/nowhere.md"]
    assert slug("The review's states") == "the-reviews-states"
    assert slug("The whole release: ingest (`bench/scale.py`)") == "the-whole-release-ingest-benchscalepy"


def test_every_screenshot_is_shown_in_the_docs() -> None:
    shown = {
        (doc.parent / target).resolve()
        for doc in DOCS
        for target in LINK.findall(prose(doc.read_text(encoding="utf-8")))
        if target.endswith(".png")
    }
    unused = sorted(name(p) for p in (ROOT / "docs").rglob("*.png") if p.resolve() not in shown)
    assert not unused, f"images in docs/ that no page shows (show them or delete them): {unused}"
