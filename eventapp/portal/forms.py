"""The wishes form: one "choice number" field per project and workshop.

A short numeric text field works on every phone and without JavaScript, and its size does
not grow with the number of projects: a select per project offering every rank made the
page grow with the square of the programme (7 MB for 400 projects). static/ranking.js
hides the fields and writes the order built with its buttons into them. The server checks
that each number is in range here, and that the numbers are unique and consecutive in
registration.operations.validate_ranking.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, Form, IntegerField, StringField
from wtforms.validators import InputRequired, StopValidation

from ..forms import AppForm
from ..programme.models import Project, Theme, Workshop


class RankField(StringField):
    """A choice number from 1 to ``count``, or empty for "not interested"."""

    def __init__(self, label: str, count: int, **kwargs) -> None:
        validators = [*(kwargs.pop("validators", None) or ()), _rank_in_range]
        super().__init__(label, validators=validators, **kwargs)
        self.count = count

    def rank(self) -> int | None:
        """The number given (after validation), None when left empty."""
        return int(self.data.strip()) if (self.data or "").strip() else None


def _rank_in_range(form: Form, field: Field) -> None:
    value = (field.data or "").strip()
    if value and not (value.isascii() and value.isdigit() and 1 <= int(value) <= field.count):
        raise StopValidation(str(_l('"%(name)s": the choice number must be between 1 and '
                                    '%(count)s, or left empty.', name=field.label.text,
                                    count=field.count)))


def build_wishes_form(projects: list[Project], workshops: list[Workshop], themes: list[Theme],
                      **kwargs) -> AppForm:
    """A form class made for this event's programme, then instantiated."""

    class WishesForm(AppForm):
        pass

    for project in projects:
        setattr(WishesForm, f"project_{project.id}", RankField(project.name, len(projects)))
    for workshop in workshops:
        setattr(WishesForm, f"workshop_{workshop.id}", RankField(workshop.name, len(workshops)))
    for theme in themes:
        setattr(WishesForm, f"theme_{theme.id}", BooleanField(theme.name))
    form = WishesForm(**kwargs)
    form.projects_ = projects
    form.workshops_ = workshops
    form.themes_ = themes
    return form


def fill_wishes_form(form: AppForm, participant) -> None:
    for wish in participant.project_wishes:
        field = getattr(form, f"project_{wish.project_id}", None)
        if field is not None:
            field.data = str(wish.rank + 1)
    for wish in participant.workshop_wishes:
        field = getattr(form, f"workshop_{wish.workshop_id}", None)
        if field is not None:
            field.data = str(wish.rank + 1)
    for theme in participant.theme_interests:
        field = getattr(form, f"theme_{theme.id}", None)
        if field is not None:
            field.data = True


def wishes_form_errors(form: AppForm) -> dict[str, list[str]]:
    """The form's own refusals (a number out of range), by fieldset, as the page lists
    them (the same places as the ranking's errors)."""
    errors: dict[str, list[str]] = {}
    for area, items in (("projects", form.projects_), ("workshops", form.workshops_)):
        prefix = area[:-1]
        for item in items:
            errors.setdefault(area, []).extend(getattr(form, f"{prefix}_{item.id}").errors)
    errors = {area: messages for area, messages in errors.items() if messages}
    if not errors and form.errors:  # the CSRF token or a theme box
        errors[""] = [str(message) for messages in form.errors.values() for message in messages]
    return errors


def read_wishes_form(form: AppForm) -> tuple[dict, dict, list[int]]:
    projects = {p.id: getattr(form, f"project_{p.id}").rank() for p in form.projects_}
    workshops = {w.id: getattr(form, f"workshop_{w.id}").rank() for w in form.workshops_}
    themes = [t.id for t in form.themes_ if getattr(form, f"theme_{t.id}").data]
    return projects, workshops, themes


class SwitchForm(AppForm):
    """The participant's choice on a "change" page: each option is a submit button
    carrying its session or workshop id (works without JavaScript)."""

    target = IntegerField(validators=[InputRequired()])
