"""Manual moves: each rule refuses with its name; a move succeeds and a pin survives a
re-solve; the last seat is never taken twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.registration.models import Participant
from eventapp.scheduling import operations
from eventapp.scheduling.models import Assignment, WorkshopAssignment
from eventapp.scheduling.operations import SchedulingError
from tests.concurrency import run_concurrently
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

# Solve jobs run in a thread and write through connections of their own.
pytestmark = pytest.mark.truncate_db


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


@pytest.fixture
def world(app):
    """The small world with a known draft (3 in Alpha and 2 in Beta in round 1...)."""
    world = build_world()
    p1, p2, p3, p4, p5 = world.people
    r1, r2 = world.rounds
    s = world.sessions
    plan = {r1: [(s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5])],
            r2: [(s["gamma-2"], [p1, p2, p3]), (s["alpha-2"], [p4, p5])]}
    for round_, seats in plan.items():
        for session, people in seats:
            db.session.add_all(Assignment(participant_id=p.id, round_id=round_.id,
                                          session_id=session.id) for p in people)
    w1, w2 = world.workshops["w1"], world.workshops["w2"]
    for workshop, people in ((w1, [p1, p2, p3]), (w2, [p4, p5, world.presenter])):
        db.session.add_all(WorkshopAssignment(participant_id=p.id, slot_id=workshop.slot_id,
                                              workshop_id=workshop.id) for p in people)
    db.session.commit()
    return world


def _session_of(person, round_) -> int | None:
    return db.session.scalar(select(Assignment.session_id).where(
        Assignment.participant_id == person.id, Assignment.round_id == round_.id))


def _attendance(session) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.session_id == session.id))


def _person_in(world, session):
    return next(p for p in world.people if _session_of(p, session.round) == session.id)


def _fill(world, session, seats: int):
    """Set a session's capacity to its current attendance plus ``seats``."""
    session.capacity = _attendance(session) + seats
    db.session.commit()


def _move_url(world, person, round_) -> str:
    return f"/manage/events/small/schedule/participants/{person.id}/rounds/{round_.id}"


def test_move_refused_when_the_session_is_full(world, organiser_client):
    r1 = world.rounds[0]
    target = world.sessions["beta-1"]
    _fill(world, target, 0)
    person = _person_in(world, world.sessions["alpha-1"])
    before = _session_of(person, r1)
    response = organiser_client.post(_move_url(world, person, r1), data={
        f"round-{r1.id}-target": target.id})
    assert response.status_code == 409
    page = response.get_data(True)
    assert "Capacity:" in page and "Beta" in page and "no seat left" in page
    db.session.expire_all()
    assert _session_of(person, r1) == before  # nothing lost


def test_move_refused_when_the_room_is_full(world):
    room = world.rooms["b"]
    room.capacity = _attendance(world.sessions["beta-1"])
    world.sessions["beta-1"].capacity = 10  # the session has seats, the room does not
    db.session.commit()
    person = _person_in(world, world.sessions["alpha-1"])
    with pytest.raises(SchedulingError, match="room “Salle B” is full"):
        operations.move_to_session(world.event, person, world.sessions["beta-1"], pin=False)


def test_move_refused_for_the_same_project_twice(world):
    r1, r2 = world.rounds
    person = _person_in(world, world.sessions["alpha-1"])
    if _session_of(person, r2) == world.sessions["alpha-2"].id:
        pytest.fail("the solver seated someone twice at Alpha")
    world.sessions["alpha-2"].capacity = 10
    db.session.commit()
    with pytest.raises(SchedulingError, match="Same project twice: .* “Alpha”"):
        operations.move_to_session(world.event, person, world.sessions["alpha-2"], pin=False)


def test_move_refused_while_the_presenter_presents(world):
    presenter = world.presenter
    world.sessions["gamma-2"].capacity = 10
    db.session.commit()
    with pytest.raises(SchedulingError, match="Presenter busy: Paula Presenter presents"):
        operations.move_to_session(world.event, presenter, world.sessions["gamma-2"], pin=False)


def test_move_refused_without_step_free_access(world):
    r1 = world.rounds[0]
    person = _person_in(world, world.sessions["alpha-1"])  # Salle A is step-free
    person.needs_step_free = True
    world.sessions["beta-1"].capacity = 10
    db.session.commit()
    with pytest.raises(SchedulingError, match="Accessibility: .* “Salle B” is not step-free"):
        operations.move_to_session(world.event, person, world.sessions["beta-1"], pin=False)
    assert _session_of(person, r1) == world.sessions["alpha-1"].id


