"""Every change of the check-in area: issuing and revoking badges, recording scans.

The scan is one audited operation (:func:`record_scan`): inside the request's single
transaction it takes the participant's row lock (PostgreSQL ``SELECT ... FOR UPDATE``,
SQLite's write lock), reads the code's badge, the person and the checkpoint under it,
decides, writes the scan row (refusals too; ``ON CONFLICT`` on the nonce, a known nonce
answering its stored scan) and, for an ``ok``, the admission: four statements at most
(``scan_sql``). The unique constraints (nonce per event, one admission per participant
and checkpoint) hold even if a writer forgot the lock.

An entry recorded by name (the staff page's search) is the same operation with the
participant's id instead of a badge code (``ScanRequest.participant_key``): the phone
never holds anyone's code, and the scan row says it was manual.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..database import lock_row
from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..registration.models import Participant, ParticipantStatus
from . import codes, scan_sql
from .expected import ExpectedPlace
from .models import Admission, Badge, Checkpoint, Scan
from .scan_sql import ScanState

# A device clock ahead of the server by more than this is not trusted.
CLOCK_SKEW = timedelta(minutes=2)
# A device time earlier than this before the checkpoint's day (or before its receipt, for
# a rehearsal before the day) is not trusted either.
EARLY_MARGIN = timedelta(days=1)
SERIAL_ATTEMPTS = 5


class ScanEventLike(Protocol):
    """What a scan needs of its event: the ORM row, or the scan routes' cached copy
    (``scan_cache.ScanEvent``)."""

    id: int

    @property
    def tz(self) -> tzinfo: ...


class CheckinError(Refused):
    """A refusal with a message for the user (and the field it is about)."""


class NonceReused(CheckinError):
    """A known nonce sent with another code, person or checkpoint: never the stored
    answer of someone else's scan."""


# --- badges ----------------------------------------------------------------------------

def live_badge(participant: Participant) -> Badge | None:
    return db.session.scalar(select(Badge).where(Badge.participant_id == participant.id,
                                                 Badge.revoked_at.is_(None)))


