"""Organisers' calendars: the links page, the programme, room and presenter feeds."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventapp.calendars.models import CalendarFeed
from eventapp.calendars.queries import feed_secret
from eventapp.extensions import db
from eventapp.scheduling import operations
from eventapp.scheduling.models import PublishedSchedule
from tests.calendar_helpers import both_parsers
from tests.factories import make_programme_item
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


def _published():
    world = build_world()
    make_programme_item(world.event, "09:30", 30, title="Plénière", room=world.rooms["a"])
    db.session.commit()
    solve_and_accept(world.event)
    operations.publish(world.event, None)
    db.session.commit()
    return world


def _links(page: str) -> list[str]:
    return re.findall(r'value="(http://localhost/calendars/o/[^"]+\.ics)"', page)


def test_links_page_creates_replaces_and_revokes(organiser_client):
    world = _published()
    page = organiser_client.get("/manage/events/small/calendars/").get_data(True)
    assert "Create the missing links" in page and _links(page) == []
    response = organiser_client.post("/manage/events/small/calendars/links",
                                     follow_redirects=True)
    page = response.get_data(True)
    links = _links(page)
    assert len(links) == 1 + 2 + 1  # programme, two rooms, one presenter
    assert "webcal://localhost/calendars/o/" in page
    for link in links:
        assert organiser_client.get(link).status_code == 200
    room_feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.room_id == world.rooms["a"].id))
    old = f"/calendars/o/{feed_secret(room_feed.nonce)}.ics"
    organiser_client.post(f"/manage/events/small/calendars/links/{room_feed.id}/replace")
    assert organiser_client.get(old).status_code == 404
    db.session.refresh(room_feed)
    new = f"/calendars/o/{feed_secret(room_feed.nonce)}.ics"
    assert organiser_client.get(new).status_code == 200
    organiser_client.post(f"/manage/events/small/calendars/links/{room_feed.id}/revoke")
    assert organiser_client.get(new).status_code == 404
    assert db.session.get(CalendarFeed, room_feed.id) is None


def test_room_feed_tells_hosts_who_comes_and_how_many(organiser_client, client):
    world = _published()
    organiser_client.post("/manage/events/small/calendars/links")
    room = world.rooms["a"]
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.room_id == room.id))
    client.get("/logout")
    body = client.get(f"/calendars/o/{feed_secret(feed.nonce)}.ics").data
    seen = both_parsers(body)
    snapshots = db.session.scalars(select(PublishedSchedule)).all()
    for session in (s for s in world.sessions.values() if s.room_id == room.id):
        expected = [snap for snap in snapshots
                    if session.key in (snap.sessions or {}).values()]
        event = next(e for e in seen if e.summary.startswith(session.project.name))
        assert event.summary == f"{session.project.name} ({len(expected)} participants)"
        assert event.location.startswith("Salle A")
    import icalendar

    descriptions = [str(e["DESCRIPTION"]) for e in
                    icalendar.Calendar.from_ical(body).walk("VEVENT")]
    for snap in snapshots:
        if any(world.sessions[k].room_id == room.id for k in (snap.sessions or {}).values()):
            assert any(snap.participant.last_name in d for d in descriptions)
    assert "Plénière" in [e.summary for e in seen]


def test_presenter_feed_and_cookie_downloads(staff_client):
    world = _published()
    presenter = world.presenter
    response = staff_client.get(
        f"/manage/events/small/calendars/presenters/{presenter.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    seen = both_parsers(response.data)
    alpha = [s for s in world.sessions.values() if s.project.key == "alpha"]
    assert len(seen) == len(alpha)
    assert {e.start for e in seen} == {s.round.starts_at for s in alpha}
    programme = staff_client.get("/manage/events/small/calendars/programme.ics")
    titles = [e.summary for e in both_parsers(programme.data)]
    assert len(titles) == 1 + len(world.sessions) + len(world.workshops)
    room = staff_client.get(f"/manage/events/small/calendars/rooms/{world.rooms['b'].id}.ics")
    assert room.status_code == 200 and both_parsers(room.data)
    assert staff_client.get("/manage/events/small/calendars/").status_code == 403
