"""The scheduler's findings and diagnosis, in the organiser's language, with links.

:mod:`scheduler` returns structured reasons (:class:`scheduler.Reason`: a stable ``code``
and its parameters, exchange-format keys and numbers). Each code has one renderer here
that writes a Flask-Babel sentence, the keys replaced by the names organisers know, linked
to the page of the session, room, project or person at fault. Nothing is parsed: a code
without a renderer is a bug that ``tests/scheduling/test_scheduling_diagnosis.py`` catches.

Job rows keep the solution as the contract defines it (sentences in ``diagnosis``);
:func:`explain_diagnosis` rebuilds their reasons from the job's own instance with
:func:`scheduler.read_diagnosis`, so rows written before the codes existed read the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from scheduler import Reason, read_diagnosis

from .catalogue import ScheduleCatalogue
from .text import _

LINKED_PEOPLE = 5  # people named (and linked) in one sentence before "and N more"


def _link(text: Any, endpoint: str, **values: Any) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for(endpoint, **values), text)


class Names:
    """Exchange-format keys to linked display names; an unknown key stays as it is
    (escaped), so a sentence is never lost to a renamed or deleted row."""

    def __init__(self, cat: ScheduleCatalogue):
        self.cat = cat
        self.slug = cat.event.slug

    def round(self, key: str) -> Markup:
        round_ = self.cat.round_by_key.get(key)
        if round_ is None:
            return escape(key)
        start = self.cat.event.to_local(round_.starts_at).strftime("%H:%M")
        return escape(_("round %(number)d (%(time)s)", number=self.cat.round_number(round_),
                        time=start))

    def slot(self, key: str) -> Markup:
        slot = self.cat.slot_by_key.get(key)
        if slot is None:
            return escape(key)
        start = self.cat.event.to_local(slot.starts_at).strftime("%H:%M")
        return escape(_("the workshops of %(time)s", time=start))

    def when(self, key: str) -> Markup:
        return self.round(key) if key in self.cat.round_by_key else self.slot(key)

    def room(self, key: str) -> Markup:
        room = self.cat.room_by_key.get(key)
        if room is None:
            return escape(key)
        return _link(room.name, "programme.room_edit", slug=self.slug, room_id=room.id)

    def project(self, key: str) -> Markup:
        project = self.cat.project_by_key.get(key)
        if project is None:
            return escape(key)
        return _link(project.name, "programme.project_edit", slug=self.slug,
                     project_id=project.id)

    def session(self, key: str) -> Markup:
        session = self.cat.session_by_key.get(key)
        if session is None:
            return self.workshop(key)
        name = self.cat.session_project(session).name
        round_ = next((r for r in self.cat.rounds if r.id == session.round_id), None)
        if round_ is not None:
            name = _("%(project)s in round %(number)d", project=name,
                     number=self.cat.round_number(round_))
        return _link(name, "programme.session_edit", slug=self.slug, session_id=session.id)

    def workshop(self, key: str) -> Markup:
        workshop = self.cat.workshop_by_key.get(key)
        if workshop is None:
            return escape(key)
        return _link(workshop.name, "programme.workshop_edit", slug=self.slug,
                     workshop_id=workshop.id)

    def target(self, key: str | None) -> Markup:
        """A session or a workshop; nothing at all says so."""
        if key is None:
            return escape(_("nothing"))
        return self.session(key) if key in self.cat.session_by_key else self.workshop(key)

    def person(self, key: str) -> Markup:
        person = self.cat.participant_by_key.get(key)
        if person is None:
            return escape(key)
        return _link(person.full_name or person.key, "scheduling.participant", slug=self.slug,
                     participant_id=person.id)

    def people(self, keys: tuple[str, ...]) -> Markup:
        """"Ana, Bo and 3 more", each name linked."""
        shown = Markup(", ").join(self.person(k) for k in keys[:LINKED_PEOPLE])
        if len(keys) > LINKED_PEOPLE:
            return Markup(_("%(names)s and %(count)d more", names=shown,
                            count=len(keys) - LINKED_PEOPLE))
        return shown

    def theme(self, key: str) -> Markup:
        theme = self.cat.theme_by_key.get(key)
        return escape(theme.name if theme is not None else key)


Renderer = Callable[[Names, Reason], str]
RENDERERS: dict[str, Renderer] = {}


def renders(*codes: str) -> Callable[[Renderer], Renderer]:
    def register(render: Renderer) -> Renderer:
        for code in codes:
            RENDERERS[code] = render
        return render
    return register


def explain(cat: ScheduleCatalogue, reasons: list[Reason]) -> list[Markup]:
    """Each reason as a translated sentence whose names link to their pages. Every value
    put into a sentence is escaped (names) or built from escaped parts (links)."""
    names = Names(cat)
    return [Markup(RENDERERS[r.code](names, r)) for r in reasons]


def explain_diagnosis(cat: ScheduleCatalogue, instance: dict, sentences: list[str]) -> list[Markup]:
    """A stored solution's ``diagnosis``, explained (see the module's docstring)."""
    return explain(cat, read_diagnosis(instance, sentences))


# --- rule groups named by the relaxation ---------------------------------------------------

_GROUPS: dict[str, Callable[[], str]] = {
    "capacity": lambda: _("session and room capacities"),
    "tables": lambda: _("the number of tables per room"),
    "min_audience": lambda: _("the minimum audiences of sessions"),
    "accessibility": lambda: _("step-free rooms for participants who need them"),
    "fixed": lambda: _("participants pinned to a session or workshop"),
    "themes": lambda: _("the theme variety rule (minimum number of distinct themes)"),
    "distinct": lambda: _("never attending the same project twice"),
    "presenters": lambda: _("presenters being busy while their project presents"),
    "availability": lambda: _("participants' unavailable rounds"),
    "project_rounds": lambda: _("never holding two sessions of a project in the same round"),
}


# --- diagnosis: counting arguments -----------------------------------------------------------

@renders("project_sessions_share_round")
def _same_round(n: Names, r: Reason) -> str:
    return _("During %(round)s, project %(project)s has %(count)s sessions at the same time.",
             round=n.round(r["round"]), project=n.project(r["project"]), count=r["count"])


@renders("project_sessions_exceed_rounds")
def _too_many_sessions(n: Names, r: Reason) -> str:
    return _("Project %(project)s has %(count)s sessions but the day has only %(rounds)s "
             "rounds.", project=n.project(r["project"]), count=r["count"], rounds=r["round_count"])


@renders("room_tables_short")
def _tables(n: Names, r: Reason) -> str:
    return _("During %(round)s, room %(room)s has %(count)s sessions but only %(tables)s "
             "table(s).", round=n.round(r["round"]), room=n.room(r["room"]), count=r["count"],
             tables=r["tables"])


@renders("session_pinned_to_several_rounds")
def _pinned_rounds(n: Names, r: Reason) -> str:
    return _("Participants are pinned to %(session)s in different rounds: %(rounds)s.",
             session=n.session(r["session"]),
             rounds=Markup(", ").join(n.round(k) for k in r["rounds"]))


@renders("no_room_admits_theme")
def _no_room(n: Names, r: Reason) -> str:
    return _("No room accepts the theme “%(theme)s” of %(session)s.",
             theme=n.theme(r["theme"]), session=n.session(r["session"]))


@renders("tables_short_overall")
def _all_tables(n: Names, r: Reason) -> str:
    return _("There are %(count)s sessions but only %(tables)s tables over all rounds.",
             count=r["count"], tables=r["tables"])


@renders("fixed_to_project_twice")
def _fixed_twice(n: Names, r: Reason) -> str:
    return _("%(person)s is pinned to %(count)s sessions of the same project %(project)s.",
             person=n.person(r["participant"]), count=r["count"],
             project=n.project(r["project"]))


@renders("fixed_while_unavailable")
def _fixed_unavailable(n: Names, r: Reason) -> str:
    return _("%(person)s is pinned to %(what)s but is not available in %(when)s.",
             person=n.person(r["participant"]), what=n.target(r["target"]),
             when=n.when(r["when"]))


@renders("fixed_while_presenting")
def _fixed_presenting(n: Names, r: Reason) -> str:
    return _("%(person)s is pinned to %(what)s but presents their own project during "
             "%(when)s.", person=n.person(r["participant"]), what=n.session(r["session"]),
             when=n.round(r["round"]))


@renders("fixed_to_own_project")
def _fixed_own(n: Names, r: Reason) -> str:
    return _("%(person)s is pinned to %(what)s, a session of a project they present.",
             person=n.person(r["participant"]), what=n.session(r["session"]))


@renders("fixed_not_step_free")
def _fixed_access(n: Names, r: Reason) -> str:
    return _("%(person)s needs step-free access but is pinned to %(what)s in %(room)s, which "
             "is not step-free.", person=n.person(r["participant"]), what=n.target(r["target"]),
             room=n.room(r["room"]))


@renders("session_fixed_over_capacity")
def _fixed_capacity(n: Names, r: Reason) -> str:
    return _("%(count)s participants are pinned to %(what)s but it has %(seats)s seats.",
             count=r["count"], what=n.session(r["session"]), seats=r["seats"])


@renders("workshop_fixed_over_capacity")
def _fixed_workshop_capacity(n: Names, r: Reason) -> str:
    return _("%(count)s participants are pinned to %(what)s but it has %(seats)s seats.",
             count=r["count"], what=n.workshop(r["workshop"]), seats=r["seats"])


@renders("round_sessions_short")
def _round_sessions(n: Names, r: Reason) -> str:
    return _("During %(round)s, %(count)s participants must be seated but the sessions have "
             "only %(seats)s seats.", round=n.round(r["round"]), count=r["count"],
             seats=r["seats"])


@renders("round_rooms_short")
def _round_rooms(n: Names, r: Reason) -> str:
    return _("During %(round)s, %(count)s participants must be seated but the rooms hold at "
             "most %(seats)s.", round=n.round(r["round"]), count=r["count"], seats=r["seats"])


@renders("round_step_free_short")
def _round_access(n: Names, r: Reason) -> str:
    return _("During %(round)s, %(count)s participants need step-free access but the "
             "step-free rooms have only %(seats)s seats.", round=n.round(r["round"]),
             count=r["count"], seats=r["seats"])


@renders("slot_workshops_short")
def _slot_seats(n: Names, r: Reason) -> str:
    return _("For %(slot)s, %(count)s participants must attend a workshop but the workshops "
             "have only %(seats)s seats.", slot=n.slot(r["slot"]), count=r["count"],
             seats=r["seats"])


@renders("slot_step_free_short")
def _slot_access(n: Names, r: Reason) -> str:
    return _("For %(slot)s, %(count)s participants need step-free access but the step-free "
             "workshops have only %(seats)s seats.", slot=n.slot(r["slot"]), count=r["count"],
             seats=r["seats"])


@renders("min_audience_unreachable_programme")
def _min_audience_programme(n: Names, r: Reason) -> str:
    return _("%(session)s is always held when the solver places sessions, and needs "
             "%(needed)s participants, but at most %(best)s can attend it.",
             session=n.session(r["session"]), needed=r["needed"], best=r["best"])


@renders("min_audience_unreachable_fixed")
def _min_audience_fixed(n: Names, r: Reason) -> str:
    return _("%(session)s has participants pinned to it and needs %(needed)s participants, "
             "but at most %(best)s can attend it.", session=n.session(r["session"]),
             needed=r["needed"], best=r["best"])


@renders("theme_variety_unreachable")
def _variety(n: Names, r: Reason) -> str:
    return _("%(count)s participant(s) (%(names)s) can see only %(got)s different theme(s), "
             "but the theme variety rule requires %(needed)s.", count=r["count"],
             names=n.people(r["participants"]), got=r["got"], needed=r["needed"])


# --- diagnosis: relaxation and the solver's own endings --------------------------------------

@renders("rule_group_conflict")
def _group(n: Names, r: Reason) -> str:
    return _("The rules cannot all be met together; the conflict involves %(group)s "
             "(without that rule alone, a schedule would be possible).",
             group=escape(_GROUPS[r["group"]]()))


@renders("rules_conflict_together")
def _several(n: Names, r: Reason) -> str:
    return _("The rules cannot all be met together, and no single rule alone is responsible: "
             "several conflict at once.")


@renders("rules_conflict_unnamed")
def _unnamed(n: Names, r: Reason) -> str:
    return _("The rules cannot all be met together; the time limit ended before the "
             "conflicting rules could be named. Try again with more time.")


@renders("workshops_infeasible")
def _workshops(n: Names, r: Reason) -> str:
    return _("The workshops cannot seat everyone who must attend one (workshop or room "
             "capacities, step-free access, or pinned workshops).")


@renders("no_schedule_in_time", "no_workshops_in_time", "no_programme_in_time")
def _timeout(n: Names, r: Reason) -> str:
    return _("No schedule was found within the time limit. Try again with more time.")


@renders("unrecognised")
def _unrecognised(n: Names, r: Reason) -> str:
    return _("The solver gave a reason this version cannot translate: %(text)s",
             text=escape(r["text"]))


# --- checker: the rules broken by a schedule -------------------------------------------------

@renders("round_without_session")
def _no_session(n: Names, r: Reason) -> str:
    return _("%(person)s has no session during %(round)s.",
             person=n.person(r["participant"]), round=n.round(r["round"]))


@renders("slot_without_workshop")
def _no_workshop(n: Names, r: Reason) -> str:
    return _("%(person)s has no workshop for %(slot)s.",
             person=n.person(r["participant"]), slot=n.slot(r["slot"]))


@renders("session_while_unavailable")
def _unavailable_session(n: Names, r: Reason) -> str:
    return _("%(person)s is not available during %(when)s but is seated at %(what)s.",
             person=n.person(r["participant"]), when=n.round(r["round"]),
             what=n.session(r["session"]))


@renders("workshop_while_unavailable")
def _unavailable_workshop(n: Names, r: Reason) -> str:
    return _("%(person)s is not available for %(when)s but is seated at %(what)s.",
             person=n.person(r["participant"]), when=n.slot(r["slot"]),
             what=n.workshop(r["workshop"]))


@renders("project_attended_twice")
def _twice(n: Names, r: Reason) -> str:
    return _("%(person)s sees project %(project)s %(count)s times.",
             person=n.person(r["participant"]), project=n.project(r["project"]),
             count=r["count"])


@renders("session_while_presenting")
def _presenting(n: Names, r: Reason) -> str:
    return _("%(person)s presents their project during %(when)s but is seated at %(what)s.",
             person=n.person(r["participant"]), when=n.round(r["round"]),
             what=n.session(r["session"]))


@renders("session_over_capacity")
def _session_full(n: Names, r: Reason) -> str:
    return _("%(what)s has %(count)s participants for %(seats)s seats.",
             what=n.session(r["session"]), count=r["count"], seats=r["capacity"])


@renders("workshop_over_capacity")
def _workshop_full(n: Names, r: Reason) -> str:
    return _("%(what)s has %(count)s participants for %(seats)s seats.",
             what=n.workshop(r["workshop"]), count=r["count"], seats=r["capacity"])


@renders("room_over_capacity")
def _room_full(n: Names, r: Reason) -> str:
    return _("Room %(room)s holds %(count)s people during %(when)s for %(seats)s seats.",
             room=n.room(r["room"]), count=r["count"], when=n.when(r["when"]),
             seats=r["capacity"])


@renders("room_over_tables")
def _room_tables(n: Names, r: Reason) -> str:
    return _("During %(round)s, room %(room)s has %(count)s sessions but only %(tables)s "
             "table(s).", round=n.round(r["round"]), room=n.room(r["room"]), count=r["count"],
             tables=r["tables"])


@renders("session_under_min_audience")
def _under_minimum(n: Names, r: Reason) -> str:
    return _("%(what)s has %(count)s participant(s) but needs at least %(minimum)s to be held.",
             what=n.session(r["session"]), count=r["count"], minimum=r["min_audience"])


@renders("session_not_step_free")
def _session_steps(n: Names, r: Reason) -> str:
    return _("%(person)s needs step-free access but is seated at %(what)s in %(room)s, which "
             "is not step-free.", person=n.person(r["participant"]),
             what=n.session(r["session"]), room=n.room(r["room"]))


@renders("workshop_not_step_free")
def _workshop_steps(n: Names, r: Reason) -> str:
    return _("%(person)s needs step-free access but is seated at %(what)s in %(room)s, which "
             "is not step-free.", person=n.person(r["participant"]),
             what=n.workshop(r["workshop"]), room=n.room(r["room"]))


@renders("fixed_entry_not_kept")
def _pin_lost(n: Names, r: Reason) -> str:
    return _("%(person)s is pinned to %(pinned)s for %(when)s but is seated at %(now)s.",
             person=n.person(r["participant"]), pinned=n.target(r["fixed"]),
             when=n.when(r["when"]), now=n.target(r["now"]))


@renders("too_few_themes")
def _themes(n: Names, r: Reason) -> str:
    return _("%(person)s sees %(count)s different theme(s) but the theme variety rule "
             "requires %(needed)s.", person=n.person(r["participant"]), count=r["count"],
             needed=r["needed"])


@renders("project_twice_in_round")
def _project_twice(n: Names, r: Reason) -> str:
    return _("During %(round)s, project %(project)s has %(count)s sessions at the same time.",
             round=n.round(r["round"]), project=n.project(r["project"]), count=r["count"])


# --- checker: a schedule that no longer matches the event -----------------------------------

@renders("session_without_round", "session_without_room", "programme_unknown_session",
         "programme_session_repeated", "session_moved_from_fixed_round",
         "session_moved_from_fixed_room", "room_refuses_theme")
def _programme_changed(n: Names, r: Reason) -> str:
    return _("The round or room of %(what)s no longer matches the programme.",
             what=n.session(r["session"]))


@renders("unknown_participant", "participant_repeated", "participant_without_entry",
         "unknown_round", "unknown_session", "session_not_in_round", "unknown_slot",
         "workshop_not_in_slot")
def _entry_changed(n: Names, r: Reason) -> str:
    return _("The places of %(person)s no longer match the programme.",
             person=n.person(r["participant"]))


@renders("solution_not_object", "wrong_format", "objective_misreported", "metric_misreported")
def _document(n: Names, r: Reason) -> str:
    return _("This schedule is damaged and cannot be read. Run the solver again.")


# --- the review: why a participant got none of their wishes ---------------------------------

_OBSTACLES: dict[str, Callable[[], str]] = {
    "unavailable": lambda: _("not available"),
    "presenting": lambda: _("presenting their own project"),
    "steps": lambda: _("room with steps"),
    "pinned": lambda: _("pinned elsewhere"),
    "full": lambda: _("full"),
}


@renders("wish_not_held")
def _wish_not_held(n: Names, r: Reason) -> str:
    return _("%(project)s has no session.", project=n.project(r["project"]))


@renders("wish_only_with_steps")
def _wish_steps(n: Names, r: Reason) -> str:
    return _("%(project)s: every session is in a room with steps, and %(person)s needs "
             "step-free access.", project=n.project(r["project"]),
             person=n.person(r["participant"]))


@renders("wish_only_while_unavailable")
def _wish_away(n: Names, r: Reason) -> str:
    return _("%(project)s presents only when %(person)s is not available.",
             project=n.project(r["project"]), person=n.person(r["participant"]))


@renders("wish_only_while_presenting")
def _wish_presenting(n: Names, r: Reason) -> str:
    return _("%(project)s presents only while %(person)s presents their own project.",
             project=n.project(r["project"]), person=n.person(r["participant"]))


@renders("wish_only_when_pinned")
def _wish_pinned(n: Names, r: Reason) -> str:
    return _("%(project)s presents only when %(person)s is pinned elsewhere.",
             project=n.project(r["project"]), person=n.person(r["participant"]))


@renders("wish_sessions_full")
def _wish_full(n: Names, r: Reason) -> str:
    return _("%(project)s: every session %(person)s could attend is full.",
             project=n.project(r["project"]), person=n.person(r["participant"]))


@renders("wish_out_of_reach")
def _wish_out_of_reach(n: Names, r: Reason) -> str:
    return _("%(project)s: no session is open to %(person)s (%(why)s).",
             project=n.project(r["project"]), person=n.person(r["participant"]),
             why=escape(", ".join(_OBSTACLES[o]() for o in r["obstacles"])))


@renders("wish_traded_off")
def _wish_traded_off(n: Names, r: Reason) -> str:
    return _("%(project)s had a seat for %(person)s, but the best schedule found places them "
             "elsewhere.", project=n.project(r["project"]), person=n.person(r["participant"]))
