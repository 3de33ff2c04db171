"""Several items at once (issue 15, "build fast"): the quick start (themes and rooms),
projects, workshops and plenary items in one form each, the rounds with their sessions,
and opening registration with what is missing filled in on the check's page."""

from __future__ import annotations

from datetime import time

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
from tests.factories import make_event, make_project, make_room, make_theme


def _count(model, event) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model)
                             .where(model.event_id == event.id))


def _draft():
    event = make_event(slug="vide", name="Journée vide", stage="draft")
    db.session.commit()
    return event


def test_quick_start_creates_themes_with_colours_and_rooms(organiser_client):
    event = _draft()
    page = organiser_client.get("/manage/events/vide/quick-start")
    assert page.status_code == 200
    assert 'id="theme-5-name"' in page.get_data(as_text=True)
    response = organiser_client.post("/manage/events/vide/quick-start", data={
        "theme-rows": "6", "room-rows": "6",
        "theme-0-name": "Remobiliser", "theme-0-colour": "#d0312d",
        "theme-1-name": "Former", "theme-1-colour": "#1f6fb2",
        "theme-2-colour": "#2e8b57",  # an untouched row: its preset colour alone
        "room-0-name": "Salle 1", "room-0-capacity": "30", "room-0-step_free": "y",
        "room-1-name": "Amphithéâtre", "room-1-capacity": "120", "room-1-tables": "2",
    })
    assert response.status_code == 302
    # the event is a draft: the next setup step (projects) comes next
    assert response.headers["Location"].endswith("/manage/events/vide/projects/several")
    themes = {t.name: (t.colour, t.colour_name) for t in
              db.session.scalars(db.select(Theme).where(Theme.event_id == event.id))}
    assert themes == {"Remobiliser": ("#d0312d", "rouge"), "Former": ("#1f6fb2", "bleu")}
    rooms = {r.name: (r.capacity, r.tables, r.step_free) for r in
             db.session.scalars(db.select(Room).where(Room.event_id == event.id))}
    assert rooms == {"Salle 1": (30, 1, True), "Amphithéâtre": (120, 2, False)}


def test_quick_start_refuses_every_bad_row_and_saves_nothing(organiser_client):
    event = _draft()
    response = organiser_client.post("/manage/events/vide/quick-start", data={
        "theme-0-name": "Former", "theme-0-colour": "#1f6fb2",
        "theme-1-name": "former", "theme-1-colour": "#d0312d",
        "room-0-name": "Salle 1", "room-0-capacity": "trente",
        "room-1-name": "", "room-1-capacity": "20",
        "room-2-name": "Salle 3", "room-2-capacity": "20", "room-2-tables": "0",
    })
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Theme 2: the name &#34;former&#34; is already used." in text
    assert 'href="#theme-1-name"' in text
    assert "Room 1: the number of seats must be a whole number" in text
    assert 'href="#room-0-capacity"' in text
    assert "Room 2: give the room a name." in text
    assert "Room 3: a room has at least one table." in text
    assert 'id="room-0-capacity" name="room-0-capacity" aria-invalid="true"' in text
    assert 'value="trente"' in text  # nothing typed is lost
    assert _count(Theme, event) == 0 and _count(Room, event) == 0


def test_an_empty_quick_form_says_what_to_fill(organiser_client):
    _draft()
    response = organiser_client.post("/manage/events/vide/quick-start", data={})
    assert response.status_code == 400
    assert "Fill in at least one theme or one room." in response.get_data(as_text=True)


