"""Configuration from the environment, with safe defaults for development.

Every setting a deployment must change (database, secret key, mail) comes from an
environment variable; nothing secret lives in the code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
        # Public forms, per client address: raise them for on-site sign-ups behind one
        # shared address.
        "REGISTRATION_RATE_LIMIT": os.environ.get("REGISTRATION_RATE_LIMIT",
                                                  "10 per minute;60 per hour"),
        "PORTAL_RATE_LIMIT": os.environ.get("PORTAL_RATE_LIMIT", "30 per minute;300 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "MAIL_SERVER": os.environ.get("SMTP_HOST", ""),
        "MAIL_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("SMTP_USER", ""),
        "MAIL_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("SMTP_STARTTLS", True),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "noreply@localhost"),
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR", str(instance_path / "outbox")),
    }
