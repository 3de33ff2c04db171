"""Rules of the organiser's builder, tested on the operations (no HTTP)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.exc import IntegrityError

from eventapp.builder import operations as ops
from eventapp.builder import queries
from eventapp.extensions import db
from eventapp.models import (
    Assignment,
    Event,
    Participant,
    ProgrammeItem,
    Project,
    ProjectWish,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from eventapp.programme.keys import slugify, unique_key
from tests.factories import (
    local,
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


@pytest.fixture(autouse=True)
def english(app):
    """Messages are asserted in English, whatever the French catalogue says."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- keys ---------------------------------------------------------------------------------


def test_slugify_makes_ascii_url_safe_keys():
    assert slugify("Salle attenante n°2") == "salle-attenante-n2"
    assert slugify("  L'Économie   sociale & solidaire ") == "l-economie-sociale-solidaire"
    assert slugify("!!!") == ""


def test_unique_key_appends_a_number_within_the_event_only(app):
    event, other = make_event(), make_event()
    make_theme(event, key="remobiliser")
    make_theme(other, key="transformer")
    assert unique_key(Theme, event.id, "Remobiliser") == "remobiliser-2"
    assert unique_key(Theme, event.id, "Transformer") == "transformer"
    assert unique_key(Theme, event.id, "???", fallback="theme") == "theme"


def test_theme_key_derived_from_name_and_typed_key_checked(app):
    event = make_event()
    first = ops.save_theme(event, None, {"name": "Remobiliser par le travail",
                                         "colour": "#D0312D", "colour_name": "rouge"})
    assert first.key == "remobiliser-par-le-travail"
    assert first.colour == "#d0312d"
    second = ops.save_theme(event, None, {"name": "Remobiliser par le travail",
                                          "colour": "#d0312d", "colour_name": "rouge"})
    assert second.key == "remobiliser-par-le-travail-2"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_theme(event, None, {"name": "X", "colour": "#000000", "colour_name": "noir",
                                     "key": first.key})
    assert error.value.field == "key"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_theme(event, None, {"name": "X", "colour": "#000000", "colour_name": "noir",
                                     "key": "with space"})
    assert error.value.field == "key"


def test_theme_colour_must_be_hex_and_named(app):
    event = make_event()
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_theme(event, None, {"name": "T", "colour_hex": "red", "colour_name": "rouge"})
    assert error.value.field == "colour_hex"
    # an empty colour name is filled in with the nearest palette name
    named = ops.save_theme(event, None, {"name": "T0", "colour": "#ff0000", "colour_name": " "})
    assert named.colour_name == "rouge"
    picked = ops.save_theme(event, None, {"name": "T1", "swatch": "#2e8b57", "colour": "#1f6fb2",
                                          "colour_hex": "#1f6fb2", "colour_was": "#1f6fb2"})
    assert (picked.colour, picked.colour_name) == ("#2e8b57", "vert")
    theme = ops.save_theme(event, None, {"name": "T", "colour": "#ff0000",
                                         "colour_hex": "#00Aa00", "colour_name": "vert"})
    assert theme.colour == "#00aa00"  # the typed code wins over the picker


# --- events -------------------------------------------------------------------------------


def test_event_slug_suggested_unique_and_timezone_validated(app):
    first = ops.save_event(None, {"name": "Journée de restitution", "date": date(2016, 12, 7)})
    second = ops.save_event(None, {"name": "Journée de restitution", "date": date(2017, 1, 7)})
    assert (first.slug, second.slug) == ("journee-de-restitution", "journee-de-restitution-2")
    assert first.timezone == "Europe/Paris"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_event(None, {"name": "X", "date": date(2016, 1, 1), "timezone": "Paris"})
    assert error.value.field == "timezone"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_event(None, {"name": "X", "date": date(2016, 1, 1), "slug": "Bad Slug"})
    assert error.value.field == "slug"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_event(None, {"name": "X", "date": date(2016, 1, 1), "slug": "new"})
    assert error.value.field == "slug"


def test_moving_the_event_keeps_wall_clock_times(app):
    event = make_event(date=date(2016, 12, 7))
    round_ = make_round(event, "11:50")
    item = make_programme_item(event, "09:30")
    ops.save_event(event, {"name": event.name, "slug": event.slug, "date": date(2017, 6, 7),
                           "timezone": "America/Martinique"})
    db.session.commit()
    assert round_.starts_at == datetime(2017, 6, 7, 15, 50, tzinfo=UTC)  # UTC-4
    assert event.to_local(item.starts_at).strftime("%Y-%m-%d %H:%M") == "2017-06-07 09:30"


