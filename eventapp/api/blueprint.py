"""The JSON API's blueprint (/api/v1): its error handlers, and the routes that views.py
and views_checkin.py declare with ``spec.operation`` (each described there once)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import HTTPException

from ..errors import Refused
from ..extensions import csrf, limiter
from ..registration.limits import per_email_limited
from . import openapi  # noqa: F401 (it and the views it imports declare the operations)
from .cli import register_commands
from .errors import (
    ApiError,
    handle_api_error,
    handle_http_exception,
    handle_refused,
    install_app_handler,
)
from .spec import OPERATIONS

bp = Blueprint("api", __name__, url_prefix="/api/v1", cli_group=None)
register_commands(bp)
# Bearer tokens only, never cookies (see auth.py): no CSRF token to ask for.
csrf.exempt(bp)
bp.register_error_handler(ApiError, handle_api_error)
# Every area's domain error (a Refused), raised by an operation a view calls.
bp.register_error_handler(Refused, handle_refused)
# Every HTTP error, including 500s from unexpected exceptions, answers JSON.
bp.register_error_handler(HTTPException, handle_http_exception)
bp.record_once(lambda state: install_app_handler(state.app))


@bp.after_request
def _api_headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _registration_limit() -> str:
    """Per client address, like the HTML registration form (it sends an email)."""
    return current_app.config["REGISTRATION_RATE_LIMIT"]


# Per client address, like the HTML registration form (it sends an email), and per email.
RATE_LIMITS = {
    "create_registration": lambda view: limiter.limit(_registration_limit)(
        per_email_limited(view)),
}
for _operation in OPERATIONS:
    _view = _operation.view
    assert _view is not None
    if _operation.endpoint in RATE_LIMITS:
        _view = RATE_LIMITS[_operation.endpoint](_view)
    bp.add_url_rule(_operation.rule, _operation.endpoint, _view,
                    methods=[_operation.method.upper()])
