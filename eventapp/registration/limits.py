"""Per-address-of-email throttling for the public forms and API calls that send email.

The per-client limits (REGISTRATION_RATE_LIMIT) do not stop someone with many client
addresses from flooding one person's inbox with links, or piling up live links for them;
EMAIL_RATE_LIMIT counts the requests about one email address of one event, whoever
sends them. The answer does not depend on whether the address is registered.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from ..extensions import limiter
from .operations import normalise_email


def _requested_email() -> str:
    """The email address a form post or JSON body asks about, normalised ("" if none)."""
    email = request.form.get("email")
    if email is None and request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return normalise_email(email if isinstance(email, str) else "")


def _email_key() -> str:
    slug = (request.view_args or {}).get("slug", "")
    return f"email:{slug}:{_requested_email()}"


def _email_limit() -> str:
    return current_app.config["EMAIL_RATE_LIMIT"]


def per_email_limited(view: Callable) -> Callable:
    """EMAIL_RATE_LIMIT per event and email address on the view's POSTs, one allowance
    shared by every view so decorated (registration form, lost-link form, API); requests
    without an address are left to form validation."""
    return limiter.shared_limit(_email_limit, scope="email-address", key_func=_email_key,
                                methods=["POST"],
                                exempt_when=lambda: not _requested_email())(view)
