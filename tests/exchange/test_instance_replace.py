"""Replacing an event's instance keeps what the file cannot carry (issue 12, finding 7).

``PUT /api/v1/events/<slug>/instance`` with the event's own export used to delete every
registrant's email, consent, personal links, badges and check-in history. It now refuses
(409) an event with registrations or scans unless ``confirm_replace=true``, then keeps the
participants the file names (matched by id) with all of theirs, and says what it kept and
removed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventapp.checkin.models import Badge, Scan
from eventapp.checkin.operations import ScanRequest, live_badge, record_scan
from eventapp.exchange.operations import import_instance
from eventapp.exchange.queries import export_instance
from eventapp.extensions import db
from eventapp.registration.models import Participant
from eventapp.registration.tokens import find_by_token
from tests.api_helpers import api_token, assert_error, bearer
from tests.factories import local, make_badge_code, make_checkpoints, make_portal_token

# Each test imports the whole 2016 example and replaces it: seconds each.
pytestmark = pytest.mark.slow

API = "/api/v1"


@dataclass
class World:
    slug: str
    kept_key: str
    removed_key: str
    token: str


def _register(person: Participant, email: str) -> str:
    """Give ``person`` what only a registration and the day give: email, link, badge, scan."""
    person.email = email
    person.consent_at = datetime(2016, 11, 1, tzinfo=UTC)
    token = make_portal_token(person)
    code = make_badge_code(person)
    checkpoint = next(iter(make_checkpoints(person.event).values()))
    record_scan(person.event, ScanRequest(checkpoint, code, uuid.uuid4().hex), None,
                now=local(person.event, "09:30"))
    return token


@pytest.fixture
def world(app, shared_examples) -> World:
    document = json.loads((shared_examples / "restitution-2016.json").read_text())
    event = import_instance(document)
    presenters = {key for project in document["projects"] for key in project["presenters"]}
    free = [item["id"] for item in document["participants"] if item["id"] not in presenters]
    people = {person.key: person for person in db.session.scalars(
        select(Participant).where(Participant.event_id == event.id))}
    token = _register(people[free[0]], "kept@example.org")
    _register(people[free[1]], "removed@example.org")
    db.session.commit()
    return World(event.slug, free[0], free[1], token)


def _person(world: World, key: str) -> Participant | None:
    return db.session.scalar(select(Participant).where(Participant.key == key))


def test_replacing_an_event_with_registrations_needs_confirmation(client, world):
    organiser = bearer(api_token())
    document = export_instance(_person(world, world.kept_key).event)
    error = assert_error(client.put(f"{API}/events/{world.slug}/instance", headers=organiser,
                                    json=document), 409, field="confirm_replace")
    assert "confirm_replace=true" in error["message"]
    assert _person(world, world.kept_key).email == "kept@example.org"
    assert_error(client.put(f"{API}/events/{world.slug}/instance?confirm_replace=yes",
                            headers=organiser, json=document), 400, field="confirm_replace")


def test_a_confirmed_replace_keeps_what_the_file_cannot_carry(client, world):
    organiser = bearer(api_token())
    kept = _person(world, world.kept_key)
    kept_id = kept.id
    document = export_instance(kept.event)
    document["participants"] = [item for item in document["participants"]
                                if item["id"] != world.removed_key]
    total = len(document["participants"])
    response = client.put(f"{API}/events/{world.slug}/instance?confirm_replace=true",
                          headers=organiser, json=document)
    assert response.status_code == 200, response.get_data(True)
    assert response.get_json()["replacement"] == {
        "kept": {"participants": total, "emails": 1, "consents": 1, "personal_links": 1,
                 "badges": 1, "scans": 1},
        "removed": {"participants": 1, "emails": 1, "consents": 1, "personal_links": 1,
                    "badges": 1, "scans": 1},
    }
    db.session.expire_all()
    kept = _person(world, world.kept_key)
    assert kept.id == kept_id and kept.email == "kept@example.org"
    assert kept.consent_at is not None
    assert find_by_token(world.token, "portal").id == kept_id
    assert live_badge(kept) is not None
    assert db.session.scalar(select(func.count()).select_from(Scan)
                             .where(Scan.participant_id == kept_id)) == 1
    assert _person(world, world.removed_key) is None
    assert db.session.scalar(select(func.count()).select_from(Badge)
                             .where(Badge.participant_id.is_(None))) == 1


def test_the_html_import_keeps_registrations_too(world):
    """The page's confirmed replace runs the same operation."""
    event = _person(world, world.kept_key).event
    import_instance(export_instance(event), event=event)
    db.session.commit()
    assert _person(world, world.kept_key).email == "kept@example.org"
    assert _person(world, world.removed_key).email == "removed@example.org"
