"""Organiser pages of the programme builder.

Staff may read the lists (they answer questions on site); only organisers change
anything. Each programme entity is a :class:`Section` with the same four pages (list,
new, edit, delete with its confirmation), so the rules for keeping what the user typed,
showing errors and committing once live in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from ..auth.access import organiser_required, staff_required
from ..events.models import Event
from ..extensions import db
from ..programme.models import (
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from ..registration.models import Participant
from . import duplicate as event_ops
from . import forms, lifecycle, queries
from . import operations as ops

INVALID = 400


# --- shared helpers ----------------------------------------------------------------------


def _attach_error(form: FlaskForm, error: ops.ProgrammeError) -> None:
    """Show a refused change next to its field (and in the summary), else as a banner."""
    target = form._fields.get(error.field) if error.field else None
    if target is None:
        flash(error.message, "error")
        return
    if isinstance(target.errors, tuple):
        target.errors = list(target.errors)
    target.errors.append(error.message)


def _apply(form: FlaskForm, change: Callable[[], Any]) -> Any | None:
    """Run ``change`` and commit; on refusal roll back, keep the form, return None."""
    try:
        result = change()
        db.session.commit()
    except ops.ProgrammeError as error:
        db.session.rollback()
        _attach_error(form, error)
        return None
    except IntegrityError as error:
        db.session.rollback()
        _attach_error(form, ops.ProgrammeError(ops.integrity_message(error)))
        return None
    return result


def _local_time(event: Event, moment):
    return event.to_local(moment).time().replace(second=0, microsecond=0) if moment else None


def _options(rows, label: Callable[[Any], str], empty: str | None = None) -> list:
    """Choices of a select or checkbox list: the rows by id, after an optional empty one."""
    choices = [SelectChoice("", empty)] if empty is not None else []
    return choices + [SelectChoice(row.id, label(row)) for row in rows]


def _time_range(event: Event, obj) -> str:
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
    form.round.choices = _options(queries.rounds(event),
                                  lambda r: f"{r.key} ({_time_range(event, r)})",
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
    try:
        person = ops.add_presenter(event, data.get("first_name"), data.get("last_name"),
                                   data.get("email"), data.get("organisation"))
    except ops.ProgrammeError as error:  # same rules, but this form's field names
        raise ops.ProgrammeError(error.message, (error.field or "").removeprefix("new_")
                                 or None) from None
    if data.get("key"):
        ops.save_presenter(event, person, data)
    return person


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
            lambda r: r.key,
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
            lambda s: f"{s.project.name} ({s.key})",
            _sessions_page, _session_choices, _session_initial),
]
SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}


def _render_form(section: Section, event: Event, form: FlaskForm, obj: Any, status: int = 200):
    return render_template("programme/manage/form.html", section=section, event=event,
                           form=form, obj=obj), status


@organiser_required
def people_json(slug: str):
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
    def view(slug: str):
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
    def view(slug: str):
        event = queries.get_event_or_404(slug)
        form = section.form(data=_prefill(section.form))
        section.choices(form, event)
        if _searching():  # a presenter search without JavaScript: the form again
            return _render_form(section, event, form, None)
        if form.validate_on_submit():
            obj = _apply(form, lambda: section.save(event, None, form.data))
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
    def view(slug: str, **ids: int):
        event = queries.get_event_or_404(slug)
        obj = queries.get_owned_or_404(section.model, event, ids[section.id_arg])
        form = section.form(data=section.initial_data(obj, event))
        section.choices(form, event)
        if _searching():  # a presenter search without JavaScript: the form again
            return _render_form(section, event, form, obj)
        if form.validate_on_submit():
            saved = _apply(form, lambda: section.save(event, obj, form.data))
            if saved is not None:
                flash(_("Saved: %(name)s.", name=section.describe(saved)), "success")
                return redirect(url_for(section.back_endpoint, slug=slug))
        status = INVALID if form.is_submitted() else 200
        return _render_form(section, event, form, obj, status)

    view.__name__ = f"{section.singular}_edit"
    return view


def delete_view(section: Section) -> Callable:
    @organiser_required
    def view(slug: str, **ids: int):
        event = queries.get_event_or_404(slug)
        ident = ids[section.id_arg]
        obj = queries.get_owned_or_404(section.model, event, ident)
        name = section.describe(obj)
        form = forms.ConfirmForm()
        status = 200
        if form.validate_on_submit():
            if _apply(form, lambda: ops.delete(obj, confirmed=True) or True):
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
                    dependents: list, back: str, status: int, counts: dict | None = None):
    grouped = {effect: [(d, _edit_url(event, d.target)) for d in dependents
                        if d.effect == effect]
               for effect in (queries.BLOCKS, queries.DELETES, queries.DETACHES)}
    return render_template("programme/manage/confirm_delete.html", event=event, form=form,
                           noun=noun, name=name, grouped=grouped, back=back,
                           counts=counts), status


# --- events ------------------------------------------------------------------------------


@staff_required
def events():
    all_events = queries.all_events()
    counts = {event.id: queries.summary(event) for event in all_events}
    return render_template("programme/manage/events.html", events=all_events, counts=counts)


@organiser_required
def event_new():
    form = forms.EventForm()
    if form.validate_on_submit():
        event = _apply(form, lambda: ops.save_event(None, form.data))
        if event is not None:
            flash(_("Event created: %(name)s.", name=event.name), "success")
            return redirect(url_for("programme.event_dashboard", slug=event.slug))
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/event_form.html", form=form, event=None), status


@organiser_required
def event_edit(slug: str):
    event = queries.get_event_or_404(slug)
    form = forms.EventForm(data={name: getattr(event, name) for name in (
        "name", "slug", "date", "venue", "address", "timezone", "description")})
    if form.validate_on_submit():
        saved = _apply(form, lambda: ops.save_event(event, form.data))
        if saved is not None:
            flash(_("Event saved: %(name)s.", name=saved.name), "success")
            return redirect(url_for("programme.event_dashboard", slug=saved.slug))
        event = queries.get_event_or_404(slug)
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/event_form.html", form=form, event=event), status


@organiser_required
def event_delete(slug: str):
    event = queries.get_event_or_404(slug)
    name = event.name
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        if _apply(form, lambda: ops.delete_event(event) or True):
            flash(_("Event deleted, with everything it contained: %(name)s.", name=name),
                  "success")
            return redirect(url_for("programme.events"))
        event = queries.get_event_or_404(slug)
    return _render_confirm(event, form, _("Event"), name, [],
                           url_for("programme.event_dashboard", slug=slug),
                           INVALID if form.is_submitted() else 200,
                           counts=queries.summary(event))


@staff_required
def event_dashboard(slug: str):
    event = queries.get_event_or_404(slug)
    grid = queries.speed_dating_grid(event)
    counts = queries.summary(event)
    return render_template("programme/manage/dashboard.html", event=event,
                           counts=counts, timeline=queries.timeline(event),
                           problems=grid.problems, sections=SECTIONS_BY_NAME,
                           checklist=queries.setup_checklist(event, counts))


@organiser_required
def event_open(slug: str):
    """The check before opening registration (GET), and opening it (POST)."""
    event = queries.get_event_or_404(slug)
    form = forms.ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            lifecycle.open_registration(event)
            db.session.commit()
        except lifecycle.LifecycleError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = INVALID
        else:
            flash(_("Registration is open: the event is public."), "success")
            return redirect(url_for("programme.event_dashboard", slug=slug))
    return render_template("programme/manage/open_registration.html", event=event, form=form,
                           missing=lifecycle.opening_check(event)), status


@organiser_required
def event_close(slug: str):
    event = queries.get_event_or_404(slug)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle.close_registration(event)
            db.session.commit()
            flash(_("Registration is closed; the public pages stay open."), "success")
        except lifecycle.LifecycleError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("programme.event_dashboard", slug=slug))


@organiser_required
def event_duplicate(slug: str):
    """Next year's day from this one: the programme without the people, on a new date."""
    source = queries.get_event_or_404(slug)
    name, on = event_ops.default_copy(source)
    form = forms.DuplicateEventForm(data={"name": name, "date": on})
    if form.validate_on_submit():
        copy = _apply(form, lambda: event_ops.duplicate_event(
            source, form.name.data, form.slug.data, form.date.data))
        if copy is not None:
            flash(_("Event duplicated: %(name)s (a draft, without participants).",
                    name=copy.name), "success")
            return redirect(url_for("programme.event_dashboard", slug=copy.slug))
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/duplicate.html", event=source, form=form), status


