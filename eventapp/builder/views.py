"""Organiser pages of the programme builder.

Staff may read the lists (they answer questions on site); only organisers change
anything. Each programme entity is a :class:`Section` with the same four pages (list,
new, edit, delete with its confirmation), so the rules for keeping what the user typed,
showing errors and committing once live in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from ..auth.access import organiser_required, staff_required
from ..events.models import Event
from ..programme.models import (
    EventPeriod,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..programme.palette import SIGNAGE_COLOURS
from ..registration.models import Participant
from ..registration.operations import RegistrationError, update_settings
from ..web import commit_or_refuse
from . import duplicate as event_ops
from . import forms, lifecycle, queries, quick
from . import operations as ops

INVALID = 400


# --- shared helpers ----------------------------------------------------------------------


def _commit(form: FlaskForm, change: Callable[[], Any]) -> Any | None:
    """:func:`eventapp.web.commit_or_refuse` for the builder's forms: a refusal (or a
    constraint the database refused) is shown next to its field; the change's result,
    or None once refused."""
    return commit_or_refuse(change, ops.ProgrammeError, form=form,
                            integrity=_integrity_refusal).value


def _done(form: FlaskForm, change: Callable[[], None]) -> bool:
    """:func:`_commit` for a change that returns nothing: whether it was committed."""
    return bool(commit_or_refuse(change, ops.ProgrammeError, form=form,
                                 integrity=_integrity_refusal))


def _integrity_refusal(error: IntegrityError) -> ops.ProgrammeError:
    return ops.ProgrammeError(ops.integrity_message(error))


def _local_time(event: Event, moment: datetime | None) -> time | None:
    return event.to_local(moment).time().replace(second=0, microsecond=0) if moment else None


def _options(rows: Iterable[Any], label: Callable[[Any], str], empty: str | None = None
             ) -> list[SelectChoice]:
    """Choices of a select or checkbox list: the rows by id, after an optional empty one."""
    choices = [SelectChoice("", empty)] if empty is not None else []
    return choices + [SelectChoice(row.id, label(row)) for row in rows]


def _time_range(event: Event, obj: EventPeriod) -> str:
    start = event.to_local(obj.starts_at).strftime("%H:%M")
    return f"{start}–{event.to_local(obj.ends_at).strftime('%H:%M')}"


def _person_label(person: Participant) -> str:
    extra = f" ({person.organisation})" if person.organisation else ""
    return f"{person.full_name or person.key}{extra}"


# --- sections ----------------------------------------------------------------------------


def _no_choices(form: FlaskForm, event: Event) -> None:
    return None


def _attributes(obj: Any, event: Event, form_class: type) -> dict:
    names = [name for name in form_class.__dict__ if not name.startswith("_")]
    return {name: getattr(obj, name) for name in names if hasattr(obj, name)
            and not callable(getattr(obj, name))}


@dataclass(frozen=True)
class Section:
    """One kind of programme entity and how its pages read and save it."""

    name: str  # URL segment and list endpoint ("themes")
    singular: str  # endpoint stem ("theme" -> theme_new, theme_edit, theme_delete)
    model: type
    form: type[forms.BuilderForm]
    save: Callable[[Event, Any, dict], Any]
    title: Any  # list page ("Themes")
    noun: Any  # kind of one item, capitalised ("Theme"): shown above its name
    add_title: Any  # whole phrases, not composed, so translations can agree in gender
    edit_title: Any
    describe: Callable[[Any], str]
    list_context: Callable[[Event], dict]
    choices: Callable[[FlaskForm, Event], None] = _no_choices
    initial: Callable[[Any, Event], dict] | None = None
    list_endpoint: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id_arg(self) -> str:
        """Name of the URL argument that identifies a row ("theme_id", "participant_id")."""
        return "participant_id" if self.model is Participant else f"{self.singular}_id"

    @property
    def back_endpoint(self) -> str:
        return f"programme.{self.list_endpoint or self.name}"

    def initial_data(self, obj: Any, event: Event) -> dict:
        if self.initial is not None:
            return self.initial(obj, event)
        return _attributes(obj, event, self.form)


def _room_choices(form: FlaskForm, event: Event) -> None:
    form.themes.choices = _options(queries.themes(event), lambda t: f"{t.name} ({t.colour_name})")


def _room_initial(room: Room, event: Event) -> dict:
    data = _attributes(room, event, forms.RoomForm)
    data["themes"] = [t.id for t in room.themes]
    data["table_labels"] = "\n".join(room.table_labels or [])
    return data


def _theme_initial(theme: Theme, event: Event) -> dict:
    data = _attributes(theme, event, forms.ThemeForm)
    data["colour_hex"] = data["colour_was"] = theme.colour
    return data


def _searching() -> tuple[str, int] | None:
    """The picker a "Search" button of the form asked for, and the page of matches
    (``find=<field>`` or ``find=<field>:<page>``), or None for a real submit."""
    find = request.form.get("find", "") if request.method == "POST" else ""
    if not find:
        return None
    name, _sep, page = find.partition(":")
    return name, int(page) if page.isdigit() else 1


def _person_picker(field: forms.PersonPickerField, event: Event) -> None:
    """Offer the chosen people and, when a search was asked for, one page of matches:
    never the whole event."""
    chosen = [ident for ident in field.data or [] if isinstance(ident, int)]
    query = request.form.get(f"{field.name}-q", "").strip()[:200] \
        if request.method == "POST" else ""
    asked = _searching()
    field.query = query
    field.page = asked[1] if asked and asked[0] == field.name else 1
    found = queries.search_people(event, query, field.page, exclude=chosen)
    field.more = found.more
    field.choices = _options(queries.people_by_ids(event, chosen) + found.people,
                             _person_label)


def _project_choices(form: FlaskForm, event: Event) -> None:
    form.theme.choices = _options(queries.themes(event), lambda t: f"{t.name} ({t.colour_name})",
                                  _("Choose…"))
    _person_picker(form.presenters, event)


def _project_initial(project: Project, event: Event) -> dict:
    data = _attributes(project, event, forms.ProjectForm)
    data.update(theme=project.theme_id, presenters=[p.id for p in project.presenters],
                keywords=", ".join(project.keywords or []))
    return data


def _item_choices(form: FlaskForm, event: Event) -> None:
    form.room.choices = _options(queries.rooms(event), lambda r: r.name, _("No room"))


def _timed_initial(obj: Any, event: Event) -> dict:
    data = {name: getattr(obj, name) for name in ("key", "name", "title", "kind", "speakers",
                                                  "description") if hasattr(obj, name)}
    data.update(starts=_local_time(event, obj.starts_at), ends=_local_time(event, obj.ends_at))
    if isinstance(obj, ProgrammeItem):
        data["room"] = obj.room_id
    return data


def _workshop_choices(form: FlaskForm, event: Event) -> None:
    form.slot.choices = _options(queries.slots(event),
                                 lambda s: f"{s.name or _('Workshops')} ({_time_range(event, s)})",
                                 _("Choose…"))
    form.room.choices = _options(queries.rooms(event),
                                 lambda r: f"{r.name} ({r.capacity})", _("Choose…"))


def _workshop_initial(workshop: Workshop, event: Event) -> dict:
    data = _attributes(workshop, event, forms.WorkshopForm)
    data.update(slot=workshop.slot_id, room=workshop.room_id)
    return data


def _session_choices(form: FlaskForm, event: Event) -> None:
    form.project.choices = _options(
        queries.projects(event), lambda p: f"{p.name} ({p.theme.colour_name})", _("Choose…"))
    numbers = queries.round_numbers(event)
    form.round.choices = _options(queries.rounds(event),
                                  lambda r: _("Round %(number)d (%(time)s)",
                                              number=numbers[r.id], time=_time_range(event, r)),
                                  _("To be placed by the scheduler"))
    form.room.choices = _options(
        queries.rooms(event),
        lambda r: f"{r.name} ({ngettext('%(num)d table', '%(num)d tables', r.tables)})",
        _("To be placed by the scheduler"))
    _person_picker(form.extra_presenters, event)


SESSIONS_PER_PAGE = 100


def _sessions_page(event: Event) -> dict:
    """The sessions list a page of 100 at a time, in round, room and table order (481
    sessions at 10,000 people weighed 440 KB in one page)."""
    rows = queries.sessions(event)
    pages = max(1, -(-len(rows) // SESSIONS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    start = (page - 1) * SESSIONS_PER_PAGE
    return {"sessions": rows[start:start + SESSIONS_PER_PAGE], "page": page, "pages": pages,
            "total": len(rows)}


def _session_initial(session: Session, event: Event) -> dict:
    return {"key": session.key, "project": session.project_id, "round": session.round_id,
            "room": session.room_id, "table_number": session.table_number,
            "capacity": session.capacity, "min_audience": session.min_audience,
            "extra_presenters": [p.id for p in session.extra_presenters]}


def _save_presenter(event: Event, person: Participant | None, data: dict) -> Participant:
    if person is not None:
        return ops.save_presenter(event, person, data)
    person = ops.add_presenter(event, data.get("first_name"), data.get("last_name"),
                               data.get("email"), data.get("organisation"), field_prefix="")
    if data.get("key"):
        ops.save_presenter(event, person, data)
    return person


def _round_name(round_: Round) -> str:
    """"Round 2": what organisers call a round (its key belongs to the file format)."""
    return _("Round %(number)d", number=queries.round_number(round_.event, round_))


def _session_name(session: Session) -> str:
    where = _round_name(session.round) if session.round else _("to be placed")
    return f"{session.project.name} ({where})"


SECTIONS: list[Section] = [
    Section("themes", "theme", Theme, forms.ThemeForm, ops.save_theme,
            _l("Themes"), _l("Theme"), _l("Add a theme"), _l("Edit the theme"), lambda t: t.name,
            lambda e: {"themes": queries.themes(e)}, initial=_theme_initial),
    Section("rooms", "room", Room, forms.RoomForm, ops.save_room,
            _l("Rooms"), _l("Room"), _l("Add a room"), _l("Edit the room"), lambda r: r.name,
            lambda e: {"rooms": queries.rooms(e)}, _room_choices, _room_initial),
    Section("projects", "project", Project, forms.ProjectForm, ops.save_project,
            _l("Projects"), _l("Project"), _l("Add a project"), _l("Edit the project"),
            lambda p: p.name,
            lambda e: {"projects": queries.projects(e)}, _project_choices, _project_initial),
    Section("presenters", "presenter", Participant, forms.PresenterForm, _save_presenter,
            _l("Presenters"), _l("Presenter"), _l("Add a presenter"),
            _l("Edit the presenter"), lambda p: p.full_name or p.key,
            lambda e: {"presenters": queries.presenters_with_projects(e)}),
    Section("timeline", "item", ProgrammeItem, forms.ProgrammeItemForm,
            ops.save_programme_item, _l("Timeline"), _l("Programme item"),
            _l("Add a programme item"), _l("Edit the programme item"), lambda i: i.title,
            lambda e: {"entries": queries.timeline(e)}, _item_choices, _timed_initial),
    Section("rounds", "round", Round, forms.RoundForm, ops.save_round,
            _l("Speed-dating rounds"), _l("Round"), _l("Add a round"), _l("Edit the round"),
            _round_name,
            lambda e: {"rounds": queries.rounds(e)}, initial=_timed_initial),
    Section("slots", "slot", WorkshopSlot, forms.SlotForm, ops.save_slot,
            _l("Workshop slots"), _l("Workshop slot"), _l("Add a time slot"),
            _l("Edit the time slot"), lambda s: s.name or s.key,
            lambda e: {"slots": queries.slots(e)}, initial=_timed_initial,
            list_endpoint="workshops"),
    Section("workshops", "workshop", Workshop, forms.WorkshopForm, ops.save_workshop,
            _l("Workshops"), _l("Workshop"), _l("Add a workshop"), _l("Edit the workshop"),
            lambda w: w.name,
            lambda e: {"slots": queries.slots(e), "workshops": queries.workshops(e)},
            _workshop_choices, _workshop_initial),
    Section("sessions", "session", Session, forms.SessionForm, ops.save_session,
            _l("Sessions"), _l("Session"), _l("Add a session"), _l("Edit the session"),
            _session_name,
            _sessions_page, _session_choices, _session_initial),
]
SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}


def _render_form(section: Section, event: Event, form: FlaskForm, obj: Any, status: int = 200
                 ) -> ResponseReturnValue:
    return render_template("programme/manage/form.html", section=section, event=event,
                           form=form, obj=obj), status


@organiser_required
def people_json(slug: str) -> ResponseReturnValue:
    """One page of the people whose name, organisation or email contains ``q`` (the
    presenter pickers' search as one types): ``{"people": [{"id", "label"}], "page",
    "more"}``; ``exclude`` (ids, comma-separated) leaves out those already chosen."""
    event = queries.get_event_or_404(slug)
    query = request.args.get("q", "").strip()[:200]
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 1000))
    exclude = [int(part) for part in request.args.get("exclude", "").split(",")[:200]
               if part.strip().isdigit()]
    found = queries.search_people(event, query, page, exclude=exclude)
    response = jsonify({"people": [{"id": person.id, "label": _person_label(person)}
                                   for person in found.people],
                        "page": page, "more": found.more})
    response.headers["Cache-Control"] = "no-store"
    return response


def list_view(section: Section) -> Callable:
    @staff_required
    def view(slug: str) -> ResponseReturnValue:
        event = queries.get_event_or_404(slug)
        if section.list_endpoint:  # listed on another section's page
            return redirect(url_for(section.back_endpoint, slug=slug))
        return render_template(f"programme/manage/{section.name}.html", event=event,
                               section=section, **section.list_context(event))

    view.__name__ = f"{section.name}_list"
    return view


def _prefill(form_class: type) -> dict:
    """Whole-number choices given in the query string (the grid's "place a session here")."""
    wanted = ("project", "round", "room", "table_number", "slot", "theme")
    values = {}
    for name in wanted:
        raw = request.args.get(name, "")
        if hasattr(form_class, name) and raw.isdigit():
            values[name] = int(raw)
    return values


def new_view(section: Section) -> Callable:
    @organiser_required
    def view(slug: str) -> ResponseReturnValue:
        event = queries.get_event_or_404(slug)
        form = section.form(data=_prefill(section.form))
        section.choices(form, event)
        if _searching():  # a presenter search without JavaScript: the form again
            return _render_form(section, event, form, None)
        if form.validate_on_submit():
            obj = _commit(form, lambda: section.save(event, None, form.data))
            if obj is not None:
                flash(_("Added: %(name)s.", name=section.describe(obj)), "success")
                if request.form.get("then") == "another":  # "Save and add another"
                    return redirect(url_for(f"programme.{section.singular}_new", slug=slug))
                return redirect(url_for(section.back_endpoint, slug=slug))
        status = INVALID if form.is_submitted() else 200
        return _render_form(section, event, form, None, status)

    view.__name__ = f"{section.singular}_new"
    return view


def edit_view(section: Section) -> Callable:
    @organiser_required
    def view(slug: str, **ids: int) -> ResponseReturnValue:
        event = queries.get_event_or_404(slug)
        obj = queries.get_owned_or_404(section.model, event, ids[section.id_arg])
        form = section.form(data=section.initial_data(obj, event))
        section.choices(form, event)
        if _searching():  # a presenter search without JavaScript: the form again
            return _render_form(section, event, form, obj)
        if form.validate_on_submit():
            saved = _commit(form, lambda: section.save(event, obj, form.data))
            if saved is not None:
                flash(_("Saved: %(name)s.", name=section.describe(saved)), "success")
                return redirect(url_for(section.back_endpoint, slug=slug))
        status = INVALID if form.is_submitted() else 200
        return _render_form(section, event, form, obj, status)

    view.__name__ = f"{section.singular}_edit"
    return view


def delete_view(section: Section) -> Callable:
    @organiser_required
    def view(slug: str, **ids: int) -> ResponseReturnValue:
        event = queries.get_event_or_404(slug)
        ident = ids[section.id_arg]
        obj = queries.get_owned_or_404(section.model, event, ident)
        name = section.describe(obj)
        form = forms.ConfirmForm()
        status = 200
        if form.validate_on_submit():
            if _done(form, lambda: ops.delete(obj, confirmed=True)):
                flash(_("Deleted: %(name)s.", name=name), "success")
                return redirect(url_for(section.back_endpoint, slug=slug))
            status = INVALID
            obj = queries.get_owned_or_404(section.model, event, ident)
        return _render_confirm(event, form, str(section.noun), name,
                               queries.dependents_of(obj),
                               url_for(section.back_endpoint, slug=slug), status)

    view.__name__ = f"{section.singular}_delete"
    return view


def _edit_url(event: Event | None, obj: Any) -> str | None:
    """Where to change a dependent that blocks a deletion."""
    section = next((s for s in SECTIONS if obj is not None and isinstance(obj, s.model)), None)
    if section is None or event is None:
        return None
    return url_for(f"programme.{section.singular}_edit", slug=event.slug,
                   **{section.id_arg: obj.id})


def _render_confirm(event: Event | None, form: FlaskForm, noun: str, name: str,
                    dependents: list, back: str, status: int, counts: dict | None = None
                    ) -> ResponseReturnValue:
    grouped = {effect: [(d, _edit_url(event, d.target)) for d in dependents
                        if d.effect == effect]
               for effect in (queries.BLOCKS, queries.DELETES, queries.DETACHES)}
    return render_template("programme/manage/confirm_delete.html", event=event, form=form,
                           noun=noun, name=name, grouped=grouped, back=back,
                           counts=counts), status


# --- events ------------------------------------------------------------------------------


@staff_required
def events() -> ResponseReturnValue:
    all_events = queries.all_events()
    counts = {event.id: queries.summary(event) for event in all_events}
    return render_template("programme/manage/events.html", events=all_events, counts=counts)


@organiser_required
def event_new() -> ResponseReturnValue:
    form = forms.EventForm()
    if form.validate_on_submit():
        event = _commit(form, lambda: ops.save_event(None, form.data))
        if event is not None:
            flash(_("Event created: %(name)s.", name=event.name), "success")
            return redirect(url_for("programme.event_dashboard", slug=event.slug))
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/event_form.html", form=form, event=None), status


@organiser_required
def event_edit(slug: str) -> ResponseReturnValue:
    event = queries.get_event_or_404(slug)
    form = forms.EventForm(data={name: getattr(event, name) for name in (
        "name", "slug", "date", "venue", "address", "timezone", "description")})
    if form.validate_on_submit():
        saved = _commit(form, lambda: ops.save_event(event, form.data))
        if saved is not None:
            flash(_("Event saved: %(name)s.", name=saved.name), "success")
            return redirect(url_for("programme.event_dashboard", slug=saved.slug))
        event = queries.get_event_or_404(slug)
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/event_form.html", form=form, event=event), status


@organiser_required
def event_delete(slug: str) -> ResponseReturnValue:
    event = queries.get_event_or_404(slug)
    name = event.name
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        if _done(form, lambda: ops.delete_event(event)):
            flash(_("Event deleted, with everything it contained: %(name)s.", name=name),
                  "success")
            return redirect(url_for("programme.events"))
        event = queries.get_event_or_404(slug)
    return _render_confirm(event, form, _("Event"), name, [],
                           url_for("programme.event_dashboard", slug=slug),
                           INVALID if form.is_submitted() else 200,
                           counts=queries.summary(event))


@staff_required
def event_dashboard(slug: str) -> ResponseReturnValue:
    event = queries.get_event_or_404(slug)
    grid = queries.speed_dating_grid(event)
    counts = queries.summary(event)
    return render_template("programme/manage/dashboard.html", event=event,
                           counts=counts, timeline=queries.timeline(event),
                           problems=grid.problems, sections=SECTIONS_BY_NAME,
                           checklist=queries.setup_checklist(event, counts))


@organiser_required
def event_open(slug: str) -> ResponseReturnValue:
    """The check before opening registration (GET), and opening it (POST). What the check
    finds missing in the registration settings is asked for on this page, so that one
    form completes them and opens."""
    event = queries.get_event_or_404(slug)
    form = forms.OpeningForm()
    status = 200
    if form.validate_on_submit():
        given = {name: form[name].data for name in ("organiser_name", "privacy_contact",
                                                    "capacity")
                 if form[name].data not in (None, "")}

        def complete_and_open() -> None:
            if given:
                update_settings(event, **{name: value.strip() if isinstance(value, str)
                                          else value for name, value in given.items()})
            lifecycle.open_registration(event)

        attempt = commit_or_refuse(complete_and_open,
                                   (lifecycle.LifecycleError, RegistrationError), show=False)
        if attempt:
            flash(_("Registration is open: the event is public."), "success")
            return redirect(url_for("programme.event_dashboard", slug=slug))
        status = INVALID
        event = queries.get_event_or_404(slug)
        error = attempt.error
        at_fields = [item for item in getattr(error, "missing", []) if item.field]
        for item in at_fields:  # said next to the field left empty
            form[item.field].errors = [*form[item.field].errors, item.message]
        if len(at_fields) < len(getattr(error, "missing", [None])):
            flash(getattr(error, "message", str(error)), "error")
    elif form.is_submitted():
        status = INVALID
    missing = lifecycle.opening_check(event)
    # Once the programme part is complete, the missing settings are asked for here;
    # before, everything missing is listed with where to do it.
    asked = [] if any(not item.field for item in missing) else [item.field
                                                                 for item in missing]
    return render_template("programme/manage/open_registration.html", event=event, form=form,
                           missing=[] if asked else missing, asked=asked), status


@organiser_required
def event_close(slug: str) -> ResponseReturnValue:
    event = queries.get_event_or_404(slug)
    form = forms.ConfirmForm()
    if form.validate_on_submit() and commit_or_refuse(
            lambda: lifecycle.close_registration(event), lifecycle.LifecycleError):
        flash(_("Registration is closed; the public pages stay open."), "success")
    return redirect(url_for("programme.event_dashboard", slug=slug))


@organiser_required
def event_duplicate(slug: str) -> ResponseReturnValue:
    """Next year's day from this one: the programme without the people, on a new date."""
    source = queries.get_event_or_404(slug)
    name, on = event_ops.default_copy(source)
    form = forms.DuplicateEventForm(data={"name": name, "date": on})
    if form.validate_on_submit():
        copy = _commit(form, lambda: event_ops.duplicate_event(
            source, form.name.data, form.slug.data, form.date.data))
        if copy is not None:
            flash(_("Event duplicated: %(name)s (a draft, without participants).",
                    name=copy.name), "success")
            return redirect(url_for("programme.event_dashboard", slug=copy.slug))
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/duplicate.html", event=source, form=form), status


# --- rounds and grid ---------------------------------------------------------------------


@organiser_required
def rounds_generate(slug: str) -> ResponseReturnValue:
    """Rounds at regular times and, unless unticked, their sessions (the whole rotation
    in one form)."""
    event = queries.get_event_or_404(slug)
    form = forms.GenerateRoundsForm()
    if not form.is_submitted():
        form.first_start.data = queries.next_round_start(event) or form.first_start.data
    if form.validate_on_submit():
        plan = ops.RoundPlan(form.first_start.data, form.count.data, form.minutes.data,
                             form.changeover.data or 0)

        def change() -> tuple[list[Round], ops.SessionFill | None]:
            rounds = ops.generate_rounds(event, plan)
            fill = None
            if form.with_sessions.data and queries.projects(event) and queries.rooms(event):
                fill = quick.sessions_for_every_round(event, rounds)
            return rounds, fill

        result = _commit(form, change)
        if result is not None:
            created, fill = result
            flash(_("%(count)d rounds created.", count=len(created)), "success")
            if fill is not None:
                _flash_fill(fill)
            return _after_setup_step(event, "programme.rounds")
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/generate_rounds.html", event=event,
                           form=form), status


