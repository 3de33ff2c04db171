"""Participants switch a session or workshop themselves after publication.

Availability words, each rule's refusal, what a switch changes (assignment, published
snapshot, the participant's day, not an organiser change), the organiser's count, the
token, the opening window, and the last seat under concurrency (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.programme.models import Round
from eventapp.registration.models import Participant
from eventapp.registration.tokens import PORTAL, issue_token
from eventapp.scheduling import operations
from eventapp.scheduling.models import (
    Assignment,
    PublishedSchedule,
    ScheduleSwitch,
    WorkshopAssignment,
)
from eventapp.scheduling.operations import SchedulingError
from eventapp.scheduling.queries import (
    availability,
    latest_publication,
    participant_day,
    publication_changes,
    session_options,
    switch_summary,
    switching_closes_at,
    switching_state,
    workshop_options,
)
from tests.concurrency import run_concurrently
from tests.factories import read_outbox
from tests.scheduling_world import build_world

FUTURE = date.today() + timedelta(days=60)


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


def _seat(person, session) -> None:
    db.session.add(Assignment(participant_id=person.id, round_id=session.round_id,
                              session_id=session.id))


def _publish(event):
    publication = operations.publish(event, None)
    db.session.commit()
    return publication


@pytest.fixture
def world(app):
    """The small world, published: round 1 Alpha (Salle A) p1-p3, Beta (Salle B) p4-p5;
    round 2 Gamma (A) p1-p3, Alpha (B) p4-p5; workshops Un p1-p3, Deux p4, p5 and the
    presenter. Rooms and sessions hold 4. The event is in the future: switching is open."""
    world = build_world()
    world.event.date = FUTURE
    p1, p2, p3, p4, p5 = world.people
    s = world.sessions
    for session, people in ((s["alpha-1"], [p1, p2, p3]), (s["beta-1"], [p4, p5]),
                            (s["gamma-2"], [p1, p2, p3]), (s["alpha-2"], [p4, p5])):
        for person in people:
            _seat(person, session)
    w1, w2 = world.workshops["w1"], world.workshops["w2"]
    for workshop, people in ((w1, [p1, p2, p3]), (w2, [p4, p5, world.presenter])):
        db.session.add_all(WorkshopAssignment(participant_id=p.id, slot_id=workshop.slot_id,
                                              workshop_id=workshop.id) for p in people)
    db.session.commit()
    _publish(world.event)
    return world


def _session_of(person, round_) -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(Assignment.session_id).where(
        Assignment.participant_id == person.id, Assignment.round_id == round_.id))


def _snapshot(person) -> PublishedSchedule:
    db.session.expire_all()
    return db.session.scalar(select(PublishedSchedule).where(
        PublishedSchedule.participant_id == person.id,
        PublishedSchedule.publication_id == latest_publication(person.event).id))


def _url(token: str, round_=None, slot=None) -> str:
    if round_ is not None:
        return f"/p/{token}/rounds/{round_.id}/change"
    return f"/p/{token}/workshops/{slot.id}/change"


def _token(person) -> str:
    token = issue_token(person, PORTAL)
    db.session.commit()
    return token


# --- availability words ----------------------------------------------------------------

@pytest.mark.parametrize("left, capacity, expected", [
    (0, 8, "full"), (-1, 8, "full"), (1, 8, "almost_full"), (2, 8, "almost_full"),
    (3, 8, "free"), (2, 20, "almost_full"), (3, 20, "free"), (4, 40, "almost_full"),
    (5, 40, "free"), (10, 100, "almost_full"), (11, 100, "free"), (1, 1, "almost_full"),
])
def test_availability_thresholds(left, capacity, expected):
    """Almost full: at most 2 seats left, or at most 10 % of the capacity."""
    assert availability(left, capacity) == expected


def test_options_count_session_and_room_seats(world):
    p1 = world.people[0]
    r1 = world.rounds[0]
    options = {o.target.key: o for o in session_options(p1, r1)}
    assert options["alpha-1"].is_current and not options["beta-1"].is_current
    assert options["beta-1"].seats_left == 2 and options["beta-1"].availability == "almost_full"
    world.sessions["beta-1"].capacity = 10
    world.rooms["b"].capacity = 3  # the room is tighter than the session
    db.session.commit()
    beta = next(o for o in session_options(p1, r1) if o.target.key == "beta-1")
    assert beta.seats_left == 1 and beta.availability_label == "Almost full"
    world.rooms["b"].capacity = 2
    db.session.commit()
    beta = next(o for o in session_options(p1, r1) if o.target.key == "beta-1")
    assert beta.seats_left == 0 and beta.availability_label == "Full"
    slot = world.workshops["w1"].slot
    workshops = {o.target.key: o for o in workshop_options(p1, slot)}
    assert workshops["w1"].is_current and workshops["w2"].seats_left == 1


# --- a successful switch ---------------------------------------------------------------

def test_switch_changes_assignment_snapshot_day_and_is_logged(world, client, app):
    p1 = world.people[0]
    r1 = world.rounds[0]
    beta = world.sessions["beta-1"]
    token = _token(p1)
    page = client.get(_url(token, r1))
    html = page.get_data(True)
    assert page.status_code == 200
    assert "Your current place" in html and "Beta" in html and "bleu" in html
    assert "Former" in html and "Almost full" in html and "Take this seat" in html
    assert 'style="' not in html

    response = client.post(_url(token, r1), data={"target": beta.id})
    assert response.status_code == 302 and response.location.endswith(f"/p/{token}/")
    assert _session_of(p1, r1) == beta.id
    snapshot = _snapshot(p1)
    assert snapshot.sessions["r1"] == "beta-1" and snapshot.rooms["r1"] == "b"
    assert snapshot.sessions["r2"] == "gamma-2"  # the other round is untouched
    day = participant_day(p1)
    assert day[0].session.key == "beta-1" and day[0].room_name == "Salle B"
    # not an organiser change: nothing to announce when publishing again
    assert publication_changes(world.event) == []
    [switch] = db.session.scalars(select(ScheduleSwitch)).all()
    assert (switch.kind, switch.when_key, switch.from_key, switch.to_key) == \
        ("session", "r1", "alpha-1", "beta-1")
    home = client.get(f"/p/{token}/").get_data(True)
    assert "Done: your programme is changed" in home and "Beta" in home
    [message] = read_outbox(app)
    # Emails speak the participant's language, French by default.
    assert message["To"] == p1.email and "Changement enregistré" in message["Subject"]
    assert "Beta" in message.get_body(("plain",)).get_content()


def test_switch_survives_republication_without_being_reported(world):
    p1, p2 = world.people[:2]
    r1 = world.rounds[0]
    operations.switch_session(p1, world.sessions["beta-1"])
    db.session.commit()
    # the organiser moves someone else, then publishes again
    operations.move_to_session(world.event, p2, world.sessions["beta-1"], pin=False)
    db.session.commit()
    assert [c.participant.id for c in publication_changes(world.event)] == [p2.id]
    publication = _publish(world.event)
    moved = [c.participant.id for c in publication_changes(world.event, publication.version)]
    assert moved == [p2.id]  # p1's own switch is not announced to them as a change
    assert participant_day(p1)[0].session.key == "beta-1"
    assert _session_of(p1, r1) == world.sessions["beta-1"].id
    # the count is "since the latest publication"
    assert switch_summary_count(world) == 0


def switch_summary_count(world) -> int:
    from eventapp.scheduling.catalogue import ScheduleCatalogue as Catalogue

    return switch_summary(Catalogue.load(world.event)).count


def test_workshop_switch(world, client):
    p1 = world.people[0]
    w2 = world.workshops["w2"]
    token = _token(p1)
    response = client.post(_url(token, slot=w2.slot), data={"target": w2.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(WorkshopAssignment.workshop_id).where(
        WorkshopAssignment.participant_id == p1.id)) == w2.id
    snapshot = _snapshot(p1)
    assert snapshot.workshops["ateliers"] == "w2" and snapshot.rooms["ateliers"] == "b"
    assert [i.title for i in participant_day(p1) if i.kind == "workshop"] == ["Atelier Deux"]
    assert publication_changes(world.event) == []


def test_workshop_full_is_refused_and_shown_without_button(world, client):
    p1 = world.people[0]
    w2 = world.workshops["w2"]
    w2.capacity = 3
    db.session.commit()
    token = _token(p1)
    html = client.get(_url(token, slot=w2.slot)).get_data(True)
    assert "Full" in html and "Not possible:" in html and "This workshop is full" in html
    assert f'value="{w2.id}"' not in html
    response = client.post(_url(token, slot=w2.slot), data={"target": w2.id})
    assert response.status_code == 409
    assert "This workshop is full" in response.get_data(True)


def test_organiser_overview_counts_the_switches(world, organiser_client):
    operations.switch_session(world.people[0], world.sessions["beta-1"])
    db.session.commit()
    html = organiser_client.get("/manage/events/small/schedule/").get_data(True)
    assert "Changes made by participants themselves" in html
    assert "1 change(s) by 1 participant(s) since version 1" in html
    assert "Alpha" in html and "Beta" in html


# --- refusals, one per rule ------------------------------------------------------------

def _refused(world, person, target, match: str, rule: str | None = None):
    switch = operations.switch_session if hasattr(target, "round_id") \
        else operations.switch_workshop
    with pytest.raises(SchedulingError, match=match) as refused:
        switch(person, target)
    db.session.rollback()
    if rule:
        assert refused.value.rule == rule
    return refused.value


def test_refused_when_the_session_is_full(world, client):
    p1 = world.people[0]
    beta = world.sessions["beta-1"]
    beta.capacity = 2
    db.session.commit()
    _refused(world, p1, beta, "This presentation is full: “Beta”", "session_full")
    token = _token(p1)
    html = client.get(_url(token, world.rounds[0])).get_data(True)
    assert "This presentation is full" in html and f'value="{beta.id}"' not in html
    response = client.post(_url(token, world.rounds[0]), data={"target": beta.id})
    assert response.status_code == 409
    assert "This presentation is full" in response.get_data(True)
    assert _session_of(p1, world.rounds[0]) == world.sessions["alpha-1"].id


def test_refused_when_the_room_is_full(world):
    world.sessions["beta-1"].capacity = 10
    world.rooms["b"].capacity = 2
    db.session.commit()
    _refused(world, world.people[0], world.sessions["beta-1"],
             "room “Salle B” has no seat left", "room_full")


def test_refused_the_same_project_twice(world):
    p4 = world.people[3]  # Beta in round 1, Alpha in round 2
    world.sessions["alpha-1"].capacity = 10
    world.rooms["a"].capacity = 10
    db.session.commit()
    _refused(world, p4, world.sessions["alpha-1"], "You already see “Alpha” in round 2",
             "same_project")


def test_refused_while_presenting(world):
    _refused(world, world.presenter, world.sessions["beta-1"],
             "You present your own project during this round", "presenter_busy")


def test_refused_without_step_free_access(world):
    p1 = world.people[0]
    p1.needs_step_free = True
    db.session.commit()
    _refused(world, p1, world.sessions["beta-1"], "Room “Salle B” has no step-free access",
             "step_free")
    _refused(world, p1, world.workshops["w2"], "Room “Salle B” has no step-free access",
             "step_free")


def test_refused_when_unavailable(world):
    p1 = world.people[0]
    p1.unavailable_rounds = [world.rounds[0]]
    p1.unavailable_slots = [world.workshops["w2"].slot]
    db.session.commit()
    _refused(world, p1, world.sessions["beta-1"], "not available during this round",
             "unavailable_round")
    _refused(world, p1, world.workshops["w2"], "not available during these workshops",
             "unavailable_slot")


def test_refused_when_it_breaks_theme_variety(world):
    world.event.scheduling_options = {"min_distinct_themes": 2}
    # p4: Beta (blue) then Alpha (red); Gamma made blue: Beta + Gamma = blue only
    world.projects["gamma"].theme_id = world.projects["beta"].theme_id
    world.sessions["gamma-2"].capacity = 10
    world.rooms["a"].capacity = 10
    db.session.commit()
    _refused(world, world.people[3], world.sessions["gamma-2"],
             "you would see only 1 different theme", "theme_variety")


def test_refused_when_leaving_breaks_the_minimum_audience(world):
    world.sessions["alpha-1"].min_audience = 3
    db.session.commit()
    _refused(world, world.people[0], world.sessions["beta-1"],
             "“Alpha” needs at least 3 participants and would keep only 2", "min_audience")


def test_refused_when_the_organisers_pinned_the_place(world):
    p1 = world.people[0]
    operations.set_pinned(p1, round_id=world.rounds[0].id, pinned=True)
    db.session.commit()
    _refused(world, p1, world.sessions["beta-1"], "The organisers chose your place")


def test_refused_for_the_current_session_and_a_session_of_another_round(world, client):
    p1 = world.people[0]
    _refused(world, p1, world.sessions["alpha-1"], "already your presentation")
    token = _token(p1)
    response = client.post(_url(token, world.rounds[0]),
                           data={"target": world.sessions["alpha-2"].id})
    assert response.status_code == 409 and "not offered here" in response.get_data(True)


def test_refused_for_someone_not_registered(world):
    p1 = world.people[0]
    p1.status = "cancelled"
    db.session.commit()
    _refused(world, p1, world.sessions["beta-1"], "Only registered participants")


# --- token and opening window ------------------------------------------------------------

def test_a_wrong_token_is_a_404(world, client):
    r1 = world.rounds[0]
    assert client.get(_url("not-a-token", r1)).status_code == 404
    assert client.post(_url("not-a-token", r1),
                       data={"target": world.sessions["beta-1"].id}).status_code == 404
    token = _token(world.people[0])
    assert client.get(f"/p/{token}/rounds/999999/change").status_code == 404
    from tests.factories import make_event, make_round

    other = make_round(make_event(), "10:00")
    db.session.commit()
    assert client.get(_url(token, other)).status_code == 404


def test_closed_before_publication(app, client):
    world = build_world()
    world.event.date = FUTURE
    p1 = world.people[0]
    _seat(p1, world.sessions["alpha-1"])
    db.session.commit()
    state = switching_state(p1)
    assert not state.open and "not published yet" in state.reason
    token = _token(p1)
    assert "Change<" not in client.get(f"/p/{token}/").get_data(True)
    page = client.get(_url(token, world.rounds[0])).get_data(True)
    assert "not published yet" in page and "Take this seat" not in page
    response = client.post(_url(token, world.rounds[0]),
                           data={"target": world.sessions["beta-1"].id})
    assert response.status_code == 403
    assert _session_of(p1, world.rounds[0]) == world.sessions["alpha-1"].id


def test_closed_from_the_start_of_the_event_day(world, client):
    p1 = world.people[0]
    closes = switching_closes_at(world.event)
    local = closes.astimezone(world.event.tz)
    assert (local.date(), local.hour, local.minute) == (FUTURE, 0, 0)
    assert switching_state(p1, closes - timedelta(seconds=1)).open
    assert not switching_state(p1, closes).open
    with pytest.raises(SchedulingError, match="Changes are closed"):
        operations.switch_session(p1, world.sessions["beta-1"], now=closes)
    db.session.rollback()

    token = _token(p1)
    assert f"/p/{token}/rounds/{world.rounds[0].id}/change" in \
        client.get(f"/p/{token}/").get_data(True)
    world.event.date = date(2016, 12, 7)  # the day has come (and gone)
    db.session.commit()
    assert f"/rounds/{world.rounds[0].id}/change" not in \
        client.get(f"/p/{token}/").get_data(True)
    response = client.post(_url(token, world.rounds[0]),
                           data={"target": world.sessions["beta-1"].id})
    assert response.status_code == 403 and "Changes are closed" in response.get_data(True)
    assert _session_of(p1, world.rounds[0]) == world.sessions["alpha-1"].id


# --- the last seat, under concurrency ----------------------------------------------------

THREADS = 6


@pytest.fixture
def crowded(app):
    """Round 1: Alpha holds 8 participants, Beta 1 of 2 seats (one free seat left)."""
    world = build_world(capacity=20, people=10)
    world.event.date = FUTURE
    alpha, beta = world.sessions["alpha-1"], world.sessions["beta-1"]
    people = world.people
    for person in people[:-1]:
        _seat(person, alpha)
    _seat(people[-1], beta)
    beta.capacity = 2
    db.session.commit()
    _snapshot_draft(world.event)
    return world


def _snapshot_draft(event) -> None:
    """Publish the draft as it is (the crowded world is not a complete schedule)."""
    from eventapp.scheduling.catalogue import ScheduleCatalogue as Catalogue
    from eventapp.scheduling.models import Publication
    from eventapp.scheduling.queries import current_rooms, draft_map

    draft = draft_map(event)
    publication = Publication(event=event, version=1,
                              published_at=datetime.now(UTC))
    db.session.add(publication)
    db.session.flush()
    cat = Catalogue.load(event)
    rooms = current_rooms(cat, draft)
    for key, entry in draft.items():
        db.session.add(PublishedSchedule(
            publication_id=publication.id, participant_id=cat.participant_by_key[key].id,
            sessions=entry["sessions"], workshops=entry["workshops"], rooms=rooms[key]))
    db.session.commit()


@pytest.mark.truncate_db  # threads with sessions and connections of their own
def test_the_last_seat_is_taken_once_under_concurrency(crowded, app):
    """THREADS participants race for Beta's single free seat: exactly one gets it, the
    others are told it is full (no database error), on SQLite and on PostgreSQL."""
    movers = [p.id for p in crowded.people[:THREADS]]
    beta_id = crowded.sessions["beta-1"].id

    def attempt(person_id: int, start) -> str:
        from eventapp.programme.models import Session

        person = db.session.get(Participant, person_id)
        target = db.session.get(Session, beta_id)
        switching_state(person)  # load what the view loads before the switch
        start()
        operations.switch_session(person, target)
        return "switched"

    outcomes = run_concurrently(
        app, attempt, movers, refusals=(SchedulingError,),
        describe_refusal=lambda refusal: getattr(refusal, "rule", str(refusal)))
    assert outcomes == ["session_full"] * (len(movers) - 1) + ["switched"], outcomes
    db.session.expire_all()
    seated = db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.session_id == beta_id))
    assert seated == 2
    in_beta = db.session.scalar(select(func.count()).select_from(PublishedSchedule).where(
        PublishedSchedule.sessions["r1"].as_string() == "beta-1"))
    assert in_beta == 2
    assert db.session.scalar(select(func.count()).select_from(ScheduleSwitch)) == 1


def test_refused_without_a_place_in_that_round(world):
    p5 = world.people[4]
    db.session.execute(Assignment.__table__.delete().where(
        Assignment.participant_id == p5.id, Assignment.round_id == world.rounds[1].id))
    db.session.commit()
    _refused(world, p5, world.sessions["gamma-2"], "You have no place in this round")


def test_home_links_each_round_and_workshop_to_its_change_page(world, client):
    p1 = world.people[0]
    token = _token(p1)
    html = client.get(f"/p/{token}/").get_data(True)
    for round_ in world.rounds:
        assert f'href="/p/{token}/rounds/{round_.id}/change"' in html
    assert f'href="/p/{token}/workshops/{world.workshops["w1"].slot_id}/change"' in html
    page = client.get(_url(token, world.rounds[0])).get_data(True)
    eve = (FUTURE - timedelta(days=1)).strftime("%B %-d, %Y")
    assert "Changes are possible until the end of" in page and eve in page


def test_a_switch_needs_the_form_token(world, client, app):
    """With CSRF protection on (as in production), a forged cross-site POST changes nothing."""
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    p1, r1, beta = world.people[0], world.rounds[0], world.sessions["beta-1"]
    token = _token(p1)
    before = _session_of(p1, r1)
    forged = client.post(_url(token, r1), data={"target": beta.id})
    assert forged.status_code == 400
    assert _session_of(p1, r1) == before
    page = client.get(_url(token, r1)).get_data(True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = client.post(_url(token, r1), data={"target": beta.id, "csrf_token": csrf})
    assert response.status_code == 302
    assert _session_of(p1, r1) == beta.id


# --- the change page offers only what can be taken (issue 16) ---------------------------

def _full_session(world):
    world.sessions["beta-1"].capacity = 2
    return world.people[0], world.sessions["beta-1"]


def _full_room(world):
    world.sessions["beta-1"].capacity = 10
    world.rooms["b"].capacity = 2
    return world.people[0], world.sessions["beta-1"]


def _same_project(world):
    world.sessions["alpha-1"].capacity = 10
    world.rooms["a"].capacity = 10
    return world.people[3], world.sessions["alpha-1"]


def _step_free(world):
    world.people[0].needs_step_free = True
    return world.people[0], world.sessions["beta-1"]


def _step_free_workshop(world):
    world.people[0].needs_step_free = True
    return world.people[0], world.workshops["w2"]


def _unavailable(world):
    world.people[0].unavailable_rounds = [world.rounds[0]]
    return world.people[0], world.sessions["beta-1"]


def _theme_variety(world):
    world.event.scheduling_options = {"min_distinct_themes": 2}
    world.projects["gamma"].theme_id = world.projects["beta"].theme_id
    world.sessions["gamma-2"].capacity = 10
    world.rooms["a"].capacity = 10
    return world.people[3], world.sessions["gamma-2"]


def _min_audience(world):
    world.sessions["alpha-1"].min_audience = 3
    return world.people[0], world.sessions["beta-1"]


def _pinned(world):
    operations.set_pinned(world.people[0], round_id=world.rounds[0].id, pinned=True)
    return world.people[0], world.sessions["beta-1"]


def _full_workshop(world):
    world.workshops["w2"].capacity = 3
    return world.people[0], world.workshops["w2"]


def _presenting(world):
    return world.presenter, world.sessions["beta-1"]


@pytest.mark.parametrize("setup", [_full_session, _full_room, _same_project, _step_free,
                                   _step_free_workshop, _unavailable, _theme_variety,
                                   _min_audience, _pinned, _full_workshop, _presenting])
def test_the_change_page_refuses_before_any_tap_what_the_switch_refuses(world, client,
                                                                          setup):
    """Each option the switch would refuse is shown with the switch's own reason and a
    button that cannot submit it."""
    person, target = setup(world)
    db.session.commit()
    refusal = _refused(world, person, target, ".")
    when = ({"round_": db.session.get(Round, target.round_id)} if hasattr(target, "round_id")
            else {"slot": target.slot})
    token = _token(person)
    html = client.get(_url(token, **when)).get_data(True)
    assert f'value="{target.id}"' not in html
    option = html[html.index(f'id="refusal-{target.id}"'):]
    option = option[:option.index("</li>")]
    assert str(escape(refusal.message)) in option and "disabled" in option


def test_the_change_page_offers_what_can_be_taken(world, client):
    """Without a rule against it, the other session is offered (and taking it works)."""
    p1 = world.people[0]
    beta = world.sessions["beta-1"]
    token = _token(p1)
    html = client.get(_url(token, world.rounds[0])).get_data(True)
    assert f'value="{beta.id}"' in html and "Not possible" not in html
    response = client.post(_url(token, world.rounds[0]), data={"target": beta.id})
    assert response.status_code == 302
