"""Forms of the report: the organiser's introduction and conclusion, a workshop's summary."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from ..forms import AppForm

STRIP = [lambda value: value.strip() if isinstance(value, str) else value]
TEXT_MAX = 20000


class TextsForm(AppForm):
    intro = TextAreaField(_l("Introduction"), filters=STRIP,
                          validators=[Optional(), Length(max=TEXT_MAX)])
    conclusion = TextAreaField(_l("Conclusion"), filters=STRIP,
                               validators=[Optional(), Length(max=TEXT_MAX)])


class WorkshopForm(AppForm):
    summary = TextAreaField(_l("Summary of the workshop"), filters=STRIP,
                            validators=[Optional(), Length(max=TEXT_MAX)])
    next_steps = TextAreaField(_l("Next steps (“pistes d’action”)"), filters=STRIP,
                               validators=[Optional(), Length(max=TEXT_MAX)])


class ButtonForm(AppForm):
    """A button-only form (CSRF): make a rapporteur link."""
