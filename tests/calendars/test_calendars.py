"""Participants' calendars: what a feed holds, versions across re-publication, 304s,
revocation, update emails, escaping, and time zones (checked with two parsers)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import icalendar
import pytest
from sqlalchemy import select

from eventapp.calendars.models import CalendarEntry, CalendarFeed
from eventapp.calendars.queries import feed_secret
from eventapp.extensions import db
from eventapp.registration.models import Participant
from eventapp.scheduling import operations
from eventapp.scheduling.queries import participant_day
from tests.calendar_helpers import both_parsers
from tests.factories import (
    email_text,
    make_calendar_feed,
    make_event,
    make_portal_token,
    make_programme_item,
    read_outbox,
)
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
    app_config["MAIL_SENDER"] = "programme@journee.example"
    return app_config


def _published_world():
    world = build_world()
    make_programme_item(world.event, "09:30", 30, title="Accueil, café", kind="welcome")
    make_programme_item(world.event, "13:00", 75, title="Déjeuner", kind="lunch")
    db.session.commit()
    solve_and_accept(world.event)
    operations.publish(world.event, None)
    db.session.commit()
    return world


def _feed_url(person: Participant) -> str:
    feed = make_calendar_feed(person.event, participant=person)
    return f"/calendars/{feed_secret(feed.nonce)}.ics"


def test_feed_holds_the_participants_day_as_the_database_says(client):
    world = _published_world()
    person = world.people[0]
    response = client.get(_feed_url(person))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.data
    seen = both_parsers(body)
    day = participant_day(person)
    sessions = [item for item in day if item.kind == "session"]
    by_summary = {event.summary: event for event in seen}
    for item in day:
        event = by_summary[item.title]
        assert event.start == item.starts_at.astimezone(UTC)
        assert event.end == item.ends_at.astimezone(UTC)
        if item.kind == "session":
            assert event.location == f"{item.room.name} — {item.theme.colour_name}"
    assert "Accueil, café" in by_summary and "Déjeuner" in by_summary
    assert len(seen) == len(day) + 2
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    text = body.decode()
    assert "TZID=Europe/Paris:" in text and "TZID=GMT" not in text
    events_text = text[text.index("BEGIN:VEVENT"):]
    assert not re.search(r"DT(START|END):\d{8}T\d{6}\r\n", events_text)  # never floating
    assert "ATTENDEE" not in text and "ORGANIZER" not in text  # RFC 5546: PUBLISH
    assert "/p/" not in text and feed_secret(
        db.session.scalar(select(CalendarFeed)).nonce) not in text
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    for item in sessions:
        event = events[item.title]
        assert [str(c) for c in event.categories] == [item.theme.name]
        assert event["COLOR"] in ("firebrick", "brown", "crimson", "steelblue", "darkcyan",
                                  "teal", "royalblue", "darkslateblue", "midnightblue",
                                  "darkblue", "indianred", "darkred", "mediumblue")
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and alarms[0]["TRIGGER"].dt.total_seconds() == -300
        assert "http://localhost/e/small/" in str(event["DESCRIPTION"])
    lunch = events["Déjeuner"]
    last_round = sessions[-1]
    assert str(lunch["LOCATION"]) == f"Buffet — espace {last_round.theme.colour_name}"  # fr
    assert not events["Accueil, café"].walk("VALARM")


def test_conditional_requests_answer_304(client):
    world = _published_world()
    url = _feed_url(world.people[1])
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"]
    assert client.get(url).headers["ETag"] == etag  # stable between polls
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    download = client.get(url + "?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")


def _other_session(world, person, round_index: int):
    current = next(i for i in participant_day(person) if i.kind == "session"
                   and i.label == world.rounds[round_index].key)
    return current, next(s for s in world.sessions.values()
                         if s.round_id == world.rounds[round_index].id
                         and s.id != current.session.id)


def _republish_moving(world, person, round_index: int = 0):
    _current, target = _other_session(world, person, round_index)
    operations.move_to_session(world.event, person, target, pin=True)
    db.session.commit()
    operations.publish(world.event, None)
    db.session.commit()
    return target


def _find_movable(world, client):
    """A participant that an organiser can move in round 1 without breaking a rule."""
    for person in world.people:
        _current, target = _other_session(world, person, 0)
        try:
            with db.session.begin_nested():
                operations.move_to_session(world.event, person, target, pin=True)
                raise RuntimeError("probe only")
        except RuntimeError:
            return person
        except operations.SchedulingError:
            continue
    pytest.skip("no participant can be moved in this world")


def test_republication_bumps_only_changed_items_and_keeps_uids(client):
    world = _published_world()
    person = _find_movable(world, client)
    url = _feed_url(person)
    before = {e.summary: e for e in both_parsers(client.get(url).data)}
    target = _republish_moving(world, person)
    after = {e.uid: e for e in both_parsers(client.get(url).data)}
    before_by_uid = {e.uid: e for e in before.values()}
    assert set(after) == set(before_by_uid)          # same UIDs, nothing new
    changed = [uid for uid in after if after[uid] != before_by_uid[uid]]
    assert len(changed) >= 1
    moved = next(e for e in after.values() if e.summary == target.project.name)
    assert moved.sequence == before_by_uid[moved.uid].sequence + 1
    for uid in set(after) - set(changed):
        assert after[uid].sequence == before_by_uid[uid].sequence
    welcome = before["Accueil, café"]
    assert after[welcome.uid].sequence == welcome.sequence


def test_removed_items_disappear_and_a_programme_edit_bumps_at_next_poll(client):
    world = _published_world()
    person = world.people[2]
    url = _feed_url(person)
    before = {e.summary: e for e in both_parsers(client.get(url).data)}
    from eventapp.programme.models import ProgrammeItem

    welcome = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.kind == "welcome"))
    lunch = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.kind == "lunch"))
    db.session.delete(welcome)
    lunch.title = "Déjeuner ; buffet, \"grand\""
    db.session.commit()
    after = {e.summary: e for e in both_parsers(client.get(url).data)}
    assert "Accueil, café" not in after
    assert after[lunch.title].uid == before["Déjeuner"].uid
    assert after[lunch.title].sequence == before["Déjeuner"].sequence + 1
    entry = db.session.scalar(select(CalendarEntry).where(
        CalendarEntry.uid == before["Accueil, café"].uid))
    assert entry.removed and entry.sequence == before["Accueil, café"].sequence + 1


def test_update_email_is_an_itip_request_with_the_same_uids(organiser_client, app):
    world = _published_world()
    person = _find_movable(world, organiser_client)
    first = [m for m in read_outbox(app)]
    assert first == []  # publish() through the operations sends nothing by itself
    url = _feed_url(person)
    before = {e.uid: e for e in both_parsers(organiser_client.get(url).data)}
    _current, target = _other_session(world, person, 0)
    operations.move_to_session(world.event, person, target, pin=True)
    db.session.commit()
    assert organiser_client.post("/manage/events/small/schedule/publish").status_code == 302
    messages = [m for m in read_outbox(app) if m["To"] == person.email]
    assert len(messages) == 1
    message = messages[0]
    assert "calendars/" in email_text(message) and "webcal://" in email_text(message)
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"
              and not p.get_filename()]
    files = [p for p in message.walk() if p.get_filename() == "programme.ics"]
    assert len(inline) == 1 and len(files) == 1
    assert inline[0].get_param("method") == "REQUEST"
    body = inline[0].get_content().encode()
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "REQUEST"
    seen = {e.uid: e for e in both_parsers(body)}
    assert set(seen) == set(before)
    moved = next(e for e in seen.values() if e.summary == target.project.name)
    assert moved.sequence == before[moved.uid].sequence + 1
    for event in calendar.walk("VEVENT"):
        assert str(event["ORGANIZER"]) == "mailto:programme@journee.example"
        attendee = event["ATTENDEE"]
        assert str(attendee) == f"mailto:{person.email}"
        assert attendee.params["PARTSTAT"] == "ACCEPTED"
    attached = files[0].get_content()
    attached = attached if isinstance(attached, str) else attached.decode()
    assert attached.replace("\r\n", "\n") == body.decode().replace("\r\n", "\n")


def test_first_publication_email_attaches_the_day(organiser_client, app):
    world = build_world()
    for i, person in enumerate(world.people):
        person.email = f"p{i}@example.org"
    db.session.commit()
    solve_and_accept(world.event)
    assert organiser_client.post("/manage/events/small/schedule/publish").status_code == 302
    messages = read_outbox(app)
    emailed = db.session.scalars(select(Participant).where(Participant.email.is_not(None)))
    assert len(messages) == len(list(emailed)) >= len(world.people)
    for message in messages:
        inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert inline and inline[0].get_param("method") == "REQUEST"
        assert len(both_parsers(inline[0].get_content().encode())) == 3


def test_participant_replaces_their_link_and_cancellation_or_erasure_ends_it(client):
    world = _published_world()
    person = world.people[0]
    token = make_portal_token(person)
    db.session.commit()
    home = client.get(f"/p/{token}/").get_data(True)
    old = re.search(r'value="(http://localhost/calendars/[^"]+\.ics)"', home).group(1)
    assert "webcal://localhost/calendars/" in home
    assert client.get(old).status_code == 200
    response = client.post(f"/p/{token}/calendar/new-link")
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    home = client.get(f"/p/{token}/").get_data(True)
    new = re.search(r'value="(http://localhost/calendars/[^"]+\.ics)"', home).group(1)
    assert new != old and client.get(new).status_code == 200
    assert client.get(new).data.count(b"BEGIN:VEVENT") >= 3
    person.status = "cancelled"
    db.session.commit()
    assert client.get(new).status_code == 410
    from eventapp.registration.operations import erase_participant

    erase_participant(db.session.get(Participant, person.id))
    db.session.commit()
    assert client.get(new).status_code == 404
    assert db.session.scalar(select(CalendarEntry).where(
        CalendarEntry.owner == f"participant:{person.id}")) is None


def test_unknown_secret_is_404(client):
    assert client.get("/calendars/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendars/o/" + "A" * 43 + ".ics").status_code == 404


def test_a_participants_own_switch_updates_their_calendar(client):
    world = _published_world()
    person = _find_movable(world, client)
    url = _feed_url(person)
    before = {e.uid: e for e in both_parsers(client.get(url).data)}
    _current, target = _other_session(world, person, 0)
    try:
        operations.switch_session(person, target,
                                  now=datetime(2000, 1, 1, tzinfo=UTC))
    except operations.SchedulingError as refusal:
        pytest.skip(refusal.message)
    db.session.commit()
    entry = db.session.scalar(select(CalendarEntry).where(
        CalendarEntry.owner == f"participant:{person.id}",
        CalendarEntry.identity == f"round:{world.rounds[0].key}"))
    assert entry.summary == target.project.name
    after = {e.uid: e for e in both_parsers(client.get(url).data)}
    assert after[entry.uid].summary == target.project.name
    assert after[entry.uid].sequence == before[entry.uid].sequence + 1


ATTACK = "Zoé d'Arcy, \"la\"; Ümit \\ 🎉\r\nATTENDEE:mailto:evil@example.org\r\nEND:VEVENT"
NASTY = "très long texte " * 14 + ATTACK          # fits a title (300 characters)
LONGER = "très long texte " * 60 + ATTACK         # free text (description, speakers)


def test_typed_text_is_escaped_folded_and_never_a_property(client):
    world = _published_world()
    presenter = world.presenter
    presenter.first_name = ATTACK
    world.projects["alpha"].name = "Alpha, β; \"γ\"\nnouvelle ligne 🚀"
    world.projects["alpha"].keywords = ["emploi; insertion", "a,b", "\r\nX-EVIL:1"]
    make_programme_item(world.event, "17:00", 30, title=NASTY, kind="talk",
                        speakers=LONGER + "\n" + NASTY, description=LONGER)
    db.session.commit()
    body = client.get(_feed_url(presenter)).data
    lines = body.split(b"\r\n")
    for line in lines:
        assert len(line) <= 75
        assert not line.startswith((b"ATTENDEE", b"X-EVIL"))
    assert lines.count(b"BEGIN:VEVENT") == lines.count(b"END:VEVENT") >= 3
    seen = both_parsers(body)
    assert NASTY.replace("\r\n", "\n") in [e.summary for e in seen]
    calendar = icalendar.Calendar.from_ical(body)
    for event in calendar.walk("VEVENT"):
        assert "ATTENDEE" not in event
    presented = [e for e in calendar.walk("VEVENT") if "Alpha, β" in str(e["SUMMARY"])]
    assert presented, "the presenter's own presentation is in their calendar"
    assert "emploi; insertion, a,b" in str(presented[0]["DESCRIPTION"])
    assert ATTACK.replace("\r\n", "\n") in str(presented[0]["DESCRIPTION"])
    talk = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith("très"))
    assert LONGER.replace("\r\n", "\n") in str(talk["DESCRIPTION"])


def test_times_stay_right_across_the_daylight_saving_change(client):
    event = make_event(slug="dst", date=date(2026, 10, 24), timezone="Europe/Paris")
    from eventapp.programme.models import ProgrammeItem

    saturday = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)    # 09:00 CEST
    sunday = datetime(2026, 10, 25, 8, 0, tzinfo=UTC)      # 09:00 CET
    night = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)      # 02:30 CEST, before the change
    for title, start, hours in (("Samedi", saturday, 1), ("Nuit", night, 2),
                                ("Dimanche", sunday, 1)):
        db.session.add(ProgrammeItem(event=event, kind="talk", title=title, starts_at=start,
                                     ends_at=start.replace(hour=start.hour + hours)))
    person = Participant(event=event, key="p1", first_name="A", last_name="B")
    db.session.add(person)
    db.session.commit()
    body = client.get(_feed_url(person)).data
    seen = {e.summary: e for e in both_parsers(body)}
    assert seen["Samedi"].start == saturday and seen["Dimanche"].start == sunday
    assert seen["Nuit"].start == night
    assert seen["Nuit"].end == night.replace(hour=2)         # spans the change: 2 hours
    text = body.decode()
    assert "DTSTART;TZID=Europe/Paris:20261024T090000" in text
    assert "DTSTART;TZID=Europe/Paris:20261025T090000" in text
    timezone = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")[0]
    standard = "".join(s.to_ical().decode() for s in timezone.walk("STANDARD"))
    assert "20261025T030000" in standard and "TZOFFSETTO:+0100" in standard


def test_stored_control_characters_in_the_event_name_never_break_a_feed(client):
    """Issue 12: a line break in the event's name (stored before input refused it) made
    every feed of the event answer 500; the writer now neutralises stored text."""
    world = _published_world()
    nul = "\x01" if db.engine.dialect.name == "postgresql" else "\x00"  # PG stores no NUL
    world.event.name = f"Journée\r\nBEGIN:VEVENT{nul} \u202erestitution"
    world.event.description = "Deux\nlignes\x07"
    world.projects["alpha"].name = f"Alpha{nul}\x1b"
    db.session.commit()
    response = client.get(_feed_url(world.presenter))
    assert response.status_code == 200
    body = response.data
    name = str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"])
    assert "Journée  BEGIN:VEVENT  restitution" in name and "\n" not in name
    assert not any(c in body for c in (b"\x00", b"\x01", b"\x1b", b"\x07"))
    assert body.split(b"\r\n").count(b"BEGIN:VEVENT") == body.split(b"\r\n").count(b"END:VEVENT")
    both_parsers(body)
