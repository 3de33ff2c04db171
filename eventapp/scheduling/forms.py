"""Forms of the scheduling area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from ..forms import AppForm
from .operations import DEFAULT_CHANGE_PENALTY

MIN_TIME_LIMIT_S = 5
MAX_TIME_LIMIT_S = 3600
DEFAULT_TIME_LIMIT_S = 60


class SolveForm(AppForm):
    time_limit_s = IntegerField(
        _l("Time limit (seconds)"), default=DEFAULT_TIME_LIMIT_S,
        validators=[InputRequired(_l("Give a time limit in seconds.")),
                    NumberRange(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S,
                                _l("Between %(min)s and %(max)s seconds."))])
    change_penalty = IntegerField(
        _l("Keep the places already published"),
        default=DEFAULT_CHANGE_PENALTY,
        validators=[InputRequired(_l("Give a number (0 lets people move freely).")),
                    NumberRange(0, 100000, _l("Between %(min)s and %(max)s."))])


class ActionForm(AppForm):
    """A button that changes something: only the CSRF token."""


class MoveForm(AppForm):
    target = SelectField(_l("Place"), coerce=int, validate_choice=True)
    pinned = BooleanField(_l("Pinned: the next solve keeps this place"))
