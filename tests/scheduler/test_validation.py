"""Validation reports every bad field with its place."""

from __future__ import annotations

import pytest

from scheduler import InstanceError, load_instance

from .helpers import tiny


def errors_of(data) -> list[tuple[str, str]]:
    with pytest.raises(InstanceError) as e:
        load_instance(data)
    return e.value.errors


def has(errors, path, fragment):
    return any(p == path and fragment in m for p, m in errors)


def test_valid_tiny_instance_loads():
    inst = load_instance(tiny())
    assert len(inst.participants) == 4 and not inst.programme_mode


def test_extra_descriptive_fields_are_ignored():
    d = tiny()
    d["participants"][0]["name"] = "Alice"
    d["participants"][0]["email"] = "a@example.org"
    d["projects"][0]["keywords"] = ["emploi"]
    d["projects"][0]["description"] = "..."
    load_instance(d)


def test_unknown_format_and_option():
    d = tiny()
    d["format"] = "speed-dating-instance/2"
    d["options"]["timelimit"] = 3
    errs = errors_of(d)
    assert has(errs, "format", "speed-dating-instance/1")
    assert has(errs, "options.timelimit", 'unknown option "timelimit"')


def test_every_error_is_reported_with_its_place():
    d = tiny()
    d["participants"][2]["wishes"] = ["tapj"]
    d["participants"][1]["id"] = "p1"
    d["sessions"][0]["room"] = "nowhere"
    d["sessions"][1]["round"] = "r9"
    d["rooms"][0]["capacity"] = -3
    d["sessions"][2]["min_audience"] = 5  # capacity 2
    d["options"]["rank_weights"] = [100, "x", -1]
    d["rounds"][0]["start"] = "1150"
    d["rounds"][1]["end"] = "10:00"
    d["participants"][3]["themes"] = ["zz"]
    d["participants"][3]["workshop_wishes"] = ["w-none"]
    d["participants"][3]["unavailable"] = ["r7"]
    d["projects"][0]["presenters"] = ["ghost"]
    d["projects"][1]["theme"] = "nope"
    errs = errors_of(d)
    assert has(errs, "participants[2].wishes[0]", 'unknown project "tapj"')
    assert has(errs, "participants[1].id", 'duplicate id "p1"')
    assert has(errs, "sessions[0].room", 'unknown room "nowhere"')
    assert has(errs, "sessions[1].round", 'unknown round "r9"')
    assert has(errs, "rooms[0].capacity", "at least 0")
    assert has(errs, "sessions[2].min_audience", "more than the session's capacity")
    assert has(errs, "options.rank_weights[1]", "integer from 0 to 1000000")
    assert has(errs, "options.rank_weights[2]", "integer from 0 to 1000000")
    assert has(errs, "rounds[0].start", 'invalid time "1150": expected HH:MM')
    assert has(errs, "rounds[1].end", "after start")
    assert has(errs, "participants[3].themes[0]", 'unknown theme "zz"')
    assert has(errs, "participants[3].workshop_wishes[0]", "unknown workshop")
    assert has(errs, "participants[3].unavailable[0]", "unknown round or workshop slot")
    assert has(errs, "projects[0].presenters[0]", 'unknown participant "ghost"')
    assert has(errs, "projects[1].theme", 'unknown theme "nope"')


def test_str_lists_all_errors_one_per_line():
    d = tiny()
    d["participants"][0]["wishes"] = ["q1", "q2"]
    with pytest.raises(InstanceError) as e:
        load_instance(d)
    lines = str(e.value).splitlines()
    assert 'participants[0].wishes[0]: unknown project "q1"' in lines
    assert 'participants[0].wishes[1]: unknown project "q2"' in lines


def test_fixed_entries_are_checked():
    d = tiny()
    d["workshop_slots"] = [{"id": "ws", "start": "14:00", "end": "15:00"},
                           {"id": "ws2", "start": "15:00", "end": "16:00"}]
    d["workshops"] = [{"id": "w1", "slot": "ws", "capacity": 10}]
    d["participants"][0]["fixed"] = {"r1": "x2", "rX": "x1", "ws2": "w1", "r2": "nope"}
    errs = errors_of(d)
    assert has(errs, "participants[0].fixed.r1", 'session "x2" is in round r2, not r1')
    assert has(errs, "participants[0].fixed.rX", "unknown round or workshop slot")
    assert has(errs, "participants[0].fixed.ws2", "is in slot ws, not ws2")
    assert has(errs, "participants[0].fixed.r2", 'unknown session "nope"')


def test_previous_and_option_types():
    d = tiny()
    d["options"].update({"previous": {"ghost": {"r1": "x1"}, "p1": {"r1": "z1"}},
                         "allow_idle": "yes", "workers": 0, "time_limit_s": -1,
                         "unlucky_penalty": 1.5})
    errs = errors_of(d)
    assert has(errs, "options.previous.ghost", 'unknown participant "ghost"')
    assert has(errs, "options.previous.p1.r1", "is in round r2, not r1")
    assert has(errs, "options.allow_idle", "true or false")
    assert has(errs, "options.workers", "integer from 1 to 64")
    assert has(errs, "options.time_limit_s", "greater than 0")
    assert has(errs, "options.unlucky_penalty", "integer")


def test_wrong_types_and_missing_lists():
    d = tiny()
    d["participants"][0]["wishes"] = "x"
    d["participants"][1]["needs_accessible"] = 1
    d["rooms"][1]["tables"] = 0
    del d["sessions"]
    errs = errors_of(d)
    assert has(errs, "participants[0].wishes", "must be a list")
    assert has(errs, "participants[1].needs_accessible", "true or false")
    assert has(errs, "rooms[1].tables", "at least 1")
    assert has(errs, "sessions", "required field missing")


def test_not_an_object():
    with pytest.raises(InstanceError):
        load_instance([1, 2])


@pytest.mark.parametrize(("option", "value", "message"), [
    ("theme_weight", 2**70, "must be an integer from 0 to 1000000 (got 1180591620717411303424)"),
    ("unlucky_penalty", -1, "must be an integer from 0 to 1000000 (got -1)"),
    ("change_penalty", 10**7, "must be an integer from 0 to 1000000 (got 10000000)"),
    ("min_distinct_themes", 5000, "must be an integer from 0 to 1000 (got 5000)"),
    ("workers", 0, "must be an integer from 1 to 64 (got 0)"),
    ("workers", 1000, "must be an integer from 1 to 64 (got 1000)"),
    ("seed", 2**40, "must be an integer from -2147483648 to 2147483647 (got 1099511627776)"),
    ("time_limit_s", 1e9, "must be a number of seconds greater than 0 and at most 3600 "
                          "(got 1000000000.0)"),
])
def test_numeric_options_are_bounded(option, value, message):
    """Issue 12: unbounded weights (2**70) stalled a solve far past its time limit."""
    d = tiny()
    d["options"][option] = value
    assert (f"options.{option}", message) in errors_of(d)


def test_rank_weights_are_bounded():
    d = tiny()
    d["options"]["rank_weights"] = [100, 2**70]
    assert ("options.rank_weights[1]",
            "must be an integer from 0 to 1000000 (got 1180591620717411303424)") in errors_of(d)
    d["options"]["rank_weights"] = [1] * 101
    assert ("options.rank_weights", "must have at most 100 entries (got 101)") in errors_of(d)


def test_options_at_their_bounds_load():
    d = tiny()
    d["options"].update(rank_weights=[1_000_000, 0], theme_weight=1_000_000, workers=64,
                        time_limit_s=3600, seed=-2**31, min_distinct_themes=1000)
    assert load_instance(d).options.workers == 64