def test_delete_event_removes_everything_and_nothing_else(app):
    event, other = make_event(), make_event()
    theme = make_theme(event)
    room = make_room(event, themes=[theme])
    person = make_participant(event)
    project = make_project(event, theme, presenters=[person])
    round_ = make_round(event)
    session = make_session(event, project, round=round_, room=room, table_number=1)
    db.session.add(Assignment(participant=make_participant(event), round=round_,
                              session_id=session.id))
    make_workshop(event, room=room)
    make_programme_item(event, room=room)
    kept = make_project(other)
    db.session.commit()
    event_id = event.id
    ops.delete_event(event)
    db.session.commit()
    assert db.session.get(Event, event_id) is None
    assert db.session.get(Event, other.id) is not None
    assert db.session.get(Project, kept.id) is not None
    for model in (Session, Project, Room, Round, Workshop, WorkshopSlot, ProgrammeItem,
                  Participant, Theme):
        assert db.session.scalar(db.select(db.func.count()).select_from(model).where(
            model.event_id == event_id)) == 0, model
    assert count(Assignment) == 0
    assert count(Project) == 1


# --- rooms and projects -------------------------------------------------------------------


def test_room_table_labels_and_themes(app):
    event = make_event()
    theme = make_theme(event)
    room = ops.save_room(event, None, {
        "name": "Salle 1", "capacity": 90, "tables": 2, "step_free": True,
        "table_labels": "Construire des parcours innovants\n\n", "themes": [theme.id]})
    assert room.table_labels == ["Construire des parcours innovants"]
    assert room.table_label(1) == "Construire des parcours innovants"
    assert room.themes == [theme]
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_room(event, room, {"name": "Salle 1", "capacity": 90, "tables": 1,
                                    "table_labels": "a\nb"})
    assert error.value.field == "table_labels"


def test_room_cannot_drop_tables_or_themes_in_use(app):
    event = make_event()
    red, blue = make_theme(event), make_theme(event)
    room = make_room(event, tables=2, themes=[red])
    make_session(event, make_project(event, red), round=make_round(event), room=room,
                 table_number=2)
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_room(event, room, {"name": room.name, "capacity": 60, "tables": 1,
                                    "themes": [red.id]})
    assert error.value.field == "tables"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_room(event, room, {"name": room.name, "capacity": 60, "tables": 2,
                                    "themes": [blue.id]})
    assert error.value.field == "themes"


def test_project_keywords_and_new_presenter(app):
    event = make_event()
    theme = make_theme(event)
    existing = make_participant(event)
    project = ops.save_project(event, None, {
        "name": "TAPAJ", "theme": theme.id, "keywords": "jeunes, travail ; Jeunes,, errance",
        "presenters": [existing.id], "new_first_name": "Ana", "new_last_name": "Lopez",
        "new_email": "ANA@example.org", "new_organisation": "Oppelia"})
    assert project.keywords == ["jeunes", "travail", "errance"]
    assert project.key == "tapaj"
    new = next(p for p in project.presenters if p.id != existing.id)
    assert (new.full_name, new.email, new.role) == ("Ana Lopez", "ana@example.org", "presenter")
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_project(event, None, {"name": "Autre", "theme": theme.id,
                                       "new_last_name": "Dup", "new_email": "ana@example.org"})
    assert error.value.field == "new_email"


def test_project_refuses_a_theme_of_another_event(app):
    event, other = make_event(), make_event()
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_project(event, None, {"name": "P", "theme": make_theme(other).id})
    assert error.value.field == "theme"


# --- rounds -------------------------------------------------------------------------------


def test_generate_rounds_in_local_time_stored_utc(app):
    event = make_event(date=date(2016, 12, 7), timezone="Europe/Paris")
    rounds = ops.generate_rounds(event, ops.RoundPlan(time(11, 50), 3))
    db.session.commit()
    assert [r.key for r in rounds] == ["r1", "r2", "r3"]
    stored = queries.rounds(event)
    # Paris is UTC+1 in December: 11:50 local is 10:50 UTC; 20 minutes then 5 to move.
    assert [(r.starts_at, r.ends_at) for r in stored] == [
        (datetime(2016, 12, 7, 10, 50, tzinfo=UTC), datetime(2016, 12, 7, 11, 10, tzinfo=UTC)),
        (datetime(2016, 12, 7, 11, 15, tzinfo=UTC), datetime(2016, 12, 7, 11, 35, tzinfo=UTC)),
        (datetime(2016, 12, 7, 11, 40, tzinfo=UTC), datetime(2016, 12, 7, 12, 0, tzinfo=UTC)),
    ]
    more = ops.generate_rounds(event, ops.RoundPlan(time(14, 0), 2, minutes=15, changeover=0))
    assert [r.key for r in more] == ["r4", "r5"]
    assert event.to_local(more[1].starts_at).strftime("%H:%M") == "14:15"


