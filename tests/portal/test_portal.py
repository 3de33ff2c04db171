"""The participant's page: token links, details, cancellation, RGPD export and erasure."""

from __future__ import annotations

import json

import pytest

from eventapp.extensions import db
from eventapp.registration.models import (
    Participant,
    ParticipantToken,
    ProjectWish,
    WorkshopWish,
)
from eventapp.registration.tokens import revoke_tokens
from eventapp.scheduling.models import Assignment, WorkshopAssignment
from tests.factories import (
    make_event,
    make_participant,
    make_portal_token,
    make_project,
    make_registration_settings,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    read_outbox,
)


@pytest.fixture
def event(app):
    event = make_event(slug="journee", name="Journée de restitution")
    db.session.commit()
    return event


@pytest.fixture
def person(event):
    return make_participant(event, first_name="Louis", last_name="Durand",
                            email="louis@example.org", consent_at=None, locale="en")


@pytest.fixture
def token(person):
    token = make_portal_token(person)
    db.session.commit()
    return token


def test_valid_link_shows_the_page_with_private_headers(client, token):
    response = client.get(f"/p/{token}/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Durand" in page and "louis@example.org" in page
    assert "My day" in page  # the block the scheduling area fills
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]


def test_wrong_revoked_and_other_purpose_tokens_are_404(client, person, token):
    assert client.get("/p/not-a-real-token-at-all-0123456789/").status_code == 404
    assert client.get(f"/p/{token}x/").status_code == 404
    calendar = make_portal_token(person, purpose="calendar")
    db.session.commit()
    assert client.get(f"/p/{calendar}/").status_code == 404
    revoke_tokens(person, "portal")
    db.session.commit()
    for path in ("", "wishes", "edit", "cancel", "data.json", "delete"):
        assert client.get(f"/p/{token}/{path}").status_code == 404, path
    assert client.post(f"/p/{token}/cancel").status_code == 404


def test_correct_details(client, person, token):
    response = client.post(f"/p/{token}/edit", data={
        "first_name": "Louise", "last_name": "Durand", "email": "LOUISE@example.org",
        "organisation": "CCAS", "category": "collectivite", "role": "participant",
        "dietary_notes": "Sans gluten"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.first_name, person.email, person.category) == (
        "Louise", "louise@example.org", "collectivite")
    assert person.dietary_notes == "Sans gluten"


def test_correct_details_refuses_an_email_of_someone_else(client, event, person, token):
    make_participant(event, email="taken@example.org")
    db.session.commit()
    response = client.post(f"/p/{token}/edit", data={
        "first_name": "Louis", "last_name": "Durand", "email": "taken@example.org",
        "category": "association", "role": "participant"})
    assert response.status_code == 400
    assert "already uses this email" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.email == "louis@example.org"


def test_speaker_category_set_by_organiser_survives_self_edit(client, person, token):
    person.category = "intervenant"
    db.session.commit()
    page = client.get(f"/p/{token}/edit").get_data(as_text=True)
    assert 'selected value="intervenant"' in page
    response = client.post(f"/p/{token}/edit", data={
        "first_name": "Louis", "last_name": "Durand", "email": "louis@example.org",
        "category": "intervenant", "role": "speaker"})
    assert response.status_code == 302


def test_cancel_asks_first_then_cancels(client, app, person, token):
    page = client.get(f"/p/{token}/cancel").get_data(as_text=True)
    assert "Yes, cancel my registration" in page
    db.session.refresh(person)
    assert person.status == "registered"
    assert client.post(f"/p/{token}/cancel").status_code == 302
    db.session.refresh(person)
    assert person.status == "cancelled"
    [message] = read_outbox(app)
    assert message["To"] == "louis@example.org" and "cancelled" in message["Subject"]
    # The link still works: the person can see the cancellation and register again.
    assert "Register again" in client.get(f"/p/{token}/").get_data(as_text=True)


def _programme_with_choices(event, person):
    theme = make_theme(event, name="Remobiliser", colour_name="bleu")
    project = make_project(event, theme=theme, name="TAPAJ", key="tapaj")
    round_ = make_round(event)
    session = make_session(event, project=project, round=round_)
    workshop = make_workshop(event, name="Évaluation", key="w-eval")
    person.project_wishes.append(ProjectWish(project=project, rank=0))
    person.workshop_wishes.append(WorkshopWish(workshop=workshop, rank=0))
    person.theme_interests = [theme]
    db.session.flush()
    db.session.add(Assignment(participant=person, round=round_, session_id=session.id))
    db.session.add(WorkshopAssignment(participant=person, slot=workshop.slot,
                                      workshop_id=workshop.id))
    db.session.commit()
    return project, workshop


def test_data_export_holds_everything_stored(client, event, person, token):
    _programme_with_choices(event, person)
    response = client.get(f"/p/{token}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["participant"]["email"] == "louis@example.org"
    assert data["participant"]["last_name"] == "Durand"
    assert data["project_wishes"] == [{"rank": 1, "project": "tapaj", "name": "TAPAJ"}]
    assert data["workshop_wishes"][0]["workshop"] == "w-eval"
    assert data["themes"][0]["name"] == "Remobiliser"
    assert data["assignments"][0]["project"] == "TAPAJ"
    assert data["workshop_assignments"][0]["name"] == "Évaluation"
    assert data["links"][0]["purpose"] == "portal"
    text = response.get_data(as_text=True)
    stored_hash = db.session.scalar(db.select(ParticipantToken.token_hash))
    assert stored_hash not in text and token not in text


def test_delete_asks_first_then_erases_everything(client, event, person, token):
    _programme_with_choices(event, person)
    other = make_participant(event, email="other@example.org")
    other_token = make_portal_token(other)
    db.session.commit()
    person_id = person.id

    assert "Yes, delete all my data" in client.get(f"/p/{token}/delete").get_data(as_text=True)
    assert db.session.get(Participant, person_id) is not None

    response = client.post(f"/p/{token}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/e/journee/register")
    db.session.expire_all()
    assert db.session.get(Participant, person_id) is None
    for model in (ProjectWish, WorkshopWish, Assignment, WorkshopAssignment, ParticipantToken):
        rows = db.session.scalars(db.select(model).where(model.participant_id == person_id))
        assert rows.all() == [], model
    assert client.get(f"/p/{token}/").status_code == 404
    # Nobody else is touched.
    assert client.get(f"/p/{other_token}/").status_code == 200


def test_erasure_gives_the_seat_to_the_waiting_list(client, app, event, person, token):
    make_registration_settings(event, capacity=1)
    waiting = make_participant(event, email="next@example.org", status="waiting")
    db.session.commit()
    client.post(f"/p/{token}/delete")
    db.session.refresh(waiting)
    assert waiting.status == "registered"
    assert [m["To"] for m in read_outbox(app)] == ["next@example.org"]
