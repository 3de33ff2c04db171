"""JSON errors of the API: one shape for every failure, never an HTML page.

``{"error": {"status": 400, "message": "...", "field": "email", "details": [...]}}``:
``field`` names the first failing field (null when the failure is not about one field);
``details`` lists every problem as ``{"field": ..., "message": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Response, jsonify, request
from flask.sansio.app import App
from werkzeug.exceptions import HTTPException

from ..errors import Refused
from ..extensions import db

API_PREFIX = "/api/v1"

# Messages for HTTP errors raised outside the API's own code (routing, size limits...).
HTTP_MESSAGES = {
    400: "The request is not valid.",
    401: "Authentication required: send Authorization: Bearer <token>.",
    403: "This token may not use this operation.",
    404: "Not found.",
    405: "Method not allowed on this URL.",
    413: "The request body is too large.",
    415: "Unsupported content type: send application/json.",
    429: "Too many requests: slow down and retry later.",
    500: "Internal server error.",
}


class ApiError(Exception):
    """A failure the client must see: status, message, failing field and details."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 details: Iterable[dict] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = list(details or [])
        self.field = field if field is not None else next(
            (d.get("field") for d in self.details if d.get("field")), None)
        self.headers = headers or {}


def validation_error(message: str, details: Iterable[dict]) -> ApiError:
    return ApiError(400, message, details=details)


def unauthorised(message: str, error: str = "invalid_token") -> ApiError:
    """401 with the challenge RFC 6750 asks for."""
    return ApiError(401, message, headers={
        "WWW-Authenticate": f'Bearer realm="eventapp", error="{error}"'})


def error_response(status: int, message: str, field: str | None = None,
                   details: list[dict] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"status": status, "message": message, "field": field,
                                  "details": details or []}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.field, error.details,
                          error.headers)


def handle_refused(error: Refused) -> Response:
    """Every area's refusal in the one shape: ``status`` 409 (refused) or 400 (the request's
    content), ``field`` the field at fault (else the first detail's). Nothing of the refused
    change is kept."""
    db.session.rollback()
    return handle_api_error(ApiError(error.status, error.api_message, error.field,
                                     error.api_details()))


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    message = HTTP_MESSAGES.get(status, error.name)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="eventapp"'
    valid_methods = getattr(error, "valid_methods", None)  # a MethodNotAllowed's
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(sorted(valid_methods))
    if status == 429 and getattr(error, "description", None):
        message = f"Too many requests ({error.description}): retry later."
    return error_response(status, message, headers=headers)


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def install_app_handler(app: App) -> None:
    """Unknown URLs and wrong methods under /api/v1 are routed to no blueprint, so the
    app-wide HTML handler would answer them: wrap it to answer JSON for API paths."""
    previous: Callable | None = app.error_handler_spec.get(None, {}).get(None, {}).get(
        HTTPException)

    def dispatch(error: HTTPException):
        if is_api_request() or previous is None:
            return handle_http_exception(error)
        return previous(error)

    app.register_error_handler(HTTPException, dispatch)