def test_generate_rounds_in_summer_uses_summer_offset(app):
    event = make_event(date=date(2017, 7, 1), timezone="Europe/Paris")
    (round_,) = ops.generate_rounds(event, ops.RoundPlan(time(9, 0), 1))
    assert round_.starts_at == datetime(2017, 7, 1, 7, 0, tzinfo=UTC)


def test_generate_rounds_refuses_overlap_and_midnight(app):
    event = make_event()
    make_round(event, "12:00")
    with pytest.raises(ops.ProgrammeError) as error:
        ops.generate_rounds(event, ops.RoundPlan(time(11, 50), 2))
    assert error.value.field == "first_start"
    with pytest.raises(ops.ProgrammeError) as error:
        ops.generate_rounds(event, ops.RoundPlan(time(23, 0), 4))
    assert error.value.field == "count"


def test_round_end_must_follow_start(app):
    event = make_event()
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_round(event, None, {"starts": time(12, 0), "ends": time(11, 0)})
    assert error.value.field == "ends"


# --- sessions -----------------------------------------------------------------------------


@pytest.fixture
def placed(app):
    """An event with two themes, a two-table room for red and a round."""
    event = make_event()
    red, blue = make_theme(event, name="Rouge"), make_theme(event, name="Bleu")
    room = make_room(event, name="Salle 1", capacity=90, tables=2, themes=[red])
    round_ = make_round(event, "11:50", key="r1")
    return event, red, blue, room, round_


def _session_data(project, round_=None, room=None, table=None, **extra):
    return {"project": project.id, "round": round_.id if round_ else None,
            "room": room.id if room else None, "table_number": table, **extra}


def test_session_rules_name_the_field(placed):
    event, red, blue, room, round_ = placed
    project = make_project(event, red)
    cases = [
        (_session_data(project, round_, room, 3), "table_number"),
        (_session_data(make_project(event, blue), round_, room, 1), "room"),
        (_session_data(project, round_, room, 1, min_audience=50), "min_audience"),
        (_session_data(project, round_, room, 1, capacity=100), "capacity"),
        (_session_data(project, round_, room, None), "table_number"),
        (_session_data(project, None, None, 1), "room"),
    ]
    for data, field in cases:
        with pytest.raises(ops.ProgrammeError) as error:
            ops.save_session(event, None, data)
        assert error.value.field == field, (data, error.value.message)
    assert count(Session) == 0


def test_session_clashes_in_a_round(placed):
    event, red, blue, room, round_ = placed
    project = make_project(event, red)
    ops.save_session(event, None, _session_data(project, round_, room, 1))
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_session(event, None, _session_data(project, round_, room, 2))
    assert error.value.field == "round" and "already presents" in error.value.message
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_session(event, None, _session_data(make_project(event, red), round_, room, 1))
    assert error.value.field == "table_number" and project.name in error.value.message


def test_presenter_cannot_present_twice_in_a_round(placed):
    event, red, blue, room, round_ = placed
    person = make_participant(event)
    ops.save_session(event, None, _session_data(make_project(event, red, presenters=[person]),
                                                round_, room, 1))
    other = make_project(event, red)
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_session(event, None, _session_data(other, round_, room, 2,
                                                    extra_presenters=[person.id]))
    assert person.full_name in error.value.message


def test_unplaced_session_and_default_capacity(placed):
    event, red, blue, room, round_ = placed
    session = ops.save_session(event, None, _session_data(make_project(event, blue)))
    assert (session.round, session.room, session.table_number) == (None, None, None)
    placed_session = ops.save_session(event, None, _session_data(
        make_project(event, red), round_, room, 2, min_audience=45))
    assert placed_session.effective_capacity == 45  # 90 seats / 2 tables
    assert placed_session.key.endswith("-r1")


def test_single_table_room_gets_table_one(app):
    event = make_event()
    room = make_room(event, tables=1)
    session = ops.save_session(event, None, _session_data(make_project(event),
                                                          make_round(event), room))
    assert session.table_number == 1


