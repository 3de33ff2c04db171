"""Accounts of the people who run events (organisers) and work on site (staff)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..db_types import UTCDateTime, utcnow
from ..extensions import Model, db


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    STAFF = "staff"


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('organiser', 'staff')", name="valid_role"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id kept in session and remember-me cookies (get_id): bumping it on
    # sign-out or a password change ends every session of the account, copies included.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """Flask-Login's id for cookies: "<id>:<generation>" (see load_user)."""
        return f"{self.id}:{self.session_generation or 0}"

    def end_sessions(self) -> None:
        """Void every session and remember-me cookie issued so far for this account."""
        self.session_generation = (self.session_generation or 0) + 1

    def set_password(self, password: str) -> None:
        """Store the new password's hash and end the account's other sessions (whoever
        knew the old password may hold one)."""
        # Tests set a cheap method; production keeps Werkzeug's default (scrypt).
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        if method:
            self.password_hash = generate_password_hash(password, method=method)
        else:
            self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot sign in
        return self.is_active_account

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def user_for_session_id(session_id: str) -> User | None:
    """The active user a cookie's id ("<id>:<generation>") names, if that generation is
    still current; None for ended sessions, malformed ids and disabled accounts."""
    user_id, _, generation = (session_id or "").partition(":")
    if not user_id.isdigit() or not generation.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or (user.session_generation or 0) != int(generation):
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


__all__ = ["Role", "User", "find_user_by_email", "user_for_session_id"]
