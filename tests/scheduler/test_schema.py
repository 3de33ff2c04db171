"""The exchange format's structure, written once: scheduler/schema/instance.schema.json."""

from __future__ import annotations

import copy

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from scheduler import DEFAULT_OPTIONS, InstanceError, load_instance
from scheduler.schema import INSTANCE_SCHEMA, _inlined, structure_errors

from .helpers import tiny


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(INSTANCE_SCHEMA)


def test_option_defaults_are_the_contracts():
    assert DEFAULT_OPTIONS == {
        "rank_weights": [100, 60, 40, 25, 15, 10], "theme_weight": 5, "unlucky_penalty": 200,
        "min_distinct_themes": 1, "previous": {}, "change_penalty": 0, "allow_idle": False,
        "time_limit_s": 30, "workers": 2, "seed": 0}


MUTATIONS = {
    "valid": lambda d: None,
    "capacity as text": lambda d: d["rooms"][0].update(capacity="10"),
    "integral float": lambda d: d["rooms"][0].update(capacity=10.0),
    "negative": lambda d: d["rooms"][0].update(capacity=-1),
    "null optional": lambda d: d["rooms"][0].update(tables=None),
    "bad time": lambda d: d["rounds"][0].update(start="9h"),
    "bad colour": lambda d: d["themes"][0].update(colour="red"),
    "empty id": lambda d: d["themes"][0].update(id=""),
    "missing list": lambda d: d.pop("sessions"),
    "unknown option": lambda d: d["options"].update(speed=1),
    "huge weight": lambda d: d["options"].update(rank_weights=[2**70]),
    "null time limit": lambda d: d["options"].update(time_limit_s=None),
    "boolean as number": lambda d: d["rooms"][0].update(capacity=True),
    "extra fields": lambda d: d["participants"][0].update(email="a@example.org"),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_the_fast_and_the_wording_validators_agree(name):
    """Valid documents are told by jsonschema_rs, failures worded by jsonschema: both must
    read the schema the same way."""
    document = tiny()
    MUTATIONS[name](document)
    fast = jsonschema_rs.validator_for(INSTANCE_SCHEMA).is_valid(document)
    full = Draft202012Validator(_inlined(INSTANCE_SCHEMA)).is_valid(document)
    assert fast == full
    assert (structure_errors(document) == []) == full


def test_structure_errors_name_the_place_in_document_order():
    document = tiny()
    document["participants"][1]["wishes"] = "x"
    document["rooms"][0]["capacity"] = "10"
    document["options"]["workers"] = 0
    assert structure_errors(document) == [
        ("rooms[0].capacity", "must be an integer, not a string"),
        ("participants[1].wishes", "must be a list, not a string"),
        ("options.workers", "must be an integer from 1 to 64 (got 0)"),
    ]


def test_the_solver_reports_a_structure_error_once():
    document = copy.deepcopy(tiny())
    document["sessions"][0]["project"] = 7
    with pytest.raises(InstanceError) as caught:
        load_instance(document)
    assert [e for e in caught.value.errors if e[0] == "sessions[0].project"] == [
        ("sessions[0].project", "must be a string, not an integer")]