# --- rounds and grid ---------------------------------------------------------------------


@organiser_required
def rounds_generate(slug: str):
    event = queries.get_event_or_404(slug)
    form = forms.GenerateRoundsForm()
    if not form.is_submitted():
        form.first_start.data = queries.next_round_start(event) or form.first_start.data
    if form.validate_on_submit():
        plan = ops.RoundPlan(form.first_start.data, form.count.data, form.minutes.data,
                             form.changeover.data or 0)
        created = _apply(form, lambda: ops.generate_rounds(event, plan))
        if created is not None:
            flash(_("%(count)d rounds created.", count=len(created)), "success")
            return redirect(url_for("programme.rounds", slug=slug))
    status = INVALID if form.is_submitted() else 200
    return render_template("programme/manage/generate_rounds.html", event=event,
                           form=form), status


@staff_required
def grid(slug: str):
    event = queries.get_event_or_404(slug)
    speed_grid = queries.speed_dating_grid(event)
    return render_template("programme/manage/grid.html", event=event, grid=speed_grid,
                           choices=queries.cell_choices(event, speed_grid),
                           action_form=forms.ConfirmForm())


def _cell_anchor(round_id: int | None, room_id: int | None, table: int | None) -> str:
    return f"cell-{round_id}-{room_id}-{table}"


@organiser_required
def grid_place(slug: str):
    """Place a project in an empty cell of the grid, and come back to the grid there."""
    event = queries.get_event_or_404(slug)
    if request.method == "GET":
        return redirect(url_for("programme.grid", slug=slug))
    form = forms.PlaceForm()
    if not form.validate_on_submit():
        flash(_("This cell could not be read: reload the grid and try again."), "error")
        return redirect(url_for("programme.grid", slug=slug))
    anchor = _cell_anchor(form.round.data, form.room.data, form.table_number.data)
    session = _apply(form, lambda: ops.place_in_cell(
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
def grid_generate(slug: str, round_id: int):
    """Fill a round's free tables with the projects not presenting in it yet."""
    event = queries.get_event_or_404(slug)
    round_ = queries.get_owned_or_404(Round, event, round_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        fill = _apply(form, lambda: ops.generate_sessions(event, round_))
        if fill is not None:
            flash(ngettext("%(num)d session created in round %(number)d.",
                           "%(num)d sessions created in round %(number)d.",
                           len(fill.created), number=queries.round_number(event, round_)),
                  "success")
            for name, reason in fill.left_out.items():
                flash(_("Not placed: %(project)s (%(reason)s).", project=name, reason=reason),
                      "warning")
    return redirect(url_for("programme.grid", slug=slug, _anchor=f"round-{round_.id}"))
