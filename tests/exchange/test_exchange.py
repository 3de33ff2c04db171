"""Import and export of events in the speed-dating-instance/1 exchange format."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventapp.exchange.operations import InstanceImportError, import_instance, load_document
from eventapp.exchange.queries import export_instance
from eventapp.exchange.validation import DEFAULT_OPTIONS, validate_instance
from eventapp.extensions import db
from eventapp.models import (
    Assignment,
    Event,
    Participant,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopAssignment,
)
from scheduler import DEFAULT_OPTIONS as SOLVER_OPTIONS
from scheduler import InstanceError, load_instance
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

EXAMPLES = ("restitution-2016.json", "restitution-2016-programme.json")


@pytest.fixture(autouse=True)
def _upload_dir(app_config, tmp_path):
    """Uploads waiting for confirmation go to the test's own folder."""
    app_config["EXCHANGE_UPLOAD_DIR"] = str(tmp_path / "uploads")


# --- helpers ---------------------------------------------------------------------------


def small_instance() -> dict:
    """A complete, valid instance small enough to read at a glance."""
    return {
        "format": "speed-dating-instance/1",
        "event": {"name": "Journée test", "date": "2016-12-07", "timezone": "Europe/Paris"},
        "themes": [
            {"id": "remobiliser", "name": "Remobiliser par le travail", "colour": "#d0312d"},
            {"id": "transformer", "name": "Transformer l'insertion", "colour": "#1f6fb2"},
        ],
        "rooms": [
            {"id": "attenante", "name": "Salle attenante", "capacity": 60, "tables": 1,
             "accessible": True, "themes": ["remobiliser"]},
            {"id": "salle2", "name": "Salle 2", "capacity": 90, "tables": 2,
             "accessible": False, "themes": ["transformer"]},
        ],
        "rounds": [{"id": "r1", "start": "11:50", "end": "12:10"},
                   {"id": "r2", "start": "12:15", "end": "12:35"}],
        "projects": [
            {"id": "tapaj", "name": "TAPAJ", "theme": "remobiliser", "presenters": ["sp1"]},
            {"id": "avise", "name": "AVISE", "theme": "transformer", "presenters": []},
            {"id": "d2c", "name": "D2C", "theme": "transformer"},
        ],
        "sessions": [
            {"id": "tapaj-1", "project": "tapaj", "round": "r1", "room": "attenante",
             "capacity": 30, "min_audience": 5},
            {"id": "avise-1", "project": "avise", "round": "r1", "room": "salle2"},
            {"id": "d2c-1", "project": "d2c", "round": "r1", "room": "salle2"},
            {"id": "avise-2", "project": "avise", "round": "r2", "room": "salle2"},
        ],
        "workshop_slots": [{"id": "ateliers", "start": "14:15", "end": "15:45"}],
        "workshops": [{"id": "w-eval", "name": "L'évaluation", "slot": "ateliers",
                       "room": "attenante", "capacity": 60}],
        "participants": [
            {"id": "sp1", "name": "Jean-Hugues Morales", "category": "intervenant"},
            {"id": "p1", "name": "Sylvie Le Bars", "category": "siae",
             "wishes": ["tapaj", "avise"], "themes": ["transformer"],
             "workshop_wishes": ["w-eval"], "unavailable": ["r2"],
             "needs_accessible": True, "fixed": {"r1": "tapaj-1", "ateliers": "w-eval"}},
            {"id": "p2", "name": "Camille", "category": None, "wishes": ["d2c"]},
        ],
        "options": {"theme_weight": 7, "previous": {"p2": {"r1": "d2c-1"}}},
    }


