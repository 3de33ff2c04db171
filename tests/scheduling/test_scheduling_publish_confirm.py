"""Publishing asks first: the email as it will be sent, how many receive it, and who has
no email address (participants and presenters), then a confirmation."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.calendars.models import CalendarFeed
from eventapp.extensions import db
from eventapp.registration.models import ParticipantToken
from eventapp.scheduling.models import Assignment, Publication, WorkshopAssignment
from tests.factories import make_participant
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

URL = "/manage/events/small/schedule/publish"


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


@pytest.fixture
def world(app):
    """A complete draft: everybody has a session in both rounds and a workshop; Bruno
    (p2) and the presenter have no email address."""
    world = build_world(capacity=8)
    p1, p2, p3, p4, p5 = world.people
    r1, r2 = world.rounds
    s = world.sessions
    plan = {r1: [(s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5])],
            r2: [(s["gamma-2"], [p1, p2, p3, world.presenter]), (s["alpha-2"], [p4, p5])]}
    for round_, seats in plan.items():
        for session, people in seats:
            db.session.add_all(Assignment(participant_id=p.id, round_id=round_.id,
                                          session_id=session.id) for p in people)
    w1 = world.workshops["w1"]
    db.session.add_all(WorkshopAssignment(participant_id=p.id, slot_id=w1.slot_id,
                                          workshop_id=w1.id)
                       for p in [*world.people, world.presenter])
    p2.email = None
    world.presenter.email = None
    db.session.commit()
    return world


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_overview_asks_before_publishing(world, organiser_client):
    page = organiser_client.get("/manage/events/small/schedule/").get_data(True)
    assert f'href="{URL}"' in page and "Publish to participants…" in page
    assert f'action="{URL}"' not in page  # no one-click publication any more


def test_the_confirmation_counts_names_and_previews_without_writing(world, organiser_client):
    speaker = make_participant(world.event, key="pia", first_name="Pia", last_name="Parle",
                               email=None, role="presenter")
    world.projects["beta"].presenters.append(speaker)
    db.session.commit()
    tokens, feeds = _count(ParticipantToken), _count(CalendarFeed)
    response = organiser_client.get(URL)
    assert response.status_code == 200
    page = response.get_data(True)
    assert "Publish version 1?" in page
    # 6 seated people, 2 of them without an address: 4 emails
    assert "Publish and send 4 emails" in page
    assert "Bruno Test2" in page and "Paula Presenter" in page
    # a presenter with no seat and no address is named too
    assert "Presenters (1)" in page and "Pia Parle" in page
    assert "Told nothing: no email address" in page
    # the first recipient's email, with their day, and no real link in it
    email = page.split("Subject:")[1]
    assert f"Votre programme pour {world.event.name}" in email  # the recipient's language
    assert "(their personal link)" in email and "/p/" not in email
    assert "11\u00a0h\u00a050–12\u00a0h\u00a010" in email and "Alpha" in email
    assert (_count(ParticipantToken), _count(CalendarFeed)) == (tokens, feeds)
    assert _count(Publication) == 0


@pytest.mark.truncate_db
def test_confirming_publishes(app, organiser_client):
    world = build_world()
    world.people[1].email = None
    db.session.commit()
    solve_and_accept(world.event)
    page = organiser_client.get(URL).get_data(True)
    assert "Publish and send 5 emails" in page  # 5 people and the presenter, Bruno has none
    response = organiser_client.post(URL, follow_redirects=True)
    assert response.status_code == 200
    assert _count(Publication) == 1
    assert "5 received it by email" in response.get_data(True)


@contextmanager
def _counting():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def test_the_confirmation_costs_the_same_statements_for_more_people(world, organiser_client):
    organiser_client.get(URL)
    with _counting() as few:
        organiser_client.get(URL)
    r1, r2 = world.rounds
    w1 = world.workshops["w1"]
    for i in range(25):
        person = make_participant(world.event, key=f"more{i}", email=None if i % 2 else
                                  f"more{i}@example.org")
        db.session.flush()
        db.session.add_all([
            Assignment(participant_id=person.id, round_id=r1.id,
                       session_id=world.sessions["beta-1"].id),
            Assignment(participant_id=person.id, round_id=r2.id,
                       session_id=world.sessions["alpha-2"].id),
            WorkshopAssignment(participant_id=person.id, slot_id=w1.slot_id,
                               workshop_id=w1.id)])
    db.session.commit()
    organiser_client.get(URL)
    with _counting() as many:
        organiser_client.get(URL)
    assert len(many) == len(few), "\n".join(s[:90] for s in many)


def test_the_review_tags_only_cells_worth_a_look(world, organiser_client):
    """A "low" tag on every cell said nothing; the fill count is there already."""
    page = organiser_client.get("/manage/events/small/schedule/").get_data(True)
    assert 'class="fill-count"' in page
    assert "level-low" not in page and ">low<" not in page


def test_the_confirmation_says_which_session_is_under_its_minimum(world, organiser_client):
    gamma = world.sessions["gamma-2"]  # 4 people seated
    gamma.min_audience = 5
    db.session.commit()
    page = organiser_client.get(URL).get_data(True)
    assert "Publishing is refused while a session is under its minimum audience" in page
    assert f"/sessions/{gamma.id}/edit" in page
    assert "Gamma</a> — Round 2 · Salle A : 4 participant(s), minimum 5" in page
    assert "Publish and send" not in page


def test_the_confirmation_names_who_sees_too_few_themes(world, organiser_client):
    """Theme variety broken by a "move anyway": named, with a link, and no publish button."""
    world.event.scheduling_options = {**(world.event.scheduling_options or {}),
                                      "min_distinct_themes": 2}
    db.session.commit()
    page = organiser_client.get(URL).get_data(True)
    # Ada sees Alpha (red) then Gamma (red): one theme of the two asked
    assert "Publishing is refused while someone sees too few themes" in page
    ada = world.people[0]
    assert f'/participants/{ada.id}">Ada Test1</a> : 1 theme(s), the event asks for 2' in page
    assert "Publish and send" not in page