def test_move_refused_in_an_unavailable_round(world):
    r1 = world.rounds[0]
    person = _person_in(world, world.sessions["alpha-1"])
    person.unavailable_rounds = [r1]
    world.sessions["beta-1"].capacity = 10
    db.session.commit()
    with pytest.raises(SchedulingError, match="Unavailable: .* not available during this round"):
        operations.move_to_session(world.event, person, world.sessions["beta-1"], pin=False)


def test_move_refused_below_the_minimum_audience(world):
    source = world.sessions["alpha-1"]
    source.min_audience = _attendance(source)
    world.sessions["beta-1"].capacity = 10
    db.session.commit()
    person = _person_in(world, source)
    with pytest.raises(SchedulingError, match="Minimum audience: “Alpha”"):
        operations.move_to_session(world.event, person, world.sessions["beta-1"], pin=False)


def test_workshop_move_refused_when_full_and_accepted_otherwise(world, organiser_client):
    w1, w2 = world.workshops["w1"], world.workshops["w2"]
    person = db.session.scalar(select(Participant).join(
        WorkshopAssignment, WorkshopAssignment.participant_id == Participant.id).where(
        WorkshopAssignment.workshop_id == w1.id).limit(1))
    taken = db.session.scalar(select(func.count()).select_from(WorkshopAssignment).where(
        WorkshopAssignment.workshop_id == w2.id))
    w2.capacity = taken
    db.session.commit()
    url = f"/manage/events/small/schedule/participants/{person.id}/slots/{w2.slot_id}"
    response = organiser_client.post(url, data={f"slot-{w2.slot_id}-target": w2.id})
    assert response.status_code == 409 and "Capacity: the workshop “Atelier Deux” is full" \
        in response.get_data(True)
    w2.capacity = taken + 1
    db.session.commit()
    response = organiser_client.post(url, data={f"slot-{w2.slot_id}-target": w2.id,
                                                f"slot-{w2.slot_id}-pinned": "y"})
    assert response.status_code == 302
    row = db.session.scalar(select(WorkshopAssignment).where(
        WorkshopAssignment.participant_id == person.id))
    assert row.workshop_id == w2.id and row.pinned


