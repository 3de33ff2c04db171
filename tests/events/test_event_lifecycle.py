"""An event's life (builder/lifecycle.py): drafts are not public and take no registration,
registration opens after a check that lists what is missing; the event navigation and the
setup checklist; duplicating an event (builder/duplicate.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.builder.duplicate import duplicate_event
from eventapp.builder.lifecycle import (
    derive_status,
    event_status,
    open_registration,
    opening_check,
)
from eventapp.builder.operations import ProgrammeError
from eventapp.events.models import Event
from eventapp.extensions import db
from eventapp.programme.models import (
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from eventapp.registration.models import Participant, RegistrationSettings
from tests.factories import (
    local,
    make_event,
    make_participant,
    make_programme_item,
    make_project,
    make_registration_settings,
    make_room,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    make_workshop_slot,
)

REGISTRATION = {"first_name": "Aïcha", "last_name": "Benali", "email": "aicha@example.org",
                "organisation": "Régie", "category": "siae", "role": "participant",
                "consent": "y"}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _ready(event: Event) -> None:
    """Everything the opening check asks for."""
    make_registration_settings(event, organiser_name="Fondation", capacity=120,
                               privacy_contact="rgpd@example.org")
    make_session(event, round=make_round(event))


# --- drafts ------------------------------------------------------------------------------


def test_a_new_event_is_a_draft(organiser_client):
    response = organiser_client.post("/manage/events/new", data={
        "name": "Journée 2027", "date": "2027-12-07", "timezone": "Europe/Paris"})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.name == "Journée 2027"))
    assert event.stage == "draft"


def test_a_draft_is_not_public(client, organiser_client):
    draft = make_event(stage="draft", name="Brouillon secret")
    make_event(name="Journée ouverte")
    db.session.commit()
    organiser_client.post("/logout")
    home = text(client.get("/"))
    assert "Journée ouverte" in home and "Brouillon secret" not in home
    for path in ("/e/{}/", "/e/{}/register", "/e/{}/privacy", "/e/{}/link"):
        assert client.get(path.format(draft.slug)).status_code == 404, path


def test_organisers_preview_a_draft(organiser_client):
    draft = make_event(stage="draft", name="Brouillon")
    db.session.commit()
    assert organiser_client.get(f"/e/{draft.slug}/").status_code == 200
    assert "Brouillon" in text(organiser_client.get("/"))


def test_registration_is_refused_unless_open(client):
    draft = make_event(stage="draft")
    closed = make_event(stage="closed")
    db.session.commit()
    assert client.post(f"/e/{draft.slug}/register", data=REGISTRATION).status_code == 404
    response = client.post(f"/e/{closed.slug}/register", data=REGISTRATION)
    assert response.status_code == 403 and "Registration is closed." in text(response)
    for event in (draft, closed):
        answer = client.post(f"/api/v1/events/{event.slug}/registrations",
                             json={k: v for k, v in REGISTRATION.items() if k != "consent"}
                             | {"consent": True})
        assert answer.status_code == 409, answer.get_json()
        assert "not open yet" in answer.get_json()["error"]["message"] or \
            "closed" in answer.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_an_open_event_takes_registrations(client):
    event = make_event(stage="open")
    db.session.commit()
    assert client.post(f"/e/{event.slug}/register", data=REGISTRATION).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1


# --- opening -----------------------------------------------------------------------------


def test_the_check_lists_each_missing_item_with_a_link(organiser_client):
    event = make_event(stage="draft", slug="vide")
    db.session.commit()
    page = text(organiser_client.get("/manage/events/vide/open"))
    assert "5 things are missing" in page
    for link in ('/manage/events/vide/participants/settings#organiser_name',
                 '/manage/events/vide/participants/settings#privacy_contact',
                 '/manage/events/vide/rounds/', '/manage/events/vide/sessions/',
                 '/manage/events/vide/participants/settings#capacity'):
        assert f'href="{link}"' in page, link
    response = organiser_client.post("/manage/events/vide/open")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Event, event.id).stage == "draft"


def test_each_missing_item_goes_when_done(app):
    event = make_event(stage="draft")
    assert len(opening_check(event)) == 5
    settings = make_registration_settings(event, organiser_name="Fondation")
    assert len(opening_check(event)) == 4
    settings.privacy_contact, settings.capacity = "rgpd@example.org", 100
    round_ = make_round(event)
    assert [m.url.rsplit("/", 2)[-2] for m in opening_check(event)] == ["sessions"]
    make_session(event, round=round_)
    assert opening_check(event) == []
    open_registration(event)
    assert event.stage == "open"


def test_opening_and_closing_registration(organiser_client):
    event = make_event(stage="draft", slug="prete")
    _ready(event)
    db.session.commit()
    page = text(organiser_client.get("/manage/events/prete/open"))
    assert "Everything needed is there" in page
    assert organiser_client.post("/manage/events/prete/open").status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).stage == "open"
    assert organiser_client.post("/manage/events/prete/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).stage == "closed"


def test_status_is_derived_from_stage_publication_and_date():
    event = Event(name="x", slug="x", date=date(2027, 5, 4), stage="draft")
    before, day, after = date(2027, 5, 1), date(2027, 5, 4), date(2027, 5, 5)
    assert derive_status(event, False, before).code == "draft"
    assert derive_status(event, True, after).code == "draft"  # a draft says so, whatever the date
    event.stage = "open"
    assert derive_status(event, False, before).code == "registration_open"
    event.stage = "closed"
    assert derive_status(event, False, before).code == "registration_closed"
    assert derive_status(event, True, before).code == "published"
    assert derive_status(event, True, day).code == "the_day"
    assert derive_status(event, False, after).code == "finished"


# --- navigation and checklist ------------------------------------------------------------


ORGANISER_PAGES = {
    "dashboard": "/manage/events/{}/",
    "programme": "/manage/events/{}/themes/",
    "participants": "/manage/events/{}/participants/",
    "registration": "/manage/events/{}/participants/settings",
    "schedule": "/manage/events/{}/schedule/",
    "calendars": "/manage/events/{}/calendars/",
    "checkin": "/manage/events/{}/checkin/",
    "scan": "/manage/events/{}/checkin/scan/",
}


@pytest.mark.parametrize("tab", sorted(ORGANISER_PAGES))
def test_every_event_page_has_the_event_navigation(organiser_client, tab):
    event = make_event(stage="draft", slug="nav", name="Journée de la navigation",
                       date=date.today() + timedelta(days=60))
    db.session.commit()
    page = text(organiser_client.get(ORGANISER_PAGES[tab].format("nav")))
    assert 'class="event-tabs"' in page and "Journée de la navigation" in page
    assert "Draft: not public" in page
    current = page.split('aria-current="page"')[0].rsplit("<a href=", 1)[1]
    assert current.startswith(f'"{ORGANISER_PAGES[tab].format(event.slug)}"'
                              if tab != "programme" else '"/manage/events/nav/grid"'), current


def test_the_navigation_costs_the_same_whatever_the_size(app, organiser_client):
    def statements(slug: str) -> int:
        count = 0

        def seen(*_args):
            nonlocal count
            count += 1

        sa_event.listen(db.engine, "before_cursor_execute", seen)
        try:
            assert organiser_client.get(f"/manage/events/{slug}/participants/").status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", seen)
        return count

    small, big = make_event(slug="petite"), make_event(slug="grande")
    make_participant(small)
    for _ in range(30):
        make_participant(big)
    db.session.commit()
    statements("petite")  # the first request of the client loads its account
    assert statements("petite") == statements("grande")
    db.session.expire_all()
    count = 0

    def seen(*_args):
        nonlocal count
        count += 1

    event = db.session.scalar(select(Event).where(Event.slug == "grande"))
    sa_event.listen(db.engine, "before_cursor_execute", seen)
    try:
        event_status(event)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", seen)
    assert count == 1


def test_the_checklist_follows_the_setup(organiser_client):
    event = make_event(stage="draft", slug="liste")
    db.session.commit()
    page = text(organiser_client.get("/manage/events/liste/"))
    steps = page.split('class="checklist"')[1].split("</ol>")[0]
    titles = ["Themes and their colours", "Rooms", "Projects and their presenters",
              "Speed-dating rounds", "Sessions", "Workshops", "Plenary items", "Registration"]
    positions = [steps.index(title) for title in titles]
    assert positions == sorted(positions)
    assert steps.count("To do") == 8 and "Done" not in steps
    theme = make_theme(event)
    make_project(event, theme=theme)
    db.session.commit()
    steps = text(organiser_client.get("/manage/events/liste/")).split(
        'class="checklist"')[1].split("</ol>")[0]
    assert steps.count("Done") == 1  # the project has no presenter yet
    assert "1 without a presenter" in steps


# --- duplicate ---------------------------------------------------------------------------


def _source() -> Event:
    event = make_event(slug="source", name="Journée 2016", stage="open")
    red = make_theme(event, key="rouge", name="Remobiliser")
    room = make_room(event, key="salle-1", name="Salle 1", themes=[red], tables=2,
                     table_labels=["Table A", "Table B"])
    presenter = make_participant(event, role="presenter")
    project = make_project(event, theme=red, key="p1", keywords=["emploi"])
    project.presenters = [presenter]
    round_ = make_round(event, start="11:50", key="r1")
    session = make_session(event, project=project, round=round_, room=room, table_number=2,
                           key="s1")
    session.extra_presenters = [make_participant(event, role="presenter")]
    slot = make_workshop_slot(event, start="14:15", key="apres-midi", name="Après-midi")
    make_workshop(event, slot=slot, room=room, key="w1", name="Atelier emploi")
    make_programme_item(event, start="09:30", title="Accueil", room=room)
    make_registration_settings(event, organiser_name="Fondation", capacity=200,
                               privacy_contact="rgpd@example.org",
                               closes_at=local(event, "08:00") - timedelta(days=2))
    make_participant(event)
    db.session.flush()
    return event


def _count(model, event) -> int:
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.event_id == event.id))


def test_duplicate_copies_the_programme_without_people(app):
    source = _source()
    copy = duplicate_event(source, "Journée 2017", None, date(2017, 12, 6))
    db.session.commit()
    assert (copy.name, copy.slug, copy.date, copy.stage) == (
        "Journée 2017", "journee-2017", date(2017, 12, 6), "draft")
    for model in (Theme, Room, Project, Round, Session, WorkshopSlot, Workshop, ProgrammeItem):
        assert _count(model, copy) == _count(model, source) == 1, model
    assert _count(Participant, copy) == 0
    room = db.session.scalar(select(Room).where(Room.event_id == copy.id))
    assert [t.key for t in room.themes] == ["rouge"] and room.table_labels == ["Table A",
                                                                              "Table B"]
    session = db.session.scalar(select(Session).where(Session.event_id == copy.id))
    assert (session.round.event_id, session.room_id, session.table_number) == (
        copy.id, room.id, 2)
    assert session.project.presenters == [] and session.extra_presenters == []
    round_ = db.session.scalar(select(Round).where(Round.event_id == copy.id))
    assert copy.to_local(round_.starts_at).isoformat(timespec="minutes") == \
        "2017-12-06T11:50+01:00"
    slot = db.session.scalar(select(WorkshopSlot).where(WorkshopSlot.event_id == copy.id))
    assert slot.name == "Après-midi"
    settings = db.session.get(RegistrationSettings, copy.id)
    assert (settings.organiser_name, settings.capacity) == ("Fondation", 200)
    assert copy.to_local(settings.closes_at).date() == date(2017, 12, 4)
    # the source is untouched
    assert _count(Participant, source) == 3 and source.stage == "open"


def test_duplicate_refuses_a_taken_address_and_writes_nothing(organiser_client):
    source = _source()
    db.session.commit()
    response = organiser_client.post("/manage/events/source/duplicate", data={
        "name": "Journée 2017", "date": "2017-12-06", "slug": "source"})
    assert response.status_code == 400
    assert "already used by another event" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    with pytest.raises(ProgrammeError):
        duplicate_event(source, "", None, date(2017, 12, 6))


def test_duplicate_through_the_page(organiser_client):
    _source()
    db.session.commit()
    form = text(organiser_client.get("/manage/events/source/duplicate"))
    assert 'value="Journée 2016"' in form
    response = organiser_client.post("/manage/events/source/duplicate", data={
        "name": "Journée 2017", "date": "2017-12-06"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/manage/events/journee-2017/")
    copy = db.session.scalar(select(Event).where(Event.slug == "journee-2017"))
    assert _count(Session, copy) == 1


def test_status_of_a_past_event_is_finished(app):
    event = make_event(date=date(2016, 12, 7))
    assert event_status(event).code == "finished"


# --- staff land on the scanner -----------------------------------------------------------


def _paris_today() -> date:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).date()


def test_staff_land_on_the_scanner_of_todays_event(client, staff):
    from tests.conftest import login

    make_event(slug="hier", date=_paris_today() - timedelta(days=1))
    make_event(slug="aujourdhui", date=_paris_today())
    db.session.commit()
    response = login(client, staff.email)
    assert response.headers["Location"].endswith("/manage/events/aujourdhui/checkin/scan/")


def test_staff_land_on_the_rehearsal_without_an_event_today(client, staff):
    from tests.conftest import login

    make_event(slug="demo", date=date(2016, 12, 7), checkin_rehearsal=True)
    make_event(slug="autre", date=date(2016, 12, 8))
    db.session.commit()
    response = login(client, staff.email)
    assert response.headers["Location"].endswith("/manage/events/demo/checkin/scan/")


def test_without_an_event_to_scan_staff_land_on_the_event_list(client, staff, organiser):
    from tests.conftest import login

    make_event(slug="autre", date=date(2016, 12, 8))
    db.session.commit()
    assert login(client, staff.email).headers["Location"].endswith("/manage/")
    client.post("/logout")
    make_event(slug="aujourdhui", date=_paris_today())
    db.session.commit()
    assert login(client, organiser.email).headers["Location"].endswith("/manage/")


def test_the_checkpoint_open_now_comes_first(staff_client):
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    event = make_event(slug="jour", date=_paris_today())
    room = make_room(event, name="Salle bleue")
    round_ = make_round(event, key="r1")
    round_.starts_at, round_.ends_at = now - timedelta(minutes=5), now + timedelta(minutes=15)
    make_session(event, round=round_, room=room)
    db.session.commit()
    page = text(staff_client.get("/manage/events/jour/checkin/scan/"))
    assert "Open now" in page
    first = page.split('class="checkin-menu"')[1].split("</ul>")[0]
    assert "Salle bleue" in first and "open now" in first


def test_the_sign_in_link_is_for_the_team(client):
    page = text(client.get("/"))
    assert "Team sign-in" in page and "Organiser sign-in" not in page


# --- building fast: palette, slot names, round defaults -------------------------------------


def test_the_theme_form_offers_named_palette_colours(organiser_client):
    make_event(slug="couleurs")
    db.session.commit()
    form = text(organiser_client.get("/manage/events/couleurs/themes/new"))
    assert 'name="swatch" type="radio" value="#d0312d"' in form
    assert 'class="colour-badge swatch-rouge"' in form and ">rouge</label>" in form
    response = organiser_client.post("/manage/events/couleurs/themes/new", data={
        "name": "Remobiliser", "swatch": "#2e8b57", "colour": "#1f6fb2",
        "colour_hex": "#1f6fb2", "colour_was": "#1f6fb2", "colour_name": ""})
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.name == "Remobiliser"))
    assert (theme.colour, theme.colour_name, theme.key) == ("#2e8b57", "vert", "remobiliser")


def test_workshop_slots_are_named_not_keyed(organiser_client):
    make_event(slug="ateliers")
    db.session.commit()
    response = organiser_client.post("/manage/events/ateliers/slots/new", data={
        "name": "Ateliers de l'après-midi", "starts": "14:00", "ends": "15:30"})
    assert response.status_code == 302
    for path in ("/manage/events/ateliers/workshops/", "/manage/events/ateliers/",
                 "/manage/events/ateliers/workshops/new"):
        page = text(organiser_client.get(path))
        assert "Ateliers de l'après-midi" in page, path
        assert "slot-14h00" not in page, path


def test_generating_rounds_proposes_three_of_twenty_minutes(organiser_client):
    make_event(slug="tours")
    db.session.commit()
    form = text(organiser_client.get("/manage/events/tours/rounds/generate"))

    def value_of(name: str) -> str:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)
        return re.search(r'value="([^"]*)"', tag).group(1)

    assert (value_of("count"), value_of("minutes")) == ("3", "20")


# --- existing events and the demo ----------------------------------------------------------


def test_the_demo_takes_registrations_and_is_public(client):
    from eventapp.demo.loader import ensure_demo

    event = ensure_demo()
    db.session.commit()
    assert event.stage == "open"
    assert client.get(f"/e/{event.slug}/").status_code == 200
    assert event.name in text(client.get("/"))


def test_the_migration_opens_the_events_that_existed(tmp_path):
    """Events created before the stage existed were taking registrations: they stay open;
    events created afterwards start as drafts (the column's default)."""
    from flask_migrate import upgrade
    from sqlalchemy import text as sql

    from eventapp import create_app

    url = f"sqlite:///{tmp_path / 'stages.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0010_session_generation")
        insert = ("INSERT INTO events (slug, name, date, venue, address, timezone, description, "
                  "scheduling_options, checkin_rehearsal, created_at, updated_at) VALUES "
                  "(:slug, 'x', '2016-12-07', '', '', 'Europe/Paris', '', '{}', 0, "
                  "'2016-01-01 00:00:00', '2016-01-01 00:00:00')")
        with db.engine.begin() as connection:
            connection.execute(sql(insert), {"slug": "avant"})
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sql(insert), {"slug": "apres"})
            stages = dict(connection.execute(sql("SELECT slug, stage FROM events")).all())
            with pytest.raises(Exception, match="(?i)check"):
                connection.execute(sql("UPDATE events SET stage = 'public'"))
        db.engine.dispose()
    assert stages == {"avant": "open", "apres": "draft"}
