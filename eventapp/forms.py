"""The base form of the app: every text field is checked the same way.

:class:`AppForm` adds, when a field is bound, the checks of :mod:`eventapp.text` to every
text field of every form (HTML pages and the JSON API use the same forms), so a new field
cannot forget them: single-line fields (``StringField``, ``EmailField``...) lose bidi
controls and refuse control characters and line breaks; ``TextAreaField`` refuses control
characters other than tabs and line breaks. Passwords are left exactly as typed.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

from .text import block_problem, line_problem, strip_bidi

LINE_MESSAGES = {
    "must not contain NUL characters": _l("Must not contain NUL characters."),
    "must be on one line (no line breaks)": _l("Must be on one line (no line breaks)."),
}
CONTROL_MESSAGE = _l("Must not contain control characters.")


def _strip_bidi(value: Any) -> Any:
    return strip_bidi(value) if isinstance(value, str) else value


def problem_message(problem: str) -> str:
    """The user's sentence for a :mod:`eventapp.text` problem (forms and scan bodies)."""
    return str(LINE_MESSAGES.get(problem, CONTROL_MESSAGE))


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise StopValidation(problem_message(problem))


def single_line(form: Form, field: Field) -> None:
    """Validator: no control characters nor line breaks (see :mod:`eventapp.text`)."""
    if isinstance(field.data, str):
        _refuse(line_problem(field.data))


def multi_line(form: Form, field: Field) -> None:
    """Validator: line breaks and tabs allowed, other control characters not."""
    if isinstance(field.data, str):
        _refuse(block_problem(field.data))


class AppForm(FlaskForm):
    """FlaskForm with the app's text checks on every text field."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Form, unbound_field: UnboundField,
                       options: dict[str, Any]) -> Field:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class,
                                                                        PasswordField):
                multiline = issubclass(field_class, TextAreaField)
                check = multi_line if multiline else single_line
                filters = list(unbound_field.kwargs.get("filters") or ())
                if not multiline:
                    filters.insert(0, _strip_bidi)
                validators = [check, *(unbound_field.kwargs.get("validators") or ())]
                options = {**options, "filters": filters, "validators": validators}
            return super().bind_field(form, unbound_field, options)
