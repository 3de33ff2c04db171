"""Organiser pages of participants: permissions, list, edit, cancel, settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eventapp.extensions import db
from eventapp.registration.models import Participant, RegistrationSettings
from tests.factories import make_event, make_participant, make_registration_settings, read_outbox

BASE = "/manage/events/journee/participants"


@pytest.fixture
def event(app):
    event = make_event(slug="journee", name="Journée de restitution")
    db.session.commit()
    return event


def _routes(person_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"{BASE}/"), ("GET", f"{BASE}/new"), ("POST", f"{BASE}/new"),
        ("GET", f"{BASE}/{person_id}/edit"), ("POST", f"{BASE}/{person_id}/edit"),
        ("POST", f"{BASE}/{person_id}/cancel"), ("POST", f"{BASE}/{person_id}/send-link"),
        ("GET", f"{BASE}/settings"),
        ("POST", f"{BASE}/settings"), ("GET", f"{BASE}/export.csv"),
        ("GET", f"{BASE}/import"), ("POST", f"{BASE}/import"),
        ("GET", f"{BASE}/import/{'a' * 32}"), ("POST", f"{BASE}/import/{'a' * 32}/confirm"),
    ]


def test_anonymous_users_are_sent_to_sign_in(client, event):
    person = make_participant(event)
    db.session.commit()
    for method, url in _routes(person.id):
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_staff_get_403(staff_client, event):
    person = make_participant(event)
    db.session.commit()
    for method, url in _routes(person.id):
        assert staff_client.open(url, method=method).status_code == 403, url
    db.session.refresh(person)
    assert person.status == "registered"


def test_list_search_filter_and_paginate(organiser_client, event):
    make_participant(event, first_name="Zoé", last_name="Arnaud", email="zoe@asso.org",
                     organisation="Emmaüs", category="association")
    make_participant(event, first_name="Marc", last_name="Blanc", email="marc@ville.fr",
                     organisation="Ville de Lyon", category="collectivite", status="waiting")
    for n in range(55):
        make_participant(event, last_name=f"Zz{n:02d}", email=f"bulk{n}@example.org",
                         category="autre")
    db.session.commit()

    page = organiser_client.get(f"{BASE}/").get_data(as_text=True)
    assert "57 participants match" in page and "Page 1 of 2" in page
    assert "Arnaud" in page and "Zz54" not in page
    assert "Zz54" in organiser_client.get(f"{BASE}/?page=2").get_data(as_text=True)

    found = organiser_client.get(f"{BASE}/?q=emma").get_data(as_text=True)
    assert "Arnaud" in found and "Blanc" not in found
    by_email = organiser_client.get(f"{BASE}/?q=VILLE.FR").get_data(as_text=True)
    assert "Blanc" in by_email and "Arnaud" not in by_email
    by_name = organiser_client.get(f"{BASE}/?q=zoé arnaud").get_data(as_text=True)
    assert "1 participant matches" in by_name
    by_category = organiser_client.get(f"{BASE}/?category=collectivite").get_data(as_text=True)
    assert "Blanc" in by_category and "Arnaud" not in by_category
    by_status = organiser_client.get(f"{BASE}/?status=waiting").get_data(as_text=True)
    assert "1 participant matches" in by_status
    wildcard = organiser_client.get(f"{BASE}/?q=%25").get_data(as_text=True)
    assert "0 participants match" in wildcard


def test_edit_every_field_including_speaker_category(organiser_client, event):
    person = make_participant(event, email="a@example.org")
    db.session.commit()
    assert organiser_client.get(f"{BASE}/{person.id}/edit").status_code == 200
    response = organiser_client.post(f"{BASE}/{person.id}/edit", data={
        "first_name": "Jean", "last_name": "Pierre", "email": "", "organisation": "DGEFP",
        "job_title": "Chef de bureau", "category": "intervenant", "role": "speaker",
        "needs_step_free": "y", "accessibility_notes": "", "dietary_notes": "Halal"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.category, person.role, person.email, person.job_title) == (
        "intervenant", "speaker", None, "Chef de bureau")
    assert person.needs_step_free and person.dietary_notes == "Halal"


def test_edit_errors_are_shown(organiser_client, event):
    person = make_participant(event, email="a@example.org")
    make_participant(event, email="b@example.org")
    db.session.commit()
    response = organiser_client.post(f"{BASE}/{person.id}/edit", data={
        "first_name": "", "last_name": "X", "email": "b@example.org", "role": "participant"})
    assert response.status_code == 400
    response = organiser_client.post(f"{BASE}/{person.id}/edit", data={
        "first_name": "A", "last_name": "X", "email": "b@example.org", "role": "participant"})
    assert response.status_code == 400
    assert "already uses this email" in response.get_data(as_text=True)


def test_participant_of_another_event_is_404(organiser_client, event):
    other = make_participant(make_event(slug="autre"))
    db.session.commit()
    assert organiser_client.get(f"{BASE}/{other.id}/edit").status_code == 404
    assert organiser_client.post(f"{BASE}/{other.id}/cancel").status_code == 404


def test_add_participant(organiser_client, event):
    response = organiser_client.post(f"{BASE}/new", data={
        "first_name": "Ana", "last_name": "Lopes", "email": "ana@example.org",
        "category": "intervenant", "role": "speaker"})
    assert response.status_code == 302
    person = db.session.scalar(db.select(Participant).where(Participant.email == "ana@example.org"))
    assert person.status == "registered" and person.consent_at is None and person.key


def test_cancel_promotes_from_waiting_list(organiser_client, app, event):
    make_registration_settings(event, capacity=1)
    seated = make_participant(event, status="registered")
    first = make_participant(event, status="waiting", email="first@example.org",
                             waiting_since=datetime(2016, 11, 1, 9, tzinfo=UTC))
    second = make_participant(event, status="waiting", email="second@example.org",
                              waiting_since=datetime(2016, 11, 2, 9, tzinfo=UTC))
    db.session.commit()
    response = organiser_client.post(f"{BASE}/{seated.id}/cancel", follow_redirects=True)
    assert "moves up from the waiting list" in response.get_data(as_text=True)
    for person in (seated, first, second):
        db.session.refresh(person)
    assert (seated.status, first.status, second.status) == ("cancelled", "registered", "waiting")
    assert [m["To"] for m in read_outbox(app)] == ["first@example.org"]


def test_settings_save_in_event_time_and_raise_capacity_promotes(organiser_client, app, event):
    make_registration_settings(event, capacity=0)
    waiting = make_participant(event, status="waiting", email="w@example.org")
    db.session.commit()
    response = organiser_client.post(f"{BASE}/settings", data={
        "opens_at": "2016-10-01T09:00", "closes_at": "2016-12-01T18:00", "capacity": "5",
        "waiting_list": "y", "wishes_deadline": "2016-12-05T12:00",
        "organiser_name": "Fonds", "privacy_contact": "DPO@example.org",
        "retention_months": "6"})
    assert response.status_code == 302
    settings = db.session.get(RegistrationSettings, event.id)
    db.session.refresh(settings)
    assert settings.capacity == 5 and settings.privacy_contact == "dpo@example.org"
    assert settings.opens_at.hour == 7  # 09:00 in Paris (summer time) is 07:00 UTC
    assert settings.wishes_deadline.hour == 11  # 12:00 in Paris (winter time)
    db.session.refresh(waiting)
    assert waiting.status == "registered"
    assert [m["To"] for m in read_outbox(app)] == ["w@example.org"]
    page = organiser_client.get(f"{BASE}/settings").get_data(as_text=True)
    assert 'value="2016-10-01T09:00"' in page


def test_settings_refuse_closing_before_opening(organiser_client, event):
    response = organiser_client.post(f"{BASE}/settings", data={
        "opens_at": "2016-12-01T09:00", "closes_at": "2016-11-01T09:00",
        "retention_months": "12"})
    assert response.status_code == 400
    assert "close after it opens" in response.get_data(as_text=True)
    assert db.session.get(RegistrationSettings, event.id) is None


def test_add_participant_and_email_their_link(organiser_client, app, event):
    from tests.factories import portal_token_in

    organiser_client.post(f"{BASE}/new", data={
        "first_name": "Ana", "last_name": "Lopes", "email": "ana@example.org",
        "category": "intervenant", "role": "speaker", "send_link": "y"})
    [message] = read_outbox(app)
    assert message["To"] == "ana@example.org"
    assert organiser_client.get(f"/p/{portal_token_in(message)}/").status_code == 200


def test_purge_erases_participants_after_the_retention_period(app, event):
    from datetime import date

    from eventapp.registration.operations import add_months, purge_expired

    make_registration_settings(event, retention_months=3)  # event on 7 Dec 2016
    person = make_participant(event)
    other = make_participant(make_event(slug="later", date=date(2017, 6, 1)))
    db.session.commit()
    assert purge_expired(date(2017, 3, 6)) == {}
    assert purge_expired(date(2017, 3, 7)) == {"journee": 1}
    db.session.commit()
    assert db.session.get(Participant, person.id) is None
    assert db.session.get(Participant, other.id) is not None  # default: 12 months
    assert add_months(date(2016, 11, 30), 3) == date(2017, 2, 28)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["registration", "purge-expired"])
    assert result.exit_code == 0 and "1 participants erased in total" in result.output
    db.session.expire_all()
    assert db.session.get(Participant, other.id) is None


@pytest.fixture
def csrf_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_forms_carry_csrf_tokens(csrf_config, app, client, event):
    import re

    from tests.factories import portal_token_in, read_outbox

    page = client.get("/e/journee/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"first_name": "A", "last_name": "B", "email": "ab@example.org",
            "category": "autre", "role": "participant", "consent": "y"}
    assert client.post("/e/journee/register", data=data).status_code == 400
    response = client.post("/e/journee/register", data={**data, "csrf_token": token})
    assert response.status_code == 302
    portal = f"/p/{portal_token_in(read_outbox(app)[-1])}/"
    page = client.get(portal + "cancel").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert client.post(portal + "cancel").status_code == 400


def test_send_a_new_link_from_the_edit_page(organiser_client, app, event):
    from tests.factories import portal_token_in

    person = make_participant(event, email="lost@example.org")
    nomail = make_participant(event, email=None)
    db.session.commit()
    response = organiser_client.post(f"{BASE}/{person.id}/send-link")
    assert response.status_code == 302
    [message] = read_outbox(app)
    assert message["To"] == "lost@example.org"
    assert organiser_client.get(f"/p/{portal_token_in(message)}/").status_code == 200
    organiser_client.post(f"{BASE}/{nomail.id}/send-link")
    assert len(read_outbox(app)) == 1


def test_portal_shows_waiting_list_position(client, event):
    from tests.factories import make_portal_token

    make_registration_settings(event, capacity=0)
    make_participant(event, status="waiting",
                     waiting_since=datetime(2016, 11, 1, tzinfo=UTC))
    second = make_participant(event, status="waiting",
                              waiting_since=datetime(2016, 11, 2, tzinfo=UTC))
    token = make_portal_token(second)
    db.session.commit()
    assert "number 2 in line" in client.get(f"/p/{token}/").get_data(as_text=True)
