"""Who is calling: bearer tokens only, never the session cookie.

The API is exempt from CSRF because it never reads cookies: a browser that happens to
hold an organiser's session gets 401 here, so a cross-site form cannot act through it.

* Organisers and staff: ``Authorization: Bearer eva_...`` (``api-token`` command).
* Participants: ``Authorization: Bearer <portal token>`` on ``/api/v1/participant...``
  (the token of their personal link, which stays out of URLs and server logs).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from ..auth.models import Role, User
from ..extensions import db, limiter
from ..registration.models import Participant
from ..registration.tokens import PORTAL, find_by_token
from .errors import ApiError, unauthorised
from .tokens import user_for_token


def bearer_token() -> str:
    """The token of the Authorization header, or a 401 saying what is wrong."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise unauthorised("Authentication required: send Authorization: Bearer <token>.",
                           "invalid_request")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorised("The Authorization header must be 'Bearer <token>'.",
                           "invalid_request")
    return token


def current_api_user() -> User:
    return g.api_user


def current_participant() -> Participant:
    return g.api_participant


def user_required(*roles: Role) -> Callable:
    """A live API token of an active user with one of ``roles``; staff get 403 elsewhere."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            user = user_for_token(bearer_token())
            if user is None:
                db.session.rollback()
                raise unauthorised("The token is unknown or revoked.")
            db.session.commit()  # last_used_at, before the view's own work
            if user.role not in roles:
                raise ApiError(403, f"A {user.role} token may not use this operation "
                                    "(organisers only).")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


organiser_required = user_required(Role.ORGANISER)
staff_required = user_required(Role.ORGANISER, Role.STAFF)


def _participant_rate_key() -> str:
    return f"api-participant-{current_participant().id}"


def _portal_limit() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


def participant_limited(view: Callable) -> Callable:
    """PORTAL_RATE_LIMIT per participant, checked once the participant is known: put it
    under :func:`participant_required`. A request without a valid token gets its 401
    without using anyone's allowance, and people behind one shared address (on site)
    do not share one."""
    return limiter.limit(_portal_limit, key_func=_participant_rate_key)(view)


def participant_required(view: Callable) -> Callable:
    """The participant whose live portal token is the bearer token."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        participant = find_by_token(bearer_token(), PORTAL)
        if participant is None:
            raise unauthorised("The participant token is unknown or revoked.")
        g.api_participant = participant
        return view(*args, **kwargs)

    return wrapped