def test_a_pinned_move_survives_the_next_solve(world, organiser_client):
    r1 = world.rounds[0]
    alpha, beta = world.sessions["alpha-1"], world.sessions["beta-1"]
    # someone who wished for Alpha first and got it: moving them away is costly, so only
    # the pin can keep them in Beta after a re-solve
    person = world.people[0]
    assert person.project_wishes[0].project.key == "alpha"
    assert _session_of(person, r1) == alpha.id
    beta.capacity = _attendance(beta) + 1
    db.session.commit()
    response = organiser_client.post(_move_url(world, person, r1), data={
        f"round-{r1.id}-target": beta.id, f"round-{r1.id}-pinned": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.scalar(select(Assignment).where(
        Assignment.participant_id == person.id, Assignment.round_id == r1.id))
    assert row.session_id == beta.id and row.pinned
    page = organiser_client.get(f"/manage/events/small/schedule/participants/{person.id}")
    assert 'checked' in page.get_data(True)
    job = solve_and_accept(world.event)
    entry = next(a for a in job.solution["assignments"] if a["participant"] == person.key)
    assert job.instance["participants"][[p["id"] for p in job.instance["participants"]]
                                        .index(person.key)]["fixed"] == {"r1": "beta-1"}
    assert entry["sessions"]["r1"] == "beta-1"
    db.session.expire_all()
    row = db.session.scalar(select(Assignment).where(
        Assignment.participant_id == person.id, Assignment.round_id == r1.id))
    assert row.session_id == beta.id and row.pinned


def test_unpinning_through_the_same_form(world, organiser_client):
    r1 = world.rounds[0]
    person = _person_in(world, world.sessions["alpha-1"])
    url = _move_url(world, person, r1)
    current = world.sessions["alpha-1"].id
    organiser_client.post(url, data={f"round-{r1.id}-target": current,
                                     f"round-{r1.id}-pinned": "y"})
    assert db.session.scalar(select(Assignment.pinned).where(
        Assignment.participant_id == person.id, Assignment.round_id == r1.id))
    organiser_client.post(url, data={f"round-{r1.id}-target": current})
    db.session.expire_all()
    assert not db.session.scalar(select(Assignment.pinned).where(
        Assignment.participant_id == person.id, Assignment.round_id == r1.id))


def test_bad_target_is_a_clear_form_error(world, organiser_client):
    r1 = world.rounds[0]
    person = world.people[0]
    response = organiser_client.post(_move_url(world, person, r1), data={
        f"round-{r1.id}-target": world.sessions["gamma-2"].id})  # a session of round 2
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(True)


def test_the_last_seat_is_taken_once_under_concurrency(world, app):
    """Two organisers move two people into the last seat at the same moment."""
    r1 = world.rounds[0]
    beta = world.sessions["beta-1"]
    movers = [p for p in world.people if _session_of(p, r1) == world.sessions["alpha-1"].id][:2]
    _fill(world, beta, 1)
    world.rooms["b"].capacity = 50
    db.session.commit()
    ids = [p.id for p in movers]
    event_id, beta_id = world.event.id, beta.id

    def attempt(person_id: int, start) -> str:
        from eventapp.events.models import Event
        from eventapp.programme.models import Session

        event = db.session.get(Event, event_id)
        person = db.session.get(Participant, person_id)
        target = db.session.get(Session, beta_id)
        start()
        operations.move_to_session(event, person, target, pin=False)
        return "moved"

    # On SQLite the loser may also meet "database is locked": an error, never a second move.
    outcomes = run_concurrently(app, attempt, ids, refusals=(SchedulingError,))
    db.session.expire_all()
    assert outcomes.count("moved") == 1, outcomes
    assert _attendance(beta) == beta.capacity


def test_move_refused_when_it_breaks_theme_variety(world):
    world.event.scheduling_options = {"min_distinct_themes": 2}
    p4 = world.people[3]  # Beta (blue) in round 1, Alpha (red) in round 2
    world.sessions["alpha-1"].capacity = 10
    db.session.commit()
    # moving p4 to Alpha in round 1 would be the same project twice; to Gamma (red) in
    # round 2 with Beta kept is fine; after that, Alpha (red) in round 1 would leave red only
    operations.move_to_session(world.event, p4, world.sessions["gamma-2"], pin=False)
    db.session.commit()
    with pytest.raises(SchedulingError, match="Theme variety: .* only 1 different theme"):
        operations.move_to_session(world.event, p4, world.sessions["alpha-1"], pin=False)


def test_participant_page_offers_no_place_when_unseated(world, organiser_client):
    from tests.factories import make_participant

    late = make_participant(world.event, key="late")
    late.unavailable_rounds = [world.rounds[1]]
    db.session.commit()
    page = organiser_client.get(
        f"/manage/events/small/schedule/participants/{late.id}").get_data(True)
    assert "— no place —" in page and "Not available in this round." in page
    r1 = world.rounds[0]
    response = organiser_client.post(_move_url(world, late, r1),
                                     data={f"round-{r1.id}-target": 0})
    assert response.status_code == 400 and "Choose a place." in response.get_data(True)
    response = organiser_client.post(_move_url(world, late, r1),
                                     data={f"round-{r1.id}-target": world.sessions["beta-1"].id})
    assert response.status_code == 302
    assert _session_of(late, r1) == world.sessions["beta-1"].id


def test_a_cancelled_participant_frees_their_seat(world):
    beta = world.sessions["beta-1"]
    _fill(world, beta, 0)
    p4 = world.people[3]  # in Beta in round 1
    p4.status = "cancelled"
    db.session.commit()
    p1 = world.people[0]
    operations.move_to_session(world.event, p1, beta, pin=False)
    db.session.commit()
    assert _session_of(p1, world.rounds[0]) == beta.id


def test_a_move_into_a_thin_session_warns_about_its_minimum_audience(world, organiser_client):
    r1 = world.rounds[0]
    target = world.sessions["beta-1"]
    target.min_audience = 4  # Beta has 2 people in round 1; a third is still too few
    db.session.commit()
    person = _person_in(world, world.sessions["alpha-1"])
    response = organiser_client.post(_move_url(world, person, r1), data={
        f"round-{r1.id}-target": target.id}, follow_redirects=True)
    page = response.get_data(True)
    assert "place is updated" in page
    assert "now has 3 participant(s), below its minimum audience of 4" in page
    target.min_audience = 3
    db.session.commit()
    other = _person_in(world, world.sessions["alpha-1"])
    quiet = organiser_client.post(_move_url(world, other, r1), data={
        f"round-{r1.id}-target": target.id}, follow_redirects=True).get_data(True)
    assert "place is updated" in quiet and "minimum audience" not in quiet
