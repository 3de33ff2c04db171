"""Structured reasons: what the checker finds wrong and why the diagnosis says "impossible".

A :class:`Reason` is a stable ``code`` plus its parameters (ids, numbers). Its
:meth:`Reason.text` renders the English sentence of the contract (the CLI's stderr, the
solution's ``diagnosis`` and :func:`scheduler.check_solution` keep exactly these words),
while the web app translates from the code and parameters, never from the sentence.

Every code is declared once in :data:`TEXTS` with its sentence (a ``str.format`` template
over the parameters) and in :data:`RULES` with the contract's rule number when it has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# code -> English template (str.format over the reason's parameters)
TEXTS: dict[str, str] = {
    # --- checker: the solution document itself
    "solution_not_object": "the solution must be a JSON object",
    "wrong_format": 'format must be "{expected}"',
    "programme_unknown_session": 'programme: unknown session "{session}"',
    "programme_session_repeated": "programme: session {session} is listed {count} times",
    "session_without_round": "session {session} has no valid round",
    "session_without_room": "session {session} has no valid room",
    "session_moved_from_fixed_round":
        "session {session} was fixed in round {fixed} but is in {round}",
    "session_moved_from_fixed_room": "session {session} was fixed in room {fixed} but is in {room}",
    "room_refuses_theme": "session {session}: room {room} does not admit theme {theme}",
    "unknown_participant": 'assignments: unknown participant "{participant}"',
    "participant_repeated": "participant {participant} has {count} assignment entries",
    "participant_without_entry": "participant {participant} has no assignment entry",
    "unknown_round": 'participant {participant}: unknown round "{round}"',
    "unknown_session": 'participant {participant}: unknown session "{session}" in round {round}',
    "session_not_in_round":
        "participant {participant}: session {session} is not held in round {round}",
    "unknown_slot": 'participant {participant}: unknown workshop slot "{slot}"',
    "workshop_not_in_slot": 'participant {participant}: "{workshop}" is not a workshop of slot '
                            "{slot}",
    # --- checker: the nine rules
    "round_without_session": "rule 1: participant {participant} attends no session in round "
                             "{round}",
    "slot_without_workshop": "rule 1: participant {participant} attends no workshop in slot "
                             "{slot}",
    "session_while_unavailable": "rule 2: participant {participant} is unavailable in {round} "
                                 "but attends {session}",
    "workshop_while_unavailable": "rule 2: participant {participant} is unavailable in {slot} "
                                  "but attends {workshop}",
    "project_attended_twice": "rule 2: participant {participant} attends project {project} "
                              "{count} times",
    "session_while_presenting": "rule 3: participant {participant} presents in {round} but "
                                "attends {session}",
    "session_over_capacity": "rule 4: session {session} has {count} participants for "
                             "{capacity} seats",
    "workshop_over_capacity": "rule 4: workshop {workshop} has {count} participants for "
                              "{capacity} seats",
    "room_over_capacity": "rule 4: room {room} holds {count} people in {when} for {capacity} "
                          "seats",
    "room_over_tables": "rule 4: room {room} holds {count} sessions in round {round} but has "
                        "{tables} table(s)",
    "session_under_min_audience": "rule 5: session {session} has {count} participants, "
                                  "min_audience is {min_audience}",
    "session_not_step_free": "rule 6: participant {participant} needs an accessible room but "
                             "attends {session} in {room}",
    "workshop_not_step_free": "rule 6: participant {participant} needs an accessible room but "
                              "attends workshop {workshop} in {room}",
    "fixed_entry_not_kept": "rule 7: participant {participant} is fixed to {fixed} in {when} "
                            "but has {now_text}",
    "too_few_themes": "rule 8: participant {participant} covers {count} theme(s), needs "
                      "{needed}",
    "project_twice_in_round": "rule 9: project {project} has {count} sessions in round {round}",
    # --- checker: reported figures
    "objective_misreported": "reported objective {reported} but it is {actual}",
    "metric_misreported": "reported {metric} {reported} but it is {actual}",
    # --- diagnosis: counting arguments (each one proves infeasibility)
    "project_sessions_share_round": "round {round}: project {project} has {count} sessions in "
                                    "the same round",
    "project_sessions_exceed_rounds": "project {project} has {count} sessions but there are "
                                      "only {round_count} rounds",
    "room_tables_short": "round {round}, room {room}: {count} sessions but only {tables} "
                         "table(s)",
    "session_pinned_to_several_rounds": "session {session}: participants are fixed to it in "
                                        "different rounds ({rounds_text})",
    "no_room_admits_theme": "session {session}: no room admits theme {theme}",
    "tables_short_overall": "{count} sessions but only {tables} tables over all rounds",
    "fixed_to_project_twice": "participant {participant} is fixed to {count} sessions of "
                              "project {project}",
    "fixed_while_unavailable": "participant {participant} is fixed to {target} in {when} but "
                               "is unavailable then",
    "fixed_while_presenting": "participant {participant} is fixed to {session} in round "
                              "{round} while presenting there",
    "fixed_to_own_project": "participant {participant} is fixed to {session}, a session of a "
                            "project they present",
    "fixed_not_step_free": "participant {participant} needs an accessible room but is fixed "
                           "to {target} in room {room}",
    "session_fixed_over_capacity": "session {session}: {count} participants are fixed to it "
                                   "but it has {seats} seats",
    "workshop_fixed_over_capacity": "workshop {workshop}: {count} participants are fixed to it "
                                    "but it has {seats} seats",
    "round_sessions_short": "round {round}: {count} participants must be seated but the "
                            "sessions hold {seats}",
    "round_rooms_short": "round {round}: {count} participants must be seated but the rooms "
                         "hold at most {seats}",
    "round_step_free_short": "round {round}: {count} participants need an accessible room but "
                             "accessible rooms hold {seats} seats",
    "slot_workshops_short": "workshop slot {slot}: {count} participants must attend a "
                            "workshop but the workshops hold {seats}",
    "slot_step_free_short": "workshop slot {slot}: {count} participants need an accessible "
                            "room but accessible workshops hold {seats} seats",
    "min_audience_unreachable_programme": "session {session} is always held in programme mode "
                                          "and needs {needed} participants, but at most {best} "
                                          "can attend it",
    "min_audience_unreachable_fixed": "session {session} has participants fixed to it and "
                                      "needs {needed} participants, but at most {best} can "
                                      "attend it",
    "theme_variety_unreachable": "theme variety: {count} participant(s) ({participants_text}) "
                                 "can reach only {got} distinct theme(s) but "
                                 "min_distinct_themes requires {needed}",
    # --- diagnosis: relaxation (one rule group at a time) and the solver's own endings
    "rule_group_conflict": "the rules cannot all be met together; the conflict involves "
                           "{group_text} (dropping that rule alone would make a schedule "
                           "possible)",
    "rules_conflict_together": "the rules cannot all be met together, and no single group of "
                               "rules alone is responsible (several conflict at once)",
    "rules_conflict_unnamed": "the rules cannot all be met together (the time limit ended "
                              "before the conflicting rules could be named)",
    "workshops_infeasible": "workshops: the workshops cannot seat everyone who must attend one "
                            "(workshop or room capacities, accessibility or fixed workshop "
                            "entries)",
    "no_schedule_in_time": "no schedule was found within the time limit",
    "no_workshops_in_time": "no schedule was found within the time limit (workshops)",
    "no_programme_in_time": "no programme found within the time limit",
    # --- a schedule's review: why a participant got none of their project wishes
    "wish_not_held": "participant {participant}: project {project} has no session",
    "wish_only_with_steps": "participant {participant} needs an accessible room but every "
                            "session of project {project} is in a room that is not",
    "wish_only_while_unavailable": "participant {participant} is unavailable whenever project "
                                   "{project} presents",
    "wish_only_while_presenting": "participant {participant} presents whenever project "
                                  "{project} presents",
    "wish_only_when_pinned": "participant {participant} is fixed elsewhere whenever project "
                             "{project} presents",
    "wish_sessions_full": "participant {participant}: every session of project {project} "
                          "they could attend is full",
    "wish_out_of_reach": "participant {participant} can attend no session of project "
                         "{project} ({obstacles_text})",
    "wish_traded_off": "participant {participant} could attend project {project}, but the "
                       "best schedule found seats them elsewhere",
    # a sentence this version does not know (an older or newer solver wrote it)
    "unrecognised": "{text}",
}

# code -> the contract's hard rule it breaks (codes about the document itself have none)
RULES: dict[str, int] = {
    "round_without_session": 1, "slot_without_workshop": 1,
    "session_while_unavailable": 2, "workshop_while_unavailable": 2,
    "project_attended_twice": 2,
    "session_while_presenting": 3,
    "session_over_capacity": 4, "workshop_over_capacity": 4, "room_over_capacity": 4,
    "room_over_tables": 4,
    "session_under_min_audience": 5,
    "session_not_step_free": 6, "workshop_not_step_free": 6,
    "fixed_entry_not_kept": 7,
    "too_few_themes": 8,
    "project_twice_in_round": 9,
}

# rule group of scheduler.compact.RELAXABLE -> the words of the diagnosis
GROUP_WORDS: dict[str, str] = {
    "capacity": "session and room capacities",
    "tables": "the number of tables per room",
    "min_audience": "the minimum audiences of sessions",
    "accessibility": "accessible rooms for participants who need them",
    "fixed": "participants' fixed entries",
    "themes": "the theme variety rule (min_distinct_themes)",
    "distinct": "never attending the same project twice",
    "presenters": "presenters being busy while their project presents",
    "availability": "participants' unavailable rounds",
    "project_rounds": "never holding two sessions of a project in the same round",
}

NAMES_LISTED = 5  # participants named in one sentence before "and N more"


def names_text(ids: tuple[str, ...] | list[str], limit: int = NAMES_LISTED) -> str:
    """"p1, p2, p3 and 4 more": at most ``limit`` sorted ids, then a count."""
    ids = sorted(ids)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


@dataclass(frozen=True)
class Reason:
    """One finding of the checker or one reason of the diagnosis: a code and its parameters.

    Parameters are JSON-able values (ids, numbers, tuples of ids); :meth:`as_dict` and
    :meth:`from_dict` let callers store reasons and read them back."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEXTS:
            raise ValueError(f"unknown reason code {self.code!r}")

    def __hash__(self) -> int:  # params is a dict: hash its (immutable) items instead
        return hash((self.code, tuple(sorted(self.params.items()))))

    @classmethod
    def of(cls, code: str, **params: Any) -> Reason:
        return cls(code, params)

    @property
    def rule(self) -> int | None:
        """The contract's rule number (1-9) this reason is about, if any."""
        return RULES.get(self.code)

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    def text(self) -> str:
        """The contract's English sentence, word for word."""
        return TEXTS[self.code].format(**self.params, **_derived(self.params))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: list(v) if isinstance(v, tuple) else v
                                              for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        params = {k: tuple(v) if isinstance(v, list) else v
                  for k, v in dict(data.get("params") or {}).items()}
        return cls(str(data["code"]), params)


def _derived(params: Mapping[str, Any]) -> dict[str, str]:
    """Words computed from parameters (lists and absences), for the templates only."""
    out: dict[str, str] = {}
    if "now" in params:
        out["now_text"] = params["now"] or "nothing"
    if "rounds" in params:
        out["rounds_text"] = ", ".join(params["rounds"])
    if "participants" in params:
        out["participants_text"] = names_text(params["participants"])
    if "obstacles" in params:
        out["obstacles_text"] = ", ".join(params["obstacles"])
    if "group" in params:
        out["group_text"] = GROUP_WORDS[params["group"]]
    return out


def texts(reasons: list[Reason]) -> list[str]:
    """The sentences of ``reasons``, in order."""
    return [r.text() for r in reasons]
