"""Forms of the organiser's builder.

The forms check shapes (required, numbers, times); the rules that involve other rows
(keys unique, tables of a room, themes admitted...) live in ``operations`` so that
every caller gets them. ``fieldsets`` groups fields on the page; fields named in
``advanced`` are shown in a closed "Advanced" section.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import ColorField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..db_types import database_id
from ..events.models import DEFAULT_TIMEZONE
from ..forms import AppForm
from ..programme.models import KEY_LENGTH, ProgrammeItemKind
from ..programme.palette import SIGNAGE_COLOURS


def optional_int(value) -> int | None:
    """Select coercion where the empty choice means "none" (e.g. "to be placed")."""
    if value in (None, "", "None"):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on phones and with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonPickerField(MultiCheckboxField):
    """People chosen among the whole event (a project's presenters): the chosen ones as
    ticked boxes, and a search (``<name>-q``, a "Search" submit, ``find=<name>``) whose
    page of matches is offered as unticked boxes; static/person-picker.js searches as one
    types (``programme.people_json``). The view sets ``choices`` to the chosen people
    and the matches only (see builder.views._person_picker): a page that listed everyone
    weighed 1.7 MB at 10,000 people."""

    query: str = ""
    page: int = 1
    more: bool = False


def _key_field() -> StringField:
    return StringField(
        _l("Key"), validators=[Optional(), Length(max=KEY_LENGTH)],
        description=_l("Identifier used by the import/export format. Left empty, it is "
                       "derived from the name."))


def _position_field() -> IntegerField:
    return IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=9999)],
                        default=0, description=_l("Smaller numbers come first."))


class BuilderForm(AppForm):
    fieldsets: tuple = ()
    advanced: tuple = ("key", "position")


class EventForm(BuilderForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    date = DateField(_l("Date"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Length(max=300)])
    address = TextAreaField(_l("Address"), validators=[Length(max=2000)])
    timezone = StringField(
        _l("Time zone"), default=DEFAULT_TIMEZONE, validators=[DataRequired(), Length(max=64)],
        render_kw={"list": "timezones", "autocomplete": "off"},
        description=_l("IANA name such as Europe/Paris or America/Martinique; every time of "
                       "the programme is in this zone."))
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    slug = StringField(
        _l("Web address (slug)"), validators=[Optional(), Length(max=80)],
        description=_l("Lower-case letters, digits and hyphens. Left empty, it is derived "
                       "from the name."))
    advanced = ("slug",)


def _swatch_choices() -> list[SelectChoice]:
    return [SelectChoice(hex_colour, name) for name, hex_colour in SIGNAGE_COLOURS]


class ThemeForm(BuilderForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    swatch = RadioField(
        _l("Signage colour"), choices=_swatch_choices(), validators=[Optional()],
        validate_choice=False,
        description=_l("Pick a colour: its name is filled in. Or choose any colour below."))
    colour = ColorField(_l("Other colour"), default="#1f6fb2")
    colour_hex = StringField(
        _l("Colour code"), validators=[Optional(), Length(max=7)],
        description=_l("Or type the code, written #rrggbb (it takes precedence over the "
                       "colour picker)."))
    # The colour when the page was shown: tells which of picker and code the user changed.
    colour_was = HiddenField()
    colour_name = StringField(
        _l("Colour name"), validators=[Length(max=60)],
        description=_l("Shown next to the colour everywhere (for example \"red\"), so that "
                       "colour is never the only cue. Left empty, the nearest palette name."))
    position = _position_field()
    key = _key_field()


class RoomForm(BuilderForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    capacity = IntegerField(_l("Capacity (seats)"),
                            validators=[InputRequired(message=_l("Give the number of seats.")),
                                        NumberRange(min=0, max=100000)])
    tables = IntegerField(
        _l("Tables"), default=1, validators=[InputRequired(), NumberRange(min=1, max=50)],
        description=_l("How many presentations run in parallel in the room."))
    table_labels = TextAreaField(
        _l("Table names"), validators=[Length(max=5000)],
        description=_l("Optional: one name per line, line 1 for table 1 (for example "
                       "\"Building innovative pathways\")."))
    step_free = BooleanField(_l("Step-free access"), default=True)
    directions = TextAreaField(_l("Directions"), validators=[Length(max=5000)],
                               description=_l("How to get there from the entrance."))
    themes = MultiCheckboxField(
        _l("Admitted themes"), coerce=database_id, validate_choice=False,
        description=_l("Leave all unticked to admit every theme."))
    position = _position_field()
    key = _key_field()


class ProjectForm(BuilderForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    organisation = StringField(_l("Carrying organisation"), validators=[Length(max=300)])
    theme = SelectField(_l("Theme"), coerce=optional_int, validate_choice=False,
                        validators=[DataRequired(message=_l("Choose the project's theme."))])
    keywords = StringField(_l("Keywords"), validators=[Length(max=2000)],
                           description=_l("Separated by commas."))
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    presenters = PersonPickerField(_l("Presenters"), coerce=database_id, validate_choice=False)
    new_first_name = StringField(_l("First name"), validators=[Length(max=150)])
    new_last_name = StringField(_l("Last name"), validators=[Length(max=150)])
    new_email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    new_organisation = StringField(_l("Organisation"), validators=[Length(max=300)])
    position = _position_field()
    key = _key_field()
    fieldsets = ((_l("Add a new presenter"),
                  ("new_first_name", "new_last_name", "new_email", "new_organisation")),)


class PresenterForm(BuilderForm):
    first_name = StringField(_l("First name"), validators=[Length(max=150)])
    last_name = StringField(_l("Last name"), validators=[Length(max=150)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=300)])
    key = _key_field()


def _kind_choices() -> list[SelectChoice]:
    labels = {
        ProgrammeItemKind.WELCOME: _l("Welcome"),
        ProgrammeItemKind.TALK: _l("Talk"),
        ProgrammeItemKind.BREAK: _l("Break"),
        ProgrammeItemKind.LUNCH: _l("Lunch"),
        ProgrammeItemKind.OTHER: _l("Other"),
    }
    return [SelectChoice(kind, labels[kind]) for kind in ProgrammeItemKind.ALL]


class ProgrammeItemForm(BuilderForm):
    kind = SelectField(_l("Kind"), choices=_kind_choices(), default=ProgrammeItemKind.TALK)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    starts = TimeField(_l("Starts at"), validators=[DataRequired()],
                       description=_l("Local time of the event, HH:MM."))
    ends = TimeField(_l("Ends at"), validators=[DataRequired()])
    room = SelectField(_l("Room"), coerce=optional_int, validate_choice=False)
    speakers = TextAreaField(_l("Speakers"), validators=[Length(max=5000)],
                             description=_l("One per line: name, function, organisation."))
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    advanced = ()


class RoundForm(BuilderForm):
    starts = TimeField(_l("Starts at"), validators=[DataRequired()],
                       description=_l("Local time of the event, HH:MM."))
    ends = TimeField(_l("Ends at"), validators=[DataRequired()])
    key = _key_field()


class GenerateRoundsForm(BuilderForm):
    first_start = TimeField(_l("First round starts at"), validators=[DataRequired()],
                            description=_l("Local time of the event, HH:MM."))
    count = IntegerField(_l("Number of rounds"), default=3,
                         validators=[InputRequired(), NumberRange(min=1, max=30)])
    minutes = IntegerField(_l("Duration of a round (minutes)"), default=20,
                           validators=[InputRequired(), NumberRange(min=1, max=240)])
    changeover = IntegerField(
        _l("Changeover (minutes)"), default=5, validators=[Optional(), NumberRange(0, 120)],
        description=_l("Time to change rooms between two rounds."))
    with_sessions = BooleanField(
        _l("Also generate the sessions"), default=True,
        description=_l("Each new round's tables get the projects that presented least so "
                       "far (each room takes only the themes it admits). You can change "
                       "them on the grid."))
    advanced = ()


class SlotForm(BuilderForm):
    name = StringField(_l("Name"), validators=[Length(max=200)],
                       description=_l("For example \"Afternoon workshops\". Left empty, it "
                                      "says the time."))
    starts = TimeField(_l("Starts at"), validators=[DataRequired()],
                       description=_l("Local time of the event, HH:MM."))
    ends = TimeField(_l("Ends at"), validators=[DataRequired()])
    key = _key_field()


class WorkshopForm(BuilderForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    slot = SelectField(_l("Time slot"), coerce=optional_int, validate_choice=False,
                       validators=[DataRequired(message=_l("Choose a time slot."))])
    room = SelectField(_l("Room"), coerce=optional_int, validate_choice=False,
                       validators=[DataRequired(message=_l("Choose a room."))])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Left empty: the room's capacity."))
    host = StringField(_l("Host"), validators=[Length(max=300)])
    panel = TextAreaField(_l("Panel"), validators=[Length(max=5000)],
                          description=_l("One per line: name, function, organisation."))
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)])
    position = _position_field()
    key = _key_field()


class SessionForm(BuilderForm):
    project = SelectField(_l("Project"), coerce=optional_int, validate_choice=False,
                          validators=[DataRequired(message=_l("Choose a project."))])
    round = SelectField(_l("Round"), coerce=optional_int, validate_choice=False,
                        description=_l("Left empty, the scheduler places the session."))
    room = SelectField(_l("Room"), coerce=optional_int, validate_choice=False,
                       description=_l("Left empty, the scheduler places the session."))
    table_number = IntegerField(_l("Table"), validators=[Optional(), NumberRange(min=1)],
                                description=_l("For rooms with several tables."))
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Left empty: the room's seats divided by its "
                                           "tables."))
    min_audience = IntegerField(_l("Minimum audience"), default=0,
                                validators=[Optional(), NumberRange(min=0)])
    extra_presenters = PersonPickerField(
        _l("Extra presenters for this session"), coerce=database_id, validate_choice=False,
        description=_l("People who present only this session, besides the project's "
                       "presenters."))
    key = _key_field()


class ConfirmForm(AppForm):
    """An empty form: only its CSRF token, so that a POST proves intent."""


class DuplicateEventForm(BuilderForm):
    """A copy of an event's programme for another day (builder/duplicate.py)."""

    name = StringField(_l("Name of the new event"), validators=[DataRequired(), Length(max=300)])
    date = DateField(_l("Date of the new event"), validators=[DataRequired()])
    slug = StringField(
        _l("Web address (slug)"), validators=[Optional(), Length(max=80)],
        description=_l("Lower-case letters, digits and hyphens. Left empty, it is derived "
                       "from the name."))
    advanced = ("slug",)


class PlaceForm(AppForm):
    """An empty cell of the grid: which project presents there (the cell's round, room
    and table come as hidden fields; the operation checks they belong to the event)."""

    project = IntegerField(_l("Project"), validators=[Optional()])
    round = IntegerField(validators=[InputRequired()])
    room = IntegerField(validators=[InputRequired()])
    table_number = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=100)])


class OpeningForm(AppForm):
    """Opening registration, with what the check found missing filled in on the spot
    (the data controller, the privacy contact, the capacity): only the missing fields
    are shown."""

    organiser_name = StringField(_l("Organising body (data controller)"),
                                 validators=[Optional(), Length(max=300)])
    privacy_contact = EmailField(_l("Privacy contact email"),
                                 validators=[Optional(), Email(), Length(max=254)])
    capacity = IntegerField(_l("Capacity (number of registered people)"),
                            validators=[Optional(), NumberRange(min=0, max=1000000)])
