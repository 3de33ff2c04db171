"""Reading request bodies: the JSON object (schemas.py's models validate it, spec.py reads
it), and the hand-over of validated values to a form shared with the HTML pages.

The registration form (registration/forms.py) keeps the rules the HTML page and the API
share, and builds the operation's input (``form.details()``): the API gives it values its
schema has already checked, so the form sees the same data as from the page.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict
from wtforms import Form

from .errors import ApiError, validation_error


def json_body() -> dict[str, Any]:
    """The request's JSON object, or 415 (not JSON) / 400 (malformed, not an object)."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.",
                       field="Content-Type")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "The body is not valid JSON.", field="body")
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", field="body")
    return data


def _form_data(values: dict[str, Any]) -> MultiDict:
    """Validated JSON values as form data: strings as they are, true as a ticked box,
    false and null as a field left out (as a browser sends them)."""
    pairs = [(name, "y" if value is True else str(value)) for name, value in values.items()
             if value is not None and value is not False]
    return MultiDict(pairs)


def validated_form(form_class: type[Form], values: dict[str, Any]) -> Form:
    """The form filled from values a schema has validated (CSRF off: the API authenticates
    with bearer tokens), or a 400 listing every failing field."""
    form = form_class(formdata=_form_data(values), meta={"csrf": False})
    if not form.validate():
        details = [{"field": name, "message": str(message)}
                   for name in form._fields if name in form.errors
                   for message in _messages(form.errors[name])]
        raise validation_error("Some fields are not valid.", details)
    return form


def _messages(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [str(m) for value in errors.values() for m in _messages(value)]
    return [str(m) for m in errors]
