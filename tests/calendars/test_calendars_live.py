"""Done-when: a polling calendar client subscribed to a participant's feed of the demo
day sees a re-solved, re-published change as the same UID with a higher SEQUENCE.

The client is plain urllib against the app served on loopback (like a phone's calendar
app: no cookies, conditional requests with the ETag it was given).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from eventapp.calendars.queries import feed_links
from eventapp.demo.loader import load_demo
from eventapp.extensions import db
from eventapp.programme.models import Project, Session, Workshop
from eventapp.registration.models import Participant, ProjectWish, WorkshopWish
from eventapp.scheduling import operations
from eventapp.scheduling.queries import participant_day
from tests.browser.conftest import live_server  # noqa: F401 (fixture)
from tests.calendar_helpers import both_parsers
from tests.factories import make_calendar_feed
from tests.scheduling_world import (
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
)

# Solve jobs run in a thread and write through connections of their own.
pytestmark = pytest.mark.truncate_db


PEOPLE = 60


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


def _demo_day_with_participants(shared_examples) -> object:
    """The demo day (programme of 7 December 2016) with the example's first registrants
    and their wishes (same keys as the demo)."""
    event = load_demo()
    example = json.loads((shared_examples / "restitution-2016.json").read_text())
    projects = {p.key: p for p in db.session.scalars(
        select(Project).where(Project.event_id == event.id))}
    workshops = {w.key: w for w in db.session.scalars(
        select(Workshop).where(Workshop.event_id == event.id))}
    people = [p for p in example["participants"] if p["wishes"]][:PEOPLE]
    for i, entry in enumerate(people):
        person = Participant(event=event, key=entry["id"], first_name="Personne",
                             last_name=f"{i:03d}", email=f"{entry['id']}@example.org")
        person.project_wishes = [ProjectWish(project=projects[k], rank=r)
                                 for r, k in enumerate(entry["wishes"])]
        person.workshop_wishes = [WorkshopWish(workshop=workshops[k], rank=r)
                                  for r, k in enumerate(entry["workshop_wishes"])]
        db.session.add(person)
    db.session.commit()
    return event


class PollingClient:
    """A subscribed calendar: polls the URL, sends If-None-Match, keeps the last body."""

    def __init__(self, url: str):
        self.url, self.etag, self.body = url, None, b""

    def poll(self) -> int:
        request = urllib.request.Request(self.url)
        if self.etag:
            request.add_header("If-None-Match", self.etag)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.etag, self.body = response.headers["ETag"], response.read()
                return response.status
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return 304
            raise


def test_polling_client_sees_the_republished_change(app, live_server, shared_examples):  # noqa: F811
    event = _demo_day_with_participants(shared_examples)
    solve_and_accept(event, time_limit_s=20)
    operations.publish(event, None)
    db.session.commit()

    # a participant whose round-1 session can change to another with a free seat
    with app.test_request_context(base_url=live_server):
        candidates = db.session.scalars(select(Participant).where(
            Participant.event_id == event.id, Participant.role == "participant")).all()
        person, target = None, None
        for candidate in candidates:
            day = [i for i in participant_day(candidate) if i.kind == "session"]
            first = day[0]
            for other in db.session.scalars(select(Session).where(
                    Session.round_id == first.session.round_id,
                    Session.id != first.session.id)):
                try:
                    with db.session.begin_nested():
                        operations.move_to_session(event, candidate, other, pin=True)
                        raise LookupError
                except LookupError:
                    person, target = candidate, other
                    break
                except operations.SchedulingError:
                    continue
            if person is not None:
                break
        assert person is not None, "no participant could be moved in round 1"
        feed = make_calendar_feed(event, participant=person)
        url = feed_links(feed)["https"]

    calendar = PollingClient(url)
    assert calendar.poll() == 200
    before = {e.summary: e for e in both_parsers(calendar.body)}
    old_title = first.title
    assert old_title in before
    assert calendar.poll() == 304           # nothing new: the phone downloads nothing

    # the organiser moves the person by hand (pinned), re-solves, accepts and re-publishes
    operations.move_to_session(event, person, target, pin=True)
    db.session.commit()
    solve_and_accept(event, time_limit_s=20)
    operations.publish(event, None)
    db.session.commit()

    assert calendar.poll() == 200
    after = {e.uid: e for e in both_parsers(calendar.body)}
    new_title = db.session.get(Project, target.project_id).name
    round_one = before[old_title]                 # the round-1 item, by its UID
    assert after[round_one.uid].summary == new_title
    assert after[round_one.uid].start == round_one.start
    assert after[round_one.uid].sequence > round_one.sequence
    welcome = before["Accueil des participants"]  # untouched plenary item
    assert after[welcome.uid].sequence == welcome.sequence
    assert calendar.poll() == 304
