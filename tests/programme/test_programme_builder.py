"""The organiser's programme builder, through its pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from eventapp.builder import operations as ops
from eventapp.extensions import db
from eventapp.models import (
    Event,
    Participant,
    ProgrammeItem,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from tests.factories import (
    make_event,
    make_participant,
    make_programme_item,
    make_project,
    make_room,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    make_workshop_slot,
)

BASE = "/manage/events"


def all_rows(model):
    return db.session.scalars(db.select(model)).all()


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English, whatever the French catalogue says."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def event(app):
    event = make_event(slug="journee", name="Journée de restitution", date=date(2016, 12, 7))
    db.session.commit()
    return event


# --- events -------------------------------------------------------------------------------


def test_create_event_suggests_slug(organiser_client):
    response = organiser_client.post("/manage/events/new", data={
        "name": "Journée d'échanges", "date": "2016-12-07", "timezone": "Europe/Paris",
        "venue": "Paris", "address": "", "description": ""})
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert event.slug == "journee-d-echanges"
    assert response.headers["Location"].endswith("/manage/events/journee-d-echanges/")
    page = organiser_client.get(response.headers["Location"])
    assert "Journée d&#39;échanges" in text(page)


def test_event_form_errors_name_the_field_and_keep_input(organiser_client):
    response = organiser_client.post("/manage/events/new", data={
        "name": "Ma journée", "date": "2016-12-07", "timezone": "Mars/Olympus",
        "venue": "Salle des fêtes"})
    assert response.status_code == 400
    html = text(response)
    assert 'href="#timezone">Time zone</a>' in html
    assert "Mars/Olympus" in html and "Salle des fêtes" in html  # nothing lost
    assert all_rows(Event) == []


def test_edit_event_and_slug_conflict(organiser_client, event):
    make_event(slug="autre")
    db.session.commit()
    url = f"{BASE}/journee/edit"
    assert "Journée de restitution" in text(organiser_client.get(url))
    response = organiser_client.post(url, data={
        "name": "Journée renommée", "date": "2016-12-08", "timezone": "Europe/Paris",
        "slug": "autre"})
    assert response.status_code == 400
    assert "already used by another event" in text(response)
    response = organiser_client.post(url, data={
        "name": "Journée renommée", "date": "2016-12-08", "timezone": "Europe/Paris",
        "slug": "journee-2016"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).slug == "journee-2016"


def test_delete_event_confirmation_lists_counts(organiser_client, event):
    theme = make_theme(event)
    make_project(event, theme)
    make_project(event, theme)
    make_room(event)
    db.session.commit()
    page = text(organiser_client.get(f"{BASE}/journee/delete"))
    assert "2 projects" in page and "1 room<" in page and "1 theme<" in page
    assert all_rows(Event)  # a GET deletes nothing
    response = organiser_client.post(f"{BASE}/journee/delete")
    assert response.status_code == 302
    assert all_rows(Event) == [] and all_rows(Project) == [] and all_rows(Theme) == []


def test_event_list_and_dashboard(organiser_client, event):
    make_session(event)
    db.session.commit()
    assert "Journée de restitution" in text(organiser_client.get("/manage/"))
    page = text(organiser_client.get(f"{BASE}/journee/"))
    assert "1 to be placed" in page
    assert f"{BASE}/journee/sessions/" in page


def test_empty_states(organiser_client, event):
    for section in ("themes", "rooms", "projects", "presenters", "timeline", "rounds",
                    "workshops", "sessions"):
        page = text(organiser_client.get(f"{BASE}/journee/{section}/"))
        assert 'class="empty-state"' in page, section


# --- themes, rooms ------------------------------------------------------------------------


def test_theme_create_edit_delete(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/themes/new", data={
        "name": "Remobiliser par le travail", "colour": "#d0312d", "colour_name": "rouge"})
    assert response.status_code == 302
    theme = db.session.scalar(db.select(Theme))
    assert (theme.key, theme.colour, theme.colour_name) == (
        "remobiliser-par-le-travail", "#d0312d", "rouge")
    listing = text(organiser_client.get(f"{BASE}/journee/themes/"))
    assert "rouge" in listing and f"theme-{theme.id}" in listing
    response = organiser_client.post(f"{BASE}/journee/themes/{theme.id}/edit", data={
        "name": "Remobiliser", "colour": "#d0312d", "colour_hex": "#2E8B57",
        "colour_name": "vert", "key": "remobiliser"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (theme.name, theme.colour, theme.key) == ("Remobiliser", "#2e8b57", "remobiliser")
    assert organiser_client.post(f"{BASE}/journee/themes/{theme.id}/delete").status_code == 302
    assert all_rows(Theme) == []


def test_theme_colour_picker_change_wins_when_code_untouched(organiser_client, event):
    """Without JavaScript, both inputs are posted: the one the user changed counts."""
    theme = make_theme(event, colour="#d0312d")
    db.session.commit()
    form = text(organiser_client.get(f"{BASE}/journee/themes/{theme.id}/edit"))
    assert 'name="colour_was" type="hidden" value="#d0312d"' in form
    response = organiser_client.post(f"{BASE}/journee/themes/{theme.id}/edit", data={
        "name": theme.name, "colour": "#1f6fb2", "colour_hex": "#d0312d",
        "colour_was": "#d0312d", "colour_name": "bleu"})
    assert response.status_code == 302
    db.session.expire_all()
    assert theme.colour == "#1f6fb2"


def test_theme_validation_messages(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/themes/new", data={
        "name": "Thème", "colour": "#d0312d", "colour_hex": "rouge", "colour_name": ""})
    assert response.status_code == 400
    html = text(response)
    assert 'href="#colour_hex">Colour code</a>' in html
    assert all_rows(Theme) == []
    response = organiser_client.post(f"{BASE}/journee/themes/new", data={
        "name": "Thème", "colour": "#d0312d", "colour_hex": "rouge", "colour_name": "rouge"})
    assert response.status_code == 400
    assert 'href="#colour_hex">Colour code</a>' in text(response)


def test_theme_used_by_project_refused_with_names(organiser_client, event):
    theme = make_theme(event)
    make_project(event, theme, name="TAPAJ")
    db.session.commit()
    project = db.session.scalar(db.select(Project))
    page = organiser_client.get(f"{BASE}/journee/themes/{theme.id}/delete")
    assert "cannot be deleted yet" in text(page)
    assert f'<a href="/manage/events/journee/projects/{project.id}/edit">TAPAJ</a>' in text(page)
    response = organiser_client.post(f"{BASE}/journee/themes/{theme.id}/delete")
    assert response.status_code == 400
    assert "TAPAJ" in text(response)
    assert len(all_rows(Theme)) == 1 and len(all_rows(Project)) == 1


def test_room_create_with_themes_and_table_labels(organiser_client, event):
    red = make_theme(event)
    db.session.commit()
    response = organiser_client.post(f"{BASE}/journee/rooms/new", data={
        "name": "Salle 1", "capacity": "90", "tables": "2", "step_free": "y",
        "table_labels": "Construire des parcours innovants\nDynamiser",
        "directions": "1er étage", "themes": [str(red.id)]})
    assert response.status_code == 302, text(response)
    room = db.session.scalar(db.select(Room))
    assert room.themes == [red] and room.table_labels[0] == "Construire des parcours innovants"
    assert room.step_free and room.key == "salle-1"
    edit = text(organiser_client.get(f"{BASE}/journee/rooms/{room.id}/edit"))
    assert "Construire des parcours innovants" in edit and "checked" in edit


def test_room_zero_capacity_is_accepted_and_missing_is_an_error(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/rooms/new",
                                     data={"name": "Couloir", "capacity": "", "tables": "1"})
    assert response.status_code == 400
    assert 'href="#capacity">Capacity (seats)</a>' in text(response)
    response = organiser_client.post(f"{BASE}/journee/rooms/new",
                                     data={"name": "Couloir", "capacity": "0", "tables": "1"})
    assert response.status_code == 302


def test_room_delete_lists_what_changes(organiser_client, event):
    room = make_room(event, name="Amphithéâtre")
    make_session(event, make_project(event, name="TAPAJ"), round=make_round(event),
                 room=room, table_number=1)
    make_programme_item(event, room=room, title="Accueil")
    db.session.commit()
    page = text(organiser_client.get(f"{BASE}/journee/rooms/{room.id}/delete"))
    assert "TAPAJ" in page and "Accueil" in page and "Kept, but changed" in page
    assert organiser_client.post(f"{BASE}/journee/rooms/{room.id}/delete").status_code == 302
    assert all_rows(Room) == []
    assert all_rows(Session)[0].room_id is None
    assert all_rows(ProgrammeItem)[0].room_id is None


# --- projects and presenters --------------------------------------------------------------


def test_project_with_existing_and_new_presenters(organiser_client, event):
    theme = make_theme(event)
    person = make_participant(event, first_name="Léa", last_name="Durand")
    db.session.commit()
    form = text(organiser_client.get(f"{BASE}/journee/projects/new"))
    assert "Léa Durand" not in form  # people are searched for, not all listed
    found = text(organiser_client.post(f"{BASE}/journee/projects/new", data={
        "name": "TAPAJ", "presenters-q": "dur", "find": "presenters"}))
    assert "Léa Durand" in found and 'value="TAPAJ"' in found
    assert db.session.scalar(db.select(Project)) is None  # a search saves nothing
    response = organiser_client.post(f"{BASE}/journee/projects/new", data={
        "name": "TAPAJ", "organisation": "Oppelia", "theme": str(theme.id),
        "keywords": "jeunes, travail", "presenters": [str(person.id)],
        "new_first_name": "Ana", "new_last_name": "Lopez", "new_email": "ana@example.org"})
    assert response.status_code == 302, text(response)
    project = db.session.scalar(db.select(Project))
    assert project.keywords == ["jeunes", "travail"]
    assert sorted(p.full_name for p in project.presenters) == ["Ana Lopez", "Léa Durand"]
    listing = text(organiser_client.get(f"{BASE}/journee/presenters/"))
    assert "Ana Lopez" in listing and "TAPAJ" in listing
    edit = text(organiser_client.get(f"{BASE}/journee/projects/{project.id}/edit"))
    assert 'value="jeunes, travail"' in edit


def test_presenter_picker_lists_the_chosen_and_one_page_of_matches(organiser_client, event):
    """Issue 17: the project form names its presenters and a page of search matches, not
    every person of the event; the JSON search pages and leaves out the chosen."""
    theme = make_theme(event)
    people = [make_participant(event, first_name=f"Personne{n:02d}", last_name="Martin",
                               organisation="Oppelia" if n % 2 else "") for n in range(25)]
    other = make_participant(event, first_name="Zoé", last_name="Bernard")
    project = make_project(event, theme, name="TAPAJ", presenters=[other])
    db.session.commit()
    edit = text(organiser_client.get(f"{BASE}/journee/projects/{project.id}/edit"))
    assert "Zoé Bernard" in edit and "Martin" not in edit
    assert "checked" in edit.split("Zoé Bernard")[0].rsplit("<li>", 1)[1]
    # without JavaScript: "Search" sends the form back with 20 matches and a next page
    found = text(organiser_client.post(f"{BASE}/journee/projects/{project.id}/edit", data={
        "name": "TAPAJ", "theme": str(theme.id), "presenters": [str(other.id)],
        "presenters-q": "martin", "find": "presenters"}))
    assert found.count("Martin") == 20 and "Next matches" in found and "Zoé Bernard" in found
    second = text(organiser_client.post(f"{BASE}/journee/projects/{project.id}/edit", data={
        "name": "TAPAJ", "theme": str(theme.id), "presenters": [str(other.id)],
        "presenters-q": "martin", "find": "presenters:2"}))
    assert second.count("Martin") == 5 and "Previous matches" in second
    # tick one of the matches, then save
    response = organiser_client.post(f"{BASE}/journee/projects/{project.id}/edit", data={
        "name": "TAPAJ", "theme": str(theme.id),
        "presenters": [str(other.id), str(people[3].id)], "presenters-q": "martin"})
    assert response.status_code == 302, text(response)
    db.session.refresh(project)
    assert sorted(p.first_name for p in project.presenters) == ["Personne03", "Zoé"]
    # the search as one types: JSON, by words, a page at a time, the chosen left out
    answer = organiser_client.get(f"{BASE}/journee/people.json?q=martin+oppelia"
                                  f"&exclude={people[3].id}").get_json()
    assert len(answer["people"]) == 11 and answer["more"] is False
    assert all("Oppelia" in person["label"] for person in answer["people"])
    assert people[3].id not in {person["id"] for person in answer["people"]}
    page = organiser_client.get(f"{BASE}/journee/people.json?q=MART&page=2").get_json()
    assert (len(page["people"]), page["more"], page["page"]) == (5, False, 2)
    assert organiser_client.get(f"{BASE}/journee/people.json?q=100%25").get_json()[
        "people"] == []  # "%" is a character, not a wildcard


def test_project_errors_keep_the_new_presenter(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/projects/new", data={
        "name": "TAPAJ", "theme": "", "new_first_name": "Ana", "new_last_name": "Lopez"})
    assert response.status_code == 400
    html = text(response)
    assert 'href="#theme">Theme</a>' in html and 'value="Lopez"' in html
    assert all_rows(Project) == [] and all_rows(Participant) == []


def test_project_delete_cascades_after_confirmation(organiser_client, event):
    project = make_project(event, name="TAPAJ")
    make_session(event, project, round=make_round(event, key="r1"))
    db.session.commit()
    page = text(organiser_client.get(f"{BASE}/journee/projects/{project.id}/delete"))
    assert "Also deleted" in page and "TAPAJ (Round 1)" in page
    assert organiser_client.post(
        f"{BASE}/journee/projects/{project.id}/delete").status_code == 302
    assert all_rows(Project) == [] and all_rows(Session) == []


def test_presenter_add_edit_delete(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/presenters/new", data={
        "first_name": "Ana", "last_name": "Lopez", "email": "ana@example.org"})
    assert response.status_code == 302
    person = db.session.scalar(db.select(Participant))
    assert person.role == "presenter" and person.key == "ana-lopez"
    response = organiser_client.post(f"{BASE}/journee/presenters/{person.id}/edit", data={
        "first_name": "Ana", "last_name": "López", "email": "ana@example.org",
        "organisation": "Oppelia", "key": "p001"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (person.last_name, person.key) == ("López", "p001")
    make_participant(event, email="x@example.org")
    db.session.commit()
    response = organiser_client.post(f"{BASE}/journee/presenters/new", data={
        "first_name": "X", "last_name": "Y", "email": "x@example.org"})
    assert response.status_code == 400 and 'href="#email">Email</a>' in text(response)
    assert organiser_client.post(
        f"{BASE}/journee/presenters/{person.id}/delete").status_code == 302
    assert db.session.get(Participant, person.id) is None


# --- timeline, rounds, workshops ----------------------------------------------------------


def test_programme_item_times_stored_in_utc(organiser_client, event):
    room = make_room(event)
    db.session.commit()
    response = organiser_client.post(f"{BASE}/journee/timeline/new", data={
        "kind": "talk", "title": "Ouverture", "starts": "09:30", "ends": "10:00",
        "room": str(room.id), "speakers": "Mme A, ministre\n\n  M. B, DG  "})
    assert response.status_code == 302, text(response)
    item = db.session.scalar(db.select(ProgrammeItem))
    assert item.starts_at == datetime(2016, 12, 7, 8, 30, tzinfo=UTC)
    assert item.speaker_lines == ["Mme A, ministre", "M. B, DG"]
    page = text(organiser_client.get(f"{BASE}/journee/timeline/"))
    assert "09:30–10:00" in page
    edit = text(organiser_client.get(f"{BASE}/journee/timeline/{item.id}/edit"))
    assert 'value="09:30"' in edit


def test_programme_item_end_before_start(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/timeline/new", data={
        "kind": "lunch", "title": "Déjeuner", "starts": "13:00", "ends": "12:00"})
    assert response.status_code == 400
    assert 'href="#ends">Ends at</a>' in text(response)
    assert 'value="Déjeuner"' in text(response)


def test_generate_rounds_view(organiser_client, event):
    response = organiser_client.post(f"{BASE}/journee/rounds/generate", data={
        "first_start": "11:50", "count": "4", "minutes": "20", "changeover": "5"})
    assert response.status_code == 302
    rounds = db.session.scalars(db.select(Round).order_by(Round.starts_at)).all()
    assert [r.key for r in rounds] == ["r1", "r2", "r3", "r4"]
    assert rounds[0].starts_at == datetime(2016, 12, 7, 10, 50, tzinfo=UTC)
    assert rounds[3].ends_at == datetime(2016, 12, 7, 12, 25, tzinfo=UTC)
    page = text(organiser_client.get(f"{BASE}/journee/rounds/"))
    assert "11:50–12:10" in page and "13:05–13:25" in page
    response = organiser_client.post(f"{BASE}/journee/rounds/generate", data={
        "first_start": "12:00", "count": "1", "minutes": "20", "changeover": "5"})
    assert response.status_code == 400 and "overlaps" in text(response)


def test_round_edit_and_delete(organiser_client, event):
    round_ = make_round(event, "11:50", key="r1")
    db.session.commit()
    response = organiser_client.post(f"{BASE}/journee/rounds/{round_.id}/edit", data={
        "starts": "12:00", "ends": "12:20", "key": "r1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert round_.starts_at == datetime(2016, 12, 7, 11, 0, tzinfo=UTC)
    assert organiser_client.post(f"{BASE}/journee/rounds/{round_.id}/delete").status_code == 302
    assert all_rows(Round) == []


def test_slot_and_workshop(organiser_client, event):
    room = make_room(event, capacity=40)
    db.session.commit()
    assert organiser_client.post(f"{BASE}/journee/slots/new", data={
        "starts": "14:30", "ends": "16:00"}).status_code == 302
    slot = db.session.scalar(db.select(WorkshopSlot))
    response = organiser_client.post(f"{BASE}/journee/workshops/new", data={
        "name": "L'évaluation", "slot": str(slot.id), "room": str(room.id), "capacity": "50",
        "host": "Mme C", "panel": "A\nB"})
    assert response.status_code == 400 and 'href="#capacity">Capacity</a>' in text(response)
    response = organiser_client.post(f"{BASE}/journee/workshops/new", data={
        "name": "L'évaluation", "slot": str(slot.id), "room": str(room.id), "capacity": "",
        "host": "Mme C", "panel": "A\nB"})
    assert response.status_code == 302
    workshop = db.session.scalar(db.select(Workshop))
    assert workshop.capacity == 40 and workshop.panel_members == ["A", "B"]
    page = text(organiser_client.get(f"{BASE}/journee/workshops/"))
    assert "L&#39;évaluation" in page and "14:30–16:00" in page
    confirm = text(organiser_client.get(f"{BASE}/journee/slots/{slot.id}/delete"))
    assert "L&#39;évaluation" in confirm and "Also deleted" in confirm
    assert organiser_client.post(f"{BASE}/journee/slots/{slot.id}/delete").status_code == 302
    assert all_rows(Workshop) == [] and all_rows(WorkshopSlot) == []


# --- sessions and grid --------------------------------------------------------------------


@pytest.fixture
def setting(event):
    red, blue = make_theme(event, name="Rouge"), make_theme(event, name="Bleu")
    room = make_room(event, name="Salle 1", capacity=90, tables=2, themes=[red])
    round_ = make_round(event, key="r1")
    project = make_project(event, red, name="TAPAJ")
    other = make_project(event, blue, name="Solidarité")
    db.session.commit()
    return event, room, round_, project, other


def _post_session(client, project, round_=None, room=None, table="", **extra):
    data = {"project": str(project.id), "round": str(round_.id) if round_ else "",
            "room": str(room.id) if room else "", "table_number": str(table),
            "min_audience": "0", **extra}
    return client.post(f"{BASE}/journee/sessions/new", data=data)


def test_session_create_and_rules(organiser_client, setting):
    event, room, round_, project, other = setting
    response = _post_session(organiser_client, project, round_, room, 3)
    assert response.status_code == 400
    assert 'href="#table_number">Table</a>' in text(response)
    assert "choose a table from 1 to 2" in text(response)
    response = _post_session(organiser_client, other, round_, room, 1)
    assert response.status_code == 400 and "does not admit" in text(response)
    response = _post_session(organiser_client, project, round_, room, 1, min_audience="50")
    assert response.status_code == 400 and 'href="#min_audience">' in text(response)
    assert all_rows(Session) == []
    assert _post_session(organiser_client, project, round_, room, 1).status_code == 302
    response = _post_session(organiser_client, project, round_, room, 2)
    assert response.status_code == 400 and "already presents" in text(response)
    assert _post_session(organiser_client, other).status_code == 302  # to be placed
    grid = text(organiser_client.get(f"{BASE}/journee/grid"))
    assert "TAPAJ" in grid and "Solidarité" in grid and "Unplaced sessions" in grid


def test_session_integrity_error_is_a_message_not_a_500(organiser_client, setting,
                                                       monkeypatch):
    event, room, round_, project, other = setting
    assert _post_session(organiser_client, project, round_, room, 1).status_code == 302
    second = make_project(event, project.theme, name="Deuxième")
    db.session.commit()
    # Another organiser placed a session there between our checks and our write.
    monkeypatch.setattr(ops, "_check_placement", lambda *args: None)
    response = _post_session(organiser_client, second, round_, room, 1)
    assert response.status_code == 400
    assert "already taken" in text(response)
    assert len(all_rows(Session)) == 1


def test_session_edit_keeps_placement_rules(organiser_client, setting):
    event, room, round_, project, other = setting
    first = make_session(event, project, round=round_, room=room, table_number=1)
    second = make_session(event, make_project(event, project.theme, name="B"),
                          round=round_, room=room, table_number=2)
    db.session.commit()
    page = text(organiser_client.get(f"{BASE}/journee/sessions/{second.id}/edit"))
    assert "selected" in page
    response = organiser_client.post(f"{BASE}/journee/sessions/{second.id}/edit", data={
        "project": str(second.project_id), "round": str(round_.id), "room": str(room.id),
        "table_number": "1", "min_audience": "0", "key": second.key})
    assert response.status_code == 400 and "TAPAJ" in text(response)
    db.session.expire_all()
    assert (first.table_number, second.table_number) == (1, 2)


def test_other_events_objects_are_404(organiser_client, event):
    other = make_event(slug="autre")
    theme = make_theme(other)
    db.session.commit()
    assert organiser_client.get(f"{BASE}/journee/themes/{theme.id}/edit").status_code == 404
    assert organiser_client.post(f"{BASE}/journee/themes/{theme.id}/delete").status_code == 404
    assert organiser_client.get(f"{BASE}/nope/").status_code == 404


# --- who may do what ----------------------------------------------------------------------

READ_ONLY = {"programme.events", "programme.event_dashboard", "programme.grid",
             "programme.themes", "programme.rooms", "programme.projects",
             "programme.presenters", "programme.timeline", "programme.rounds",
             "programme.slots", "programme.workshops", "programme.sessions"}


def _builder_urls(app, event) -> list[tuple[str, str, list[str]]]:
    """Every builder URL, filled in with ids of real objects of ``event``."""
    room = make_room(event)
    slot = make_workshop_slot(event)
    ids = {
        "theme": make_theme(event).id, "room": room.id, "project": make_project(event).id,
        "presenter": make_participant(event, role="presenter").id,
        "item": make_programme_item(event).id, "round": make_round(event).id,
        "slot": slot.id, "workshop": make_workshop(event, slot=slot, room=room).id,
        "session": make_session(event).id,
    }
    db.session.commit()
    urls = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("programme."):
            continue
        values = {}
        if "slug" in rule.arguments:
            values["slug"] = event.slug
        for argument in rule.arguments - {"slug"}:
            stem = rule.endpoint.split(".")[1].rsplit("_", 1)[0]
            values[argument] = ids[stem]
        urls.append((rule.endpoint, adapter.build(rule.endpoint, values),
                     sorted(rule.methods - {"HEAD", "OPTIONS"})))
    return urls


def test_every_builder_route_is_covered_by_the_matrix(app, event):
    endpoints = {endpoint for endpoint, _, _ in _builder_urls(app, event)}
    assert endpoints >= READ_ONLY
    # with open and close registration, duplicate, grid filling, the five quick forms,
    # the presenter search
    assert len(endpoints) == 54


def test_staff_reads_but_never_edits(app, staff_client, event):
    urls = _builder_urls(app, event)
    before = {model: len(all_rows(model)) for model in (Event, Theme, Project, Session, Round)}
    for endpoint, url, methods in urls:
        response = staff_client.get(url)
        if endpoint in READ_ONLY:
            assert response.status_code in (200, 302), (endpoint, response.status_code)
            for control in ('/edit"', '/delete"', '/new"', '/generate"'):
                assert control not in text(response), (endpoint, control)
        else:
            assert response.status_code == 403, endpoint
        if "POST" in methods:
            assert staff_client.post(url, data={"name": "x"}).status_code == 403, endpoint
    db.session.expire_all()
    assert before == {model: len(all_rows(model)) for model in before}


def test_staff_sees_no_edit_controls(staff_client, event):
    make_theme(event, name="Remobiliser")
    db.session.commit()
    page = text(staff_client.get(f"{BASE}/journee/themes/"))
    assert "Remobiliser" in page
    assert "/edit" not in page and "/delete" not in page and "/new" not in page


def test_anonymous_is_sent_to_login(app, client, event):
    for endpoint, url, methods in _builder_urls(app, event):
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302, (endpoint, method)
            assert "/login" in response.headers["Location"], endpoint


def test_organiser_reaches_every_page(app, organiser_client, event):
    for endpoint, url, _methods in _builder_urls(app, event):
        assert organiser_client.get(url).status_code in (200, 302), endpoint


def test_unticking_every_theme_admits_any_theme(organiser_client, event):
    theme = make_theme(event)
    room = make_room(event, themes=[theme], name="Salle 1")
    db.session.commit()
    response = organiser_client.post(f"{BASE}/journee/rooms/{room.id}/edit", data={
        "name": "Salle 1", "capacity": "60", "tables": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert room.themes == [] and room.step_free is False
    assert "Any theme" in text(organiser_client.get(f"{BASE}/journee/rooms/"))


def test_grid_shows_problems_to_fix(organiser_client, event):
    red, blue = make_theme(event), make_theme(event)
    room = make_room(event, name="Salle rouge", themes=[red])
    lost = make_session(event, make_project(event, blue, name="Égarée"),
                        round=make_round(event), room=room, table_number=1)
    db.session.commit()
    page = text(organiser_client.get(f"{BASE}/journee/grid"))
    assert "Needs attention" in page and "Salle rouge does not admit the theme of Égarée" in page
    # each problem links to what fixes it: here the session's form
    assert (f'<a href="{BASE}/journee/sessions/{lost.id}/edit">Salle rouge does not admit '
            "the theme of Égarée.</a>") in page
    assert "Needs attention" in text(organiser_client.get(f"{BASE}/journee/"))


def test_generate_form_proposes_the_time_after_the_last_round(organiser_client, event):
    make_round(event, "11:50", minutes=20)
    db.session.commit()
    form = text(organiser_client.get(f"{BASE}/journee/rounds/generate"))
    assert 'name="first_start" required type="time" value="12:15"' in form


def test_a_grid_gap_is_filled_in_place(organiser_client, setting):
    event, room, round_, project, other = setting
    grid = text(organiser_client.get(f"{BASE}/journee/grid"))
    cell = f'id="cell-{round_.id}-{room.id}-2"'
    assert cell in grid and f'action="{BASE}/journee/grid/place"' in grid
    # the room admits only red: the blue project is not offered there
    form = grid.split(cell)[1].split("</form>")[0]
    assert f'<option value="{project.id}">TAPAJ' in form and "Solidarité" not in form
    response = organiser_client.post(f"{BASE}/journee/grid/place", data={
        "project": project.id, "round": round_.id, "room": room.id, "table_number": 2})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/manage/events/journee/grid#cell-{round_.id}-{room.id}-2")
    session = db.session.scalar(db.select(Session))
    assert (session.project_id, session.round_id, session.room_id, session.table_number) == \
        (project.id, round_.id, room.id, 2)
    page = text(organiser_client.get(f"{BASE}/journee/grid"))
    assert "TAPAJ presents in Salle 1, table 2, round 1." in page
    # table 1 is still free but TAPAJ presents in this round already: nothing to offer
    assert "free — no project left for this table" in page


def test_placing_in_a_cell_refuses_clearly_and_stays_on_the_grid(organiser_client, setting):
    event, room, round_, project, other = setting
    response = organiser_client.post(f"{BASE}/journee/grid/place", data={
        "project": other.id, "round": round_.id, "room": room.id, "table_number": 1},
        follow_redirects=True)
    page = text(response)
    assert response.request.path == f"{BASE}/journee/grid"
    assert "Salle 1, table 1, round 1 : Salle 1 does not admit the theme Bleu" in page
    assert db.session.scalar(db.select(Session)) is None


def test_generate_the_sessions_of_a_round(organiser_client, event):
    red, blue = make_theme(event, name="Rouge"), make_theme(event, name="Bleu")
    make_room(event, name="Salle rouge", capacity=40, tables=2, themes=[red])
    make_room(event, name="Salle libre", capacity=20)
    r1, r2 = make_round(event, "11:50"), make_round(event, "12:15")
    presenter = make_participant(event, role="presenter")
    names = ["A", "B", "C", "D"]
    projects = [make_project(event, red if i < 3 else blue, name=f"Projet {n}")
                for i, n in enumerate(names)]
    projects[1].presenters = [presenter]
    make_project(event, red, name="Projet jumeau", presenters=[presenter])
    db.session.commit()
    response = organiser_client.post(f"{BASE}/journee/grid/rounds/{r1.id}/generate",
                                     follow_redirects=True)
    page = text(response)
    created = db.session.scalars(db.select(Session).where(Session.round_id == r1.id)).all()
    # 3 tables, 5 projects, two of which share a presenter: 3 placed, 2 left out, said
    assert len(created) == 3
    assert "3 sessions created in round 1." in page
    assert len({s.project_id for s in created}) == 3
    # in order of position: A, B, C take the three tables; D waits, the twin shares B's
    # presenter
    assert {s.project.name for s in created} == {"Projet A", "Projet B", "Projet C"}
    for session in created:
        assert session.room.themes == [] or session.project.theme == red
    assert page.count("Not placed:") == 2
    assert "Not placed: Projet jumeau (a presenter already presents in this round)" in page
    assert "Not placed: Projet D (no free table left)" in page
    # the next round starts with the projects left out; blue D goes to the room that
    # admits any theme
    organiser_client.post(f"{BASE}/journee/grid/rounds/{r2.id}/generate")
    second = {s.project.name: s.room.name for s in db.session.scalars(
        db.select(Session).where(Session.round_id == r2.id))}
    assert second["Projet D"] == "Salle libre" and "Projet jumeau" in second
    assert "Projet B" not in second and len(second) == 3
    # a full round is refused with its reason
    page = text(organiser_client.post(f"{BASE}/journee/grid/rounds/{r1.id}/generate",
                                      follow_redirects=True))
    assert "Every table of Round 1 is taken: nothing to generate." in page


def test_the_grid_costs_few_statements(organiser_client, setting):
    from sqlalchemy import event as sa_event

    event, room, round_, project, other = setting
    organiser_client.get(f"{BASE}/journee/grid")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    for _ in range(20):
        make_participant(event)
    db.session.commit()
    organiser_client.get(f"{BASE}/journee/grid")
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        organiser_client.get(f"{BASE}/journee/grid")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 25, "\n".join(s[:90] for s in statements)


def test_sessions_list_pages_by_hundred(organiser_client, event):
    """Issue 17: 481 sessions in one page weighed 440 KB; the list pages by 100."""
    theme = make_theme(event)
    project = make_project(event, theme, name="TAPAJ")
    for n in range(105):
        make_session(event, project, key=f"s{n:03d}")
    db.session.commit()
    first = text(organiser_client.get(f"{BASE}/journee/sessions/"))
    assert first.count("/sessions/") - first.count("/sessions/new") >= 200  # edit + delete
    assert "Page 1 of 2 (105 sessions)" in first and "Next page" in first
    second = text(organiser_client.get(f"{BASE}/journee/sessions/?page=2"))
    assert second.count('<th scope="row" data-label="Project">TAPAJ') == 5
    assert "Previous page" in second
    assert "Page 2 of 2" in text(organiser_client.get(f"{BASE}/journee/sessions/?page=9"))
