"""Issue, resolve and revoke API tokens (organisers and staff).

A token is ``eva_`` followed by 32 random bytes in URL-safe base64: the prefix makes leaked
tokens easy to find with secret scanners and grep. Only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from ..auth.models import User
from ..db_types import utcnow
from ..errors import Refused
from ..extensions import db
from .models import ApiToken

TOKEN_PREFIX = "eva_"
SHOWN_PREFIX_LENGTH = 12  # "eva_" + 8 characters: enough to tell tokens apart
MAX_TOKEN_LENGTH = 200
# last_used_at is informative: refresh it at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(Refused, ValueError):
    """A refused token operation, with a message for the operator."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the clear token (shown once).

    The caller commits.
    """
    if not user.is_active:
        raise ApiTokenError(f"the account {user.email} is disabled")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=hash_token(clear),
                   token_prefix=clear[:SHOWN_PREFIX_LENGTH])
    db.session.add(row)
    db.session.flush()
    return row, clear


def user_for_token(token: str) -> User | None:
    """The active user holding this live token (and note its use), or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.session.scalar(db.select(ApiToken).where(
        ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return row.user


def live_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(db.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)))


def revoke_user_tokens(user: User) -> int:
    """Revoke every live token of ``user``; returns how many (the caller commits)."""
    rows = live_tokens(user)
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)


def revoke_by_prefix(prefix: str) -> ApiToken:
    """Revoke the one live token whose start is ``prefix`` (at least the shown prefix)."""
    prefix = prefix.strip()
    if len(prefix) < SHOWN_PREFIX_LENGTH or not prefix.startswith(TOKEN_PREFIX):
        raise ApiTokenError(f"give at least the first {SHOWN_PREFIX_LENGTH} characters of "
                            f"the token (they start with {TOKEN_PREFIX})")
    candidates = [row for row in db.session.scalars(db.select(ApiToken).where(
        ApiToken.token_prefix == prefix[:SHOWN_PREFIX_LENGTH],
        ApiToken.revoked_at.is_(None)))]
    if len(prefix) > SHOWN_PREFIX_LENGTH:  # a whole token: match it exactly
        candidates = [row for row in candidates if row.token_hash == hash_token(prefix)]
    if not candidates:
        raise ApiTokenError(f"no live token starts with {prefix[:SHOWN_PREFIX_LENGTH]}")
    if len(candidates) > 1:
        raise ApiTokenError("several live tokens start with these characters: give the "
                            "whole token")
    candidates[0].revoked_at = utcnow()
    return candidates[0]
