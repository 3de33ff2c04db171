"""Hostile text and JSON at input answer 400 naming the field, never 500 (issue 12).

Every form (HTML and the JSON API share them) checks its text fields through
``eventapp.forms.AppForm``; every JSON body goes through ``BoundedJSONProvider``.
"""

from __future__ import annotations

import pytest

from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.registration.models import Participant
from tests.api_helpers import assert_error
from tests.factories import make_event, make_registration_settings

API = "/api/v1"
REGISTRATION = {"first_name": "Aïcha", "last_name": "Benali", "email": "a@example.org",
                "category": "association", "consent": True}


@pytest.fixture
def event(app) -> Event:
    event = make_event(slug="journee", name="Journée de restitution")
    make_registration_settings(event)
    db.session.commit()
    return event


def _register(client, **changes):
    return client.post(f"{API}/events/journee/registrations", json={**REGISTRATION, **changes})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("first_name", "Aï\x00cha", "Must not contain NUL characters."),
    ("last_name", "Ben\nali", "Must be on one line (no line breaks)."),
    ("organisation", "Régie\x1b[31m", "Must not contain control characters."),
    ("email", "a\x00@example.org", "Must not contain NUL characters."),
    ("dietary_notes", "Sans\x00gluten", "Must not contain NUL characters."),
])
def test_control_characters_in_a_registration_answer_400_naming_the_field(
        client, event, field, value, message):
    error = assert_error(_register(client, **{field: value}), 400, field=field)
    assert message in str(error)
    assert db.session.scalars(db.select(Participant)).all() == []


def test_multi_line_fields_keep_their_line_breaks(client, event):
    response = _register(client, accessibility_notes="Fauteuil\r\nBoucle magnétique\tpiles")
    assert response.status_code == 202, response.get_data(True)
    person = db.session.scalars(db.select(Participant)).one()
    assert person.accessibility_notes == "Fauteuil\r\nBoucle magnétique\tpiles"


def test_bidi_controls_are_stripped_from_names(client, event):
    """A right-to-left override reversed names on badges and lists; RTL names still work."""
    response = _register(client, first_name="\u202eahcïA", last_name="\u2067بن علي\u2069\u200f")
    assert response.status_code == 202, response.get_data(True)
    person = db.session.scalars(db.select(Participant)).one()
    assert (person.first_name, person.last_name) == ("ahcïA", "بن علي")


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_deeply_nested_json_answers_400(client, event, depth):
    body = "[" * depth + "]" * depth
    response = client.post(f"{API}/events/journee/registrations", data=body,
                           content_type="application/json")
    assert_error(response, 400, field="body")


def test_deeply_nested_json_on_a_staff_reader_answers_400(app, staff_client, event):
    rule = next(rule for rule in app.url_map.iter_rules()
                if rule.endpoint == "checkin.scan_json")
    url = rule.rule.replace("<slug>", "journee")
    response = staff_client.post(url, data="{\"a\":" * 5_000 + "1" + "}" * 5_000,
                                 content_type="application/json")
    assert response.status_code == 400


def test_a_line_break_in_an_event_name_is_refused(organiser_client, event):
    response = organiser_client.post("/manage/events/journee/edit", data={
        "name": "Journée\r\nBEGIN:VEVENT", "date": "2016-12-07", "timezone": "Europe/Paris",
        "slug": "journee"})
    assert response.status_code == 400
    assert "Must be on one line (no line breaks)." in response.get_data(True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).name == "Journée de restitution"
