"""Configuration from the environment, with safe defaults for development.

Every setting a deployment must change (database, secret key, mail) comes from an
environment variable; nothing secret lives in the code.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEVELOPMENT = "development"
PRODUCTION = "production"
# Names a development server answers to besides PUBLIC_BASE_URL's host.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
# How long a "remember me" sign-in lasts (Flask-Login's default is a year).
REMEMBER_DAYS = 14
# Strict-Transport-Security max-age when the public address is https (one year).
HSTS_MAX_AGE = 31_536_000


class ConfigError(RuntimeError):
    """A setting a deployment must give is missing or malformed; the app does not start."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_bool(name: str) -> bool | None:
    """A boolean environment variable, or None when unset (decided later)."""
    return _bool(name, False) if os.environ.get(name) is not None else None


def _list(name: str) -> list[str] | None:
    """A comma-separated environment variable as a list, or None when unset."""
    value = os.environ.get(name)
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def environment() -> str:
    """EVENTAPP_ENV: "production" (the default: gunicorn, flask commands, workers) or
    "development" (set by run.py). Production refuses to start without the settings that
    make emailed links safe, instead of guessing them from requests."""
    return os.environ.get("EVENTAPP_ENV", PRODUCTION).strip().lower() or PRODUCTION


def development_base_url() -> str:
    """Where run.py serves (HOST, PORT), as the development PUBLIC_BASE_URL."""
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    shown = "localhost" if host in {"0.0.0.0", "::", ""} else host
    return f"http://{shown}:{port}"


def _database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, normalised for SQLAlchemy + psycopg 3.

    Hosting platforms hand out ``postgres://`` or ``postgresql://`` URLs; SQLAlchemy
    would pick psycopg2 for those, which we do not ship.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'eventapp.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance_path: Path, env_name: str, filename: str, make) -> str:
    """``env_name`` from the environment, else a random value kept under instance/.

    A value generated per start would break what it protects at each restart (sessions,
    printed badges), so the development value is persisted; production sets the variable.
    """
    value = os.environ.get(env_name)
    if value:
        return value
    key_file = instance_path / filename
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = make()
    key_file.write_text(value)
    key_file.chmod(0o600)
    return value


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else a random key kept under instance/."""
    return _instance_secret(instance_path, "SECRET_KEY", "secret_key",
                            lambda: secrets.token_urlsafe(48))


def _badge_signing_key(instance_path: Path) -> str:
    """BADGE_SIGNING_KEY: the 32-byte Ed25519 master seed (base64url) badge codes are
    signed with (eventapp/checkin/codes.py derives one key pair per event from it).

    Badges are printed days before the event: changing the key voids every printed
    badge, so production sets it once and keeps it secret.
    """
    return _instance_secret(instance_path, "BADGE_SIGNING_KEY", "badge_signing_key",
                            lambda: secrets.token_urlsafe(32))


def load_config(instance_path: Path) -> dict:
    """Build the Flask configuration mapping for this process."""
    return {
        "EVENTAPP_ENV": environment(),
        # Every absolute link the app sends (emails, calendar feeds, background jobs)
        # starts with it, never with a request's Host header (see finalise_config).
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").strip() or None,
        # Hosts the app answers for; None: the host of PUBLIC_BASE_URL (+ local names in
        # development). Other Host headers get 400.
        "TRUSTED_HOSTS": _list("TRUSTED_HOSTS"),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0") or 0),
        # Strict-Transport-Security on https responses; 0 sends none.
        "HSTS_MAX_AGE": int(os.environ.get("HSTS_MAX_AGE", str(HSTS_MAX_AGE)) or 0),
        "SECRET_KEY": _secret_key(instance_path),
        "BADGE_SIGNING_KEY": _badge_signing_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLALCHEMY_RECORD_QUERIES": False,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": {"fr": "Français", "en": "English"},
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # The scan routes' per-process cache of staff member, event and checkpoint.
        "SCAN_CACHE_SECONDS": float(os.environ.get("SCAN_CACHE_SECONDS", "10")),
        # Public forms, per client address: raise them for on-site sign-ups behind one
        # shared address.
        "REGISTRATION_RATE_LIMIT": os.environ.get("REGISTRATION_RATE_LIMIT",
                                                  "10 per minute;60 per hour"),
        "PORTAL_RATE_LIMIT": os.environ.get("PORTAL_RATE_LIMIT", "30 per minute;300 per hour"),
        # Registration and lost-link requests about one email address of one event,
        # whatever client sends them (each one emails a link to that address).
        "EMAIL_RATE_LIMIT": os.environ.get("EMAIL_RATE_LIMIT", "3 per hour;10 per day"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # None: secure when PUBLIC_BASE_URL is https (finalise_config).
        "SESSION_COOKIE_SECURE": _optional_bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SECURE": _optional_bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=REMEMBER_DAYS),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "MAIL_SERVER": os.environ.get("SMTP_HOST", ""),
        "MAIL_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("SMTP_USER", ""),
        "MAIL_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("SMTP_STARTTLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "noreply@localhost"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(instance_path / "outbox")),
    }


def finalise_config(config: dict[str, Any]) -> None:
    """Complete and check the settings that depend on each other, once the test or
    caller overrides are in: the public base URL, trusted hosts, secure cookies.

    Raises :class:`ConfigError` with what to set when production lacks PUBLIC_BASE_URL:
    links built from a request's Host header would let anyone send a participant's
    personal link to a host of their choosing.
    """
    local = config.get("TESTING") or config.get("EVENTAPP_ENV") == DEVELOPMENT
    base = config.get("PUBLIC_BASE_URL") or (development_base_url() if local else None)
    if base is None:
        raise ConfigError(
            "PUBLIC_BASE_URL is not set. Set it to the address people reach the app at "
            "(e.g. PUBLIC_BASE_URL=https://events.example.org): links in emails and "
            "calendars are built from it. For local work, set EVENTAPP_ENV=development "
            "(run.py does).")
    config["PUBLIC_BASE_URL"] = base = _checked_base_url(base)
    parts = urlsplit(base)
    if config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = [parts.hostname or ""] + (list(LOCAL_HOSTS) if local else [])
    https = parts.scheme == "https"
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(name) is None:
            config[name] = https
    config["PREFERRED_URL_SCHEME"] = parts.scheme


def _checked_base_url(value: str) -> str:
    """PUBLIC_BASE_URL without its trailing slash, once it is an http(s) address with a
    host and nothing after its path."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query \
            or parts.fragment:
        raise ConfigError(f"PUBLIC_BASE_URL must look like https://events.example.org "
                          f"(got {value!r}).")
    return value.strip().rstrip("/")
