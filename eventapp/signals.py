"""The few reactions that cross areas upwards, as named signals (blinker, shipped with Flask).

Areas depend downwards only (docs/architecture.md): when something happens in a lower
area that a higher one must react to, the lower area sends one of these signals and the
higher area connects a receiver at import (its ``operations`` module). Receivers run
synchronously inside the sender's transaction, so what they write is committed, or rolled
back, with the change that caused it. Keep this list short: a call downwards is always
preferred to a signal.

``schedule_published``  sender: the new ``Publication``; ``notify`` (bool): the
                        participants are to be emailed. Sent by ``scheduling.operations.
                        publish``. Calendars record the new SEQUENCEs; the publication
                        emails (with their iCalendar invitations) are queued when ``notify``.
``assignment_changed``  sender: the ``Participant`` whose *published* day changed outside a
                        publication (their own switch, ``scheduling.operations``).
                        Calendars stamp the participant's items at once.
``participant_cancelled`` sender: the ``Participant`` just cancelled
                        (``registration.operations.cancel``). Check-in revokes the badge.
``participant_erased``  sender: the ``Participant`` about to be deleted (RGPD erasure or
                        retention purge, ``registration.operations``; a presenter deleted
                        in the builder), before the delete. Check-in revokes the badge
                        and detaches it from the person.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

schedule_published = _signals.signal("schedule-published")
assignment_changed = _signals.signal("assignment-changed")
participant_cancelled = _signals.signal("participant-cancelled")
participant_erased = _signals.signal("participant-erased")
