"""The whole loop through the API only: import, export, register, wishes, solve, publish,
read the day."""

from __future__ import annotations

import json
import time

import pytest

from eventapp.scheduling import jobs
from tests.api_helpers import api_token, assert_error, bearer
from tests.factories import make_registration_settings, portal_token_in, read_outbox

# Solve jobs run in a thread and write through connections of their own.
pytestmark = pytest.mark.truncate_db

API = "/api/v1"
PEOPLE = [("Alice", "alice@example.org"), ("Bilal", "bilal@example.org"),
          ("Chen", "chen@example.org")]


def _register(client, slug: str, first_name: str, email: str):
    return client.post(f"{API}/events/{slug}/registrations", json={
        "first_name": first_name, "last_name": "Test", "email": email,
        "category": "association", "consent": True, "needs_step_free": False})


def _fill_registration_settings(slug: str) -> None:
    from eventapp.events.models import Event
    from eventapp.extensions import db
    from eventapp.registration.models import RegistrationSettings

    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    settings = db.session.get(RegistrationSettings, event.id)
    if settings is None:
        settings = make_registration_settings(event)
    settings.organiser_name = "Accélérateur d'innovation sociale"
    settings.privacy_contact = "dpo@example.org"
    settings.capacity = 500
    db.session.commit()


@pytest.mark.slow
def test_end_to_end_through_the_api(app, client, shared_examples):
    organiser = bearer(api_token("organiser"))
    document = json.loads((shared_examples / "restitution-2016.json").read_text())

    created = client.post(f"{API}/events", json=document, headers=organiser)
    assert created.status_code == 201, created.get_data(True)
    slug = created.get_json()["slug"]
    assert created.headers["Location"].endswith(f"{API}/events/{slug}")
    before = created.get_json()["counts"]["participants"]

    listed = client.get(f"{API}/events", headers=organiser).get_json()["events"]
    assert [e["slug"] for e in listed] == [slug]

    exported = client.get(f"{API}/events/{slug}/instance", headers=organiser)
    assert exported.status_code == 200
    again = exported.get_json()
    assert again["format"] == "speed-dating-instance/1"
    assert {p["id"] for p in again["projects"]} == {p["id"] for p in document["projects"]}
    assert len(again["participants"]) == len(document["participants"])

    # An imported event is a draft: registration opens once nothing is missing.
    refused = client.post(f"{API}/events/{slug}/registration/open", headers=organiser)
    assert refused.status_code == 409
    missing = [d["message"] for d in refused.get_json()["error"]["details"]]
    assert any("data controller" in m for m in missing) and any("capacity" in m for m in missing)
    _fill_registration_settings(slug)  # the organiser's settings page
    opened = client.post(f"{API}/events/{slug}/registration/open", headers=organiser)
    assert opened.status_code == 200, opened.get_data(True)
    assert opened.get_json()["registration"]["accepts"] is True

    for first_name, email in PEOPLE:
        response = _register(client, slug, first_name, email)
        assert response.status_code == 202, response.get_data(True)
        body = response.get_json()
        assert email in body["message"] and "token" not in json.dumps(body)
    mails = {m["To"]: m for m in read_outbox(app)}
    tokens = {email: portal_token_in(mails[email]) for _n, email in PEOPLE}
    event = client.get(f"{API}/events/{slug}", headers=organiser).get_json()
    assert event["counts"]["participants"] == before + 3

    for _name, email in PEOPLE:
        me = client.get(f"{API}/participant", headers=bearer(tokens[email])).get_json()
        assert me["email"] == email
        choices = me["choices"]
        wanted = [p["key"] for p in choices["projects"]][:choices["minimum_projects"]]
        saved = client.put(f"{API}/participant/wishes", headers=bearer(tokens[email]),
                           json={"projects": wanted, "themes": [choices["themes"][0]["key"]]})
        assert saved.status_code == 200, saved.get_data(True)
        assert saved.get_json()["wishes"]["projects"] == wanted

    started = client.post(f"{API}/events/{slug}/solve-jobs", headers=organiser,
                          json={"time_limit_s": 30})
    assert started.status_code == 202, started.get_data(True)
    location = started.headers["Location"]
    job_id = started.get_json()["id"]
    assert location.endswith(f"/events/{slug}/solve-jobs/{job_id}")
    second = client.post(f"{API}/events/{slug}/solve-jobs", headers=organiser, json={})
    if second.status_code != 202:  # the first job is still queued or running
        assert_error(second, 409)

    assert jobs.wait_for_thread(job_id, 120)
    deadline = time.monotonic() + 30
    while True:
        job = client.get(location, headers=organiser).get_json()
        if not job["active"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["status"] == "finished", job
    assert job["summary"]["status"] in {"OPTIMAL", "FEASIBLE"}
    # The solution document (a megabyte at 10,000 people) only when asked for.
    assert job["solution"] is None and job["summary"]["assigned_participants"] > 0
    asked = client.get(f"{location}?include=solution", headers=organiser).get_json()
    assert asked["solution"]["format"] == "speed-dating-solution/1"
    assert_error(client.get(f"{location}?include=everything", headers=organiser), 400)
    assert job["progress"]["elapsed_s"] is not None

    not_yet = client.post(f"{API}/events/{slug}/publications", headers=organiser)
    assert_error(not_yet, 409)
    accepted = client.post(f"{location}/accept", headers=organiser)
    assert accepted.status_code == 200, accepted.get_data(True)
    published = client.post(f"{API}/events/{slug}/publications", headers=organiser)
    assert published.status_code == 201, published.get_data(True)
    assert published.get_json()["version"] == 1 and published.get_json()["emailed"] >= 3

    for _name, email in PEOPLE:
        day = client.get(f"{API}/participant/programme", headers=bearer(tokens[email]))
        assert day.status_code == 200
        data = day.get_json()
        assert data["published"] and data["publication"]["version"] == 1
        assert data["timezone"] == "Europe/Paris"
        sessions = [i for i in data["items"] if i["kind"] == "session"]
        assert sessions
        for item in sessions:
            assert item["starts_at"].endswith("+01:00")  # Paris in December
            assert item["room"]["name"]
            assert item["theme"]["colour"].startswith("#") and item["theme"]["colour_name"]
        mine = client.get(f"{API}/participant", headers=bearer(tokens[email])).get_json()
        assert {i["project"] for i in sessions} & set(mine["wishes"]["projects"])
