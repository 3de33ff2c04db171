"""Émargement: attendance sheets, signatures, countersignatures, funders' publicity.

* **AttendanceSettings** (one row per event, created on first use): how sheets are cut
  (per half-day, per session or per workshop), how long signatures are kept as proof for
  funders' audits, the funders' mention (ESF+ emblem, free text) and the organiser's
  signatory for certificates.
* A **sheet** is one unit that people sign: a half-day, a programme session or a
  workshop. Rows are derived from the programme (``operations.sync_sheets``) under a
  deterministic key, so signatures keep pointing at the same row while the programme is
  edited. The organiser opens and closes its signing window (participants' own phones);
  a facilitator countersigns it, which closes it for good.
* A **signature** is a PNG drawn on a canvas, stored with its time (UTC), the sheet, the
  device, the staff member (if any) and a stable pseudonym of the signer: when the person
  is erased (RGPD) the link to them goes and the pseudonym, the image and the time stay,
  which is what a funder's audit needs. Unique by the client's nonce within the event: a
  re-uploaded offline queue finds its row and gets the same answer.
* A **funder logo** is a re-encoded image printed on sheets and certificates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from ..auth.models import User
from ..db_types import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import Model
from ..programme.models import KEY_LENGTH, Workshop
from ..registration.models import Participant, _in

SHEET_UNITS = ("half_day", "session", "workshop")
SHEET_KINDS = ("half_day", "session", "workshop")
SIGNED_VIA = ("staff", "portal")
# Proof of attendance for the European Social Fund+ is kept for years after the
# programme closes; 10 years is a safe default the organiser may shorten.
DEFAULT_PROOF_RETENTION_MONTHS = 120


class AttendanceSettings(Model):
    __tablename__ = "attendance_settings"
    __table_args__ = (
        CheckConstraint(_in("sheet_unit", SHEET_UNITS), name="valid_sheet_unit"),
        CheckConstraint("proof_retention_months >= 1", name="proof_retention_positive"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    sheet_unit: Mapped[str] = mapped_column(String(20), default="half_day")
    proof_retention_months: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_PROOF_RETENTION_MONTHS)
    # Print the EU emblem with "Cofinancé par l'Union européenne" (ESF+ rules).
    esf_mention: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Any other mandatory mention ("Avec le soutien de ..."), printed under the logos.
    funders_mention: Mapped[str] = mapped_column(Text, default="")
    # Who signs the certificates for the organiser, and their signature (PNG).
    signatory_name: Mapped[str] = mapped_column(String(300), default="")
    signatory_image: Mapped[bytes | None] = mapped_column(LargeBinary)

    event: Mapped[Event] = relationship()


class FunderLogo(Model):
    __tablename__ = "funder_logos"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Re-encoded PNG (no metadata, bounded size), never the uploaded bytes.
    image: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceSheet(Model):
    __tablename__ = "attendance_sheets"
    __table_args__ = (
        UniqueConstraint("event_id", "key", name="uq_attendance_sheets_event_key"),
        CheckConstraint(_in("kind", SHEET_KINDS), name="valid_kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("length(key) > 0", name="key_not_empty"),
        CheckConstraint("(countersigned_at IS NULL) = (countersignature IS NULL)",
                        name="countersigned_with_image"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    # "half_day:am", "half_day:pm", "item:<id>", "round:<key>", "workshop:<key>"
    key: Mapped[str] = mapped_column(String(KEY_LENGTH + 20))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    facilitator: Mapped[str] = mapped_column(String(300), default="")
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False once the programme (or the chosen unit) no longer has it; kept for its
    # signatures.
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # The participants' own signing window: open while opened and not closed.
    window_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    countersigned_by: Mapped[str] = mapped_column(String(300), default="")
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    countersignature: Mapped[bytes | None] = mapped_column(LargeBinary)

    event: Mapped[Event] = relationship()
    workshop: Mapped[Workshop | None] = relationship()

    @property
    def window_open(self) -> bool:
        return (self.window_opened_at is not None and self.window_closed_at is None
                and self.countersigned_at is None)


class Signature(Model):
    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint("event_id", "nonce", name="uq_signatures_event_nonce"),
        UniqueConstraint("sheet_id", "participant_id", name="uq_signatures_sheet_participant"),
        CheckConstraint(_in("via", SIGNED_VIA), name="valid_via"),
        CheckConstraint("length(nonce) > 0", name="nonce_not_empty"),
        CheckConstraint("length(pseudonym) > 0", name="pseudonym_not_empty"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_sheets.id", ondelete="CASCADE"), index=True)
    # NULL once the person is erased: the pseudonym, image and time stay as proof.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(100))
    via: Mapped[str] = mapped_column(String(10))
    device: Mapped[str] = mapped_column(String(100), default="")
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The moment that counts (the device's time for a queued signature if plausible),
    # and when the server got it.
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    image: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    sheet: Mapped[AttendanceSheet] = relationship()
    participant: Mapped[Participant | None] = relationship()
    staff: Mapped[User | None] = relationship()


@event.listens_for(OrmSession, "before_flush")
def _pseudonymise_signatures_of_erased(session: OrmSession, flush_context, instances
                                       ) -> None:
    """Erasing a person (organiser, portal, retention purge) keeps their signatures as
    proof under their pseudonym and drops the rest: the link to them and the device
    description of their own phone. Runs in the flush of the erasure itself."""
    erased = [obj.id for obj in session.deleted
              if isinstance(obj, Participant) and obj.id is not None]
    if not erased:
        return
    session.execute(update(Signature).where(Signature.participant_id.in_(erased),
                                            Signature.via == "portal").values(device=""))
    session.execute(update(Signature).where(Signature.participant_id.in_(erased))
                    .values(participant_id=None))
