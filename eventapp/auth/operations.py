"""Changes to accounts."""

from __future__ import annotations

from ..db_types import utcnow
from ..errors import Refused
from ..extensions import db
from .models import Role, User, find_user_by_email

MIN_PASSWORD_LENGTH = 10


class AccountError(Refused, ValueError):
    """A refused account change, with a message fit for the person who asked."""


def create_user(email: str, password: str, role: str, name: str = "") -> User:
    """Create an organiser or staff account (the caller commits)."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f'"{email}" is not an email address')
    if role not in {r.value for r in Role}:
        raise AccountError(f'unknown role "{role}" (expected organiser or staff)')
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if find_user_by_email(email) is not None:
        raise AccountError(f"an account with the email {email} already exists")
    user = User(email=email, role=role, name=name)
    user.set_password(password)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway so that timing does not tell which emails have accounts.
        User(password_hash="").set_password(password)
        return None
    if not user.is_active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user
