"""Forms of the evaluation's organiser pages (the participant's answers are read field by
field in the view: their fields depend on the person)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import AppForm
from ..registration.forms import LOCAL_FORMATS

STRIP = [lambda value: value.strip() if isinstance(value, str) else value]


class SettingsForm(AppForm):
    intro = TextAreaField(_l("Introduction shown above the questions"), filters=STRIP,
                          validators=[Optional(), Length(max=2000)])
    closes_at = DateTimeLocalField(_l("Answers accepted until"), format=LOCAL_FORMATS,
                                   validators=[DataRequired()])


class BlockForm(AppForm):
    block = SelectField(_l("Ready block"), choices=[
        SelectChoice("day", _l("The day overall (1–5 and comments)")),
        SelectChoice("sessions", _l("Each session the person attended (each project heard)")),
        SelectChoice("workshop", _l("Their workshop")),
        SelectChoice("next_steps", _l("What they will do next (“pistes d’action”)"))])


class FreeQuestionForm(AppForm):
    kind = SelectField(_l("Kind of question"), choices=[
        SelectChoice("single", _l("Single choice")),
        SelectChoice("multiple", _l("Multiple choice")),
        SelectChoice("scale", _l("Scale from 1 to 5")),
        SelectChoice("text", _l("Text"))])
    label_fr = StringField(_l("Question in French"), filters=STRIP,
                           validators=[DataRequired(), Length(max=500)])
    label_en = StringField(_l("Question in English"), filters=STRIP,
                           validators=[Optional(), Length(max=500)])
    options = TextAreaField(_l("Choices, one per line (“Français | English”)"),
                            filters=STRIP, validators=[Optional(), Length(max=3000)])


class ButtonForm(AppForm):
    """A button-only form (CSRF): send, remind, delete a question."""
