"""The wishes form: one "choice number" select per project and workshop.

Plain selects work on every phone and without JavaScript; the server checks that the
numbers are unique and consecutive (registration.operations.validate_ranking).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from ..forms import AppForm
from ..programme.models import Project, Theme, Workshop


def rank_choices(count: int) -> list[SelectChoice]:
    return [SelectChoice("", _l("Not interested"))] + [
        SelectChoice(str(rank), _l("Choice %(rank)s", rank=rank)) for rank in range(1, count + 1)
    ]


def _parse_rank(value: str) -> int | None:
    return int(value) if value else None


def build_wishes_form(projects: list[Project], workshops: list[Workshop], themes: list[Theme],
                      **kwargs) -> AppForm:
    """A form class made for this event's programme, then instantiated."""

    class WishesForm(AppForm):
        pass

    for project in projects:
        setattr(WishesForm, f"project_{project.id}",
                SelectField(project.name, choices=rank_choices(len(projects)), default=""))
    for workshop in workshops:
        setattr(WishesForm, f"workshop_{workshop.id}",
                SelectField(workshop.name, choices=rank_choices(len(workshops)), default=""))
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


def read_wishes_form(form: AppForm) -> tuple[dict, dict, list[int]]:
    projects = {p.id: _parse_rank(getattr(form, f"project_{p.id}").data)
                for p in form.projects_}
    workshops = {w.id: _parse_rank(getattr(form, f"workshop_{w.id}").data)
                 for w in form.workshops_}
    themes = [t.id for t in form.themes_ if getattr(form, f"theme_{t.id}").data]
    return projects, workshops, themes


class SwitchForm(AppForm):
    """The participant's choice on a "change" page: each option is a submit button
    carrying its session or workshop id (works without JavaScript)."""

    target = IntegerField(validators=[InputRequired()])
