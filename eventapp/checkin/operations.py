"""Every change of the check-in area: issuing and revoking badges, recording scans.

The scan is one audited operation (:func:`record_scan`): inside the request's single
transaction it takes the participant's row lock (PostgreSQL ``SELECT ... FOR UPDATE``,
SQLite's write lock), then checks the nonce, the code, the person and the checkpoint,
writes the scan row (refusals too) and, for an ``ok``, the admission. The unique
constraints (nonce per event, one admission per participant and checkpoint) hold even
if a writer forgot the lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..auth.models import User
from ..database import lock_row
from ..db_types import utcnow
from ..events.models import Event
from ..extensions import db
from ..registration.models import Participant
from . import codes
from .expected import ExpectedPlace, placement
from .models import Admission, Badge, Checkpoint, Scan

# A device clock ahead of the server by more than this is not trusted.
CLOCK_SKEW = timedelta(minutes=2)
SERIAL_ATTEMPTS = 5


class CheckinError(Exception):
    """A refusal with a message for the user (and the field it is about)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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


def revoke_badges(participant_id: int, reason: str, now: datetime | None = None) -> int:
    """Revoke the participant's live badges; how many were revoked."""
    rows = db.session.scalars(select(Badge).where(Badge.participant_id == participant_id,
                                                  Badge.revoked_at.is_(None))).all()
    for badge in rows:
        badge.revoked_at = now or utcnow()
        badge.revoked_reason = reason
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


@dataclass
class ScanOutcome:
    """The recorded scan and what to answer (``replayed``: the nonce was known)."""

    scan: Scan
    replayed: bool = False
    first_scan_at: datetime | None = None
    expected: ExpectedPlace | None = None
    # An admission that this (earlier, offline) scan takes over once it has an id.
    takes_over: Admission | None = None


def code_hash(code: str) -> str:
    return hashlib.sha256(codes.normalise(code).encode("utf-8")).hexdigest()


def find_scan(event: Event, nonce: str) -> Scan | None:
    return db.session.scalar(select(Scan).where(Scan.event_id == event.id,
                                                Scan.nonce == nonce))


def effective_time(scanned_at: datetime | None, received_at: datetime) -> datetime:
    """The device's time, unless missing or ahead of the server's clock."""
    if scanned_at is None or scanned_at > received_at + CLOCK_SKEW:
        return received_at
    return scanned_at


def badge_for_code(event: Event, code: str) -> Badge | None:
    serial = codes.decode(event.id, code)
    if serial is None:
        return None
    return db.session.scalar(select(Badge).where(Badge.event_id == event.id,
                                                 Badge.serial == serial))


def _locked_badge(event: Event, checkpoint: Checkpoint, code: str
                  ) -> tuple[Badge | None, Participant | None]:
    """Take the scan's lock, then read the badge and its person as they are under it.

    The lock is the participant's row (the code's badge names them), else the
    checkpoint's. The first read of the badge is unlocked (to learn whom to lock); the
    second, one query for the badge and the person, sees any revocation or cancellation
    committed before the lock was granted (``populate_existing``)."""
    serial = codes.decode(event.id, code)
    owner = db.session.scalar(select(Badge.participant_id).where(
        Badge.event_id == event.id, Badge.serial == serial)) if serial is not None else None
    if owner is None:
        lock_row(Checkpoint, checkpoint.id)
        badge = db.session.scalar(select(Badge).where(
            Badge.event_id == event.id, Badge.serial == serial)
            .execution_options(populate_existing=True)) if serial is not None else None
        return badge, None
    lock_row(Participant, owner)
    row = db.session.execute(
        select(Badge, Participant).outerjoin(Participant, Participant.id == Badge.participant_id)
        .where(Badge.event_id == event.id, Badge.serial == serial)
        .execution_options(populate_existing=True)).one()
    return row.Badge, row.Participant


