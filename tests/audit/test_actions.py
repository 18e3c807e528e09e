"""The action catalogue (audit.models.Action): every action the code records is in it, nothing in
it is recorded nowhere, record() refuses any other, and the audit page shows each by its label.

The source is read (ast), not run: an action is a string literal, so a misspelt one in a branch no
test reaches would otherwise be found only when an auditor meets the error. Where an action is
written down:

- the argument named `action` (annotated str) of any function or dataclass of the project, in a
  call (also through functools.partial): record(), Entry(), accounts.events.record() and their
  wrappers (job_event, _record_sample, _transition_action, latest_notes, ...);
- a keyword `audit=` (a transition's custom= metadata: the event it writes);
- a keyword `action=` or `during=` anywhere with a dotted string (a filter of the log; what a refused
  copy was leaving through, when that is an action: `during` also names places, "export",
  "reading_room", which are not actions).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit import log as audit
from audit.models import Action, AuditEvent, action_label

ROOT = Path(__file__).resolve().parent.parent.parent
SKIPPED = {".venv", "tests", "migrations", "node_modules"}
STR = {"str", "Action", "Action | str", "str | Action"}


def source_files() -> dict[str, str]:
    """Every Python file of the project but its tests and migrations: {path: source}."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if not SKIPPED.intersection(parts) and not any(p.startswith(".") for p in parts):
            found[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return found


def _action_positions(trees: dict[str, ast.Module]) -> dict[str, set[int | None]]:
    """{function or class name: the positions of its `action: str` argument (None: keyword only)}."""
    takes: dict[str, set[int | None]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                positional = node.args.posonlyargs + node.args.args
                for i, arg in enumerate(positional):
                    if arg.arg == "action" and arg.annotation and ast.unparse(arg.annotation) in STR:
                        takes.setdefault(node.name, set()).add(i)
                for arg in node.args.kwonlyargs:
                    if arg.arg == "action" and arg.annotation and ast.unparse(arg.annotation) in STR:
                        takes.setdefault(node.name, set()).add(None)
            elif isinstance(node, ast.ClassDef) and any(
                "dataclass" in ast.unparse(d) for d in node.decorator_list
            ):
                fields = [
                    s for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
                for i, field in enumerate(fields):
                    if field.target.id == "action" and ast.unparse(field.annotation) in STR:  # type: ignore[union-attr]
                        takes.setdefault(node.name, set()).add(i)
    return takes


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings(node: ast.expr, dotted_only: bool = False) -> Iterator[str | None]:
    """The strings an expression may be (None: one built at run time, an f-string); dotted_only:
    only those that look like an action ("review.release", f"review.{state}")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not dotted_only or "." in node.value:
            yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body, dotted_only)
        yield from _strings(node.orelse, dotted_only)
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        if not dotted_only or any("." in p for p in parts):
            yield None


def written_actions(files: dict[str, str]) -> list[tuple[str, str | None]]:
    """(where, action) for each action written down in the files (None: built at run time)."""
    trees = {path: ast.parse(text, path) for path, text in files.items()}
    takes = _action_positions(trees)
    found: list[tuple[str, str | None]] = []
    for path, tree in trees.items():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            where = f"{path}:{call.lineno}"
            name, args = _name(call.func), call.args
            if name == "partial" and args:
                name, args = _name(args[0]), args[1:]
            for i in takes.get(name, set()):
                if i is not None and i < len(args):
                    found += [(where, s) for s in _strings(args[i])]
            for kw in call.keywords:
                if kw.arg == "audit" or (kw.arg == "action" and name in takes):
                    found += [(where, s) for s in _strings(kw.value)]
                elif kw.arg in ("action", "during"):
                    found += [(where, s) for s in _strings(kw.value, dotted_only=True)]
    return found


def catalogue_members_named(files: dict[str, str]) -> set[str]:
    """The values of the Action members the source names (Action.REVIEW_RELEASE)."""
    named = set()
    for text in files.values():
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Action"
            ):
                if node.attr in Action.names:
                    named.add(Action[node.attr].value)
    return named


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return source_files()


def test_every_action_the_code_records_is_in_the_catalogue(files: dict[str, str]) -> None:
    found = written_actions(files)
    # The scan sees the call shapes it must (a scan finding nothing would pass for no reason).
    assert {"review.release", "review.start", "review.release_refused", "auth.locked_out"} <= {
        a for _, a in found
    }
    assert {"rule.enable", "rule.disable", "cables.ingest", "export.leak_blocked"} <= {a for _, a in found}
    unknown = [(where, action) for where, action in found if action not in Action.values]
    assert unknown == [], "add these to audit.models.Action (a built action cannot be checked: None)"


def test_the_scan_finds_an_unknown_or_built_action() -> None:
    source = """
from functools import partial
def note(actor, action: str, obj=None): ...
note(None, "review.relase")
partial(note, None, f"review.{state}")
Review.transition(audit="review.released")
AuditEvent.objects.filter(action="review.releas")
served(copy, "txt", during="export")
leak_blocked(actor, review, e, during=f"vaughn index of {case.number}")
parser.add_argument("--json", action="store_true")
make(action=f"review.{state}")
"""
    found = written_actions({"example.py": source})
    assert found == [
        ("example.py:4", "review.relase"),
        ("example.py:5", None),
        ("example.py:6", "review.released"),
        ("example.py:7", "review.releas"),
        ("example.py:11", None),
    ]


def test_every_catalogued_action_is_recorded_somewhere(files: dict[str, str]) -> None:
    used = {action for _, action in written_actions(files)} | catalogue_members_named(files)
    assert sorted(set(Action.values) - used) == []


def test_each_action_is_a_dotted_name_with_its_own_label() -> None:
    for action in Action:
        namespace, _, verb = action.value.partition(".")
        assert namespace.isidentifier() and verb.isidentifier() and action.value.islower(), action.value
        assert len(action.value) <= AuditEvent._meta.get_field("action").max_length
        assert action.label and action.label != action.value
    labels = [a.label for a in Action]
    assert len(set(labels)) == len(labels)


@pytest.mark.django_db
def test_record_refuses_an_unknown_action() -> None:
    with pytest.raises(ValueError, match=r"unknown audit action 'review\.relase'.*audit\.models\.Action"):
        audit.record(None, "review.relase")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_record_many_refuses_the_lot_for_one_unknown_action() -> None:
    entries = [audit.Entry(Action.AUTH_LOGIN_FAILED), audit.Entry("auth.log_in")]
    with pytest.raises(ValueError, match="unknown audit action 'auth.log_in'"):
        audit.record_many(entries)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_it_records_a_member_and_its_value_alike() -> None:
    # The twin of the refusals: a member of the catalogue, or its value, is stored as the plain
    # string (the hash covers it), so events recorded before the catalogue existed still verify.
    by_member = audit.record(None, Action.AUTH_LOGIN_FAILED, after={"username": "mallory"})
    by_value = audit.record(None, "auth.login_failed", after={"username": "mallory"})
    stored = list(AuditEvent.objects.values_list("action", flat=True))
    assert stored == ["auth.login_failed", "auth.login_failed"]
    assert type(by_member.action) is str and by_member.action == by_value.action
    assert audit.verify().ok


def test_an_action_the_catalogue_no_longer_holds_reads_as_stored() -> None:
    assert action_label("review.release") == "Review released"
    assert action_label("review.withdrawn") == "review.withdrawn"


def test_the_audit_page_shows_and_filters_by_label(client: Client, frank: User) -> None:
    audit.record(frank, "access.denied", after={"requested": "case", "id": "7"})
    client.force_login(frank)  # auth.login
    r = client.get("/audit/")
    html = r.content.decode()
    assert (
        'Access refused (not found or not cleared)<br><code class="muted small">access.denied</code>' in html
    )
    # The actions of the events frank may see (making him gave him his role: user.roles), by label.
    choices = r.context["form"].fields["action"].choices
    assert choices == [
        ("", "Any"),
        ("access.denied", "Access refused (not found or not cleared)"),
        ("user.roles", "Roles changed"),
        ("auth.login", "Signed in"),
    ]
    assert '<option value="auth.login">Signed in</option>' in html
    filtered = client.get("/audit/", {"action": "access.denied"})
    assert [row.event.action for row in filtered.context["rows"]] == ["access.denied"]
