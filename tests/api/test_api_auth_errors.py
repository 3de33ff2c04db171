"""API authentication (bearer only, roles, revocation), error shapes and the CLI."""

from __future__ import annotations

import pytest

from eventapp.api.models import ApiToken
from eventapp.api.tokens import hash_token, revoke_user_tokens
from eventapp.auth.models import find_user_by_email
from eventapp.extensions import db
from eventapp.registration.models import Participant
from tests.api_helpers import api_token, assert_error, bearer
from tests.conftest import login
from tests.factories import (
    email_text,
    make_event,
    make_participant,
    make_portal_token,
    make_project,
    make_registration_settings,
    make_round,
    make_theme,
    make_user,
    portal_token_in,
    read_outbox,
)

API = "/api/v1"
ORGANISER_ONLY = [("POST", f"{API}/events"), ("GET", f"{API}/events/ev/instance"),
                  ("PUT", f"{API}/events/ev/instance"),
                  ("POST", f"{API}/events/ev/solve-jobs/1/cancel"),
                  ("POST", f"{API}/events/ev/solve-jobs"),
                  ("GET", f"{API}/events/ev/solve-jobs/1"),
                  ("POST", f"{API}/events/ev/solve-jobs/1/accept"),
                  ("POST", f"{API}/events/ev/publications")]


@pytest.fixture
def event(app):
    event = make_event(slug="ev")
    theme = make_theme(event, key="t1")
    make_project(event, theme, key="p1", name="Projet Un")
    make_project(event, theme, key="p2", name="Projet Deux")
    make_round(event)
    db.session.commit()
    return event


def test_missing_and_malformed_token_is_401_with_challenge(client, event):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        response = client.get(f"{API}/events", headers=headers)
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_and_revoked_tokens_are_401(app, client, event):
    assert_error(client.get(f"{API}/events", headers=bearer("eva_nope")), 401)
    token = api_token("organiser")
    assert client.get(f"{API}/events", headers=bearer(token)).status_code == 200
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert row.last_used_at is not None and row.token_prefix == token[:12]
    assert row.token_hash != token and token.startswith("eva_")
    revoke_user_tokens(row.user)
    db.session.commit()
    assert_error(client.get(f"{API}/events", headers=bearer(token)), 401)


def test_disabled_account_token_is_401(client, event):
    token = api_token("organiser", email="gone@example.org")
    find_user_by_email("gone@example.org").is_active_account = False
    db.session.commit()
    assert_error(client.get(f"{API}/events", headers=bearer(token)), 401)


def test_staff_token_reads_but_never_changes(client, event):
    staff = bearer(api_token("staff"))
    assert client.get(f"{API}/events", headers=staff).status_code == 200
    assert client.get(f"{API}/events/ev", headers=staff).get_json()["slug"] == "ev"
    for method, url in ORGANISER_ONLY:
        assert_error(client.open(url, method=method, headers=staff, json={}), 403)


def test_participant_token_is_not_an_organiser_token(client, event):
    person = make_participant(event, email="p@example.org")
    token = make_portal_token(person)
    db.session.commit()
    for method, url in [("GET", f"{API}/events"), *ORGANISER_ONLY]:
        assert_error(client.open(url, method=method, headers=bearer(token), json={}), 401)
    assert client.get(f"{API}/participant", headers=bearer(token)).status_code == 200


def test_organiser_token_is_not_a_participant_token(client, event):
    token = api_token("organiser")
    assert_error(client.get(f"{API}/participant", headers=bearer(token)), 401)


def test_cookie_session_is_never_api_auth(client, event, organiser):
    assert login(client, organiser.email).status_code == 302
    for method, url in [("GET", f"{API}/events"), *ORGANISER_ONLY]:
        assert_error(client.open(url, method=method, json={}), 401)


def test_revoked_portal_token_is_401(client, event):
    from eventapp.registration.tokens import revoke_tokens

    person = make_participant(event, email="p@example.org")
    token = make_portal_token(person)
    revoke_tokens(person)
    db.session.commit()
    assert_error(client.get(f"{API}/participant/programme", headers=bearer(token)), 401)


def test_unknown_url_and_wrong_method_answer_json(client, event):
    assert_error(client.get(f"{API}/nowhere"), 404)
    response = client.delete(f"{API}/events")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_error(client.get(f"{API}/events/missing", headers=bearer(api_token())), 404, "slug")
    # Outside the API, errors stay HTML pages.
    assert client.get("/nowhere").mimetype == "text/html"


