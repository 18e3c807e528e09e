"""The apps' layers (issue 15): imports point down only, and no module imports itself round a circle.

    accounts < audit < cables < aids < review < {release, quality} < jobs

aids (suggestions, mosaic findings, sensitivity triage) read cables and never reviews, and the
review page and actions consult them, so they sit between cables and review.

An app may import its own modules and any app below it; release and quality do not import
each other; config (settings, the URL root, the admin site) may import anything, and nothing
imports config. Every import counts, at the top of a module or inside a function (a lazy import is
still an arrow), except under `if TYPE_CHECKING:`. Migrations are left out: they name other apps'
migrations by necessity, not by import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app's layer: an app may import apps of a lower number, and its own.
LAYERS = {
    "accounts": 0,
    "audit": 1,
    "cables": 2,
    "aids": 3,
    "review": 4,
    "release": 5,
    "quality": 5,
    "cases": 6,
    "jobs": 6,
}
CONFIG = "config"
APPS = (*LAYERS, CONFIG)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(source: str, module: str, is_package: bool = False) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import of a module's source: `from a.b import c` gives
    a.b.c (which may be a name in a.b rather than a module; resolve() sorts that out)."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno


def project_modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Every module of the project's apps (migrations left out): name -> (path, is a package)."""
    found = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            found[module_name(path, root)] = (path, path.name == "__init__.py")
    return found


def resolve(name: str, modules: Iterable[str]) -> str | None:
    """The project module an import names (the longest known prefix), or None (not ours)."""
    known = set(modules)
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph(root: Path) -> dict[str, dict[str, int]]:
    """module -> {imported project module: line}."""
    modules = project_modules(root)
    edges: dict[str, dict[str, int]] = {}
    for module, (path, is_package) in modules.items():
        targets: dict[str, int] = {}
        for name, line in imports(path.read_text(encoding="utf-8"), module, is_package):
            target = resolve(name, modules)
            if target is not None and target != module and not module.startswith(f"{target}."):
                targets.setdefault(target, line)
            # `from package import module` names the package too (its __init__ runs): no edge
            # is needed for that, packages' __init__ files being empty.
        edges[module] = targets
    return edges


def upward(edges: dict[str, dict[str, int]], root: Path) -> list[str]:
    """Each import that breaks the layers, as "path:line: a imports b (why)"."""
    wrong = []
    for module, targets in edges.items():
        app = module.split(".")[0]
        for target, line in targets.items():
            other = target.split(".")[0]
            if other == app or app == CONFIG:
                continue
            if other == CONFIG:
                why = "nothing imports config"
            elif LAYERS[other] > LAYERS[app]:
                why = f"{other} is above {app}"
            elif LAYERS[other] == LAYERS[app]:
                why = f"{other} and {app} are side by side"
            else:
                continue
            path = root / (module.replace(".", "/") + ".py")
            if not path.exists():
                path = root / module.replace(".", "/") / "__init__.py"
            wrong.append(f"{path.relative_to(root)}:{line}: {module} imports {target} ({why})")
    return sorted(wrong)


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The import circles: each strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def test_imports_point_down_only() -> None:
    wrong = upward(graph(ROOT), ROOT)
    assert not wrong, "imports against the layers (tests/test_layers.py):\n" + "\n".join(wrong)


def test_no_import_circles() -> None:
    found = cycles(graph(ROOT))
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(group) for group in found)


def test_every_app_is_in_a_layer() -> None:
    """A new app must be given its place here (and in docs/architecture.md)."""
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps <= set(APPS), f"apps without a layer: {sorted(apps - set(APPS))}"


# -- the checker itself: it must catch what it is for -------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for app in APPS:
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    "source",
    [
        "from review.models import Review\n",
        "from review import actions\n",
        "import review.models\n",
        "def lazy():\n    from review.models import Review\n",
    ],
)
def test_an_upward_import_is_caught(tmp_path: Path, source: str) -> None:
    root = _tree(tmp_path, {"cables/ingest.py": source, "review/models.py": "", "review/actions.py": ""})
    wrong = upward(graph(root), root)
    assert len(wrong) == 1 and wrong[0].startswith("cables/ingest.py:"), wrong
    assert "review is above cables" in wrong[0]


def test_side_by_side_apps_and_config_are_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "quality/views.py": "from release import copies\n",
            "release/copies.py": "",
            "jobs/x.py": "import config\n",
        },
    )
    assert [w.split(": ", 1)[1] for w in upward(graph(root), root)] == [
        "jobs.x imports config (nothing imports config)",
        "quality.views imports release.copies (release and quality are side by side)",
    ]


def test_downward_and_type_checking_imports_pass(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "review/views.py": "from cables.models import Cable\nfrom accounts import roles\n",
            "cables/models.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from review.models import R\n",
            "accounts/roles.py": "",
            "review/models.py": "",
            "config/urls.py": "from jobs import x\n",
            "jobs/x.py": "",
        },
    )
    assert upward(graph(root), root) == []


def test_a_circle_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "cables/export.py": "def f():\n    from cables.pdf import g\n",
            "cables/pdf.py": "from cables.export import f\n",
            "cables/other.py": "from cables import export\n",
            "review/a.py": "from . import b\n",
            "review/b.py": "from .a import x\n",
        },
    )
    assert cycles(graph(root)) == [["cables.export", "cables.pdf"], ["review.a", "review.b"]]
