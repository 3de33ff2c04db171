"""Publication: versions and snapshots, a participant's day, and who moved on re-publishing."""

from __future__ import annotations

import re

import pytest
from flask import render_template
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.registration.models import Participant, ProjectWish, WorkshopWish
from eventapp.scheduling import operations
from eventapp.scheduling.models import Publication, PublishedSchedule
from eventapp.scheduling.operations import SchedulingError
from eventapp.scheduling.queries import (
    draft_map,
    participant_day,
    publication_changes,
    published_map,
)
from tests.scheduling_world import (
    build_world,
    import_example,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

# Solve jobs run in a thread and write through connections of their own.
pytestmark = pytest.mark.truncate_db


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


def test_nothing_to_publish_before_a_schedule(organiser_client):
    build_world()
    response = organiser_client.post("/manage/events/small/schedule/publish",
                                     follow_redirects=True)
    assert "Nothing to publish yet" in response.get_data(True)
    assert db.session.query(Publication).count() == 0


def test_publish_snapshots_every_participant_and_shows_their_day(organiser_client):
    world = build_world()
    solve_and_accept(world.event)
    assert participant_day(world.people[0]) == []  # drafts are never shown
    response = organiser_client.post("/manage/events/small/schedule/publish")
    assert response.status_code == 302
    publication = db.session.scalar(select(Publication))
    assert publication.version == 1 and publication.published_at is not None
    snapshots = db.session.scalars(select(PublishedSchedule)).all()
    assert len(snapshots) == len(world.people) + 1  # the presenter attends a workshop
    assert published_map(publication) == draft_map(world.event)

    person = world.people[0]
    day = participant_day(person)
    assert [item.kind for item in day] == ["session", "session", "workshop"]
    assert [item.starts_at.strftime("%H:%M") for item in day] == ["11:50", "12:15", "14:30"]
    assert str(day[0].starts_at.tzinfo) == "Europe/Paris"
    entry = draft_map(world.event)[person.key]
    assert day[0].session.key == entry["sessions"]["r1"]
    assert day[0].colour_name in ("rouge", "bleu") and day[0].room_name in ("Salle A", "Salle B")
    assert day[2].workshop.key == entry["workshops"]["ateliers"] and day[2].theme is None
    html = render_template("scheduling/_participant_day.html", day=day)
    assert day[0].title in html and day[0].colour_name in html and "11:50–12:10" in html
    assert 'style="' not in html
    # the presenter presents in both rounds: their day has their presentations (no seat)
    # and the workshop
    presenter_day = participant_day(world.presenter)
    assert [(item.kind, item.presenting) for item in presenter_day] == \
        [("session", True), ("session", True), ("workshop", False)]


def test_publish_refused_while_someone_has_no_place(organiser_client):
    world = build_world()
    solve_and_accept(world.event)
    from tests.factories import make_participant

    late = make_participant(world.event, key="late", first_name="Léa", last_name="Tardive")
    db.session.commit()
    with pytest.raises(SchedulingError, match="have no place yet") as refused:
        operations.publish(world.event, None)
    assert refused.value.details == ["Léa Tardive"]
    db.session.rollback()
    assert late.id and db.session.query(Publication).count() == 0


def _late_registration(event, like: Participant) -> Participant:
    """A new participant with the same wishes as an existing one."""
    person = Participant(event_id=event.id, key="late-1", first_name="Léa",
                         last_name="Tardive", email="lea@example.org", category="autre")
    db.session.add(person)
    db.session.flush()
    db.session.add_all(ProjectWish(participant_id=person.id, project_id=w.project_id,
                                   rank=w.rank) for w in like.project_wishes)
    db.session.add_all(WorkshopWish(participant_id=person.id, workshop_id=w.workshop_id,
                                    rank=w.rank) for w in like.workshop_wishes)
    db.session.commit()
    return person


def _expected_moves(before: dict, after: dict) -> dict[str, set[tuple[str, str, str]]]:
    moves: dict[str, set] = {}
    for key in set(before) | set(after):
        old = before.get(key, {"sessions": {}, "workshops": {}})
        new = after.get(key, {"sessions": {}, "workshops": {}})
        for kind in ("sessions", "workshops"):
            for when in set(old[kind]) | set(new[kind]):
                if old[kind].get(when) != new[kind].get(when):
                    moves.setdefault(key, set()).add(
                        (when, old[kind].get(when), new[kind].get(when)))
    return moves


@pytest.mark.slow
def test_resolve_after_a_late_registration_moves_few_and_says_who(organiser_client,
                                                                  shared_examples):
    event = import_example(shared_examples)
    solve_and_accept(event, time_limit_s=60)
    assert organiser_client.post(f"/manage/events/{event.slug}/schedule/publish"
                                 ).status_code == 302
    first = published_map(db.session.scalar(select(Publication)))
    people = db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.role == "participant",
        Participant.status == "registered").order_by(Participant.id)).all()
    late = _late_registration(event, people[0])

    job = solve_and_accept(event, time_limit_s=60, change_penalty=50)
    assert job.instance["options"]["change_penalty"] == 50
    assert len(job.instance["options"]["previous"]) == len(first)
    changes = publication_changes(event)
    expected = _expected_moves(first, draft_map(event))
    got = {c.participant.key: {(m.when_key, m.before_key, m.after_key) for m in c.moves}
           for c in changes}
    assert got == expected
    assert late.key in got and next(c for c in changes if c.participant.key == late.key).is_new
    movers = [c for c in changes if not c.is_new]
    assert len(movers) <= 10, f"{len(movers)} people moved for one late registration"
    assert job.solution["metrics"]["changed"] == sum(len(c.moves) for c in movers)

    # the organiser sees the same list before re-publishing
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", organiser_client.get(
        f"/manage/events/{event.slug}/schedule/").get_data(True)))
    assert "Who moves if you publish now" in text
    assert "Léa Tardive" in text and " new " in text
    for change in movers:
        assert change.participant.full_name in text

    assert organiser_client.post(f"/manage/events/{event.slug}/schedule/publish"
                                 ).status_code == 302
    assert publication_changes(event) == []  # nothing pending once published
    version_2 = publication_changes(event, version=2)
    assert {c.participant.key for c in version_2} == set(expected)
    assert participant_day(late)  # the late participant now has a published day