def test_registration_validation_names_fields(client, event):
    url = f"{API}/events/ev/registrations"
    error = assert_error(client.post(url, json={"first_name": "A", "last_name": "B",
                                                "email": "not-an-email",
                                                "category": "association"}), 400)
    assert {d["field"] for d in error["details"]} == {"email", "consent"}
    assert error["field"] == "email"
    error = assert_error(client.post(url, json={"first_name": 3, "bogus": "x"}), 400)
    assert {d["field"] for d in error["details"]} == {"first_name", "bogus"}
    assert_error(client.post(url, data="first_name=A"), 415, "Content-Type")
    assert_error(client.post(url, data="{", content_type="application/json"), 400, "body")
    assert_error(client.post(url, json=[1, 2]), 400, "body")
    assert_error(client.post(f"{API}/events/none/registrations", json={}), 404, "slug")


def test_duplicate_registration_is_answered_as_a_new_one_and_closed_is_409(app, client,
                                                                           event):
    """Issue 12: the answer does not tell who is registered; the email does."""
    body = {"first_name": "Ana", "last_name": "B", "email": "ana@example.org",
            "category": "association", "consent": True}
    url = f"{API}/events/ev/registrations"
    new = client.post(url, json=body)
    again = client.post(url, json={**body, "email": "ANA@example.org", "first_name": "X"})
    assert new.status_code == again.status_code == 202
    assert new.get_json() == again.get_json()
    assert set(new.get_json()) == {"message"}
    first, second = read_outbox(app)
    assert "already registered" in email_text(second)
    assert client.get(f"/p/{portal_token_in(second)}/").status_code == 200
    [person] = db.session.scalars(db.select(Participant)).all()
    assert person.first_name == "Ana"  # nothing changed by the second request
    make_registration_settings(event, capacity=1, waiting_list=False)
    db.session.commit()
    assert_error(client.post(url, json={**body, "email": "other@example.org"}), 409)


