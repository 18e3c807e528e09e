"""declass settings: one module, configured by environment variables.

The defaults suit development on one machine (SQLite file, DEBUG off unless asked for). Production sets
SECRET_KEY, ALLOWED_HOSTS and, for several users at once, DATABASE_URL=postgres://...
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_SPELLINGS = ("1", "true", "yes", "on")
FALSE_SPELLINGS = ("0", "false", "no", "off")


def envbool(name: str, default: str) -> bool:
    """The environment variable `name` as a boolean; unset or empty means `default`.

    Any other spelling than TRUE_SPELLINGS / FALSE_SPELLINGS (case and surrounding spaces aside) is
    refused, so that a typo such as SECURE_COOKIES=ture cannot quietly read as False.
    """
    value = os.environ.get(name, "").strip().lower() or default.strip().lower()
    if value in TRUE_SPELLINGS:
        return True
    if value in FALSE_SPELLINGS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ.get(name, default)!r} is not a boolean: use one of "
        f"{', '.join(TRUE_SPELLINGS)} (on) or {', '.join(FALSE_SPELLINGS)} (off)"
    )


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Turn DATABASE_URL (postgres://user:pass@host:port/name or sqlite:///path) into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path or BASE_DIR / "db.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": {"options": PG_SESSION, **dict(parse_qsl(parts.query))},
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres:// or sqlite://)")


DEVELOPMENT_KEY = "declass-development-key-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_KEY)
# Production is wherever a SECRET_KEY of its own is set (README, "Production"); the development
# key means one machine (./run, the tests). Only defaults differ, for two-factor sign-in below.
PRODUCTION = SECRET_KEY != DEVELOPMENT_KEY
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "config.apps.DeclassAdminConfig",  # django.contrib.admin, its site through the clearance gate
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "accounts",
    "audit",
    "cables",
    "aids",
    "review",
    "quality",
    "release",
    "cases",
    "django_tasks_db",
    "jobs",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # After audit: its failed-sign-in audit event comes before axes' lockout event.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from the application server itself, compressed and cached (no separate web server).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the login page saying so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite: wait for a writer instead of failing at once, and take the write lock at BEGIN so that
# concurrent writers queue rather than deadlock on lock upgrade.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

# PostgreSQL, per connection: enough memory for a full-text match of a common word to stay an
# exact bitmap (at the default 4 MB it turns lossy, and the server re-tokenises some 700,000
# portions to recheck them: a minute instead of a second on the whole release); no JIT, whose
# compilation costs more than these short queries take. (A `?options=` in DATABASE_URL replaces it.)
PG_SESSION = "-c work_mem=16MB -c jit=off"

if "DATABASE_URL" in os.environ:
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (uploads, bulk exports) are queued in the database and run by
# `manage.py db_worker` (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "review:home"
LOGOUT_REDIRECT_URL = "login"

# Caches. "default" is each process's own memory (the filter menus' choices, the audit page's chain
# check: cheap to make again). "aids" holds each cable's names and suggestions for the review page
# (aids.suggest.cable_aids, 100 to 250 ms to compute for a long cable) in the database, so that
# every app server and worker shares what one computed, and a restart keeps it. Its table is made
# by the migration aids/0002 (manage.py createcachetable makes it too).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "aids": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "declass_aids_cache",
        # How long an entry is kept: aids.suggest.AIDS_CACHE_SECONDS, given with each entry.
        "OPTIONS": {"MAX_ENTRIES": 300_000},  # beyond it, a third of the entries are dropped
    },
}

# Sign-in (docs/security.md). django-axes refuses every sign-in for an account, and from an
# address, after LOGIN_FAILURE_LIMIT failures within LOGIN_COOLOFF_MINUTES, until that long after
# the last counted failure or until a supervisor unlocks it (/account/lockouts/). Refused attempts
# during a lockout do not extend it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt before any check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = envlist("LOGIN_LOCKOUT_BY", "username,ip_address")  # each on its own
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False  # a success would also clear the failures from its address on others
AXES_LOCKOUT_CALLABLE = "accounts.lockouts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.events.client_ip"  # the address the audit log records too
AXES_DISABLE_ACCESS_LOG = True  # the audit log records every sign-in, failure and sign-out
AXES_ENABLE_ADMIN = False  # unlocking is audited on its own page, not done in the admin
AXES_VERBOSE = False
# Two-factor sign-in (django-otp, TOTP): required of the members of these roles (group names;
# "staff" for admin users), and of anyone who has set it up. On by default in production.
DECLASS_OTP_REQUIRED_ROLES = envlist(
    "DECLASS_OTP_REQUIRED_ROLES", "Supervisor,Releaser,Auditor" if PRODUCTION else ""
)
OTP_TOTP_ISSUER = "declass"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no one's TOTP secret in the admin
# A working day, not Django's two weeks: then sign in again.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(9 * 60 * 60)))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves static files. Production sets STATIC_MANIFEST=1 and runs collectstatic: file
# names then carry a hash of their content and are cached for good, and a page whose template
# names a missing file fails loudly. Without it (development, the tests, ./run) nothing needs
# collectstatic: the files are found where they are and served compressed when a .gz exists.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "False")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not STATIC_MANIFEST:
    # Before collectstatic has run, STATIC_ROOT does not exist; the finders serve the files then.
    warnings.filterwarnings("ignore", message="No directory at")

# Content Security Policy (Django's built-in middleware): nothing from elsewhere, no inline code
# without a nonce.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
# HSTS is off until asked for: once a browser has seen it, plain HTTP is refused for that long.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips it from clients).
if envbool("SECURE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# https://declass.example.org: needed when the proxy's host differs from the one Django sees.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "config.errors.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Refusals (403) in one line, without a traceback (config/errors.py).
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
}

# The agency's default rule for a cable's routing and header lines (review/header_block.py):
# "release" shows them on every review page as released by agency rule, for the reviewer to confirm
# with one key; "" (the default) offers the same one-key release with no rule stated.
DECLASS_HEADER_LINES_RULE = os.environ.get("DECLASS_HEADER_LINES_RULE", "").strip().lower()
