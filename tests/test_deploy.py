"""`manage.py check --deploy` with the production settings docs/operations.md documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# As in docs/operations.md, "Production" (a throwaway key, 50 random characters).
PRODUCTION = {
    "SECRET_KEY": "Zq8r1Vd0mC7wF4xL2pH9sN6tB3yK5aJ0eU1gR8oQ7vW2cX4iM9nT6hD3lP5bS0f",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "declass.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://declass.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "STATIC_MANIFEST": "1",
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which the check rightly warns about.
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION, **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_with_the_production_settings() -> None:
    result = check_deploy()
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_it_warns_with_debug_on() -> None:
    result = check_deploy(DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_it_warns_without_hsts() -> None:
    result = check_deploy(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def production_setting(name: str, **overrides: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION, **overrides)
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_asks_a_second_factor_of_supervisors_releasers_and_auditors() -> None:
    assert production_setting("DECLASS_OTP_REQUIRED_ROLES") == "['Supervisor', 'Releaser', 'Auditor']"
    # And the setting decides: staff too, or nobody (an empty value).
    chosen = production_setting("DECLASS_OTP_REQUIRED_ROLES", DECLASS_OTP_REQUIRED_ROLES="Supervisor,staff")
    assert chosen == "['Supervisor', 'staff']"
    assert production_setting("DECLASS_OTP_REQUIRED_ROLES", DECLASS_OTP_REQUIRED_ROLES="") == "[]"


def test_production_sessions_last_a_working_day_unless_set() -> None:
    assert production_setting("SESSION_COOKIE_AGE") == str(9 * 60 * 60)
    assert production_setting("SESSION_COOKIE_AGE", SESSION_COOKIE_AGE="3600") == "3600"
