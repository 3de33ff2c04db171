"""Participants' secret links: issue, look up, revoke.

A token is 32 random bytes (URL-safe base64); only its SHA-256 is stored. Each token
serves one purpose ("portal" for the "Mon programme" page; other areas add their own),
so revoking one kind of link leaves the others working.

A participant has one current link per purpose: issuing a new one (lost-link form,
publication email...) makes the older ones stop working ``REPLACED_LINK_GRACE`` later,
so links asked for again and again do not pile up as live credentials, while the
person still has a day to open the newest email.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import abort

from ..db_types import utcnow
from ..extensions import db
from .models import Participant, ParticipantToken

PORTAL = "portal"
REPLACED_LINK_GRACE = timedelta(hours=24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(participant: Participant, purpose: str, now: datetime | None = None, *,
                first: bool = False) -> str:
    """Create a new token for ``purpose`` and return it in clear (shown once, never stored);
    the participant's older tokens of that purpose expire ``REPLACED_LINK_GRACE`` later.
    ``first``: the participant was created in this transaction, so has no older token to
    look for (a statement saved on each registration)."""
    if not first:
        _expire_older(participant, purpose, (now or utcnow()) + REPLACED_LINK_GRACE)
    token = secrets.token_urlsafe(32)
    db.session.add(
        ParticipantToken(participant=participant, purpose=purpose, token_hash=hash_token(token))
    )
    return token


def _expire_older(participant: Participant, purpose: str, at: datetime) -> None:
    """Make the participant's live tokens of ``purpose`` stop working at ``at`` (those set
    to stop sooner keep their time)."""
    if participant.id is None:
        return
    rows = db.session.scalars(db.select(ParticipantToken).where(
        ParticipantToken.participant_id == participant.id,
        ParticipantToken.purpose == purpose,
        ParticipantToken.revoked_at.is_(None),
        (ParticipantToken.expires_at.is_(None)) | (ParticipantToken.expires_at > at),
    )).all()
    for row in rows:
        row.expires_at = at


def find_by_token(token: str, purpose: str, now: datetime | None = None) -> Participant | None:
    """The participant holding this unrevoked, unexpired token for ``purpose``, or None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(
        db.select(ParticipantToken).where(
            ParticipantToken.token_hash == hash_token(token),
            ParticipantToken.purpose == purpose,
            ParticipantToken.revoked_at.is_(None),
            (ParticipantToken.expires_at.is_(None))
            | (ParticipantToken.expires_at > (now or utcnow())),
        )
    )
    return row.participant if row is not None else None


def portal_participant_or_404(token: str) -> Participant:
    """The participant of a personal ("Mon programme") link, or a 404 that reveals nothing:
    the one lookup behind every page reached by that link (portal, calendar, signing,
    questionnaire)."""
    participant = find_by_token(token, PORTAL)
    if participant is None:
        abort(404)
    return participant


def revoke_tokens(participant: Participant, purpose: str | None = None) -> int:
    """Revoke the participant's live tokens (of one purpose, or all); returns how many."""
    query = db.select(ParticipantToken).where(
        ParticipantToken.participant_id == participant.id,
        ParticipantToken.revoked_at.is_(None),
    )
    if purpose is not None:
        query = query.where(ParticipantToken.purpose == purpose)
    rows = db.session.scalars(query).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return len(rows)