def test_flush_turns_integrity_error_into_message(placed, monkeypatch):
    """Two organisers placing sessions at once: the database refuses, we explain."""
    event, red, blue, room, round_ = placed
    ops.save_session(event, None, _session_data(make_project(event, red), round_, room, 1))
    monkeypatch.setattr(ops, "_check_placement", lambda *args: None)
    with pytest.raises(ops.ProgrammeError) as error:
        ops.save_session(event, None, _session_data(make_project(event, red), round_, room, 1))
    assert "already taken" in error.value.message
    assert isinstance(error.value.__cause__, IntegrityError)


# --- dependencies and deletion ------------------------------------------------------------


def test_theme_used_by_projects_blocks_deletion(app):
    event = make_event()
    theme = make_theme(event)
    room = make_room(event, themes=[theme])
    project = make_project(event, theme, name="TAPAJ")
    db.session.commit()
    deps = queries.dependents_of(theme)
    assert ("Project", "TAPAJ", queries.BLOCKS, project) in [tuple(d) for d in deps]
    assert any(d.name == room.name and d.effect == queries.DETACHES for d in deps)
    with pytest.raises(ops.ProgrammeError):
        ops.delete(theme, confirmed=True)
    db.session.rollback()
    assert db.session.get(Theme, theme.id) is not None
    db.session.delete(project)
    db.session.flush()
    ops.delete(theme, confirmed=True)
    db.session.commit()
    assert db.session.get(Theme, theme.id) is None
    assert db.session.get(Room, room.id).themes == []


def test_project_deletion_cascades_sessions_assignments_and_wishes(app):
    event = make_event()
    project = make_project(event, name="TAPAJ")
    round_ = make_round(event)
    session = make_session(event, project, round=round_)
    person = make_participant(event)
    db.session.add_all([Assignment(participant=person, round=round_, session_id=session.id),
                        ProjectWish(participant_id=person.id, project_id=project.id, rank=0)])
    db.session.commit()
    kinds = {d.kind for d in queries.dependents_of(project)}
    assert {"Session", "Assignments to this session", "Participants' wishes"} <= kinds
    with pytest.raises(ops.ProgrammeError):
        ops.delete(project, confirmed=False)
    ops.delete(project, confirmed=True)
    db.session.commit()
    assert (count(Project), count(Session), count(Assignment), count(ProjectWish)) == (0, 0, 0, 0)
    assert db.session.get(Participant, person.id) is not None


def test_round_deletion_unplaces_sessions_and_drops_assignments(app):
    event = make_event()
    round_ = make_round(event)
    session = make_session(event, round=round_)
    db.session.add(Assignment(participant=make_participant(event), round=round_,
                              session_id=session.id))
    db.session.commit()
    assert [d.effect for d in queries.dependents_of(round_)] == [queries.DETACHES,
                                                                 queries.DELETES]
    ops.delete(round_, confirmed=True)
    db.session.commit()
    assert db.session.get(Session, session.id).round_id is None
    assert count(Assignment) == 0 and count(Round) == 0


def test_room_with_workshop_is_refused_and_sessions_are_unplaced(app):
    event = make_event()
    room = make_room(event)
    workshop = make_workshop(event, room=room)
    session = make_session(event, round=make_round(event), room=room, table_number=1)
    item = make_programme_item(event, room=room)
    db.session.commit()
    with pytest.raises(ops.ProgrammeError) as error:
        ops.delete(room, confirmed=True)
    assert workshop.name in error.value.message
    db.session.rollback()
    db.session.delete(db.session.get(Workshop, workshop.id))
    db.session.commit()
    ops.delete(db.session.get(Room, room.id), confirmed=True)
    db.session.commit()
    assert db.session.get(Session, session.id).room_id is None
    assert db.session.get(Session, session.id).table_number is None
    assert db.session.get(ProgrammeItem, item.id).room_id is None


def test_slot_deletion_deletes_its_workshops(app):
    event = make_event()
    slot = make_workshop_slot(event)
    make_workshop(event, slot=slot, name="Évaluation")
    make_workshop(event, slot=make_workshop_slot(event, "16:00"))
    db.session.commit()
    assert [d.name for d in queries.dependents_of(slot)] == ["Évaluation"]
    ops.delete(slot, confirmed=True)
    db.session.commit()
    assert count(Workshop) == 1 and count(WorkshopSlot) == 1


