"""The signed-in user of a scan request, kept for a few seconds (issue 17).

Every request with a session cookie loads its user (Flask-Login's loader, one query) to
check that the account is active and the session's generation current. A staff phone
scanning a badge every second pays that query on each scan. On the endpoints that opt in
(the scan routes, :data:`CACHED_ENDPOINTS`), the user's columns are kept for
``SCAN_CACHE_SECONDS`` under the cookie's session id and attached to each request's
database session without a query (``merge(load=False)``). Ending a session or disabling
the account therefore reaches those endpoints within that many seconds (at once in the
process where it happened: the entry of the changed user is dropped); every other page
loads the user each time.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from ..ttl_cache import TTLCache, cache_seconds
from .models import User, user_for_session_id

CACHED_ENDPOINTS: set[str] = set()
USERS = TTLCache()


def _template(user: User) -> User:
    """A detached copy of the user's columns: what each request attaches."""
    copy = User(**{attr.key: getattr(user, attr.key)
                   for attr in sa_inspect(User).column_attrs})
    make_transient_to_detached(copy)
    return copy


def load_user(session_id: str) -> User | None:
    """The user a session cookie names; from the cache on the endpoints that opt in."""
    ttl = cache_seconds(current_app.config)
    if not ttl or not has_request_context() or request.endpoint not in CACHED_ENDPOINTS:
        return user_for_session_id(session_id)
    template = USERS.get(session_id)
    if template is None:
        user = user_for_session_id(session_id)
        if user is None:
            return None
        template = _template(user)
        USERS.put(session_id, template, ttl)
    return db.session.merge(template, load=False)


@sa_event.listens_for(User, "after_update")
def _forget_changed_user(_mapper: Any, _connection: Any, target: User) -> None:
    """A user changed here (disabled, signed out everywhere, role changed): no cached
    copy of theirs in this process outlives the change."""
    prefix = f"{target.id}:"
    for generation in range(max(0, (target.session_generation or 0) - 1),
                            (target.session_generation or 0) + 1):
        USERS.discard(f"{prefix}{generation}")
