"""Issue 12, finding 9: every date filter validates its range (cables.forms.FilterDateField) and
answers a date it cannot filter on (9999-12-31 overflowed to a 500) with a form error."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from quality.models import QualitySample

RANGE_ERROR = "Give a date from 1900-01-01 to 2100-12-31."


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("bob", "/cables/?sent_to=9999-12-31"),
        ("bob", "/cables/?sent_from=0001-01-01&sent_to=9999-12-31"),
        ("bob", "/assign/?sent_to=9999-12-31"),
        ("bob", "/due/?sent_to=9999-12-31"),
        ("frank", "/audit/?date_to=9999-12-31"),
        ("frank", "/audit/?date_from=9999-12-31"),
    ],
)
def test_finding9_a_far_future_date_filter_is_a_form_error_not_a_500(
    client: Client, request: Any, user: str, url: str
) -> None:
    client.force_login(request.getfixturevalue(user))
    response = client.get(url)
    assert response.status_code == 200
    assert RANGE_ERROR in response.content.decode()


def test_finding9_a_far_future_approval_date_refuses_the_quality_draw(client: Client, bob: User) -> None:
    client.force_login(bob)
    response = client.post("/quality/draw/", {"percent": "10", "approved_to": "9999-12-31"})
    assert response.status_code == 400
    assert RANGE_ERROR in response.content.decode()
    assert not QualitySample.objects.exists()


def test_a_date_inside_the_range_still_filters(client: Client, bob: User) -> None:
    client.force_login(bob)
    response = client.get("/cables/?sent_from=1900-01-01&sent_to=2100-12-31")
    assert response.status_code == 200
    assert RANGE_ERROR not in response.content.decode()


def test_every_date_filter_is_the_one_field() -> None:
    from cables.forms import CableFilterForm, FilterDateField
    from quality.views import DrawForm
    from review.due import DueFilterForm
    from review.queue_forms import AssignFilterForm, AuditFilterForm

    forms = [CableFilterForm(), AssignFilterForm(), DueFilterForm(), DrawForm(reviewers=User.objects.none())]
    forms.append(AuditFilterForm(actions=[]))
    dates = [field for form in forms for field in form.fields.values() if "Date" in type(field).__name__]
    assert len(dates) == 10
    assert all(isinstance(field, FilterDateField) for field in dates)
