"""The solver's infeasibility diagnosis, in the organiser's language and with names.

:mod:`scheduler.diagnosis` writes English sentences with stable patterns and exchange-format
keys ("round r2: 312 participants must be seated but the sessions hold 280"). Each pattern
is matched here and rewritten through a Flask-Babel msgid with placeholders, keys replaced
by the names organisers know (round number and time, room and project names). A sentence
no pattern matches is shown as the solver wrote it, so nothing is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .catalogue import ScheduleCatalogue
from .text import _


@dataclass
class Reason:
    text: str        # translated (or the original when no pattern matched)
    original: str    # the solver's sentence, kept for support and as a fallback
    translated: bool


class _Names:
    """Keys to display names; an unknown key stays as it is."""

    def __init__(self, cat: ScheduleCatalogue):
        self.cat = cat
        self.rounds = {r.key: r for r in cat.rounds}
        self.slots = {s.key: s for s in cat.slots}
        self.rooms = cat.room_by_key
        self.projects = cat.project_by_key
        self.sessions = cat.session_by_key
        self.workshops = cat.workshop_by_key
        self.people = cat.participant_by_key
        self.themes = cat.theme_by_key

    def round(self, key: str) -> str:
        round_ = self.rounds.get(key)
        if round_ is None:
            return key
        start = self.cat.event.to_local(round_.starts_at).strftime("%H:%M")
        return _("round %(number)d (%(time)s)", number=self.cat.round_number(round_),
                 time=start)

    def slot(self, key: str) -> str:
        slot = self.slots.get(key)
        if slot is None:
            return key
        start = self.cat.event.to_local(slot.starts_at).strftime("%H:%M")
        return _("the workshops of %(time)s", time=start)

    def when(self, key: str) -> str:
        return self.round(key) if key in self.rounds else self.slot(key)

    def room(self, key: str) -> str:
        return self.rooms[key].name if key in self.rooms else key

    def project(self, key: str) -> str:
        return self.projects[key].name if key in self.projects else key

    def session(self, key: str) -> str:
        session = self.sessions.get(key)
        if session is None:
            return self.workshop(key)
        name = self.cat.session_project(session).name
        if session.round_id is None:
            return name
        round_ = next(r for r in self.cat.rounds if r.id == session.round_id)
        return _("%(project)s in round %(number)d", project=name,
                 number=self.cat.round_number(round_))

    def workshop(self, key: str) -> str:
        return self.workshops[key].name if key in self.workshops else key

    def person(self, key: str) -> str:
        person = self.people.get(key)
        return (person.full_name or key) if person else key

    def people_list(self, text: str) -> str:
        """"p001, p002 and 3 more" with names."""
        head, _sep, more = text.partition(" and ")
        names = ", ".join(self.person(k.strip()) for k in head.split(","))
        if more:
            count = int(more.split()[0])
            return _("%(names)s and %(count)d more", names=names, count=count)
        return names

    def theme(self, key: str) -> str:
        return self.themes[key].name if key in self.themes else key


_GROUPS: dict[str, Callable[[], str]] = {
    "session and room capacities": lambda: _("session and room capacities"),
    "the number of tables per room": lambda: _("the number of tables per room"),
    "the minimum audiences of sessions": lambda: _("the minimum audiences of sessions"),
    "accessible rooms for participants who need them":
        lambda: _("step-free rooms for participants who need them"),
    "participants' fixed entries": lambda: _("participants pinned to a session or workshop"),
    "the theme variety rule (min_distinct_themes)":
        lambda: _("the theme variety rule (minimum number of distinct themes)"),
    "never attending the same project twice": lambda: _("never attending the same project twice"),
    "presenters being busy while their project presents":
        lambda: _("presenters being busy while their project presents"),
    "participants' unavailable rounds": lambda: _("participants' unavailable rounds"),
    "never holding two sessions of a project in the same round":
        lambda: _("never holding two sessions of a project in the same round"),
}

Rule = tuple[re.Pattern, Callable[[_Names, re.Match], str]]


def _rule(pattern: str) -> Callable:
    def register(render: Callable[[_Names, re.Match], str]) -> Callable:
        RULES.append((re.compile(pattern + r"$"), render))
        return render
    return register


RULES: list[Rule] = []


@_rule(r"round (?P<r>\S+): project (?P<p>\S+) has (?P<n>\d+) sessions in the same round")
def _same_round(n: _Names, m: re.Match) -> str:
    return _("In %(round)s, project “%(project)s” has %(count)s sessions at the same time.",
             round=n.round(m["r"]), project=n.project(m["p"]), count=m["n"])


@_rule(r"project (?P<p>\S+) has (?P<n>\d+) sessions but there are only (?P<k>\d+) rounds")
def _too_many_sessions(n: _Names, m: re.Match) -> str:
    return _("Project “%(project)s” has %(count)s sessions but the day has only %(rounds)s "
             "rounds.", project=n.project(m["p"]), count=m["n"], rounds=m["k"])


@_rule(r"round (?P<r>\S+), room (?P<room>\S+): (?P<n>\d+) sessions but only (?P<t>\d+) table\(s\)")
def _tables(n: _Names, m: re.Match) -> str:
    return _("In %(round)s, room “%(room)s” has %(count)s sessions but only %(tables)s "
             "table(s).", round=n.round(m["r"]), room=n.room(m["room"]), count=m["n"],
             tables=m["t"])


@_rule(r"session (?P<s>\S+): no room admits theme (?P<t>\S+)")
def _no_room(n: _Names, m: re.Match) -> str:
    return _("No room accepts the theme “%(theme)s” of %(session)s.",
             theme=n.theme(m["t"]), session=n.session(m["s"]))


@_rule(r"(?P<n>\d+) sessions but only (?P<t>\d+) tables over all rounds")
def _all_tables(n: _Names, m: re.Match) -> str:
    return _("There are %(count)s sessions but only %(tables)s tables over all rounds.",
             count=m["n"], tables=m["t"])


@_rule(r"participant (?P<p>\S+) is fixed to (?P<n>\d+) sessions of project (?P<pr>\S+)")
def _fixed_twice(n: _Names, m: re.Match) -> str:
    return _("%(person)s is pinned to %(count)s sessions of the same project “%(project)s”.",
             person=n.person(m["p"]), count=m["n"], project=n.project(m["pr"]))


@_rule(r"participant (?P<p>\S+) is fixed to (?P<v>\S+) in (?P<k>\S+) but is unavailable then")
def _fixed_unavailable(n: _Names, m: re.Match) -> str:
    return _("%(person)s is pinned to %(what)s but is not available in %(when)s.",
             person=n.person(m["p"]), what=n.session(m["v"]), when=n.when(m["k"]))


@_rule(r"participant (?P<p>\S+) is fixed to (?P<v>\S+) in round (?P<k>\S+) while presenting "
       r"there")
def _fixed_presenting(n: _Names, m: re.Match) -> str:
    return _("%(person)s is pinned to %(what)s but presents their own project in %(when)s.",
             person=n.person(m["p"]), what=n.session(m["v"]), when=n.round(m["k"]))


@_rule(r"participant (?P<p>\S+) is fixed to (?P<v>\S+), a session of a project they present")
def _fixed_own(n: _Names, m: re.Match) -> str:
    return _("%(person)s is pinned to %(what)s, a session of a project they present.",
             person=n.person(m["p"]), what=n.session(m["v"]))


@_rule(r"participant (?P<p>\S+) needs an accessible room but is fixed to (?P<v>\S+) in room "
       r"(?P<room>\S+)")
def _fixed_access(n: _Names, m: re.Match) -> str:
    return _("%(person)s needs step-free access but is pinned to %(what)s in “%(room)s”, "
             "which is not step-free.", person=n.person(m["p"]), what=n.session(m["v"]),
             room=n.room(m["room"]))


@_rule(r"(?P<kind>session|workshop) (?P<s>\S+): (?P<n>\d+) participants are fixed to it but it "
       r"has (?P<c>\d+) seats")
def _fixed_capacity(n: _Names, m: re.Match) -> str:
    what = n.session(m["s"]) if m["kind"] == "session" else n.workshop(m["s"])
    return _("%(count)s participants are pinned to %(what)s but it has %(seats)s seats.",
             count=m["n"], what=what, seats=m["c"])


@_rule(r"round (?P<r>\S+): (?P<n>\d+) participants must be seated but the (?P<w>sessions hold|"
       r"rooms hold at most) (?P<s>\d+)")
def _round_seats(n: _Names, m: re.Match) -> str:
    if m["w"] == "sessions hold":
        return _("In %(round)s, %(count)s participants must be seated but the sessions have "
                 "only %(seats)s seats.", round=n.round(m["r"]), count=m["n"], seats=m["s"])
    return _("In %(round)s, %(count)s participants must be seated but the rooms hold at most "
             "%(seats)s.", round=n.round(m["r"]), count=m["n"], seats=m["s"])


@_rule(r"round (?P<r>\S+): (?P<n>\d+) participants need an accessible room but accessible rooms "
       r"hold (?P<s>\d+) seats")
def _round_access(n: _Names, m: re.Match) -> str:
    return _("In %(round)s, %(count)s participants need step-free access but the step-free "
             "rooms have only %(seats)s seats.", round=n.round(m["r"]), count=m["n"],
             seats=m["s"])


@_rule(r"workshop slot (?P<sl>\S+): (?P<n>\d+) participants must attend a workshop but the "
       r"workshops hold (?P<s>\d+)")
def _slot_seats(n: _Names, m: re.Match) -> str:
    return _("For %(slot)s, %(count)s participants must attend a workshop but the workshops "
             "have only %(seats)s seats.", slot=n.slot(m["sl"]), count=m["n"], seats=m["s"])


@_rule(r"workshop slot (?P<sl>\S+): (?P<n>\d+) participants need an accessible room but "
       r"accessible workshops hold (?P<s>\d+) seats")
def _slot_access(n: _Names, m: re.Match) -> str:
    return _("For %(slot)s, %(count)s participants need step-free access but the step-free "
             "workshops have only %(seats)s seats.", slot=n.slot(m["sl"]), count=m["n"],
             seats=m["s"])


@_rule(r"session (?P<s>\S+) (?P<why>is always held in programme mode|has participants fixed to "
       r"it) and needs (?P<k>\d+) participants, but at most (?P<b>\d+) can attend it")
def _min_audience(n: _Names, m: re.Match) -> str:
    if m["why"].startswith("is always"):
        return _("%(session)s is always held when the solver places sessions, and needs "
                 "%(needed)s participants, but at most %(best)s can attend it.",
                 session=n.session(m["s"]), needed=m["k"], best=m["b"])
    return _("%(session)s has participants pinned to it and needs %(needed)s participants, "
             "but at most %(best)s can attend it.", session=n.session(m["s"]), needed=m["k"],
             best=m["b"])


@_rule(r"theme variety: (?P<n>\d+) participant\(s\) \((?P<who>.+)\) can reach only (?P<g>\d+) "
       r"distinct theme\(s\) but min_distinct_themes requires (?P<k>\d+)")
def _variety(n: _Names, m: re.Match) -> str:
    return _("%(count)s participant(s) (%(names)s) can see only %(got)s different theme(s), "
             "but the theme variety rule requires %(needed)s.", count=m["n"],
             names=n.people_list(m["who"]), got=m["g"], needed=m["k"])


@_rule(r"the rules cannot all be met together, and no single group of rules alone is responsible "
       r"\(several conflict at once\)")
def _several(n: _Names, m: re.Match) -> str:
    return _("The rules cannot all be met together, and no single rule alone is responsible: "
             "several conflict at once.")


@_rule(r"the rules cannot all be met together; the conflict involves (?P<g>.+) \(dropping that "
       r"rule alone would make a schedule possible\)")
def _group(n: _Names, m: re.Match) -> str:
    group = _GROUPS.get(m["g"])
    return _("The rules cannot all be met together; the conflict involves %(group)s "
             "(without that rule alone, a schedule would be possible).",
             group=group() if group else m["g"])


@_rule(r"workshops: the workshops cannot seat everyone who must attend one .*")
def _workshops(n: _Names, m: re.Match) -> str:
    return _("The workshops cannot seat everyone who must attend one (workshop or room "
             "capacities, step-free access, or pinned workshops).")


@_rule(r"no schedule was found within the time limit")
def _timeout(n: _Names, m: re.Match) -> str:
    return _("No schedule was found within the time limit. Try again with more time.")


def explain(cat: ScheduleCatalogue, sentences: list[str]) -> list[Reason]:
    """Each solver sentence translated by pattern, or kept as written."""
    names = _Names(cat)
    reasons = []
    for sentence in sentences:
        for pattern, render in RULES:
            match = pattern.match(sentence)
            if match:
                try:
                    reasons.append(Reason(render(names, match), sentence, True))
                except (KeyError, ValueError, StopIteration):
                    reasons.append(Reason(sentence, sentence, False))
                break
        else:
            reasons.append(Reason(sentence, sentence, False))
    return reasons