def load_example(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def row_counts() -> dict[str, int]:
    """Rows in every table: proves that a refused import wrote nothing anywhere."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def errors_of(data) -> list[tuple[str, str]]:
    with pytest.raises(InstanceImportError) as caught:
        import_instance(data)
    return caught.value.errors


def normalise(doc: dict) -> dict:
    """Apply the contract's documented defaults and sort what has no meaningful order.

    Wishes keep their order (it is their rank); everything else is a set or is keyed by
    id. Only the contract's fields (and participant names) are kept.
    """
    rooms = {room["id"]: room for room in doc["rooms"]}

    def room_of(room):
        return {"id": room["id"], "name": room["name"], "capacity": room["capacity"],
                "tables": room.get("tables", 1), "accessible": room.get("accessible", True),
                "themes": sorted(room.get("themes", []))}

    def session_of(session):
        room = rooms.get(session.get("room"))
        default = room["capacity"] // room.get("tables", 1) if room else None
        return {"id": session["id"], "project": session["project"],
                "round": session.get("round"), "room": session.get("room"),
                "capacity": session.get("capacity", default),
                "min_audience": session.get("min_audience", 0)}

    def participant_of(person):
        return {"id": person["id"], "name": person.get("name", ""),
                "category": person.get("category"), "wishes": person.get("wishes", []),
                "themes": sorted(person.get("themes", [])),
                "workshop_wishes": person.get("workshop_wishes", []),
                "unavailable": sorted(person.get("unavailable", [])),
                "needs_accessible": person.get("needs_accessible", False),
                "fixed": person.get("fixed", {})}

    def by_id(items):
        return sorted(items, key=lambda item: item["id"])

    def keep(item, *names):
        return {name: item[name] for name in names}

    options = {**DEFAULT_OPTIONS, "previous": {}, **doc.get("options", {})}
    return {
        "format": doc["format"],
        "event": keep(doc["event"], "name", "date", "timezone"),
        "themes": by_id(keep(t, "id", "name", "colour") for t in doc["themes"]),
        "rooms": by_id(room_of(room) for room in doc["rooms"]),
        "rounds": by_id(keep(r, "id", "start", "end") for r in doc["rounds"]),
        "projects": by_id({**keep(p, "id", "name", "theme"),
                           "presenters": sorted(p.get("presenters", []))}
                          for p in doc["projects"]),
        "sessions": by_id(session_of(session) for session in doc["sessions"]),
        "workshop_slots": by_id(keep(s, "id", "start", "end") for s in doc["workshop_slots"]),
        "workshops": by_id(keep(w, "id", "name", "slot", "room", "capacity")
                           for w in doc["workshops"]),
        "participants": by_id(participant_of(person) for person in doc["participants"]),
        "options": options,
    }


# --- round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_round_trip_is_exact(app, shared_examples, name):
    original = load_example(shared_examples, name)
    event = import_instance(copy.deepcopy(original))
    db.session.commit()

    exported = export_instance(db.session.get(Event, event.id))

    assert normalise(exported) == normalise(original)
    json.dumps(exported)  # plain JSON data, nothing else


def test_programme_example_keeps_sessions_unplaced(app, shared_examples):
    original = load_example(shared_examples, "restitution-2016-programme.json")
    unplaced = {s["id"] for s in original["sessions"] if "room" not in s}
    assert unplaced  # the example is what this test is about
    event = import_instance(original)
    db.session.commit()

    sessions = {s["id"]: s for s in export_instance(event)["sessions"]}

    for key in unplaced:
        assert "round" not in sessions[key] and "room" not in sessions[key]
        assert sessions[key]["capacity"] == 40


def test_export_reimport_export_is_identical(app, shared_examples):
    first = import_instance(load_example(shared_examples, "restitution-2016.json"))
    db.session.commit()
    exported = export_instance(first)

    second = import_instance(copy.deepcopy(exported))
    db.session.commit()
    again = export_instance(second)

    assert second.slug != first.slug
    assert json.dumps(again) == json.dumps(exported)


def test_export_is_deterministic_and_uses_few_queries(app, shared_examples):
    event = import_instance(load_example(shared_examples, "restitution-2016.json"))
    db.session.commit()
    db.session.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = export_instance(event)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)

    # 237 participants, 17 sessions: a fixed handful of queries, not one per row.
    assert len(statements) <= 20, statements
    assert json.dumps(export_instance(event)) == json.dumps(first)


# --- what import stores ----------------------------------------------------------------


def test_import_creates_the_programme(app):
    event = import_instance(small_instance())
    db.session.commit()

    assert event.slug == "journee-test-2016-12-07"
    assert (event.name, event.timezone) == ("Journée test", "Europe/Paris")
    themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
    assert [(t.key, t.colour_name) for t in themes] == [("remobiliser", "rouge"),
                                                        ("transformer", "bleu")]
    r1 = db.session.scalar(select(Round).where(Round.key == "r1"))
    assert r1.starts_at == datetime(2016, 12, 7, 10, 50, tzinfo=UTC)  # 11:50 in Paris
    tables = {s.key: s.table_number for s in db.session.scalars(select(Session))}
    assert tables == {"tapaj-1": 1, "avise-1": 1, "d2c-1": 2, "avise-2": 1}
    salle2 = db.session.scalar(select(Room).where(Room.key == "salle2"))
    assert salle2.step_free is False and [t.key for t in salle2.themes] == ["transformer"]
    people = {p.key: p for p in db.session.scalars(select(Participant))}
    assert (people["p1"].first_name, people["p1"].last_name) == ("Sylvie", "Le Bars")
    assert (people["p2"].first_name, people["p2"].last_name) == ("Camille", "")
    assert people["sp1"].role == "presenter" and people["p1"].role == "participant"
    assert [w.project.key for w in people["p1"].project_wishes] == ["tapaj", "avise"]
    assert [r.key for r in people["p1"].unavailable_rounds] == ["r2"]
    assert people["p1"].needs_step_free and people["p1"].email is None
    pinned = db.session.scalars(select(Assignment)).all()
    assert [(a.participant.key, a.session.key, a.pinned) for a in pinned] == [
        ("p1", "tapaj-1", True)]
    assert db.session.scalar(select(WorkshopAssignment)).workshop.key == "w-eval"
    assert event.scheduling_options == {"theme_weight": 7, "previous": {"p2": {"r1": "d2c-1"}}}


def test_import_maps_category_aliases(app):
    data = small_instance()
    data["participants"][1]["category"] = "Service public"
    data["participants"][2]["category"] = "speaker"
    import_instance(data)
    categories = dict(db.session.execute(select(Participant.key, Participant.category)).all())
    assert categories["p1"] == "service-public" and categories["p2"] == "intervenant"


def test_import_twice_gets_a_unique_slug(app):
    first = import_instance(small_instance())
    second = import_instance(small_instance())
    assert first.slug == "journee-test-2016-12-07"
    assert second.slug == "journee-test-2016-12-07-2"


def test_options_are_exported_over_the_defaults(app):
    event = import_instance(small_instance())
    options = export_instance(event)["options"]
    assert options == {**DEFAULT_OPTIONS, "theme_weight": 7,
                       "previous": {"p2": {"r1": "d2c-1"}}}
    data = small_instance()
    del data["options"]
    event = import_instance(data)
    assert export_instance(event)["options"] == DEFAULT_OPTIONS  # no "previous"
    event.scheduling_options = {"seed": 4, "solver_notes": "another area's setting"}
    assert export_instance(event)["options"] == {**DEFAULT_OPTIONS, "seed": 4}


# --- what export reads from data built in the app ---------------------------------------


def test_export_of_an_event_built_in_the_app(app):
    event = make_event(timezone="Europe/Paris", scheduling_options={"seed": 3})
    theme = make_theme(event, key="dynamiser", colour="#2e8b57", colour_name="vert")
    room = make_room(event, key="salle1", capacity=90, tables=2, themes=[theme],
                     directions="1er étage, à gauche")
    r1 = make_round(event, "11:50", key="r1")
    r2 = make_round(event, "12:15", key="r2")
    presenter = make_participant(event, key="sp1", email="presenter@example.org")
    helper = make_participant(event, key="sp2", first_name="Ana", last_name="Diaz",
                              email="ana@example.org")
    seated = make_participant(event, key="p1", first_name="Lou", last_name="Bret",
                              email="lou@example.org", needs_step_free=True)
    make_participant(event, key="gone", status="cancelled", email="gone@example.org")
    make_participant(event, key="later", status="waiting", email="later@example.org")
    cancelled_presenter = make_participant(event, key="sp9", status="cancelled")
    project = make_project(event, theme, key="soleni", organisation="SOLENI",
                           presenters=[presenter, cancelled_presenter])
    first = make_session(event, project, key="soleni-1", round=r1, room=room, table_number=1)
    make_session(event, project, key="soleni-2", round=r2, room=room, table_number=1,
                 capacity=20, min_audience=4)
    first.extra_presenters = [helper]
    slot = make_workshop_slot(event, "14:15", key="ateliers")
    workshop = make_workshop(event, slot, room, key="w1", capacity=30, host="Mme Hôte")
    db.session.add_all([
        Assignment(participant=seated, round=r1, session=first, pinned=True),
        WorkshopAssignment(participant=seated, slot=slot, workshop=workshop, pinned=False),
    ])
    db.session.commit()

    doc = export_instance(event)
    text = json.dumps(doc, ensure_ascii=False)

    assert "@" not in text  # no email address leaves the app
    assert [p["id"] for p in doc["participants"]] == ["sp1", "sp2", "p1"]
    assert doc["projects"][0]["presenters"] == ["sp1"]
    assert doc["projects"][0]["organisation"] == "SOLENI"
    assert doc["rooms"][0]["directions"] == "1er étage, à gauche"
    assert doc["rounds"] == [{"id": "r1", "start": "11:50", "end": "12:10"},
                             {"id": "r2", "start": "12:15", "end": "12:35"}]
    sessions = {s["id"]: s for s in doc["sessions"]}
    assert sessions["soleni-1"]["capacity"] == 45  # the room's share per table
    assert sessions["soleni-2"]["capacity"] == 20
    people = {p["id"]: p for p in doc["participants"]}
    assert people["sp2"]["unavailable"] == ["r1"]  # presents soleni-1 as an extra
    assert people["sp2"]["name"] == "Ana Diaz"
    assert people["p1"]["fixed"] == {"r1": "soleni-1"}  # the unpinned workshop is not fixed
    assert people["p1"]["needs_accessible"] is True
    assert doc["workshops"][0]["host"] == "Mme Hôte"
    assert doc["options"]["seed"] == 3
    # The export is a valid instance: it imports as a new event.
    assert import_instance(doc).id != event.id


# --- validation: every kind of error, with its path ------------------------------------


def _set(path: str, value):
    """A mutation of small_instance(): ``path`` like "sessions.1.room"."""

    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


DELETE = object()

ERROR_CASES = {
    "unknown room": (_set("sessions.1.room", "salle9"),
                     ("sessions[1].room", 'unknown room "salle9"')),
    "unknown wish": (_set("participants.1.wishes.0", "tapj"),
                     ("participants[1].wishes[0]", 'unknown project "tapj"')),
    "duplicate id": (_set("themes.1.id", "remobiliser"),
                     ("themes[1].id", 'duplicate id "remobiliser" (already used by themes[0])')),
    "duplicate wish": (_set("participants.1.wishes", ["tapaj", "tapaj"]),
                       ("participants[1].wishes[1]", 'duplicate project "tapaj"')),
    "missing field": (_set("rooms.0.capacity", DELETE),
                      ("rooms[0].capacity", "required field missing")),
    "null required": (_set("projects.0.theme", None),
                      ("projects[0].theme", "must not be null")),
    "missing id": (_set("rounds.0.id", DELETE), ("rounds[0].id", "required field missing")),
    "list as id": (_set("rooms.0.id", ["attenante"]),
                   ("rooms[0].id", "must be a string, not a list")),
    "empty id": (_set("rounds.0.id", ""), ("rounds[0].id", "must not be empty")),
    "wrong type": (_set("rooms.0.capacity", "60"),
                   ("rooms[0].capacity", "must be an integer, not a string")),
    "float capacity": (_set("workshops.0.capacity", 60.5),
                       ("workshops[0].capacity", "must be an integer, not a number")),
    "boolean": (_set("participants.1.needs_accessible", "yes"),
                ("participants[1].needs_accessible", "must be true or false, not a string")),
    "list expected": (_set("themes", {"a": 1}), ("themes", "must be a list, not an object")),
    "object expected": (_set("rooms.1", "salle2"), ("rooms[1]", "must be an object, not a string")),
    "bad colour": (_set("themes.0.colour", "red"),
                   ("themes[0].colour", 'invalid colour "red": expected #rrggbb')),
    "bad time": (_set("rounds.0.start", "25:00"),
                 ("rounds[0].start", 'invalid time "25:00": expected HH:MM (00:00 to 23:59)')),
    "short time": (_set("workshop_slots.0.end", "9:5"),
                   ("workshop_slots[0].end",
                    'invalid time "9:5": expected HH:MM (00:00 to 23:59)')),
    "end before start": (_set("rounds.1.end", "12:00"),
                         ("rounds[1].end", "must be after start (12:00 is not after 12:15)")),
    "negative capacity": (_set("rooms.1.capacity", -5),
                          ("rooms[1].capacity", "must be at least 0 (got -5)")),
    "huge capacity": (_set("rooms.0.capacity", 10**12),
                      ("rooms[0].capacity", "must be at most 100000 (got 1000000000000)")),
    "NUL character": (_set("projects.1.name", "AVI\x00SE"),
                      ("projects[1].name", "must not contain NUL characters")),
    "no table": (_set("rooms.0.tables", 0), ("rooms[0].tables", "must be at least 1 (got 0)")),
    "audience over capacity": (_set("sessions.0.min_audience", 50),
                               ("sessions[0].min_audience", "50 exceeds capacity 30")),
    "unknown category": (_set("participants.2.category", "martien"),
                         ("participants[2].category",
                          'unknown category "martien" (expected one of siae, service-public, '
                          'association, entreprise, collectivite, recherche, financeur, '
                          'demandeur-emploi, intervenant, autre)')),
    "fixed outside its round": (_set("participants.1.fixed", {"r2": "tapaj-1"}),
                                ("participants[1].fixed.r2",
                                 'session "tapaj-1" is in round "r1", not in round "r2"')),
    "fixed to a workshop in a round": (_set("participants.1.fixed", {"r1": "w-eval"}),
                                       ("participants[1].fixed.r1",
                                        '"w-eval" is not a session (round "r1" needs one)')),
    "fixed unknown round": (_set("participants.1.fixed", {"r9": "tapaj-1"}),
                            ("participants[1].fixed.r9",
                             'unknown round or workshop slot "r9"')),
    "fixed while unavailable": (_set("participants.1.unavailable", ["r1"]),
                                ("participants[1].fixed.r1",
                                 '"r1" is also listed in unavailable')),
    "unknown unavailable": (_set("participants.1.unavailable", ["lunch"]),
                            ("participants[1].unavailable[0]",
                             'unknown round or workshop slot "lunch"')),
    "unknown presenter": (_set("projects.0.presenters", ["nobody"]),
                          ("projects[0].presenters[0]", 'unknown participant "nobody"')),
    "project twice in a round": (_set("sessions.3.round", "r1"),
                                 ("sessions[3].round",
                                  'project "avise" already presents in round "r1" '
                                  "(sessions[1])")),
    "more sessions than tables": (_set("sessions.1.room", "attenante"),
                                  ("sessions[1].room",
                                   'room "attenante" has 1 table(s), all taken in round "r1"')),
    "unknown option": (_set("options.speed", 3),
                       ("options.speed",
                        'unknown option "speed" (expected one of rank_weights, theme_weight, '
                        "unlucky_penalty, min_distinct_themes, previous, change_penalty, "
                        "allow_idle, time_limit_s, workers, seed)")),
    "bad option": (_set("options.rank_weights", [100, -1]),
                   ("options.rank_weights[1]",
                    "must be an integer from 0 to 1000000 (got -1)")),
    # issue 12 finding 4: weights of 2**70 stalled a solve job far past its limit
    "huge rank weight": (_set("options.rank_weights", [2**70]),
                         ("options.rank_weights[0]",
                          "must be an integer from 0 to 1000000 (got 1180591620717411303424)")),
    "huge theme weight": (_set("options.theme_weight", 10**7),
                          ("options.theme_weight",
                           "must be an integer from 0 to 1000000 (got 10000000)")),
    "too many workers": (_set("options.workers", 1000),
                         ("options.workers", "must be an integer from 1 to 64 (got 1000)")),
    "endless time limit": (_set("options.time_limit_s", 1e9),
                           ("options.time_limit_s", "must be a number of seconds greater than 0 "
                                                    "and at most 3600 (got 1000000000.0)")),
    "huge seed": (_set("options.seed", 2**40),
                  ("options.seed", "must be an integer from -2147483648 to 2147483647 "
                                   "(got 1099511627776)")),
    "too many rank weights": (_set("options.rank_weights", [1] * 101),
                              ("options.rank_weights", "must have at most 100 entries (got 101)")),
    "bad previous": (_set("options.previous", {"p2": {"r1": "nope"}}),
                     ("options.previous.p2.r1", 'unknown session or workshop "nope"')),
    "wrong format": (_set("format", "speed-dating-solution/1"),
                     ("format", 'must be "speed-dating-instance/1" '
                                '(got "speed-dating-solution/1")')),
    "bad date": (_set("event.date", "07/12/2016"),
                 ("event.date", 'invalid date "07/12/2016": expected YYYY-MM-DD')),
    "bad timezone": (_set("event.timezone", "Paris"),
                     ("event.timezone", 'unknown timezone "Paris": expected an IANA name such '
                                        'as "Europe/Paris"')),
    "too long name": (_set("participants.0.name", "A" * 151 + " B"),
                      ("participants[0].name",
                       "too long (first and last name: at most 150 characters each)")),
    "too long id": (_set("themes.0.id", "x" * 101),
                    ("themes[0].id", "too long (101 characters, at most 100)")),
    # issue 12: a line break in the event's name broke every calendar feed of the event
    "line break in a name": (_set("event.name", "Journée\r\ntest"),
                             ("event.name", "must be on one line (no line breaks)")),
    "control character in a room name": (_set("rooms.0.name", "Salle\x1b[2J"),
                                         ("rooms[0].name",
                                          "must not contain control characters (U+001B)")),
    "NUL in a description": (_set("projects.0.description", "TAPAJ\x00"),
                             ("projects[0].description", "must not contain NUL characters")),
}


def test_names_lose_bidi_controls_and_descriptions_keep_line_breaks(app):
    """Issue 12: a right-to-left override in a name printed it reversed on badges."""
    data = small_instance()
    data["participants"][0]["name"] = "\u202eAlice\u202c Martin"
    data["projects"][0]["name"] = "TAPAJ\u200f"
    data["projects"][0]["description"] = "Ligne 1\nLigne 2\tfin"
    doc = validate_instance(data)
    assert doc["participants"][0]["name"] == "Alice Martin"
    assert doc["projects"][0]["name"] == "TAPAJ"
    assert doc["projects"][0]["description"] == "Ligne 1\nLigne 2\tfin"


@pytest.mark.parametrize("case", ERROR_CASES, ids=list(ERROR_CASES))
def test_each_error_names_its_place(app, case):
    mutate, expected = ERROR_CASES[case]
    data = small_instance()
    mutate(data)
    before = row_counts()

    errors = errors_of(data)

    assert expected in errors
    assert row_counts() == before


def test_every_error_is_reported_at_once(app):
    data = small_instance()
    data["sessions"][1]["room"] = "salle9"
    data["participants"][1]["wishes"][0] = "tapj"
    data["themes"][0]["colour"] = "#zzzzzz"
    data["participants"][1]["fixed"] = {"r2": "tapaj-1"}
    data["participants"][1]["unavailable"] = []

    errors = errors_of(data)

    assert [path for path, _ in errors] == [
        "themes[0].colour", "sessions[1].room", "participants[1].wishes[0]",
        "participants[1].fixed.r2"]
    assert str(InstanceImportError(errors)).splitlines()[1] == (
        'sessions[1].room: unknown room "salle9"')


def test_example_error_paths(app, shared_examples):
    data = load_example(shared_examples, "restitution-2016.json")
    data["participants"][12]["wishes"] = ["tapj"]
    data["sessions"][3]["room"] = "salle9"
    before = row_counts()

    errors = errors_of(data)

    assert errors == [("sessions[3].room", 'unknown room "salle9"'),
                      ("participants[12].wishes[0]", 'unknown project "tapj"')]
    assert row_counts() == before


def test_the_app_and_the_solver_word_the_structure_alike(app):
    """Issue 14: one schema for the format; a structure failure reads the same in both."""
    data = small_instance()
    data["rooms"][0]["capacity"] = "60"
    data["rounds"][0]["start"] = "25:00"
    data["options"]["workers"] = 100
    with pytest.raises(InstanceError) as solver:
        load_instance(data)
    app_errors = errors_of(data)
    for expected in [("rooms[0].capacity", "must be an integer, not a string"),
                     ("rounds[0].start", 'invalid time "25:00": expected HH:MM (00:00 to 23:59)'),
                     ("options.workers", "must be an integer from 1 to 64 (got 100)")]:
        assert expected in app_errors and expected in solver.value.errors
    assert {k: v for k, v in SOLVER_OPTIONS.items() if k != "previous"} == DEFAULT_OPTIONS


def test_document_must_be_an_object(app):
    assert errors_of([1, 2]) == [("document", "must be a JSON object")]


@pytest.mark.parametrize(("raw", "message"), [
    (b'{"format": 1,\n  "event": }', "invalid JSON at line 2, column 12: Expecting value"),
    (b'{"a": NaN}', "invalid JSON: NaN is not allowed in JSON"),
    (b'{"themes": [{"id": "a", "id": "b"}]}', 'invalid JSON: duplicate key "id" in an object'),
    ('{"name": "Journée"}'.encode("latin-1"),
     "not UTF-8 text (byte 0xe9 at position 15); save the file as UTF-8 and try again"),
])
def test_unreadable_files(raw, message):
    with pytest.raises(InstanceImportError) as caught:
        load_document(raw)
    assert caught.value.errors == [("file", message)]


def test_utf8_bom_is_accepted():
    assert load_document('\ufeff{"a": "é"}'.encode()) == {"a": "é"}


# --- replace ---------------------------------------------------------------------------


def _programme_snapshot(event: Event) -> dict:
    return json.loads(json.dumps(export_instance(event)))


def test_replace_swaps_programme_and_keeps_identity(app, shared_examples):
    event = make_event(slug="journee", name="Ma journée")
    old_room = make_room(event, key="attenante")
    item = make_programme_item(event, room=old_room)
    make_room(event, key="old-room")
    old_person = make_participant(event, key="old")
    make_project(event, presenters=[old_person])
    db.session.commit()
    item_id = item.id

    import_instance(load_example(shared_examples, "restitution-2016.json"), event=event)
    db.session.commit()

    event = db.session.scalar(select(Event).where(Event.slug == "journee"))
    assert event.name == "Ma journée"
    assert db.session.scalar(select(func.count(Event.id))) == 1
    assert db.session.scalar(select(Participant).where(Participant.key == "old")) is None
    rooms = set(db.session.scalars(select(Room.key).where(Room.event_id == event.id)))
    assert "old-room" not in rooms and "attenante" in rooms
    from eventapp.models import ProgrammeItem

    assert db.session.get(ProgrammeItem, item_id).room.key == "attenante"  # relinked
    original = load_example(shared_examples, "restitution-2016.json")
    exported = export_instance(event)
    exported["event"] = original["event"]
    assert normalise(exported) == normalise(original)


def test_replace_happens_in_one_transaction(app, monkeypatch):
    event = import_instance(small_instance())
    db.session.commit()
    before_counts, before_doc = row_counts(), _programme_snapshot(event)

    from eventapp.exchange import operations

    def fail(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(operations._Builder, "_workshops", fail)
    replacement = small_instance()
    replacement["participants"].append({"id": "p3"})
    with pytest.raises(RuntimeError):
        import_instance(replacement, event=event)
    db.session.rollback()

    assert row_counts() == before_counts
    assert _programme_snapshot(db.session.get(Event, event.id)) == before_doc


def test_invalid_replacement_changes_nothing(app):
    event = import_instance(small_instance())
    db.session.commit()
    before = row_counts()
    data = small_instance()
    data["rooms"][0]["capacity"] = -1

    with pytest.raises(InstanceImportError):
        import_instance(data, event=event)

    assert row_counts() == before


# --- web pages -------------------------------------------------------------------------


def _upload(client, url: str, content: bytes, name: str = "instance.json"):
    return client.post(url, data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


ROUTES = ("/manage/events/journee/export.json", "/manage/import", "/manage/events/journee/import")


@pytest.mark.parametrize("url", ROUTES)
def test_routes_need_sign_in(client, app, url):
    make_event(slug="journee")
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ROUTES)
def test_routes_are_closed_to_staff(staff_client, url):
    make_event(slug="journee")
    db.session.commit()
    assert staff_client.get(url).status_code == 403
    if url.endswith("/import"):
        before = row_counts()
        response = _upload(staff_client, url, _json_bytes(small_instance()))
        assert response.status_code == 403
        assert row_counts() == before


@pytest.mark.parametrize("url", ROUTES)
def test_routes_are_open_to_organisers(organiser_client, url):
    make_event(slug="journee")
    db.session.commit()
    assert organiser_client.get(url).status_code == 200


def test_export_download(organiser_client):
    event = import_instance(small_instance())
    db.session.commit()

    response = organiser_client.get(f"/manage/events/{event.slug}/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{event.slug}-instance.json"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == export_instance(event)


def test_export_unknown_event_is_404(organiser_client):
    assert organiser_client.get("/manage/events/nope/export.json").status_code == 404


def test_import_new_event_from_the_page(organiser_client):
    response = _upload(organiser_client, "/manage/import", _json_bytes(small_instance()))

    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.slug == "journee-test-2016-12-07"
    assert db.session.scalar(select(func.count(Participant.id))) == 3


def test_import_page_lists_every_error_and_writes_nothing(organiser_client):
    data = small_instance()
    data["sessions"][1]["room"] = "salle9"
    data["rooms"][0]["capacity"] = -1
    before = row_counts()

    response = _upload(organiser_client, "/manage/import", _json_bytes(data))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<code>sessions[1].room</code> : unknown room &#34;salle9&#34;" in page
    assert "<code>rooms[0].capacity</code> : must be at least 0 (got -1)" in page
    assert row_counts() == before


@pytest.mark.parametrize(("content", "message"), [
    (b'{"format": ', "invalid JSON at line 1, column 12"),
    ("é".encode("latin-1"), "not UTF-8 text"),
])
def test_import_page_explains_unreadable_files(organiser_client, content, message):
    response = _upload(organiser_client, "/manage/import", content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_import_page_requires_a_file(organiser_client):
    response = organiser_client.post("/manage/import", data={},
                                     content_type="multipart/form-data")
    assert response.status_code == 400


def test_import_file_size_limit(organiser_client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload(organiser_client, "/manage/import", b" " * 5000)
    assert response.status_code == 413


def test_replace_from_the_page_asks_for_confirmation(organiser_client):
    event = make_event(slug="journee")
    make_participant(event, key="old")
    db.session.commit()
    url = "/manage/events/journee/import"

    checked = _upload(organiser_client, url, _json_bytes(small_instance()))
    assert checked.status_code == 200
    page = checked.get_data(as_text=True)
    assert "Confirm the replacement" in page
    token = page.split('name="confirm-token" type="hidden" value="')[1].split('"')[0]
    assert db.session.scalar(select(Participant.key)) == "old"  # nothing changed yet

    unticked = organiser_client.post(url, data={"confirm-token": token})
    assert unticked.status_code == 400
    assert db.session.scalar(select(Participant.key)) == "old"
    token = unticked.get_data(as_text=True).split(
        'name="confirm-token" type="hidden" value="')[1].split('"')[0]

    done = organiser_client.post(url, data={"confirm-token": token, "confirm-confirm": "y"})
    assert done.status_code == 302
    keys = set(db.session.scalars(select(Participant.key)))
    assert keys == {"sp1", "p1", "p2"}
    assert db.session.scalar(select(Event.slug)) == "journee"

    replay = organiser_client.post(url, data={"confirm-token": token, "confirm-confirm": "y"})
    assert replay.status_code == 302  # the token was used: back to the upload form
    assert replay.headers["Location"].endswith(url)


def test_replace_page_refuses_invalid_file(organiser_client):
    event = make_event(slug="journee")
    make_participant(event, key="old")
    db.session.commit()
    data = small_instance()
    data["participants"][1]["wishes"] = ["tapj"]

    response = _upload(organiser_client, "/manage/events/journee/import", _json_bytes(data))

    assert response.status_code == 400
    assert "participants[1].wishes[0]" in response.get_data(as_text=True)
    assert db.session.scalar(select(Participant.key)) == "old"


def test_replace_token_is_bound_to_its_event(organiser_client):
    make_event(slug="journee")
    other = make_event(slug="autre")
    make_participant(other, key="keep")
    db.session.commit()
    page = _upload(organiser_client, "/manage/events/journee/import",
                   _json_bytes(small_instance())).get_data(as_text=True)
    token = page.split('name="confirm-token" type="hidden" value="')[1].split('"')[0]

    response = organiser_client.post("/manage/events/autre/import",
                                     data={"confirm-token": token, "confirm-confirm": "y"})

    assert response.status_code == 302
    assert set(db.session.scalars(select(Participant.key))) == {"keep"}


def test_stale_uploads_expire(app, tmp_path):
    import os

    from eventapp.exchange import pending

    token = pending.stash({"a": 1}, event_id=1, user_id=1)
    assert pending.take(token, event_id=1, user_id=2) is None  # not the uploader
    path = tmp_path / "uploads" / f"{token}.json"
    old = path.stat().st_mtime - pending.MAX_AGE_SECONDS - 1
    os.utime(path, (old, old))
    assert pending.take(token, event_id=1, user_id=1) is None
    assert not path.exists()
    assert pending.take("../../etc/passwd", event_id=1, user_id=1) is None
    fresh = pending.stash({"a": 2}, event_id=1, user_id=1)
    assert pending.take(fresh, event_id=1, user_id=1) == {"a": 2}
    assert pending.take(fresh, event_id=1, user_id=1) is None  # used once


# --- command line ----------------------------------------------------------------------


def test_cli_export_and_import(app, shared_examples, tmp_path):
    runner = app.test_cli_runner()
    source = shared_examples / "restitution-2016.json"

    imported = runner.invoke(args=["import-instance", str(source)])
    assert imported.exit_code == 0, imported.output
    slug = db.session.scalar(select(Event.slug))
    assert slug in imported.stdout

    to_stdout = runner.invoke(args=["export-instance", slug])
    assert to_stdout.exit_code == 0
    assert normalise(json.loads(to_stdout.stdout)) == normalise(load_example(shared_examples,
                                                                             source.name))
    target = tmp_path / "out.json"
    to_file = runner.invoke(args=["export-instance", slug, "-o", str(target)])
    assert to_file.exit_code == 0
    assert target.read_text(encoding="utf-8") == to_stdout.stdout


def test_cli_import_errors_exit_1_without_traceback(app, tmp_path):
    data = small_instance()
    data["sessions"][1]["room"] = "salle9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = row_counts()

    result = app.test_cli_runner().invoke(args=["import-instance", str(path)])

    assert result.exit_code == 1
    assert 'sessions[1].room: unknown room "salle9"' in result.stderr.splitlines()
    assert "Traceback" not in result.output
    assert row_counts() == before


def test_cli_unknown_slug(app):
    result = app.test_cli_runner().invoke(args=["export-instance", "nope"])
    assert result.exit_code == 1
    assert result.stderr.strip() == 'no event with slug "nope"'


def test_cli_replace(app, tmp_path):
    event = make_event(slug="journee")
    make_participant(event, key="old")
    db.session.commit()
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(small_instance()), encoding="utf-8")
    runner = app.test_cli_runner()

    declined = runner.invoke(args=["import-instance", str(path), "--replace", "journee"],
                             input="n\n")
    assert declined.exit_code == 1
    assert set(db.session.scalars(select(Participant.key))) == {"old"}

    accepted = runner.invoke(args=["import-instance", str(path), "--replace", "journee"],
                             input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert set(db.session.scalars(select(Participant.key))) == {"sp1", "p1", "p2"}
    assert db.session.scalar(select(func.count(Event.id))) == 1
    assert db.session.scalar(select(func.count(Project.id))) == 3
    assert db.session.scalar(select(func.count(Workshop.id))) == 1


# --- property: any valid instance survives the round trip ----------------------------

NAMES = ("Ana Diaz", "Lou", "Jean-Hugues Le Bars", "Zoé  Martin", "Élise d'Arc")


def _random_instance(draw) -> dict:
    """A random valid instance, drawn piece by piece so every reference is right."""
    from hypothesis import strategies as st

    def subset(items, **kwargs):
        return draw(st.lists(st.sampled_from(items), unique=True, **kwargs)) if items else []

    themes = [{"id": f"t{i}", "name": f"Thème {i}",
               "colour": draw(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))}
              for i in range(draw(st.integers(1, 3)))]
    theme_ids = [t["id"] for t in themes]
    rooms = [{"id": f"room{i}", "name": f"Salle {i}", "capacity": draw(st.integers(0, 120)),
              "tables": draw(st.integers(1, 2)), "accessible": draw(st.booleans()),
              "themes": subset(theme_ids)} for i in range(draw(st.integers(1, 3)))]
    rounds = [{"id": f"r{i}", "start": f"{10 + i}:00", "end": f"{10 + i}:20"}
              for i in range(draw(st.integers(1, 3)))]
    slots = [{"id": f"s{i}", "start": f"{14 + i}:00", "end": f"{14 + i}:45"}
             for i in range(draw(st.integers(0, 2)))]
    people = [{"id": f"p{i}", "name": draw(st.sampled_from(NAMES)),
               "category": draw(st.sampled_from([None, "siae", "intervenant", "autre"]))}
              for i in range(draw(st.integers(0, 6)))]
    person_ids = [p["id"] for p in people]
    projects = [{"id": f"proj{i}", "name": f"Projet {i}", "theme": draw(st.sampled_from(theme_ids)),
                 "presenters": subset(person_ids, max_size=2)}
                for i in range(draw(st.integers(1, 4)))]
    sessions, used = [], {}
    for project in projects:
        for n, round_key in enumerate(subset([r["id"] for r in rounds] + [None])):
            room = draw(st.sampled_from([None, *rooms]))
            if room and round_key and used.get((round_key, room["id"]), 0) >= room["tables"]:
                room = None
            if room and round_key:
                used[(round_key, room["id"])] = used.get((round_key, room["id"]), 0) + 1
            session = {"id": f"{project['id']}-{n}", "project": project["id"]}
            if round_key:
                session["round"] = round_key
            if room:
                session["room"] = room["id"]
            capacity = draw(st.one_of(st.none(), st.integers(0, 50)))
            if capacity is not None:
                session["capacity"] = capacity
            session["min_audience"] = draw(st.integers(0, capacity if capacity is not None else 5))
            sessions.append(session)
    workshops = [{"id": f"w{i}", "name": f"Atelier {i}", "slot": draw(st.sampled_from(slots))["id"],
                  "room": draw(st.sampled_from(rooms))["id"], "capacity": draw(st.integers(0, 60))}
                 for i in range(draw(st.integers(0, 3)) if slots else 0)]
    for person in people:
        person["wishes"] = subset([p["id"] for p in projects])
        person["themes"] = subset(theme_ids)
        person["workshop_wishes"] = subset([w["id"] for w in workshops])
        person["unavailable"] = subset([r["id"] for r in rounds] + [s["id"] for s in slots])
        person["needs_accessible"] = draw(st.booleans())
        person["fixed"] = {}
        for round_key in subset([r["id"] for r in rounds if r["id"] not in person["unavailable"]]):
            choices = [s["id"] for s in sessions if s.get("round") == round_key]
            if choices:
                person["fixed"][round_key] = draw(st.sampled_from(choices))
        for slot_key in subset([s["id"] for s in slots if s["id"] not in person["unavailable"]]):
            choices = [w["id"] for w in workshops if w["slot"] == slot_key]
            if choices:
                person["fixed"][slot_key] = draw(st.sampled_from(choices))
    options = {name: value for name, value in {
        "rank_weights": draw(st.lists(st.integers(0, 100), max_size=4)),
        "allow_idle": draw(st.booleans()),
        "time_limit_s": draw(st.sampled_from([0.5, 10, 30])),
        "seed": draw(st.integers(-5, 5)),
    }.items() if draw(st.booleans())}
    return {"format": "speed-dating-instance/1",
            "event": {"name": "Journée aléatoire", "date": "2024-03-31",  # a DST day in Paris
                      "timezone": draw(st.sampled_from(["Europe/Paris", "America/Cayenne"]))},
            "themes": themes, "rooms": rooms, "rounds": rounds, "projects": projects,
            "sessions": sessions, "workshop_slots": slots, "workshops": workshops,
            "participants": people, "options": options}


@pytest.mark.slow
def test_any_valid_instance_round_trips(app):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.data())
    def check(data):
        original = _random_instance(data.draw)
        event = import_instance(copy.deepcopy(original))
        db.session.flush()
        assert normalise(export_instance(event)) == normalise(original)
        db.session.rollback()

    check()


def _leaf_paths(value, prefix=()):
    """Every place in a document where a value can be replaced."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, (*prefix, index))


def test_any_corrupted_document_is_refused_cleanly(app):
    """Whatever a hand edit breaks, the answer is a list of errors, never a crash."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-3, 200) | st.floats(allow_nan=False)
        | st.sampled_from(["", "r1", "tapaj", "salle2", "p1", "#zzzzzz", "12:00", "x" * 120,
                           "a\x00b", 10**12, 2**70, 1e300]),
        lambda children: st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "name", "r1", "x"]), children, max_size=3),
        max_leaves=6,
    )
    paths = [path for path in _leaf_paths(small_instance()) if path]

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.sampled_from(paths), json_values), min_size=1, max_size=3))
    def check(edits):
        data = small_instance()
        for path, value in edits:
            target = data
            try:
                for part in path[:-1]:
                    target = target[part]
                target[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                continue  # an earlier edit removed this place
        try:
            import_instance(data)
            db.session.flush()
        except InstanceImportError as error:
            assert error.errors and all(isinstance(p, str) and m for p, m in error.errors)
        finally:
            db.session.rollback()

    check()