@staff_required
def grid(slug: str) -> ResponseReturnValue:
    event = queries.get_event_or_404(slug)
    speed_grid = queries.speed_dating_grid(event)
    placed = sum(1 for row in speed_grid.rows for cell in row.cells if cell)
    return render_template("programme/manage/grid.html", event=event, grid=speed_grid,
                           placed=placed, choices=queries.cell_choices(event, speed_grid),
                           action_form=forms.ConfirmForm())


def _cell_anchor(round_id: int | None, room_id: int | None, table: int | None) -> str:
    return f"cell-{round_id}-{room_id}-{table}"


@organiser_required
def grid_place(slug: str) -> ResponseReturnValue:
    """Place a project in an empty cell of the grid, and come back to the grid there."""
    event = queries.get_event_or_404(slug)
    if request.method == "GET":
        return redirect(url_for("programme.grid", slug=slug))
    form = forms.PlaceForm()
    if not form.validate_on_submit():
        flash(_("This cell could not be read: reload the grid and try again."), "error")
        return redirect(url_for("programme.grid", slug=slug))
    anchor = _cell_anchor(form.round.data, form.room.data, form.table_number.data)
    session = _commit(form, lambda: ops.place_in_cell(
        event, form.project.data, form.round.data, form.room.data, form.table_number.data))
    if session is not None:
        flash(_("%(project)s presents in %(room)s, table %(table)d, round %(number)d.",
                project=session.project.name, room=session.room.name,
                table=session.table_number or 1,
                number=queries.round_number(event, session.round)), "success")
    else:
        where = queries.cell_name(event, form.round.data, form.room.data,
                                  form.table_number.data)
        for error in form.project.errors + form.round.errors + form.room.errors + \
                form.table_number.errors:
            flash(f"{where} : {error}" if where else error, "error")
    return redirect(url_for("programme.grid", slug=slug, _anchor=anchor))


