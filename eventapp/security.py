"""HTTP security headers and the login manager's wiring."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from .extensions import login_manager

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    _add_hsts(response)
    return response


def _add_hsts(response: Response) -> None:
    """Tell browsers to come back over https only, on answers served over https (behind a
    proxy: as told by X-Forwarded-Proto, once TRUSTED_PROXIES trusts it). Never on plain
    http, where a browser must ignore it and a development server must not get it."""
    max_age = int(current_app.config.get("HSTS_MAX_AGE") or 0)
    if max_age > 0 and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")


def init_app(app: Flask) -> None:
    from .auth.models import User
    from .auth.session_cache import load_user as cached_load_user

    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return cached_load_user(session_id)

    app.after_request(_add_security_headers)