def test_presenter_deletion_detaches_projects(app):
    event = make_event()
    person = make_participant(event, role="presenter")
    project = make_project(event, presenters=[person], name="TAPAJ")
    db.session.commit()
    deps = queries.dependents_of(person)
    assert [(d.name, d.effect) for d in deps] == [("TAPAJ", queries.DETACHES)]
    ops.delete(person, confirmed=True)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Project, project.id).presenters == []


def test_failed_cascade_leaves_nothing_half_deleted(app, monkeypatch):
    """If the database refuses mid-way, the whole deletion is rolled back."""
    event = make_event()
    project = make_project(event)
    make_session(event, project, key="s1")
    make_session(event, project, key="s2", round=make_round(event))
    db.session.commit()

    def failing_delete(obj):
        for session in list(obj.sessions):
            db.session.delete(session)
        db.session.flush()
        raise ops.ProgrammeError("simulated failure")

    monkeypatch.setitem(ops._CASCADES, Project, ops._Cascade(before=failing_delete))
    with pytest.raises(ops.ProgrammeError):
        ops.delete(project, confirmed=True)
    db.session.rollback()
    assert count(Session) == 2 and count(Project) == 1


def test_grid_places_sessions_and_lists_unplaced(placed):
    event, red, blue, room, round_ = placed
    first = make_session(event, make_project(event, red), round=round_, room=room,
                         table_number=2)
    unplaced = make_session(event, make_project(event, blue))
    wrong = make_session(event, make_project(event, blue, name="Hors thème"), round=round_,
                         room=room, table_number=1)
    grid = queries.speed_dating_grid(event)
    assert [(c.room.id, c.table) for c in grid.columns] == [(room.id, 1), (room.id, 2)]
    (row,) = grid.rows
    assert row.round == round_ and row.cells == [[wrong], [first]]
    assert grid.unplaced == [unplaced]
    assert any("Hors thème" in problem for problem in grid.problems)


def test_local_times_shown_in_event_zone(app):
    event = make_event()
    item = make_programme_item(event, "09:30")
    assert item.starts_at == local(event, "09:30")
    assert event.to_local(item.starts_at).hour == 9


def test_problems_left_behind_by_later_changes(app):
    event = make_event()
    room = make_room(event, name="Salle 1", capacity=60, tables=2)
    round_ = make_round(event)
    make_session(event, make_project(event, name="Grand"), round=round_, room=room,
                 table_number=1, capacity=50, min_audience=10)
    make_session(event, make_project(event, name="Sans table"), round=round_, room=room)
    make_workshop(event, room=room, capacity=60, name="Atelier")
    room.capacity = 40  # the organiser learns the room is smaller
    db.session.flush()
    problems = " | ".join(queries.placement_problems(event))
    assert "Grand expects 50 people but Salle 1 has 40 seats" in problems
    assert "Sans table has no table in Salle 1" in problems
    assert "workshop Atelier expects 60 people" in problems


def test_presenter_in_two_sessions_is_reported(app):
    event = make_event()
    person = make_participant(event, first_name="Ana", last_name="Lopez")
    round_ = make_round(event, key="r1")
    make_session(event, make_project(event, presenters=[person]), round=round_)
    make_session(event, make_project(event, presenters=[person]), round=round_)
    assert queries.placement_problems(event) == ["Ana Lopez presents twice in round 1."]


# --- properties ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from eventapp.programme.keys import is_valid_key  # noqa: E402


@given(st.text(max_size=200))
def test_slugify_always_gives_a_valid_key_or_nothing(text):
    slug = slugify(text)
    assert slug == "" or is_valid_key(slug)
    assert slug == slug.lower() and not slug.startswith("-") and not slug.endswith("-")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # rolled back each time
@given(hour=st.integers(6, 14), minute=st.integers(0, 59), count=st.integers(1, 8),
       minutes=st.integers(5, 45), changeover=st.integers(0, 15),
       day=st.dates(date(2015, 1, 1), date(2030, 12, 31)))
def test_generated_rounds_keep_their_local_rhythm(app, hour, minute, count, minutes,
                                                  changeover, day):
    event = make_event(date=day, timezone="Europe/Paris")
    rounds = ops.generate_rounds(event, ops.RoundPlan(time(hour, minute), count, minutes,
                                                      changeover))
    locals_ = [(event.to_local(r.starts_at), event.to_local(r.ends_at)) for r in rounds]
    assert locals_[0][0].time() == time(hour, minute)
    for (start, end), following in zip(locals_, locals_[1:] + [None], strict=True):
        assert start.date() == day and (end - start).total_seconds() == minutes * 60
        if following is not None:
            assert (following[0] - end).total_seconds() == changeover * 60
    db.session.rollback()
