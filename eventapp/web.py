"""Cross-cutting view helpers: error pages, colour contrast, template globals, the
request's commit-or-refuse step, CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Flask, Response, flash, redirect, render_template, stream_with_context, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response as ResponseBase
from wtforms import Field

from .colours import readable_text_colour
from .db_types import DATABASE_ID_MAX
from .errors import Refused
from .extensions import db
from .json_depth import check_json_depth
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


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` for every route: matches only 1..2**31-1, the ids a row can have.

    A larger number reached the database and failed there (PostgreSQL: integer out of
    range; SQLite above 2**63: overflow), a 500 on every route taking an id. Out of range,
    the URL simply matches no route: 404, like any unknown id.
    """

    def __init__(self, map: Map, fixed_digits: int = 0, min: int = 1,  # noqa: A002
                 max: int = DATABASE_ID_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedJSONProvider(DefaultJSONProvider):
    """Reads request JSON for every view: deep nesting is a ValueError (hence a 400 from
    ``request.get_json``), never a RecursionError that would answer 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
        return check_json_depth(value)


def _refuse_host(error: SecurityError) -> Response:
    """A Host header outside TRUSTED_HOSTS: plain text, since no URL can be built (and
    no page rendered) for a host the app does not serve."""
    return Response("Bad request: this server does not answer for that host name.\n",
                    status=400, mimetype="text/plain")


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    # before any blueprint is registered: rules bind their converters when added
    app.url_map.converters["int"] = DatabaseIdConverter
    app.register_error_handler(CSRFError, _render_csrf_error)
    app.register_error_handler(SecurityError, _refuse_host)
    app.register_error_handler(HTTPException, _render_error)
    app.jinja_env.filters["text_colour"] = readable_text_colour
    app.jinja_env.globals["text_colour"] = readable_text_colour
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


def _favicon() -> ResponseBase:
    """Browsers ask for /favicon.ico on their own (a feed or JSON opened in a tab): send
    the icon the pages link to instead of a 404 in every log."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What :func:`commit_or_refuse` did: ``done`` once committed, with the operation's
    return value; not done once refused (and rolled back), with the ``error``."""

    done: bool
    value: T | None = None
    error: Refused | None = None

    def __bool__(self) -> bool:
        return self.done

    @property
    def refusal(self) -> Refused:
        """The refusal of an attempt that was not done (a caller that shows it itself)."""
        if self.error is None:
            raise ValueError("the operation was not refused")
        return self.error


def commit_or_refuse(operation: Callable[[], T],
                     refusal: type[Exception] | tuple[type[Exception], ...] = Refused, *,
                     field: Field | None = None, form: FlaskForm | None = None,
                     send_mail: bool = False, show: bool = True, details: bool = False,
                     integrity: Callable[[IntegrityError], Refused] | None = None
                     ) -> Attempt[T]:
    """Run one business operation as the request's transaction: the one commit/rollback
    step of every HTML view that changes data (views hold no try/except of their own).

    Committed when it returns (with the emails it queued when ``send_mail``); when it
    raises ``refusal`` (any :class:`~eventapp.errors.Refused` unless told), rolled back
    and, with ``show``, its message shown next to ``field``, or next to the field of
    ``form`` the error names (``error.field``), or flashed as an error (and, with
    ``details``, each of its details: the pages' wording of what is wrong, one by one).
    ``show=False`` leaves the showing to the caller (``attempt.error``). ``integrity``
    turns a database constraint refused at flush or commit into the area's refusal
    (a race the operation's own checks could not see). The caller flashes its own
    success message, after the operation, so that message can name what changed.
    """
    try:
        value = operation()
        if send_mail:
            commit_and_send()
        else:
            db.session.commit()
    except refusal as error:
        db.session.rollback()
        return _refused(error, field, form, show, details)
    except IntegrityError as error:
        if integrity is None:
            raise
        db.session.rollback()
        return _refused(integrity(error), field, form, show, details)
    return Attempt(done=True, value=value)


def _refused(error: Any, field: Field | None, form: FlaskForm | None, show: bool,
             details: bool) -> Attempt[Any]:
    if show:
        target = field
        if target is None and form is not None and getattr(error, "field", None):
            target = form._fields.get(error.field)
        message = getattr(error, "message", None) or str(error)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            flash(message, "error")
            for detail in getattr(error, "details", None) or [] if details else []:
                flash(detail, "error")
    return Attempt(done=False, error=error)


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
STREAM_CHUNK = 64 * 1024  # characters of CSV per chunk sent
YIELD_PER = 1000          # rows per fetch of a streamed export (server-side cursor on PG)


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """``rows`` as CSV for Excel FR (UTF-8 with BOM, semicolons, CRLF), in chunks of
    about :data:`STREAM_CHUNK`: an export streams instead of building the whole file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= STREAM_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_download(body: str | bytes, filename: str) -> Response:
    """A small CSV file made in memory (a template, the rows to correct) to save, never
    cached (it may list people)."""
    return _csv_response(body, filename)


def csv_stream(rows: Iterable[Iterable[object]], filename: str) -> Response:
    """A CSV download that streams (:func:`csv_lines`): the first bytes leave at once and
    memory stays flat whatever the number of rows. ``rows`` is read while the response
    is sent, inside the request's context (``stream_with_context``), so it may be a
    generator over a query run with ``yield_per``. Never cached (it lists people)."""
    return _csv_response(stream_with_context(csv_lines(rows)), filename)


def _csv_response(body: str | bytes | Iterator[bytes], filename: str) -> Response:
    """The whole Content-Type is given as ``content_type``: werkzeug appends its own
    ``charset`` to a ``mimetype`` that already names one, which made
    ``text/csv; charset=utf-8; charset=utf-8`` (a header RFC 9110 parsers may refuse)."""
    response = Response(body, content_type=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