def test_more_rows_keeps_what_was_typed(organiser_client):
    event = _draft()
    response = organiser_client.post("/manage/events/vide/quick-start", data={
        "theme-rows": "6", "room-rows": "6", "then": "more",
        "theme-0-name": "Remobiliser", "theme-0-colour": "#d0312d"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="theme-11-name"' in text and 'value="Remobiliser"' in text
    assert _count(Theme, event) == 0


def test_several_projects_with_their_presenters(organiser_client):
    event = _draft()
    red, blue = make_theme(event, name="Remobiliser"), make_theme(event, name="Former")
    db.session.commit()
    response = organiser_client.post("/manage/events/vide/projects/several", data={
        "project-0-name": "TAPAJ", "project-0-theme": str(red.id),
        "project-0-presenter": "Ana Martin", "project-0-email": "ana@example.org",
        "project-1-name": "Wimoov", "project-1-theme": str(blue.id),
        "project-1-presenter": "Moreau",
    })
    assert response.status_code == 302
    projects = {p.name: (p.theme.name, [x.full_name for x in p.presenters]) for p in
                db.session.scalars(db.select(Project).where(Project.event_id == event.id))}
    assert projects == {"TAPAJ": ("Remobiliser", ["Ana Martin"]),
                        "Wimoov": ("Former", ["Moreau"])}
    ana = db.session.scalar(db.select(Participant).where(Participant.email == "ana@example.org"))
    assert ana.role == "presenter"


def test_projects_refused_rows_name_their_field(organiser_client):
    event = _draft()
    theme = make_theme(event, name="Remobiliser")
    db.session.commit()
    response = organiser_client.post("/manage/events/vide/projects/several", data={
        "project-0-name": "TAPAJ", "project-0-theme": "",
        "project-1-name": "Baluchon", "project-1-theme": str(theme.id),
        "project-1-email": "bruno@example.org",
        "project-2-name": "Lulu", "project-2-theme": str(theme.id),
        "project-2-presenter": "Chloé Durand", "project-2-email": "pas-un-email",
    })
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Project 1: choose the project" in text and 'href="#project-0-theme"' in text
    assert "Project 2: give the presenter" in text
    assert 'href="#project-2-email"' in text or "Project 3" in text
    assert _count(Project, event) == 0


def test_rounds_with_their_sessions_in_one_form(organiser_client):
    event = _draft()
    theme = make_theme(event)
    for name in ("Salle 1", "Salle 2", "Salle 3"):
        make_room(event, name=name, capacity=30)
    for name in ("A", "B", "C", "D"):
        make_project(event, theme=theme, name=name)
    db.session.commit()
    response = organiser_client.post("/manage/events/vide/rounds/generate", data={
        "first_start": "11:00", "count": "3", "minutes": "20", "changeover": "5",
        "with_sessions": "y"})
    assert response.status_code == 302
    assert _count(Round, event) == 3
    sessions = db.session.scalars(db.select(Session).where(Session.event_id == event.id)).all()
    assert len(sessions) == 9  # three rooms of one table, in each of three rounds
    per_project = {}
    for session in sessions:
        per_project[session.project.name] = per_project.get(session.project.name, 0) + 1
    assert sorted(per_project.values()) == [2, 2, 2, 3]  # the rotation is fair


def test_generate_the_sessions_of_every_round_from_the_grid(organiser_client):
    event = _draft()
    theme = make_theme(event)
    make_room(event, name="Salle 1", capacity=30)
    make_project(event, theme=theme, name="A")
    make_project(event, theme=theme, name="B")
    db.session.commit()
    organiser_client.post("/manage/events/vide/rounds/generate", data={
        "first_start": "11:00", "count": "2", "minutes": "20", "changeover": "5"})
    assert _count(Session, event) == 0  # unticked: rounds only
    response = organiser_client.post("/manage/events/vide/grid/generate", follow_redirects=True)
    assert "2 sessions created." in response.get_data(as_text=True)
    assert _count(Session, event) == 2


def test_several_workshops_in_a_new_slot(organiser_client):
    event = _draft()
    one, two = make_room(event, name="Salle 1", capacity=30), make_room(event, name="Salle 2")
    db.session.commit()
    data = {"slot_name": "Ateliers de l'après-midi", "slot_starts": "14:00",
            "slot_ends": "15:30",
            "workshop-0-name": "Lever les freins", "workshop-0-room": str(one.id),
            "workshop-1-name": "Financer", "workshop-1-room": str(one.id)}
    response = organiser_client.post("/manage/events/vide/workshops/several", data=data)
    assert response.status_code == 400
    assert "Workshop 2: Salle 1 already hosts Lever les freins in this slot." in \
        response.get_data(as_text=True)
    assert _count(WorkshopSlot, event) == 0
    data["workshop-1-room"] = str(two.id)
    assert organiser_client.post("/manage/events/vide/workshops/several",
                                 data=data).status_code == 302
    slot = db.session.scalar(db.select(WorkshopSlot).where(WorkshopSlot.event_id == event.id))
    assert slot.name == "Ateliers de l'après-midi"
    assert _count(Workshop, event) == 2


def test_a_slot_without_times_is_refused_at_its_field(organiser_client):
    event = _draft()
    room = make_room(event, name="Salle 1")
    db.session.commit()
    response = organiser_client.post("/manage/events/vide/workshops/several", data={
        "slot_starts": "", "workshop-0-name": "Financer", "workshop-0-room": str(room.id)})
    assert response.status_code == 400
    assert 'href="#slot_starts"' in response.get_data(as_text=True)
    assert _count(Workshop, event) == 0


def test_several_plenary_items(organiser_client):
    event = _draft()
    response = organiser_client.post("/manage/events/vide/timeline/several", data={
        "item-0-title": "Accueil", "item-0-kind": "welcome", "item-0-starts": "09:30",
        "item-0-ends": "10:30", "item-1-kind": "talk",
        "item-2-title": "Conclusions", "item-2-kind": "talk", "item-2-starts": "16:00",
        "item-2-ends": "15:00"})
    assert response.status_code == 400
    assert "Item 3: The end time must be after the start time." in \
        response.get_data(as_text=True)
    organiser_client.post("/manage/events/vide/timeline/several", data={
        "item-0-title": "Accueil", "item-0-kind": "welcome", "item-0-starts": "09:30",
        "item-0-ends": "10:30", "item-2-title": "Conclusions", "item-2-kind": "talk",
        "item-2-starts": "16:00", "item-2-ends": "16:30"})
    items = db.session.scalars(db.select(ProgrammeItem).where(
        ProgrammeItem.event_id == event.id).order_by(ProgrammeItem.starts_at)).all()
    assert [(i.title, i.kind, event.to_local(i.starts_at).time()) for i in items] == [
        ("Accueil", "welcome", time(9, 30)), ("Conclusions", "talk", time(16, 0))]


def test_opening_registration_asks_for_what_is_missing_on_the_spot(organiser_client):
    event = _draft()
    theme = make_theme(event)
    room = make_room(event)
    make_project(event, theme=theme)
    db.session.commit()
    organiser_client.post("/manage/events/vide/rounds/generate", data={
        "first_start": "11:00", "count": "1", "minutes": "20", "with_sessions": "y"})
    del room
    page = organiser_client.get("/manage/events/vide/open").get_data(as_text=True)
    assert 'name="organiser_name"' in page and 'name="capacity"' in page
    response = organiser_client.post("/manage/events/vide/open", data={
        "organiser_name": "Fondation", "privacy_contact": "", "capacity": "90"})
    assert response.status_code == 400
    assert "Give the privacy contact" in response.get_data(as_text=True)
    assert db.session.get(Event, event.id).stage == "draft"
    assert db.session.get(RegistrationSettings, event.id) is None  # nothing half-saved
    response = organiser_client.post("/manage/events/vide/open", data={
        "organiser_name": "Fondation", "privacy_contact": "rgpd@example.org",
        "capacity": "90"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).stage == "open"
    assert db.session.get(RegistrationSettings, event.id).capacity == 90


def test_the_checklist_links_each_step_to_its_quick_form(organiser_client):
    _draft()
    page = organiser_client.get("/manage/events/vide/").get_data(as_text=True)
    for url in ("/quick-start", "/projects/several", "/rounds/generate", "/grid",
                "/workshops/several", "/timeline/several", "/open"):
        assert f'href="/manage/events/vide{url}"' in page, url


def test_an_empty_grid_does_not_say_everything_is_placed(organiser_client):
    event = _draft()
    make_room(event, name="Salle 1")
    make_project(event, theme=make_theme(event))
    db.session.commit()
    organiser_client.post("/manage/events/vide/rounds/generate", data={
        "first_start": "11:00", "count": "1", "minutes": "20"})
    page = organiser_client.get("/manage/events/vide/grid").get_data(as_text=True)
    assert "No session yet" in page and "Every session is placed." not in page
    organiser_client.post("/manage/events/vide/grid/generate")
    page = organiser_client.get("/manage/events/vide/grid").get_data(as_text=True)
    assert "Every session is placed." in page