def record_scan(event: Event, request: ScanRequest, user: User | None,
                now: datetime | None = None) -> ScanOutcome:
    """Record one scan and decide its result (see the module docstring and
    docs/checkin.md for the order of the checks). A known nonce returns the stored scan
    unchanged: a retry never counts twice."""
    received = now or utcnow()
    badge, participant = _locked_badge(event, request.checkpoint, request.code)
    known = find_scan(event, request.nonce)
    if known is not None:
        return replay(known)
    scan = Scan(event_id=event.id, checkpoint_id=request.checkpoint.id, nonce=request.nonce,
                scanned_by_id=user.id if user is not None else None,
                device=request.device[:100], offline=request.offline,
                scanned_at=request.scanned_at, received_at=received,
                effective_at=effective_time(request.scanned_at, received),
                code_hash=code_hash(request.code), device_result=request.device_result,
                badge_id=badge.id if badge is not None else None)
    scan.checkpoint, scan.badge, scan.participant = request.checkpoint, badge, participant
    outcome = _decide(event, request.checkpoint, badge, participant, scan)
    scan.answer = _answer_data(outcome)  # known now: the row is written once
    try:
        with db.session.begin_nested():
            db.session.add(scan)
            db.session.flush()
            if scan.result == "ok":
                db.session.add(Admission(event_id=event.id, checkpoint_id=scan.checkpoint_id,
                                         participant_id=scan.participant_id, scan_id=scan.id,
                                         admitted_at=scan.effective_at))
                db.session.flush()
            elif outcome.takes_over is not None:
                outcome.takes_over.scan_id = scan.id
                db.session.flush()
    except IntegrityError:
        # Only without the lock (a code that names no participant) can two requests with
        # one nonce meet here: the other one's row is the answer.
        known = find_scan(event, request.nonce)
        if known is None:
            raise
        return replay(known)
    return outcome


def _decide(event: Event, checkpoint: Checkpoint, badge: Badge | None,
            participant: Participant | None, scan: Scan) -> ScanOutcome:
    """Fill ``scan.result`` (and the participant) in the documented order: unknown,
    revoked, cancelled, already, wrong place, outside the window, ok. ``badge`` and
    ``participant`` were read under the lock."""
    outcome = ScanOutcome(scan)
    if badge is None:
        scan.result = "unknown"
        return outcome
    scan.participant_id = participant.id if participant is not None else None
    if participant is None or badge.revoked_at is not None:
        scan.result = "revoked"
        return outcome
    if participant.status != "registered":
        scan.result = "cancelled"
        return outcome
    admission = db.session.scalar(select(Admission).where(
        Admission.checkpoint_id == checkpoint.id, Admission.participant_id == participant.id))
    if admission is not None:
        scan.result = "already"
        outcome.first_scan_at = admission.admitted_at
        if _flag_conflict(scan, admission):
            outcome.takes_over = admission
        return outcome
    here, elsewhere = placement(checkpoint, participant)
    if not here:
        scan.result = "wrong_place"
        outcome.expected = elsewhere
        return outcome
    if not event.checkin_rehearsal and \
            not checkpoint.opens_at <= scan.effective_at <= checkpoint.closes_at:
        scan.result = "outside_window"
        return outcome
    scan.result = "ok"
    return outcome


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


def _flag_conflict(scan: Scan, admission: Admission) -> bool:
    """Two devices both let the person in while offline: both scans are kept; the one
    later in time is flagged for the organiser, and the admission keeps the earlier.
    True when ``scan`` is the earlier one (the admission then points at it)."""
    if not (scan.offline and (scan.device_result or "ok") == "ok"):
        return False
    first = db.session.get(Scan, admission.scan_id)
    if first is not None and scan.effective_at < admission.admitted_at:
        first.conflict = True
        admission.admitted_at = scan.effective_at
        return True
    scan.conflict = True
    return False


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


def record_batch(event: Event, requests: list[ScanRequest], user: User | None,
                 now: datetime | None = None) -> list[ScanOutcome]:
    """An offline queue: every participant it names is locked first, in id order (two
    uploads never wait for each other in a cycle), then the scans are applied in
    device-time order. The outcomes come back in the order of ``requests``."""
    badges = [badge_for_code(event, r.code) for r in requests]
    for participant_id in sorted({b.participant_id for b in badges
                                  if b is not None and b.participant_id is not None}):
        lock_row(Participant, participant_id)
    received = now or utcnow()
    order = sorted(range(len(requests)), key=lambda i: (
        effective_time(requests[i].scanned_at, received), i))
    outcomes: dict[int, ScanOutcome] = {}
    for index in order:
        outcomes[index] = record_scan(event, requests[index], user, received)
    return [outcomes[i] for i in range(len(requests))]
