"""Cross-cutting view helpers: error pages, colour contrast, template globals."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .colours import readable_text_colour

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


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _render_csrf_error)
    app.register_error_handler(HTTPException, _render_error)
    app.jinja_env.filters["text_colour"] = readable_text_colour
    app.jinja_env.globals["text_colour"] = readable_text_colour
