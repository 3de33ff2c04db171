"""Forms of the registration area (public registration, portal, organiser pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..forms import AppForm
from .models import CATEGORIES, PUBLIC_CATEGORIES, ROLES
from .operations import PersonDetails
from .queries import CATEGORY_LABELS, ROLE_LABELS


def _choices(keys, labels) -> list[SelectChoice]:
    return [SelectChoice(key, labels[key]) for key in keys]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


class _Value:
    """The one attribute of a field that a validator such as ``Email`` reads."""

    def __init__(self, data: str):
        self.data = data


def is_email_address(address: str) -> bool:
    """Whether the forms' ``Email`` validator accepts ``address`` (the CSV import checks
    its email column with the very rule the registration forms apply)."""
    try:
        Email(message="invalid")(None, _Value(address))
    except ValidationError:
        return False
    return True


def length_limits(form_class: type) -> dict[str, int]:
    """The longest text each field of ``form_class`` accepts, read from its ``Length``
    validator: the CSV import holds its columns to the same limits as the form."""
    limits = {}
    for name in dir(form_class):
        field = getattr(form_class, name, None)
        if not isinstance(field, UnboundField):
            continue
        for validator in field.kwargs.get("validators") or ():
            if isinstance(validator, Length) and validator.max >= 0:
                limits[name] = validator.max
    return limits


class PersonForm(AppForm):
    """The details a person gives about themselves."""

    first_name = StringField(
        _l("First name"), filters=STRIP, validators=[DataRequired(), Length(max=150)],
        render_kw={"autocomplete": "given-name"})
    last_name = StringField(
        _l("Last name"), filters=STRIP, validators=[DataRequired(), Length(max=150)],
        render_kw={"autocomplete": "family-name"})
    email = EmailField(
        _l("Email"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"})
    organisation = StringField(
        _l("Organisation"), filters=STRIP, validators=[Optional(), Length(max=300)],
        render_kw={"autocomplete": "organization"})
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("Choose your category")),
                 *_choices(PUBLIC_CATEGORIES, CATEGORY_LABELS)],
        validators=[DataRequired(message=_l("Please choose a category."))])
    role = SelectField(_l("I come as"), choices=_choices(ROLES, ROLE_LABELS),
                       default="participant", validators=[DataRequired()])
    needs_step_free = BooleanField(_l("I need step-free access (wheelchair, reduced mobility)"))
    accessibility_notes = TextAreaField(
        _l("Other accessibility needs"), validators=[Optional(), Length(max=2000)])
    dietary_notes = TextAreaField(
        _l("Dietary needs for lunch"), validators=[Optional(), Length(max=2000)])

    def details(self) -> PersonDetails:
        job_title = self.job_title.data if hasattr(self, "job_title") else None
        return PersonDetails(
            first_name=self.first_name.data or "", last_name=self.last_name.data or "",
            email=self.email.data or "", organisation=self.organisation.data or "",
            category=self.category.data or None, role=self.role.data or "participant",
            needs_step_free=bool(self.needs_step_free.data),
            accessibility_notes=self.accessibility_notes.data or "",
            dietary_notes=self.dietary_notes.data or "", job_title=job_title)

    def fill(self, participant) -> None:
        """Pre-fill from a participant (GET of an edit page)."""
        for name in ("first_name", "last_name", "email", "organisation", "category", "role",
                     "needs_step_free", "accessibility_notes", "dietary_notes", "job_title"):
            if hasattr(self, name):
                getattr(self, name).data = getattr(participant, name)


class RegistrationForm(PersonForm):
    consent = BooleanField(
        _l("I agree that my data is used to organise this event, as the privacy notice "
           "explains."),
        validators=[DataRequired(message=_l("Registration needs your consent; without it we "
                                            "cannot keep your details."))])


class OrganiserParticipantForm(PersonForm):
    """Organisers may set every category, including "intervenant", and no email."""

    email = EmailField(_l("Email"), filters=STRIP,
                       validators=[Optional(), Email(), Length(max=254)])
    job_title = StringField(_l("Job title"), filters=STRIP,
                            validators=[Optional(), Length(max=300)])
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("None")), *_choices(CATEGORIES, CATEGORY_LABELS)],
        validators=[Optional()])


class LostLinkForm(AppForm):
    email = EmailField(_l("Email you registered with"), filters=STRIP,
                       validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class ConfirmForm(AppForm):
    """A button-only form: CSRF protection for cancel, delete and confirm actions."""


class ImportConfirmForm(AppForm):
    send_links = BooleanField(_l("Email each new participant their personal link"))


class ImportLinksForm(AppForm):
    """After an import: send the imported people their personal links, in one go."""

    include_updated = BooleanField(_l("Also those who were already registered"))


class NewParticipantForm(OrganiserParticipantForm):
    send_link = BooleanField(_l("Email this person their personal link now"))


# What browsers send for <input type="datetime-local"> (the first is also how we render).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class SettingsForm(AppForm):
    opens_at = DateTimeLocalField(_l("Registration opens"), format=LOCAL_FORMATS,
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Registration closes"), format=LOCAL_FORMATS,
                                   validators=[Optional()])
    capacity = IntegerField(_l("Capacity (number of registered people)"),
                            validators=[Optional(), NumberRange(min=0)])
    waiting_list = BooleanField(_l("When full, offer a waiting list"))
    wishes_deadline = DateTimeLocalField(_l("Deadline for choices"), format=LOCAL_FORMATS,
                                         validators=[Optional()])
    organiser_name = StringField(_l("Organising body (data controller)"), filters=STRIP,
                                 validators=[Optional(), Length(max=300)])
    privacy_contact = EmailField(_l("Privacy contact email"), filters=STRIP,
                                 validators=[Optional(), Email(), Length(max=254)])
    retention_months = IntegerField(_l("Keep participants' data for (months after the event)"),
                                    validators=[DataRequired(), NumberRange(min=1, max=120)],
                                    default=12)


class ImportForm(AppForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(_l("Choose a CSV file.")),
        FileAllowed(["csv", "txt"], _l("The file must be a .csv (or .txt) file."))])
