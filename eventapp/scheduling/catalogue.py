"""The programme catalogue plus the event's participants: what schedules are read with.

Solver results, drafts and the solver's diagnosis name people by key; pages need their
names, wishes and unavailabilities, loaded with the programme in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Self

from ..events.models import Event
from ..programme.catalogue import Catalogue, event_rows
from ..registration.models import Participant


@dataclass
class ScheduleCatalogue(Catalogue):
    participants: dict[int, Participant] = field(default_factory=dict)

    @classmethod
    def load(cls, event: Event, *, with_participants: bool = True) -> Self:
        """Load the event's rows; ``with_participants=False`` skips the people (a single
        participant's page needs only the programme)."""
        cat = super().load(event)
        if with_participants:
            # The people alone, without their wishes and unavailabilities: every reader
            # of the whole list needs names and keys only (the solver's view of wishes is
            # the instance document), and loading those three collections for everyone
            # was most of the cost of the schedule pages at 10,000 people (30,000 ORM
            # collections per request). One person's page reads their own collections,
            # one query each.
            cat.participants = {p.id: p for p in event_rows(
                event, Participant, Participant.last_name, Participant.first_name)}
        return cat

    @cached_property
    def participant_by_key(self) -> dict[str, Participant]:
        return self._by_key(self.participants.values())
