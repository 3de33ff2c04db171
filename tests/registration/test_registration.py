"""Public registration: form, validation, closing, capacity, waiting list, duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventapp.db_types import utcnow
from eventapp.extensions import db
from eventapp.registration.models import Participant, ParticipantToken
from eventapp.registration.tokens import hash_token
from tests.factories import (
    email_text,
    make_event,
    make_registration_settings,
    portal_token_in,
    read_outbox,
)

VALID = {
    "first_name": "Aïcha",
    "last_name": "Benali",
    "email": "Aicha.Benali@Example.org",
    "organisation": "Régie de quartier",
    "category": "siae",
    "role": "participant",
    "needs_step_free": "y",
    "accessibility_notes": "Boucle magnétique",
    "dietary_notes": "Végétarienne",
    "consent": "y",
}


def _register(client, event, **changes):
    data = {**VALID, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/e/{event.slug}/register", data=data)


def _participants(event):
    return db.session.scalars(db.select(Participant).where(Participant.event_id == event.id)).all()


@pytest.fixture
def event(app):
    event = make_event(slug="journee", name="Journée de restitution")
    db.session.commit()
    return event


def test_form_shows_consent_unticked_and_privacy_link(client, event):
    page = client.get("/e/journee/register").get_data(as_text=True)
    assert 'name="consent"' in page
    assert 'name="consent" type="checkbox" value="y" checked' not in page
    assert "checked" not in page.split('name="consent"')[1].split(">")[0]
    assert "/e/journee/privacy" in page
    # "intervenant" is for organisers only.
    assert 'value="intervenant"' not in page


def _emailed_portal(app, to: str | None = None) -> str:
    """The personal page of the last email (to ``to``), as a path."""
    messages = [m for m in read_outbox(app) if to is None or m["To"] == to]
    return f"/p/{portal_token_in(messages[-1])}/"


def test_happy_path_registers_sends_link_and_opens_portal(client, app, event):
    response = _register(client, event)
    assert response.status_code == 302
    # The personal link is in the email only (the answer must not differ for an address
    # already registered, issue 12).
    assert response.headers["Location"].endswith("/e/journee/register/sent")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We sent an email to Aicha.Benali@Example.org" in page
    token = _emailed_portal(app).split("/")[2]

    [person] = _participants(event)
    assert person.email == "aicha.benali@example.org"
    assert (person.first_name, person.last_name) == ("Aïcha", "Benali")
    assert person.status == "registered" and person.category == "siae"
    assert person.needs_step_free and person.dietary_notes == "Végétarienne"
    assert person.consent_at is not None and person.key

    [row] = db.session.scalars(db.select(ParticipantToken)).all()
    assert row.purpose == "portal" and row.token_hash == hash_token(token) != token

    [message] = read_outbox(app)
    assert message["To"] == "aicha.benali@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    assert message.get_body(preferencelist=("html",)) is not None
    assert portal_token_in(message) == token
    assert "Journée de restitution" in message["Subject"]

    portal = client.get(f"/p/{token}/")
    assert portal.status_code == 200
    assert "Benali" in portal.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "  "}, "last_name"),
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"category": ""}, "category"),
        ({"category": "intervenant"}, "category"),
        ({"category": "martian"}, "category"),
        ({"role": "king"}, "role"),
        ({"consent": None}, "consent"),
        ({"first_name": "x" * 151}, "first_name"),
    ],
)
def test_each_validation_error_is_reported_and_nothing_saved(client, app, event, changes, field):
    response = _register(client, event, **changes)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert 'class="error-summary"' in page
    # What was typed is kept.
    if field != "organisation":
        assert "Régie de quartier" in page
    assert _participants(event) == []
    assert read_outbox(app) == []


def test_registration_not_open_yet(client, event):
    make_registration_settings(event, opens_at=utcnow() + timedelta(days=1))
    db.session.commit()
    page = client.get("/e/journee/register").get_data(as_text=True)
    assert "not open yet" in page
    assert 'name="first_name"' not in page
    assert _register(client, event).status_code == 403
    assert _participants(event) == []


def test_registration_closed_by_date(client, event):
    make_registration_settings(event, closes_at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    assert "Registration is closed" in client.get("/e/journee/register").get_data(as_text=True)
    assert _register(client, event).status_code == 403
    assert _participants(event) == []


def test_full_event_puts_people_on_waiting_list(client, app, event):
    make_registration_settings(event, capacity=1)
    db.session.commit()
    assert _register(client, event, email="first@example.org").status_code == 302
    page = client.get("/e/journee/register").get_data(as_text=True)
    assert "waiting list" in page
    assert _register(client, event, email="second@example.org").status_code == 302
    statuses = {p.email: p.status for p in _participants(event)}
    assert statuses == {"first@example.org": "registered", "second@example.org": "waiting"}
    second = read_outbox(app)[-1]
    assert "waiting list" in email_text(second)


def test_full_event_without_waiting_list_refuses(client, event):
    make_registration_settings(event, capacity=1, waiting_list=False)
    db.session.commit()
    assert _register(client, event, email="first@example.org").status_code == 302
    assert "full" in client.get("/e/journee/register").get_data(as_text=True)
    assert _register(client, event, email="second@example.org").status_code == 403
    assert len(_participants(event)) == 1


def test_cancellation_promotes_the_waiting_list_in_order(client, app, event):
    make_registration_settings(event, capacity=1)
    db.session.commit()
    _register(client, event, email="a@example.org")
    first = _emailed_portal(app, "a@example.org")
    _register(client, event, email="b@example.org")
    _register(client, event, email="c@example.org")
    sent_before = len(read_outbox(app))

    response = client.post(first + "cancel")
    assert response.status_code == 302
    statuses = {p.email: p.status for p in _participants(event)}
    assert statuses == {"a@example.org": "cancelled", "b@example.org": "registered",
                        "c@example.org": "waiting"}
    new = read_outbox(app)[sent_before:]
    promoted = [m for m in new if m["To"] == "b@example.org"]
    assert len(promoted) == 1 and "seat has freed up" in email_text(promoted[0])
    # The promotion email's link opens B's page.
    assert client.get(f"/p/{portal_token_in(promoted[0])}/").status_code == 200
    assert not [m for m in new if m["To"] == "c@example.org"]


def test_duplicate_email_is_one_person_and_answered_like_a_new_one(client, app, event):
    """Issue 12: the form does not tell a stranger who is registered; the holder of the
    address is told by email, with their link."""
    new = _register(client, event, email="new@example.org")
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)
    _register(client, event)
    client.get("/")  # shows (and consumes) that registration's message
    response = _register(client, event, email="  AICHA.benali@example.ORG ", first_name="Other")
    assert (response.status_code, response.headers["Location"]) == \
        (new.status_code, new.headers["Location"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.replace("AICHA.benali@example.ORG", "X") == \
        new_page.replace("new@example.org", "X")
    person = next(p for p in _participants(event) if p.email == "aicha.benali@example.org")
    assert person.first_name == "Aïcha"  # nothing changed
    reminder = read_outbox(app)[-1]
    assert reminder["To"] == "aicha.benali@example.org"
    assert "already registered" in email_text(reminder)
    assert client.get(_emailed_portal(app)).status_code == 200


def test_cancelled_person_can_register_again(client, app, event):
    _register(client, event)
    client.post(_emailed_portal(app) + "cancel")
    assert _register(client, event, first_name="Aïcha-Marie").status_code == 302
    [person] = _participants(event)
    assert person.status == "registered" and person.first_name == "Aïcha-Marie"


def test_lost_link_sends_a_fresh_working_link(client, app, event):
    _register(client, event)
    response = client.post("/e/journee/link", data={"email": "aicha.benali@EXAMPLE.org"})
    assert response.status_code == 302
    message = read_outbox(app)[-1]
    assert message["To"] == "aicha.benali@example.org"
    token = portal_token_in(message)
    assert client.get(f"/p/{token}/").status_code == 200


def test_lost_link_does_not_reveal_unknown_addresses(client, app, event):
    _register(client, event)
    client.get("/")  # shows (and consumes) the registration's flash message
    known = client.post("/e/journee/link", data={"email": "aicha.benali@example.org"},
                        follow_redirects=True).get_data(as_text=True)
    unknown = client.post("/e/journee/link", data={"email": "nobody@example.org"},
                          follow_redirects=True).get_data(as_text=True)
    assert known.replace("aicha.benali@example.org", "X") == \
        unknown.replace("nobody@example.org", "X")
    assert [m["To"] for m in read_outbox(app)] == ["aicha.benali@example.org"] * 2


def test_privacy_notice_names_controller_retention_and_rights(client, event):
    make_registration_settings(event, organiser_name="Fonds d'innovation",
                               privacy_contact="dpo@example.org", retention_months=6)
    db.session.commit()
    page = client.get("/e/journee/privacy").get_data(as_text=True)
    assert "Fonds d&#39;innovation" in page
    assert "mailto:dpo@example.org" in page
    assert "6 months" in page
    assert "CNIL" in page


def test_unknown_event_is_404(client, app):
    assert client.get("/e/nope/register").status_code == 404
    assert client.get("/e/nope/privacy").status_code == 404
    assert client.post("/e/nope/link", data={"email": "a@example.org"}).status_code == 404


@pytest.fixture
def limited_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute")
    return app_config


def test_public_posts_are_rate_limited(limited_config, client, event):
    for n in range(2):
        assert _register(client, event, email=f"p{n}@example.org").status_code == 302
    assert _register(client, event, email="p3@example.org").status_code == 429
    assert client.get("/e/journee/register").status_code == 200  # GETs are not limited


@pytest.fixture
def email_limited_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="100 per minute",
                      EMAIL_RATE_LIMIT="2 per hour")
    return app_config


def _lost_link_from(client, email: str, address: str):
    return client.post("/e/journee/link", data={"email": email},
                       environ_base={"REMOTE_ADDR": address})


def test_lost_link_requests_are_limited_per_email_whatever_the_client(email_limited_config,
                                                                       client, app, event):
    """Issue 12: many client addresses cannot flood one inbox with links."""
    _register(client, event)
    email = "Aicha.Benali@example.org"
    codes = [_lost_link_from(client, email, f"203.0.113.{n}").status_code for n in range(2)]
    assert codes == [302, 429]  # the registration itself counted once
    # Other addresses, known or not, have their own allowance.
    assert _lost_link_from(client, "nobody@example.org", "203.0.113.9").status_code == 302
    assert _register(client, event, email="other@example.org").status_code == 302
    # The registration API shares the allowance of the address.
    api = client.post("/api/v1/events/journee/registrations", json={
        "first_name": "A", "last_name": "B", "email": email, "category": "autre",
        "consent": True}, environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert api.status_code == 429


def test_a_new_link_replaces_the_old_one_after_a_grace_period(client, app, event):
    """Issue 12: lost-link requests do not pile up live links."""
    from eventapp.registration.tokens import PORTAL, find_by_token

    _register(client, event)
    first = _emailed_portal(app).split("/")[2]
    client.post("/e/journee/link", data={"email": "aicha.benali@example.org"})
    second = _emailed_portal(app).split("/")[2]
    client.post("/e/journee/link", data={"email": "aicha.benali@example.org"})
    newest = _emailed_portal(app).split("/")[2]
    # Older links still open the page for a while (the newest email may be slow)...
    assert client.get(f"/p/{first}/").status_code == 200
    soon, later = utcnow() + timedelta(hours=23), utcnow() + timedelta(hours=25)
    assert find_by_token(second, PORTAL, now=soon) is not None
    # ...then only the newest one works.
    assert find_by_token(first, PORTAL, now=later) is None
    assert find_by_token(second, PORTAL, now=later) is None
    assert find_by_token(newest, PORTAL, now=later) is not None
    live = db.session.scalars(db.select(ParticipantToken).where(
        ParticipantToken.expires_at.is_(None))).all()
    assert [row.token_hash for row in live] == [hash_token(newest)]


def _register_counting(app, event, email: str) -> list[str]:
    """The statements of one registration by the operation (a request context, no view)."""
    from benchmarks.statements import counting_statements
    from eventapp.registration import operations

    details = operations.PersonDetails(first_name="Léa", last_name="Martin", email=email,
                                       category="autre")
    with app.test_request_context(), counting_statements(db.engine) as counter:
        operations.register(event, details, "fr")
    return counter.statements


def test_a_registration_without_capacity_locks_nothing(app, event):
    """Nothing is counted when the event has no capacity, so nothing is serialised: an
    opening burst must not queue its registrations behind one lock (issue 17)."""
    statements = " ".join(_register_counting(app, event, "lea@example.org")).upper()
    assert "FOR UPDATE" not in statements and "UPDATE EVENTS" not in statements


def test_a_registration_with_capacity_locks_before_counting(app, event):
    make_registration_settings(event, capacity=5)
    statements = [s.upper() for s in _register_counting(app, event, "lea@example.org")]
    lock = next(i for i, s in enumerate(statements) if "FOR UPDATE" in s or "UPDATE EVENTS" in s)
    count = max(i for i, s in enumerate(statements) if "COUNT(" in s)
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO PARTICIPANTS"))
    assert lock < count < insert


def test_the_confirmation_is_rendered_after_the_commit(client, app, event, monkeypatch):
    """The email is rendered once the registration is committed, not while its
    transaction (and, with a capacity, the event's lock) is held."""
    from eventapp import mail

    happened: list[str] = []
    commit, render = db.session.commit, mail.render_email

    def recorded_commit() -> None:
        happened.append("commit")
        commit()

    def recorded_render(template, *args, **kwargs):
        happened.append(f"render {template}")
        return render(template, *args, **kwargs)

    monkeypatch.setattr(db.session, "commit", recorded_commit)
    monkeypatch.setattr(mail, "render_email", recorded_render)
    make_registration_settings(event, capacity=5)
    assert _register(client, event).status_code == 302
    assert happened == ["commit", "render registration_confirmed"]
    assert [m["To"] for m in read_outbox(app)] == ["aicha.benali@example.org"]


@pytest.fixture
def cached_config(app_config):
    app_config["SCAN_CACHE_SECONDS"] = 10
    return app_config


def test_the_blank_form_is_rendered_once_and_still_registers(cached_config, client, app,
                                                             event, monkeypatch):
    """The blank fields are served from the per-process cache (issue 17: most of the
    form page's CPU in a burst); each page still has its own CSRF token, and a refused
    post shows its errors in freshly rendered fields."""
    import flask

    from eventapp.registration import views_public

    views_public._BLANK_FIELDS = views_public.TTLCache()
    rendered: list[str] = []
    monkeypatch.setattr(flask.templating, "_render", _recording(flask.templating._render,
                                                                 rendered))
    first = client.get("/e/journee/register").get_data(as_text=True)
    other = app.test_client().get("/e/journee/register").get_data(as_text=True)
    assert rendered.count("registration/_person_fields.html") == 1
    assert 'name="first_name"' in other and 'name="consent"' in other
    assert first.split('name="first_name"')[1] == other.split('name="first_name"')[1]
    refused = _register(client, event, email="not-an-email")
    assert refused.status_code == 400  # its fields rendered afresh, with what was sent
    assert 'value="not-an-email"' in refused.get_data(as_text=True)
    assert _register(client, event).status_code == 302
    assert [p.email for p in _participants(event)] == ["aicha.benali@example.org"]


def _recording(render, names: list[str]):
    def recorded(app, template, context):
        names.append(template.name)
        return render(app, template, context)
    return recorded