def issue_badge(participant: Participant) -> Badge:
    """A new badge with a fresh random serial (retrying the rare serial collision)."""
    for _attempt in range(SERIAL_ATTEMPTS):
        badge = Badge(event_id=participant.event_id, participant_id=participant.id,
                      serial=codes.new_serial(), issued_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(badge)
                db.session.flush()
        except IntegrityError:
            if live_badge(participant) is not None:  # issued meanwhile by another request
                return live_badge(participant)
            continue
        return badge
    raise CheckinError(str(_l("Could not draw a free badge serial; try again.")))


def current_badge(participant: Participant) -> Badge:
    """The participant's live badge, issuing one on first use."""
    if participant.status == "cancelled":
        raise CheckinError(str(_l("A cancelled registration has no badge.")))
    return live_badge(participant) or issue_badge(participant)


def current_code(participant: Participant) -> str:
    """The text of the participant's QR code (issuing a badge if they have none)."""
    badge = current_badge(participant)
    return codes.encode(badge.event_id, badge.serial)


def badge_code(badge: Badge) -> str:
    return codes.encode(badge.event_id, badge.serial)


def revoke_badges(participant_id: int, reason: str, now: datetime | None = None, *,
                  detach: bool = False) -> int:
    """Revoke the participant's live badges; how many were revoked. ``detach``: the person
    is being erased; the badge row stays (its serial stays on the revocation list) without
    them."""
    rows = db.session.scalars(select(Badge).where(Badge.participant_id == participant_id,
                                                  Badge.revoked_at.is_(None))).all()
    for badge in rows:
        badge.revoked_at = now or utcnow()
        badge.revoked_reason = reason
        if detach:
            badge.participant_id = None
    return len(rows)


def reissue_badge(participant: Participant) -> Badge:
    """Revoke the current code (lost or shared badge) and issue a new one."""
    if participant.status == "cancelled":
        raise CheckinError(str(_l("A cancelled registration has no badge.")))
    lock_row(Participant, participant.id)
    revoke_badges(participant.id, "reissued")
    db.session.flush()
    return issue_badge(participant)


# --- scans -----------------------------------------------------------------------------

@dataclass
class ScanRequest:
    """One scan as a device sends it."""

    checkpoint: Checkpoint
    code: str
    nonce: str
    scanned_at: datetime | None = None
    device: str = ""
    offline: bool = False
    device_result: str | None = None
    # A manual entry (search by name): the participant's key instead of a code.
    participant_key: str | None = None

    @property
    def manual(self) -> bool:
        return self.participant_key is not None

    @property
    def subject_hash(self) -> str:
        """What the nonce is bound to, besides the checkpoint: the code (normalised)
        or, for a manual entry, the participant."""
        if self.manual:
            return hashlib.sha256(f"participant:{self.participant_key}".encode()).hexdigest()
        return code_hash(self.code)


@dataclass
class ScanOutcome:
    """The recorded scan and what to answer (``replayed``: the nonce was known).

    A scan just recorded carries what its answer shows, as read under the lock
    (``state``: the checkpoint's window and place, the rehearsal flag; ``participant``:
    the person, a transient object): the answer needs no further query. A replay has
    only ``scan`` (a stored row) and reads the rest through it."""

    scan: Scan
    replayed: bool = False
    first_scan_at: datetime | None = None
    expected: ExpectedPlace | None = None
    state: ScanState | None = None
    participant: Participant | None = None
    # An earlier offline scan that takes over the admission once it has an id.
    takes_over: bool = False

    @property
    def rehearsal(self) -> bool | None:
        return self.state.rehearsal if self.state is not None else None


def code_hash(code: str) -> str:
    return hashlib.sha256(codes.normalise(code).encode("utf-8")).hexdigest()


def find_scan(event: Event, nonce: str) -> Scan | None:
    return db.session.scalar(select(Scan).where(Scan.event_id == event.id,
                                                Scan.nonce == nonce))


def trusted_since(opens_at: datetime, tz: tzinfo, received_at: datetime) -> datetime:
    """The earliest device time believed: midnight of the day before the checkpoint's day
    (event timezone), or a day before the upload when that is earlier (a rehearsal held
    days before the event)."""
    day = opens_at.astimezone(tz).date() - EARLY_MARGIN
    return min(datetime.combine(day, time(0), tz).astimezone(UTC), received_at - EARLY_MARGIN)


def effective_time(scanned_at: datetime | None, received_at: datetime,
                   opens_at: datetime, tz: tzinfo) -> tuple[datetime, str | None]:
    """The moment the rules use and, when the device's time was not trusted, why (one of
    ``models.TIME_FLAGS``). A device time ahead of the server's clock, or far before the
    checkpoint's day (a phone whose clock was reset, a hostile upload), would replace
    admission times and stretch every chart over centuries: the server's time is kept
    instead, and the scan is flagged for the organiser."""
    if scanned_at is None:
        return received_at, None
    if scanned_at > received_at + CLOCK_SKEW:
        return received_at, "device_time_ahead"
    if scanned_at < trusted_since(opens_at, tz, received_at):
        return received_at, "device_time_early"
    return scanned_at, None


def badge_for_code(event: Event, code: str) -> Badge | None:
    serial = codes.decode(event.id, code)
    if serial is None:
        return None
    return db.session.scalar(select(Badge).where(Badge.event_id == event.id,
                                                 Badge.serial == serial))


def _participant_id(event: Event, key: str | None) -> int | None:
    if not key:
        return None
    return db.session.scalar(select(Participant.id).where(Participant.event_id == event.id,
                                                          Participant.key == key))


def _checked_replay(event: Event, known: Scan, request: ScanRequest,
                    user: User | None) -> ScanOutcome:
    """The stored answer of a known nonce, if the nonce came with the same code (or
    person) and checkpoint; otherwise a refusal, logged (the scans table cannot hold a
    second row for the nonce)."""
    if known.code_hash == request.subject_hash and \
            known.checkpoint_id == request.checkpoint.id:
        return replay(known)
    current_app.logger.warning(
        "check-in: nonce %r of scan %s reused with another %s (event %s, checkpoint %s, "
        "user %s, device %r): refused", request.nonce, known.id,
        "checkpoint" if known.code_hash == request.subject_hash else "code",
        known.event_id, request.checkpoint.id, user.id if user is not None else None,
        request.device)
    raise NonceReused(str(_l("This nonce was already used for another scan: send a new "
                             "nonce for each scan.")), field="nonce")


def record_scan(event: Event | ScanEventLike, request: ScanRequest, user: User | None,
                now: datetime | None = None) -> ScanOutcome:
    """Record one scan and decide its result (see the module docstring and
    docs/checkin.md for the order of the checks). A known nonce returns the stored scan
    unchanged: a retry never counts twice; the same nonce with another code, person or
    checkpoint raises :class:`NonceReused`.

    At most four SQL statements (``scan_sql``): the person's lock, the read under it, the
    scan row (``ON CONFLICT`` on the nonce), the admission. A replay, and an offline scan
    that takes over an earlier admission, cost a few more."""
    received = now or utcnow()
    checkpoint = request.checkpoint
    serial = None if request.manual else codes.decode(event.id, request.code)
    locked = scan_sql.lock_subject(event.id, serial, request.participant_key)
    state = scan_sql.read_state(event.id, checkpoint.id, checkpoint.kind, serial=serial,
                                participant_id=locked, manual=request.manual)
    if state is None:
        raise CheckinError(str(_l("No such checkpoint in this event.")), field="checkpoint")
    effective, flag = effective_time(request.scanned_at, received, state.opens_at, event.tz)
    scan = Scan(event_id=event.id, checkpoint_id=checkpoint.id, nonce=request.nonce,
                scanned_by_id=user.id if user is not None else None,
                device=request.device[:100], offline=request.offline,
                scanned_at=request.scanned_at, received_at=received,
                effective_at=effective, time_flag=flag, manual=request.manual,
                code_hash=request.subject_hash, device_result=request.device_result,
                badge_id=state.badge_id, conflict=False)
    outcome = _decide(state, scan)
    scan.answer = _answer_data(outcome)  # known now: the row is written once
    values = {column.key: getattr(scan, column.key) for column in Scan.__table__.columns
              if column.key != "id"}
    scan.id = scan_sql.insert_scan(values)
    if scan.id is None:  # the nonce is known: its stored answer, or a refusal
        known = find_scan(event, request.nonce)
        if known is None:  # pragma: no cover - the conflict's row cannot vanish
            raise CheckinError(str(_l("This scan could not be recorded; send it again.")))
        return _checked_replay(event, known, request, user)
    if scan.result == "ok":
        scan_sql.insert_admission({"event_id": event.id, "checkpoint_id": checkpoint.id,
                                   "participant_id": state.participant_id,
                                   "scan_id": scan.id, "admitted_at": effective})
    elif outcome.takes_over:
        _take_over(state, scan)
    return outcome


def _decide(state: ScanState, scan: Scan) -> ScanOutcome:
    """Fill ``scan.result`` (and the participant) in the documented order: unknown,
    revoked, cancelled, already, wrong place, outside the window, ok. ``state`` was read
    under the lock."""
    participant = None
    if state.participant_id is not None:
        participant = Participant(id=state.participant_id, key=state.key,
                                  status=state.status, first_name=state.first_name,
                                  last_name=state.last_name,
                                  organisation=state.organisation, category=state.category)
    outcome = ScanOutcome(scan, state=state, participant=participant)
    scan.participant_id = state.participant_id
    refusal = _manual_refusal(participant) if scan.manual else _badge_refusal(state,
                                                                              participant)
    if refusal is not None:
        scan.result = refusal
        return outcome
    if state.admission_id is not None:
        scan.result = "already"
        outcome.first_scan_at = state.admitted_at
        outcome.takes_over = _flag_conflict(scan, state)
        return outcome
    here, elsewhere = _placement(state)
    if not here:
        scan.result = "wrong_place"
        outcome.expected = elsewhere
        return outcome
    if not state.rehearsal and not state.opens_at <= scan.effective_at <= state.closes_at:
        scan.result = "outside_window"
        return outcome
    scan.result = "ok"
    return outcome


def _placement(state: ScanState) -> tuple[bool, ExpectedPlace | None]:
    """(expected here, else where): see ``expected.placement``, whose rules the read
    statement applies in SQL (the latest publication, a presenter's own session)."""
    if state.kind not in scan_sql.SCHEDULED_KINDS or not state.published:
        return True, None
    if state.kind == "session" and state.round_id is None:
        return False, None
    if state.place_id is not None and state.place_here:
        return True, None
    if state.place_id is None:
        return False, None
    return False, ExpectedPlace(state.kind, state.place_room or "", state.place_colour,
                                state.place_colour_name, state.place_title or "")


def _badge_refusal(state: ScanState, participant: Participant | None) -> str | None:
    if state.badge_id is None:
        return "unknown"
    if participant is None or state.revoked_at is not None:
        return "revoked"
    if participant.status != ParticipantStatus.REGISTERED:
        return "cancelled"
    return None


def _manual_refusal(participant: Participant | None) -> str | None:
    """A manual entry names a person, not a badge: unknown id or cancelled."""
    if participant is None:
        return "unknown"
    if participant.status != ParticipantStatus.REGISTERED:
        return "cancelled"
    return None


@dataclass(frozen=True)
class RehearsalEnd:
    scans_deleted: int
    admissions_deleted: int


def start_rehearsal(event: Event) -> None:
    """Staff practise before the day: every checkpoint answers as if it were open."""
    lock_row(Event, event.id)
    event.checkin_rehearsal = True


def end_rehearsal(event: Event, discard_scans: bool) -> RehearsalEnd:
    """Back to the real day: time windows checked again. With ``discard_scans``, every
    scan and admission recorded so far goes (otherwise the day would answer "already"
    to everyone scanned during the practice); badges and checkpoints stay. Under the
    event's lock, so that no scan lands half-way."""
    lock_row(Event, event.id)
    event.checkin_rehearsal = False
    if not discard_scans:
        return RehearsalEnd(0, 0)
    admissions = db.session.execute(delete(Admission).where(Admission.event_id == event.id))
    scans = db.session.execute(delete(Scan).where(Scan.event_id == event.id))
    return RehearsalEnd(scans.rowcount, admissions.rowcount)


def _flag_conflict(scan: Scan, state: ScanState) -> bool:
    """Two devices both let the person in while offline: both scans are kept; the one
    later in time is flagged for the organiser, and the admission keeps the earlier.
    True when ``scan`` is the earlier one (the admission then points at it, once it has
    an id: :func:`_take_over`)."""
    if not (scan.offline and (scan.device_result or "ok") == "ok"):
        return False
    if scan.effective_at < state.admitted_at:
        return True
    scan.conflict = True
    return False


def _take_over(state: ScanState, scan: Scan) -> None:
    """The earlier offline scan becomes the admission's; the one it replaces is flagged."""
    db.session.execute(update(Scan).where(Scan.id == state.admission_scan_id)
                       .values(conflict=True))
    db.session.execute(update(Admission).where(Admission.id == state.admission_id)
                       .values(admitted_at=scan.effective_at, scan_id=scan.id))


def _answer_data(outcome: ScanOutcome) -> dict:
    """The non-personal part of the answer, stored for replays."""
    expected = outcome.expected
    return {
        "first_scan_at": outcome.first_scan_at.isoformat() if outcome.first_scan_at else None,
        "expected": expected.as_dict() if expected is not None else None,
    }


def replay(scan: Scan) -> ScanOutcome:
    """The stored answer of a known nonce."""
    data = scan.answer or {}
    first = data.get("first_scan_at")
    return ScanOutcome(scan, replayed=True,
                       first_scan_at=datetime.fromisoformat(first) if first else None,
                       expected=ExpectedPlace.from_dict(data.get("expected")))


def _named_participants(event: Event, requests: list[ScanRequest]) -> set[int]:
    """The ids of the participants a queue names, by badge code or (manual) by id."""
    ids = set()
    for request in requests:
        if request.manual:
            ids.add(_participant_id(event, request.participant_key))
            continue
        badge = badge_for_code(event, request.code)
        ids.add(badge.participant_id if badge is not None else None)
    return ids - {None}


def record_batch(event: Event, requests: list[ScanRequest], user: User | None,
                 now: datetime | None = None) -> list[ScanOutcome | CheckinError]:
    """An offline queue: every participant it names is locked first, in id order (two
    uploads never wait for each other in a cycle), then the scans are applied in
    device-time order. The outcomes come back in the order of ``requests``; a scan
    refused as a whole (a reused nonce) is its :class:`CheckinError`, and the others
    are applied all the same."""
    for participant_id in sorted(_named_participants(event, requests)):
        lock_row(Participant, participant_id)
    received = now or utcnow()
    order = sorted(range(len(requests)), key=lambda i: (
        effective_time(requests[i].scanned_at, received, requests[i].checkpoint.opens_at,
                       event.tz)[0], i))
    outcomes: dict[int, ScanOutcome | CheckinError] = {}
    for index in order:
        try:
            outcomes[index] = record_scan(event, requests[index], user, received)
        except CheckinError as error:
            outcomes[index] = error
    return [outcomes[i] for i in range(len(requests))]