def test_publication_changes_of_the_first_version_list_everybody_as_new(app):
    world = build_world()
    solve_and_accept(world.event)
    operations.publish(world.event, None)
    db.session.commit()
    changes = publication_changes(world.event, version=1)
    assert len(changes) == len(world.people) + 1 and all(c.is_new for c in changes)
    assert publication_changes(world.event, version=5) == []


def test_someone_away_all_day_does_not_block_publishing(app):
    from tests.factories import make_participant

    world = build_world()
    solve_and_accept(world.event)
    away = make_participant(world.event, key="away")
    away.unavailable_rounds = list(world.rounds)
    away.unavailable_slots = [world.workshops["w1"].slot]
    cancelled = make_participant(world.event, key="gone", status="cancelled")
    db.session.commit()
    publication = operations.publish(world.event, None)
    db.session.commit()
    snapshot = published_map(publication)
    assert snapshot["away"] == {"sessions": {}, "workshops": {}}
    assert cancelled.key not in snapshot
    assert participant_day(away) == []


def test_a_room_change_is_a_change_for_everyone_in_the_session(organiser_client):
    world = build_world()
    solve_and_accept(world.event)
    operations.publish(world.event, None)
    db.session.commit()
    alpha, beta = world.sessions["alpha-1"], world.sessions["beta-1"]
    audience = {k for k, e in draft_map(world.event).items() if e["sessions"].get("r1") in
                ("alpha-1", "beta-1")}
    # swap the two sessions' rooms (tables are unique per round and room)
    alpha.room, alpha.table_number = None, None
    db.session.flush()
    beta.room = world.rooms["a"]
    db.session.flush()
    alpha.room, alpha.table_number = world.rooms["b"], 1
    db.session.commit()
    changes = publication_changes(world.event)
    assert {c.participant.key for c in changes} == audience
    for change in changes:
        (move,) = change.moves
        assert move.room_only and move.when_key == "r1"
        assert {move.before_room.key, move.after_room.key} == {"a", "b"}
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", organiser_client.get(
        "/manage/events/small/schedule/").get_data(True)))
    assert re.search(r"Alpha \(Salle B\)\s?: room changed, Salle A → becomes Salle B", text), text
    operations.publish(world.event, None)
    db.session.commit()
    assert {c.participant.key for c in publication_changes(world.event, version=2)} == audience
    assert publication_changes(world.event) == []


def test_mon_programme_shows_the_published_day(organiser_client, app):
    from tests.factories import make_portal_token

    world = build_world()
    person = world.people[0]
    token = make_portal_token(person)
    db.session.commit()
    portal = app.test_client()
    before = portal.get(f"/p/{token}/").get_data(as_text=True)
    assert "will appear here once the organisers publish it" in before
    solve_and_accept(world.event)
    assert organiser_client.post("/manage/events/small/schedule/publish").status_code == 302
    page = portal.get(f"/p/{token}/").get_data(as_text=True)
    day = participant_day(person)
    assert "will appear here" not in page
    for item in day:
        assert item.title in page
    assert "11:50–12:10" in page and day[0].colour_name in page


def test_publishing_emails_each_participant_their_day_then_only_those_who_moved(
        organiser_client, app):
    from eventapp.scheduling.models import WorkshopAssignment
    from tests.factories import email_text, read_outbox

    world = build_world()
    solve_and_accept(world.event)
    assert organiser_client.post("/manage/events/small/schedule/publish").status_code == 302
    first = read_outbox(app)
    with_email = {p.email for p in [*world.people, world.presenter] if p.email}
    assert {m["To"] for m in first} == with_email
    person = world.people[0]
    mail = next(m for m in first if m["To"] == person.email)
    text = email_text(mail)
    for item in participant_day(person):
        # French times as people write them: "11 h 50" (no-break spaces), not "11:50"
        when = f"{item.starts_at.hour}\u00a0h\u00a0{item.starts_at.minute:02d}"
        assert item.title in text and when in text and item.starts_at.strftime("%H:%M") not in text
    assert "/p/" in text  # a fresh personal link

    # Move one participant to the other workshop and publish again: only they hear of it.
    current = db.session.scalar(select(WorkshopAssignment).where(
        WorkshopAssignment.participant_id == person.id))
    other = next(w for w in world.workshops.values() if w.id != current.workshop_id)
    operations.move_to_workshop(world.event, person, other, pin=False)
    db.session.commit()
    assert organiser_client.post("/manage/events/small/schedule/publish").status_code == 302
    second = read_outbox(app)[len(first):]
    assert [m["To"] for m in second] == [person.email]
    changed = email_text(second[0])
    assert other.name in changed and "au lieu de" in changed  # French by default
