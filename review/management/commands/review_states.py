"""python manage.py review_states: print the review's state machine as a Mermaid state diagram.

The diagram is drawn from the transitions declared on review.models.Review with django-fsm-2
(sources, target, permission and conditions), so it cannot drift from the code:
docs/architecture.md holds its output, and tests/test_docs.py checks that the two are equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import models
from django_fsm import FSMField


def _who(permission: str | Callable[..., bool] | None) -> str:
    """A transition's permission in words: a codename as it is, a check function by its name."""
    if permission is None:
        return "anyone"
    if callable(permission):
        return permission.__name__.strip("_").replace("_", " ")
    return permission


def _sources(source: Any, states: list[str], target: str) -> Iterable[str]:
    # django-fsm-2: "*" is any state, "+" any state but the target.
    if source == "*":
        return states
    if source == "+":
        return [s for s in states if s != target]
    return [source]


def mermaid_state_diagram(model: type[models.Model], field_name: str = "state") -> str:
    """The FSM field's transitions as a Mermaid stateDiagram-v2, one line per source and target, in
    the order of the field's choices.

    The field's default is the initial state; a state no transition leaves is a final one. Each
    edge is labelled with the transition's method name, who may run it, and its conditions.
    """
    field = model._meta.get_field(field_name)
    assert isinstance(field, FSMField), f"{model.__name__}.{field_name} is not an FSMField"
    states = [value for value, _label in field.choices]
    lines = ["stateDiagram-v2", f"    [*] --> {field.default}"]
    edges = []
    for t in field.get_all_transitions(model):
        label = f"{t.name} ({_who(t.permission)}"
        if t.conditions:
            label += ", if " + ", ".join(c.__name__.strip("_").replace("_", " ") for c in t.conditions)
        label += ")"
        edges += [(source, t.target, label) for source in _sources(t.source, states, t.target)]
    # In the order of the states' choices, whatever order the transitions were declared in.
    edges.sort(key=lambda e: (states.index(e[0]), states.index(e[1]), e[2]))
    lines += [f"    {source} --> {target}: {label}" for source, target, label in edges]
    leaving = {source for source, _target, _label in edges}
    lines += [f"    {state} --> [*]" for state in states if state not in leaving]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the review's state machine (review.models.Review's transitions) as a Mermaid state diagram."

    def handle(self, *args: Any, **options: Any) -> None:
        from review.models import Review

        self.stdout.write(mermaid_state_diagram(Review), ending="")
