"""Who may do what: the role checks the views use.

Organisers build programmes and run the scheduler; staff work on site (check-in) and may
read what they need, but never edit the programme.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def roles_required(*roles: Role) -> Callable:
    """Signed-in users with one of ``roles``; others get 403, anonymous users the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


organiser_required = roles_required(Role.ORGANISER)
staff_required = roles_required(Role.ORGANISER, Role.STAFF)
