"""What the staff scanning page needs from the server: its checkpoint menu, its labels
in the page's language, and the search by name.

The page itself (``templates/checkin/scan.html`` and ``static/checkin/*.js``, see
docs/scanner.md) does the scanning; the scans go through the same JSON routes as every
other scanner (``scanning.py``), so an entry recorded from a name search is one more
audited scan with its own nonce, never a side door. The search never hands out badge
codes (two letters per query would give a phone every badge of the event): the entry
is recorded by the participant's id and audited as manual.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from ..db_types import utcnow
from ..errors import Refused
from ..events.models import Event
from ..extensions import db
from ..i18n import ELIDED
from ..programme.catalogue import Catalogue
from .checkpoints import sync_checkpoints
from .expected import checkpoint_expectations
from .models import Admission, Checkpoint
from .queries import KIND_LABELS, CheckpointNames, category_label, registered_people, rfc3339

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 12


# --- the checkpoint menu ---------------------------------------------------------------

@dataclass(frozen=True)
class MenuEntry:
    checkpoint: Checkpoint
    label: str
    open_now: bool


@dataclass(frozen=True)
class MenuGroup:
    kind: str
    title: str
    entries: list[MenuEntry]


def checkpoint_menu(event: Event, now: datetime | None = None) -> list[MenuGroup]:
    """The event's active checkpoints grouped by kind (door, rooms, workshops, lunch),
    in programme order, each marked open or not at ``now`` (staff pick the open one)."""
    now = now or utcnow()
    cat = Catalogue.load(event)
    names = CheckpointNames(cat)
    groups: dict[str, list[MenuEntry]] = {kind: [] for kind in KIND_LABELS}
    for checkpoint in sync_checkpoints(event, cat):
        groups[checkpoint.kind].append(MenuEntry(
            checkpoint, names.label(checkpoint),
            checkpoint.opens_at <= now <= checkpoint.closes_at))
    return [MenuGroup(kind, str(KIND_LABELS[kind]), entries)
            for kind, entries in groups.items() if entries]


def checkpoint_label(event: Event, checkpoint: Checkpoint) -> str:
    return CheckpointNames.of_checkpoint(event, checkpoint).label(checkpoint)


# --- labels ------------------------------------------------------------------------------

def page_labels() -> dict[str, str]:
    """The page's words in the request's language; the keys are scan-page.js's
    ``DEFAULT_LABELS`` (its English fallbacks) plus those of the search and the sync
    notices. ``{time}``, ``{place}``, ``{count}``, ``{window}``, ``{name}`` and
    ``{message}`` are filled in by the page."""
    return {
        "result_ok": _("OK"),
        "result_already": _("ALREADY"),
        "result_wrong_place": _("WRONG PLACE"),
        "result_unknown": _("UNKNOWN"),
        "result_revoked": _("REVOKED"),
        "result_cancelled": _("CANCELLED"),
        "result_outside_window": _("OUTSIDE TIME WINDOW"),
        "result_saved": _("SAVED, NOT CHECKED"),
        "detail_already": _("First scan at {time}"),
        "detail_wrong_place": _("Expected at {place}"),
        "detail_unknown": _("This code is not a valid badge of this event."),
        "detail_revoked": _("This badge was replaced or withdrawn."),
        "detail_cancelled": _("This registration was cancelled."),
        "detail_outside_window": _("Outside this checkpoint's time window ({window})."),
        "detail_saved": _("No checkpoint list on this phone yet: the scan is kept and will "
                          "be checked when the network is back."),
        "checked_offline": _("Checked on this phone (offline)"),
        "network_online": _("Online"),
        "network_offline": _("Offline"),
        "pending_none": _("All scans sent"),
        "pending_one": _("1 scan waiting to be sent"),
        "pending_many": _("{count} scans waiting to be sent"),
        "bundle_ready": _("Checkpoint list of {time}"),
        "bundle_missing": _("Checkpoint list not downloaded yet"),
        "offline_ready": _("Page available offline"),
        "camera_start": _("Start camera"),
        "camera_stop": _("Stop camera"),
        "torch_on": _("Torch on"),
        "torch_off": _("Torch off"),
        "camera_denied": _("Camera access was refused. Allow the camera for this site in the "
                           "browser settings, or use the code field below."),
        "camera_no_camera": _("No camera found on this device. Use the code field below."),
        "camera_busy": _("The camera is used by another application. Close it and try again."),
        "camera_insecure": _("The camera needs a secure (https) connection. Use the code "
                             "field below."),
        "camera_failed": _("The camera could not start. Use the code field below."),
        "search_too_short": _("Type at least two letters of the name."),
        "search_none": _("Nobody registered by that name."),
        "search_admit": _("Record the entry of {name}"),
        # French: "d'Anaïs" before a vowel (search.js picks it by the name's first letter)
        "search_admit_elided": pgettext(ELIDED, "Record the entry of {name}"),
        "search_admitted": _("admitted at {time}"),
        "search_expected_here": _("expected here"),
        "search_expected_at": _("expected at {place}"),
        "search_offline": _("Offline: an entry recorded here is kept on this phone and sent "
                            "when the network is back."),
        "search_failed": _("The search failed. Try again, or scan the badge."),
        "notice_invalid": _("Scan of {time} refused by the server: {message}"),
        "notice_changed": _("{name}, scanned at {time} (offline): the server says {result}"),
        "notice_conflict": _("{name}, scanned at {time} (offline): another phone had already "
                             "admitted this badge here. The organisers see it as a conflict."),
    }


# --- search by name ----------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Lower case without accents or extra spaces: "Élodie  LE GOFF" -> "elodie le goff"
    (staff type names as they hear them)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


class SearchError(Refused, ValueError):
    """A query too short to search (the page says so; nothing is looked up)."""

    status = 400


def search(event: Event, checkpoint: Checkpoint, query: str) -> list[dict]:
    """Registered people whose name (or organisation) contains every word of ``query``,
    with what staff need to decide (expected here? already admitted?) and their id, with
    which the page records the entry through the usual scan route (``participant``
    instead of ``code``). Best matches (name starts with the query) first, at most
    ``SEARCH_LIMIT``."""
    words = fold(query).split()
    if len("".join(words)) < SEARCH_MIN_LENGTH:
        raise SearchError(_("Type at least two letters of the name."))
    matches = []
    for person in registered_people(event):
        first, last = fold(person.first_name), fold(person.last_name)
        haystack = f"{first} {last} {fold(person.organisation)}"  # words in any order
        if all(word in haystack for word in words):
            starts = haystack.startswith(words[0]) or last.startswith(words[0])
            matches.append(((not starts, last, first), person))
    matches.sort(key=lambda match: match[0])
    people = [person for _, person in matches[:SEARCH_LIMIT]]
    return _search_results(event, checkpoint, people)


def _search_results(event: Event, checkpoint: Checkpoint, people: list) -> list[dict]:
    if not people:
        return []
    cat = Catalogue.load(event)
    expectations = checkpoint_expectations(checkpoint, people, cat)
    admitted = dict(db.session.execute(
        select(Admission.participant_id, Admission.admitted_at).where(
            Admission.checkpoint_id == checkpoint.id,
            Admission.participant_id.in_([p.id for p in people]))).all())
    results = []
    for person in people:
        elsewhere = expectations.elsewhere.get(person.id)
        results.append({
            "id": person.key, "name": person.full_name, "organisation": person.organisation,
            "category_label": category_label(person.category),
            "expected": person.id in expectations.expected_ids,
            "expected_place": elsewhere.as_dict() if elsewhere is not None else None,
            "admitted_at": rfc3339(event, admitted.get(person.id)),
        })
    return results
