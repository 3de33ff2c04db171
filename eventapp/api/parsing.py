"""Reading request bodies: JSON objects only, checked field by field.

Bodies are validated with the same WTForms forms as the HTML pages (the JSON object is
turned into form data, CSRF off: the API authenticates with bearer tokens), so the rules
and messages are the same in both.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, IntegerField

from ..json_values import json_integer
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


def form_data(form_class: type[Form], data: dict[str, Any],
              defaults: dict[str, Any] | None = None) -> MultiDict:
    """Turn a JSON object into the form data ``form_class`` reads; wrong types and unknown
    fields are 400s naming the field."""
    fields = _fields(form_class)
    values = {**(defaults or {}), **data}
    errors = []
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        kind = fields.get(name)
        if kind is None:
            errors.append({"field": name, "message": "Unknown field."})
        elif value is None:
            continue
        elif issubclass(kind, BooleanField):
            if not isinstance(value, bool):
                errors.append({"field": name, "message": "Must be true or false."})
            elif value:
                pairs.append((name, "y"))
        elif issubclass(kind, IntegerField):
            number = json_integer(value)
            if number is None:
                errors.append({"field": name, "message": "Must be an integer."})
            else:
                pairs.append((name, str(number)))
        elif not isinstance(value, str):
            errors.append({"field": name, "message": "Must be a string."})
        else:
            pairs.append((name, value))
    if errors:
        raise validation_error("The body has fields of the wrong type or unknown fields.",
                               errors)
    return MultiDict(pairs)


def _fields(form_class: type[Form]) -> dict[str, type]:
    """Field name -> field class, read from the class (no request context needed)."""
    return {name: unbound.field_class for name, unbound in _unbound_fields(form_class)
            if name != "csrf_token"}


def _unbound_fields(form_class: type[Form]):
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if hasattr(value, "field_class") and hasattr(value, "_formfield"):
            yield name, value


def validated_form(form_class: type[Form], data: dict[str, Any],
                   defaults: dict[str, Any] | None = None) -> Form:
    """The form filled from ``data`` and validated, or a 400 listing every failing field."""
    form = form_class(formdata=form_data(form_class, data, defaults), meta={"csrf": False})
    if not form.validate():
        details = [{"field": name, "message": str(message)}
                   for name in form._fields if name in form.errors
                   for message in _messages(form.errors[name])]
        raise validation_error("Some fields are not valid.", details)
    return form


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [str(m) for value in errors.values() for m in _messages(value)]
    return [str(m) for m in errors]