@organiser_required
def grid_generate(slug: str, round_id: int) -> ResponseReturnValue:
    """Fill a round's free tables with the projects not presenting in it yet."""
    event = queries.get_event_or_404(slug)
    round_ = queries.get_owned_or_404(Round, event, round_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        fill = _commit(form, lambda: ops.generate_sessions(event, round_))
        if fill is not None:
            flash(ngettext("%(num)d session created in round %(number)d.",
                           "%(num)d sessions created in round %(number)d.",
                           len(fill.created), number=queries.round_number(event, round_)),
                  "success")
            for name, reason in fill.left_out.items():
                flash(_("Not placed: %(project)s (%(reason)s).", project=name, reason=reason),
                      "warning")
    return redirect(url_for("programme.grid", slug=slug, _anchor=f"round-{round_.id}"))


# --- several at once (builder/quick.py) --------------------------------------------------


@dataclass(frozen=True)
class QuickGroup:
    """One table of rows on a quick form: its prefix, the fields of a row, its caption."""

    prefix: str
    names: tuple[str, ...]
    caption: Any


def _quick_rows(groups: list[QuickGroup]) -> dict[str, quick.Rows]:
    """The rows as sent (POST; "more rows" adds empty ones below what was typed), or
    empty rows (GET)."""
    if request.method != "POST":
        return {g.prefix: quick.Rows.read(g.prefix, g.names, {}) for g in groups}
    rows = {}
    for g in groups:
        sent = request.form.get(f"{g.prefix}-rows", "")
        minimum = quick.DEFAULT_ROWS
        if request.form.get("then") == "more" and sent.isdigit():
            minimum = int(sent) + quick.DEFAULT_ROWS
        rows[g.prefix] = quick.Rows.read(g.prefix, g.names, request.form, minimum)
    return rows


def _after_setup_step(event: Event, fallback: str) -> Any:
    """While the event is a draft, a saved step leads to the next step still to do;
    afterwards, back to the list it changed."""
    step = queries.next_setup_step(event)
    return redirect(step.url if step is not None else url_for(fallback, slug=event.slug))


def _created_message(created: quick.Created) -> str:
    labels = {
        "themes": lambda n: ngettext("%(num)d theme", "%(num)d themes", n),
        "rooms": lambda n: ngettext("%(num)d room", "%(num)d rooms", n),
        "projects": lambda n: ngettext("%(num)d project", "%(num)d projects", n),
        "workshops": lambda n: ngettext("%(num)d workshop", "%(num)d workshops", n),
        "items": lambda n: ngettext("%(num)d programme item", "%(num)d programme items", n),
    }
    parts = [labels[kind](count) for kind, count in created.counts.items() if count]
    return _("Added: %(what)s.", what=", ".join(parts))


def _quick_integrity_refusal(error: IntegrityError) -> quick.QuickError:
    return quick.QuickError([quick.RowError("", ops.integrity_message(error))])


def _quick_view(slug: str, template: str, groups: list[QuickGroup],
                save: Callable[[Event, dict[str, quick.Rows]], quick.Created],
                fallback: str, context: Callable[[Event], dict] | None = None
                ) -> ResponseReturnValue:
    """A quick form: rows to fill in, saved whole or refused with every row at fault."""
    event = queries.get_event_or_404(slug)
    form = forms.ConfirmForm()
    rows = _quick_rows(groups)
    errors: list[quick.RowError] = []
    status = 200
    if form.validate_on_submit() and request.form.get("then") != "more":
        attempt = commit_or_refuse(lambda: save(event, rows), quick.QuickError, show=False,
                                   integrity=_quick_integrity_refusal)
        if attempt.value is not None:
            flash(_created_message(attempt.value), "success")
            return _after_setup_step(event, fallback)
        assert isinstance(attempt.error, quick.QuickError)
        errors, status = attempt.error.errors, INVALID
    elif form.is_submitted() and form.errors:
        errors, status = [quick.RowError("", _("The form expired: send it again."))], INVALID
    return render_template(template, event=event, form=form, groups=groups, rows=rows,
                           errors=errors, error_at={e.target: e.message for e in errors},
                           **(context(event) if context else {})), status


def _colour_options() -> list[tuple[str, str]]:
    return [(hex_colour, name) for name, hex_colour in SIGNAGE_COLOURS]


@organiser_required
def quick_start(slug: str) -> ResponseReturnValue:
    """An empty event's first form: its themes with their colours, and its rooms."""
    groups = [QuickGroup("theme", quick.THEME_FIELDS, _l("Themes and their colours")),
              QuickGroup("room", quick.ROOM_FIELDS, _l("Rooms"))]
    return _quick_view(
        slug, "programme/manage/quick_start.html", groups,
        lambda event, rows: quick.themes_and_rooms(event, rows["theme"], rows["room"]),
        "programme.themes",
        lambda event: {"colours": _colour_options(), "themes": queries.themes(event),
                       "rooms": queries.rooms(event)})


@organiser_required
def projects_quick(slug: str) -> ResponseReturnValue:
    """Several projects at once, each with its theme and (optionally) its presenter."""
    groups = [QuickGroup("project", quick.PROJECT_FIELDS, _l("Projects"))]
    return _quick_view(
        slug, "programme/manage/quick_projects.html", groups,
        lambda event, rows: quick.projects(event, rows["project"]), "programme.projects",
        lambda event: _with_labels({"themes": queries.themes(event),
                                    "projects": queries.projects(event)}))


@organiser_required
def workshops_quick(slug: str) -> ResponseReturnValue:
    """Several workshops of one time slot at once (a new slot, or an existing one)."""
    groups = [QuickGroup("workshop", quick.WORKSHOP_FIELDS, _l("Workshops"))]

    def save(event: Event, rows: dict[str, quick.Rows]) -> quick.Created:
        form = request.form
        slot = {"name": form.get("slot_name", "").strip(), "key": "",
                "starts": _parse_time(form.get("slot_starts", "")),
                "ends": _parse_time(form.get("slot_ends", ""))}
        return quick.workshops(event, form.get("slot", ""), slot, rows["workshop"])

    return _quick_view(
        slug, "programme/manage/quick_workshops.html", groups, save, "programme.workshops",
        lambda event: _with_labels({"slots": queries.slots(event),
                                    "rooms": queries.rooms(event), "sent": request.form,
                                    "slot_labels": [(s.id, f"{s.name or _('Workshops')} "
                                                     f"({_time_range(event, s)})")
                                                    for s in queries.slots(event)]}))


@organiser_required
def items_quick(slug: str) -> ResponseReturnValue:
    """The day's plenary items at once: welcome, talks, lunch, closing."""
    groups = [QuickGroup("item", quick.ITEM_FIELDS, _l("Programme items"))]
    return _quick_view(
        slug, "programme/manage/quick_items.html", groups,
        lambda event, rows: quick.programme_items(event, rows["item"]), "programme.timeline",
        lambda event: _with_labels({"rooms": queries.rooms(event),
                                    "kinds": [(c.value, c.label) for c in
                                              forms._kind_choices()]}))


def _with_labels(context: dict) -> dict:
    """Options of the quick forms' selects: (id, label) of the themes and rooms."""
    if "themes" in context:
        context["theme_labels"] = [(t.id, f"{t.name} ({t.colour_name})")
                                   for t in context["themes"]]
    if "rooms" in context:
        context["room_labels"] = [(r.id, f"{r.name} ({r.capacity})") for r in context["rooms"]]
    return context


def _parse_time(value: str) -> time | None:
    """A time typed HH:MM (the slot's fields); None when empty or unreadable, which the
    slot's own check reports ("Give a time")."""
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


@organiser_required
def grid_fill_all(slug: str) -> ResponseReturnValue:
    """"Generate the sessions" of every round at once, from the projects and tables."""
    event = queries.get_event_or_404(slug)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        fill = _commit(form, lambda: quick.sessions_for_every_round(event))
        if fill is not None:
            _flash_fill(fill)
    return redirect(url_for("programme.grid", slug=slug))


def _flash_fill(fill: ops.SessionFill) -> None:
    flash(ngettext("%(num)d session created.", "%(num)d sessions created.",
                   len(fill.created)), "success")
    for name, reason in fill.left_out.items():
        flash(_("Not placed: %(project)s (%(reason)s).", project=name, reason=reason),
              "warning")
