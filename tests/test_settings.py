"""config/settings.py's envbool: the accepted spellings, and a clear refusal of any other."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import FALSE_SPELLINGS, TRUE_SPELLINGS, envbool


@pytest.mark.parametrize("spelling", [*TRUE_SPELLINGS, "TRUE", " Yes ", "On"])
def test_true_spellings_read_as_true(monkeypatch: pytest.MonkeyPatch, spelling: str) -> None:
    monkeypatch.setenv("DECLASS_TEST_FLAG", spelling)
    assert envbool("DECLASS_TEST_FLAG", "False") is True


@pytest.mark.parametrize("spelling", [*FALSE_SPELLINGS, "FALSE", " No ", "Off"])
def test_false_spellings_read_as_false(monkeypatch: pytest.MonkeyPatch, spelling: str) -> None:
    monkeypatch.setenv("DECLASS_TEST_FLAG", spelling)
    assert envbool("DECLASS_TEST_FLAG", "True") is False


@pytest.mark.parametrize("value", [None, "", "  "])
def test_unset_or_empty_means_the_default(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("DECLASS_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("DECLASS_TEST_FLAG", value)
    assert envbool("DECLASS_TEST_FLAG", "True") is True
    assert envbool("DECLASS_TEST_FLAG", "False") is False


@pytest.mark.parametrize("spelling", ["ture", "enabled", "2", "y", "nope"])
def test_an_unknown_spelling_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    monkeypatch.setenv("SECURE_COOKIES", spelling)
    with pytest.raises(ImproperlyConfigured) as refused:
        envbool("SECURE_COOKIES", "False")
    message = str(refused.value)
    assert "SECURE_COOKIES" in message and repr(spelling) in message
    for accepted in (*TRUE_SPELLINGS, *FALSE_SPELLINGS):
        assert accepted in message
