"""Cross-cutting view helpers: error pages, colour contrast, template globals, the
request's commit-or-refuse step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import Flask, Response, flash, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError
from wtforms import Field

from .colours import readable_text_colour
from .extensions import db
from .mail import commit_and_send

T = TypeVar("T")

ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("File too large"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
}


def _render_error(error: HTTPException):
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    return render_template("errors/error.html", code=code, title=title,
                           description=error.description), code


def _render_csrf_error(error: CSRFError):
    return render_template(
        "errors/error.html",
        code=400,
        title=_l("Form expired"),
        description=_l("The form was not accepted because its security token is missing or "
                       "expired. Reload the page and try again; nothing was saved."),
    ), 400


def _refuse_host(error: SecurityError) -> Response:
    """A Host header outside TRUSTED_HOSTS: plain text, since no URL can be built (and
    no page rendered) for a host the app does not serve."""
    return Response("Bad request: this server does not answer for that host name.\n",
                    status=400, mimetype="text/plain")


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _render_csrf_error)
    app.register_error_handler(SecurityError, _refuse_host)
    app.register_error_handler(HTTPException, _render_error)
    app.jinja_env.filters["text_colour"] = readable_text_colour
    app.jinja_env.globals["text_colour"] = readable_text_colour


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What :func:`commit_or_refuse` did: ``done`` once committed, with the operation's
    return value; not done once refused (and rolled back)."""

    done: bool
    value: T | None = None


def commit_or_refuse(operation: Callable[[], T], refusal: type[Exception], *,
                     field: Field | None = None, send_mail: bool = False) -> Attempt[T]:
    """Run one business operation as the request's transaction.

    Committed when it returns (with the emails it queued when ``send_mail``); when it
    raises ``refusal``, rolled back and its message shown next to ``field``, or flashed
    as an error without one. The caller flashes its own success message, after the
    operation, so that message can name what changed.
    """
    try:
        value = operation()
    except refusal as error:
        db.session.rollback()
        if field is None:
            flash(str(error), "error")
        else:
            field.errors = [*field.errors, str(error)]
        return Attempt(done=False)
    if send_mail:
        commit_and_send()
    else:
        db.session.commit()
    return Attempt(done=True, value=value)