def test_registration_is_rate_limited(app_config, _schema):
    from eventapp import create_app

    app_config.update(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute")
    app = create_app(app_config)
    with app.app_context():
        client = app.test_client()
        url = f"{API}/events/none/registrations"
        codes = [client.post(url, json={}).status_code for _ in range(3)]
        assert codes == [404, 404, 429]
        assert_error(client.post(url, json={}), 429)
        db.session.remove()


def test_wishes_errors_name_the_items(client, event):
    person = make_participant(event, email="p@example.org")
    token = bearer(make_portal_token(person))
    db.session.commit()
    url = f"{API}/participant/wishes"
    error = assert_error(client.put(url, headers=token, json={"projects": ["p1", "zz"]}), 400)
    assert error["field"] == "projects[1]"
    error = assert_error(client.put(url, headers=token, json={"projects": ["p1", "p1"]}), 400)
    assert error["field"] == "projects[1]"
    error = assert_error(client.put(url, headers=token, json={"projects": []}), 400)
    assert error["field"] == "projects"  # at least one per round
    assert_error(client.put(url, headers=token, json={"projects": "p1"}), 400, "projects")
    assert_error(client.put(url, headers=token, json={"colour": []}), 400, "colour")
    assert client.put(url, headers=token, json={"projects": ["p2"]}).status_code == 200
    person.status = "cancelled"
    db.session.commit()
    assert_error(client.put(url, headers=token, json={"projects": ["p1"]}), 409)


def test_solve_validation_and_conflicts(client, event):
    organiser = bearer(api_token())
    url = f"{API}/events/ev/solve-jobs"
    assert_error(client.post(url, headers=organiser, json={"time_limit_s": 1}), 400,
                 "time_limit_s")
    assert_error(client.post(url, headers=organiser, json={"time_limit_s": "ten"}), 400,
                 "time_limit_s")
    error = assert_error(client.post(url, headers=organiser, json={}), 409)
    assert "nobody" in error["message"].lower()
    assert_error(client.get(f"{url}/999", headers=organiser), 404, "job_id")
    assert_error(client.post(f"{API}/events/ev/publications", headers=organiser), 409)


def test_import_errors_list_paths(client, event):
    organiser = bearer(api_token())
    error = assert_error(client.post(f"{API}/events", headers=organiser,
                                     json={"format": "speed-dating-instance/1"}), 400)
    assert error["details"] and all(d["field"] for d in error["details"])


def test_too_large_body_is_413(app, client, event):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(f"{API}/events", headers=bearer(api_token()),
                           data="[" + "1," * 200 + "1]", content_type="application/json")
    assert_error(response, 413)


def test_cli_issues_lists_and_revokes_tokens(app, client, event):
    make_user(email="cli@example.org", role="staff")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-token", "cli@example.org", "--name", "phone"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("eva_")
    assert client.get(f"{API}/events", headers=bearer(token)).status_code == 200
    listed = runner.invoke(args=["api-token", "cli@example.org", "--list"])
    assert token[:12] in listed.output and "phone" in listed.output and token not in \
        listed.output
    revoked = runner.invoke(args=["revoke-api-token", token[:12]])
    assert revoked.exit_code == 0, revoked.output
    assert_error(client.get(f"{API}/events", headers=bearer(token)), 401)
    second = runner.invoke(args=["api-token", "cli@example.org"]).stdout.strip().splitlines()[0]
    assert runner.invoke(args=["api-token", "cli@example.org", "--revoke-all"]).exit_code == 0
    assert_error(client.get(f"{API}/events", headers=bearer(second)), 401)
    assert runner.invoke(args=["api-token", "nobody@example.org"]).exit_code != 0
    assert runner.invoke(args=["revoke-api-token", "eva_"]).exit_code != 0


def test_unexpected_failure_is_a_json_500(app, client, event, monkeypatch):
    from eventapp.api import queries

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "event_list", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    error = assert_error(client.get(f"{API}/events", headers=bearer(api_token())), 500)
    assert "boom" not in error["message"]


def test_waiting_list_and_programme_before_publication(app, client, event):
    make_registration_settings(event, capacity=1, waiting_list=True)
    db.session.commit()
    url = f"{API}/events/ev/registrations"
    base = {"last_name": "B", "category": "association", "consent": True}
    first = client.post(url, json={**base, "first_name": "A", "email": "a@example.org"})
    second = client.post(url, json={**base, "first_name": "C", "email": "c@example.org"})
    assert first.status_code == second.status_code == 202
    statuses = {p.email: p.status for p in db.session.scalars(db.select(Participant))}
    assert statuses == {"a@example.org": "registered", "c@example.org": "waiting"}
    assert "waiting list" in email_text(read_outbox(app)[-1])
    person = make_participant(event, email="p@example.org")
    token = bearer(make_portal_token(person))
    db.session.commit()
    day = client.get(f"{API}/participant/programme", headers=token).get_json()
    assert day["published"] is False and day["items"] == [] and day["publication"] is None


def test_replace_import_keeps_the_event_identity(client, event, shared_examples):
    import json

    organiser = bearer(api_token())
    document = json.loads((shared_examples / "restitution-2016.json").read_text())
    response = client.put(f"{API}/events/ev/instance", headers=organiser, json=document)
    assert response.status_code == 200, response.get_data(True)
    body = response.get_json()
    assert body["slug"] == "ev" and body["name"] == event.name
    assert {p["key"] for p in body["projects"]} == {p["id"] for p in document["projects"]}
    broken = {**document, "projects": [{"id": "x"}]}
    error = assert_error(client.put(f"{API}/events/ev/instance", headers=organiser,
                                    json=broken), 400)
    assert error["field"].startswith("projects[0]")
    assert len(client.get(f"{API}/events/ev", headers=organiser).get_json()["projects"]) \
        == len(document["projects"])


def test_cancel_a_queued_job_then_a_finished_one_is_409(client, event):
    from eventapp.scheduling.models import SolveJob

    job = SolveJob(event=event, status="queued", time_limit_s=5, instance={})
    db.session.add(job)
    db.session.commit()
    organiser = bearer(api_token())
    url = f"{API}/events/ev/solve-jobs/{job.id}"
    cancelled = client.post(f"{url}/cancel", headers=organiser)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert_error(client.post(f"{url}/cancel", headers=organiser), 409)
    assert_error(client.post(f"{url}/accept", headers=organiser), 409)


@pytest.fixture
def wishes_limited(app_config):
    app_config.update(RATELIMIT_ENABLED=True, PORTAL_RATE_LIMIT="2 per minute")
    return app_config


def test_wishes_authenticate_before_counting_against_the_rate_limit(wishes_limited, client,
                                                                     event):
    """Unauthenticated calls answer 401 and use up nobody's allowance (issue 12)."""
    person = make_participant(event, email="p@example.org")
    neighbour = make_participant(event, email="n@example.org")
    token, other = bearer(make_portal_token(person)), bearer(make_portal_token(neighbour))
    db.session.commit()
    url = f"{API}/participant/wishes"
    assert [client.put(url, json={}).status_code for _ in range(4)] == [401] * 4
    assert [client.put(url, headers=token, json={}).status_code for _ in range(3)] == \
        [400, 400, 429]
    # Each participant has an allowance of their own, even from the same address.
    assert client.put(url, headers=other, json={}).status_code == 400
