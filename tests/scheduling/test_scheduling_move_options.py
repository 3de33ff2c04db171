"""A hand move offers only what is possible: free seats on every option, the forbidden
ones disabled with their reason in words; the minimum audience is judged the same way
when leaving and when joining; "move anyway" breaks a soft rule on purpose, recorded."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.scheduling import operations
from eventapp.scheduling.models import Assignment, MoveOverride, WorkshopAssignment
from eventapp.scheduling.operations import SchedulingError
from tests.factories import make_participant, make_session
from tests.scheduling_world import build_world


@pytest.fixture
def world(app):
    """Round 1: Alpha (Salle A) has p1 p2 p3, Beta (Salle B, steps) has p4 p5;
    round 2: Gamma (A) has p1 p2 p3, Alpha (B) has p4 p5."""
    world = build_world(capacity=6)
    p1, p2, p3, p4, p5 = world.people
    r1, r2 = world.rounds
    s = world.sessions
    plan = {r1: [(s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5])],
            r2: [(s["gamma-2"], [p1, p2, p3]), (s["alpha-2"], [p4, p5])]}
    for round_, seats in plan.items():
        for session, people in seats:
            db.session.add_all(Assignment(participant_id=p.id, round_id=round_.id,
                                          session_id=session.id) for p in people)
    db.session.commit()
    return world


def _page(client, person) -> str:
    response = client.get(f"/manage/events/small/schedule/participants/{person.id}")
    assert response.status_code == 200
    return response.get_data(True)


def _option(page: str, prefix: str, session_id: int) -> str:
    """The <option> of ``session_id`` in the select named ``prefix``-target."""
    select_html = re.search(rf'<select[^>]*name="{prefix}-target".*?</select>', page, re.S)
    assert select_html, page
    match = re.search(rf'<option[^>]*value="{session_id}"[^>]*>[^<]*</option>',
                      select_html.group(0))
    assert match, select_html.group(0)
    return match.group(0)


def _session_of(person, round_) -> int | None:
    return db.session.scalar(select(Assignment.session_id).where(
        Assignment.participant_id == person.id, Assignment.round_id == round_.id))


def test_options_show_free_seats_and_the_reason_they_are_closed(world, organiser_client):
    r1, r2 = world.rounds
    p1 = world.people[0]
    p1.needs_step_free = True
    db.session.commit()
    page = _page(organiser_client, p1)
    current = _option(page, f"round-{r1.id}", world.sessions["alpha-1"].id)
    assert "disabled" not in current and "(current place)" in current
    # Beta is in Salle B, which has steps: closed, with the reason in words
    beta = _option(page, f"round-{r1.id}", world.sessions["beta-1"].id)
    assert "disabled" in beta
    assert "not possible: Accessibility: Ada Test1 needs step-free access" in beta
    # p4 sees Alpha in round 2: Alpha in round 1 would be the same project twice
    page = _page(organiser_client, world.people[3])
    alpha1 = _option(page, f"round-{r1.id}", world.sessions["alpha-1"].id)
    assert "disabled" in alpha1 and "Same project twice" in alpha1
    assert "Gamma" in _option(page, f"round-{r2.id}", world.sessions["gamma-2"].id)


def test_an_allowed_option_says_its_free_seats(world, organiser_client):
    r2 = world.rounds[1]
    p4 = world.people[3]  # in Alpha in round 2; Gamma has 3 of 6 taken
    page = _page(organiser_client, p4)
    gamma = _option(page, f"round-{r2.id}", world.sessions["gamma-2"].id)
    assert "disabled" not in gamma and "3 free seats" in gamma


def test_presenting_round_and_minimum_audience_are_closed(world, organiser_client):
    r1 = world.rounds[0]
    presenter = world.presenter
    page = _page(organiser_client, presenter)
    beta = _option(page, f"round-{r1.id}", world.sessions["beta-1"].id)
    assert "disabled" in beta and "Presenter busy" in beta
    alpha = world.sessions["alpha-1"]
    alpha.min_audience = 3
    db.session.commit()
    page = _page(organiser_client, world.people[0])
    beta = _option(page, f"round-{r1.id}", world.sessions["beta-1"].id)
    assert "disabled" in beta
    assert "Minimum audience: “Alpha” would keep only 2 participants" in beta
    # soft: offered again in the "move anyway" form, enabled
    anyway = _option(page, f"anyway-round-{r1.id}", world.sessions["beta-1"].id)
    assert "disabled" not in anyway


def test_joining_an_empty_session_is_judged_like_leaving_one(world):
    r1 = world.rounds[0]
    empty = make_session(world.event, world.projects["delta"], key="delta-1", round=r1,
                         room=world.rooms["a"], table_number=2, min_audience=3)
    world.rooms["a"].tables = 2
    db.session.commit()
    with pytest.raises(SchedulingError, match="“Delta” has nobody yet"):
        operations.move_to_session(world.event, world.people[0], empty, pin=False)
    db.session.rollback()
    assert _session_of(world.people[0], r1) == world.sessions["alpha-1"].id


def test_move_anyway_breaks_a_soft_rule_and_is_recorded(world, organiser_client, organiser):
    r1 = world.rounds[0]
    alpha, beta = world.sessions["alpha-1"], world.sessions["beta-1"]
    alpha.min_audience = 3
    db.session.commit()
    p1 = world.people[0]
    url = f"/manage/events/small/schedule/participants/{p1.id}/rounds/{r1.id}"
    refused = organiser_client.post(url, data={f"round-{r1.id}-target": beta.id})
    assert refused.status_code == 409 and _session_of(p1, r1) == alpha.id
    response = organiser_client.post(f"{url}/anyway",
                                     data={f"anyway-round-{r1.id}-target": beta.id},
                                     follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    assert _session_of(p1, r1) == beta.id
    row = db.session.scalar(select(MoveOverride))
    assert (row.rule, row.user_id, row.participant_id, row.when_key, row.to_key) == \
        ("min_audience", organiser.id, p1.id, r1.key, beta.key)
    page = response.get_data(True)
    assert "Moved anyway" in page and "minimum audience (the session left)" in page
    assert organiser.email in page


def test_move_anyway_never_breaks_a_hard_rule(world, organiser_client):
    r1 = world.rounds[0]
    p1 = world.people[0]
    p1.needs_step_free = True
    db.session.commit()
    url = f"/manage/events/small/schedule/participants/{p1.id}/rounds/{r1.id}/anyway"
    response = organiser_client.post(url, data={
        f"anyway-round-{r1.id}-target": world.sessions["beta-1"].id})
    assert response.status_code == 409
    assert "needs step-free access" in response.get_data(True)
    db.session.expire_all()
    assert _session_of(p1, r1) == world.sessions["alpha-1"].id
    assert db.session.scalar(select(MoveOverride)) is None


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


def _more_people(world, count: int) -> None:
    r1, r2 = world.rounds
    for i in range(count):
        person = make_participant(world.event, key=f"extra{len(world.people) + i}")
        db.session.flush()
        db.session.add(Assignment(participant_id=person.id, round_id=r1.id,
                                  session_id=world.sessions["beta-1"].id))
        db.session.add(Assignment(participant_id=person.id, round_id=r2.id,
                                  session_id=world.sessions["alpha-2"].id))
        slot = world.workshops["w1"].slot_id
        db.session.add(WorkshopAssignment(participant_id=person.id, slot_id=slot,
                                          workshop_id=world.workshops["w1"].id))
    for session in world.sessions.values():
        session.capacity = 200
    world.rooms["a"].capacity = world.rooms["b"].capacity = 200
    db.session.commit()


def test_the_move_page_costs_the_same_statements_for_more_people(world, organiser_client):
    person = world.people[0]
    _page(organiser_client, person)  # warm up (session, caches)
    with _counting() as few:
        _page(organiser_client, person)
    _more_people(world, 30)
    _page(organiser_client, person)
    with _counting() as many:
        _page(organiser_client, person)
    assert len(many) == len(few), "\n".join(s[:90] for s in many)


def test_the_participants_list_costs_the_same_statements_for_more_people(world,
                                                                         organiser_client):
    url = "/manage/events/small/schedule/participants"
    organiser_client.get(url)
    with _counting() as few:
        page = organiser_client.get(url).get_data(True)
    assert "Presents: Alpha" in page  # the presenter's rounds, not "—"
    _more_people(world, 30)
    organiser_client.get(url)
    with _counting() as many:
        organiser_client.get(url)
    assert len(many) == len(few), "\n".join(s[:90] for s in many)
