"""Property-based conformance of /api/v1 to its OpenAPI document (schemathesis).

Every operation of the document is called with a small, fixed number of generated
requests (derandomized, so a run is reproducible) as each of four callers: an organiser
token, a staff token, a participant's portal token and nobody. Each answer must not be a
server error, must have a documented status and Content-Type, and must match the
documented schema; a schema-valid body must not be refused (400) for its shape. The
requests go to the WSGI app in-process, against a seeded event (programme,
participants, a published schedule, badges, a finished solve job); generated ids are
mostly replaced by that event's real ones so the operations reach their real work, and
sometimes kept, so the 404 answers are exercised too.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from eventapp.api.openapi import build_document
from eventapp.extensions import db
from eventapp.scheduling import jobs
from eventapp.scheduling.models import JobStatus, SolveJob
from tests.api_helpers import api_token
from tests.checkin.test_checkin import checkin_world
from tests.factories import make_portal_token

pytestmark = pytest.mark.slow

# Examples per operation and caller (the fuzzing phase); the explicit examples and the
# coverage phase's boundary cases come on top. Small: this runs in the ordinary suite.
MAX_EXAMPLES = 8
SEED = 20161207

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True,
                   "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "401", "403", "404", "409"]}},
})

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, positive_data_acceptance]

ROLES = ("organiser", "staff", "participant", "anonymous")


@dataclass
class ApiWorld:
    """The seeded event's real path parameters, and one token per caller."""

    path_parameters: dict[str, Any]
    tokens: dict[str, str | None]


@pytest.fixture
def api_world(app, monkeypatch) -> ApiWorld:
    # startSolve queues a job but never runs the solver here: its answers are the API's
    # concern, not OR-Tools' (the scheduling tests run real solves).
    monkeypatch.setattr(jobs, "_start_thread", lambda app, job_id: None)
    world = checkin_world()
    job = _finished_job(world.event)
    participant = world.people[0]
    tokens = {"organiser": api_token("organiser"), "staff": api_token("staff"),
              "participant": make_portal_token(participant), "anonymous": None}
    db.session.commit()
    checkpoint = next(iter(world.checkpoints.values()))
    return ApiWorld(
        path_parameters={"slug": world.event.slug, "job_id": job.id,
                         "checkpoint_id": checkpoint.id, "participant_key": participant.key},
        tokens=tokens)


def _finished_job(event) -> SolveJob:
    """A job that ended with a (trivial) solution, as getSolveJob and acceptSolveJob see."""
    from eventapp.scheduling.operations import start_solve

    job = start_solve(event, None, time_limit_s=5, change_penalty=0)
    job.status = JobStatus.FINISHED
    job.solver_status = "FEASIBLE"
    job.solution = {"format": "speed-dating-solution/1", "status": "FEASIBLE",
                    "objective": 0.0, "bound": 0.0, "solve_seconds": 0.1, "metrics": {},
                    "assignments": [], "workshop_assignments": [], "diagnosis": []}
    db.session.commit()
    return job


def _document() -> dict[str, Any]:
    """The document as served on http://localhost (the tests' SERVER_NAME); the test
    checks it is the one the app serves."""
    with Flask(__name__).test_request_context("/", base_url="http://localhost"):
        return build_document()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def _keep_generated(value: Any) -> bool:
    """One generated id in four is kept (a deterministic choice), the others replaced by
    the seeded event's, so most requests reach the operation's real work."""
    return zlib.crc32(repr(value).encode()) % 4 == 0


# Checks that cannot hold for an operation, whatever the server does: schema-valid
# bodies the server must still refuse (400) for reasons the document cannot state.
NOT_CHECKED: dict[str, set] = {
    # The Instance schema names the exchange contract (docs/scheduling.md) and does not
    # restate it: most schema-valid documents are incomplete instances.
    "importEventInstance": {positive_data_acceptance},
    "replaceEventInstance": {positive_data_acceptance},
    # Keys must be the event's own (and enough of them, per the event's settings).
    "updateWishes": {positive_data_acceptance},
}

def _deliverable_email(case) -> None:
    """The registration form refuses addresses that cannot receive the personal link
    (special-use domains such as .test or .localhost, as the document says), which the
    ``email`` format does not exclude: generated ones get a real-looking domain."""
    body = case.body if isinstance(case.body, dict) else {}
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email:
        return
    local, _, domain = email.rpartition("@")
    if any(domain.lower() == name or domain.lower().endswith("." + name)
           for name in SPECIAL_USE_DOMAIN_NAMES):
        body["email"] = f"{local}@example.org"


def _use_seeded_ids(case, world: ApiWorld) -> None:
    """Point most generated ids (path, and a scan's checkpoint) at the seeded event."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in world.path_parameters and not _keep_generated(value):
            case.path_parameters[name] = world.path_parameters[name]
    body = case.body if isinstance(case.body, dict) else {}
    scans = body.get("scans") if isinstance(body.get("scans"), list) else [body]
    for scan in scans:
        if isinstance(scan, dict) and "checkpoint" in scan \
                and not _keep_generated(scan["checkpoint"]):
            scan["checkpoint"] = world.path_parameters["checkpoint_id"]


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_openapi_document(case, app, client,
                                              api_world: ApiWorld) -> None:
    """Each generated request is sent as each caller; the seeded world is shared by the
    examples of one operation (their changes pile up, as a real client's would)."""
    assert client.get("/api/v1/openapi.json").get_json() == DOCUMENT
    _use_seeded_ids(case, api_world)
    _deliverable_email(case)
    checks = [check for check in CHECKS
              if check not in NOT_CHECKED.get(case.operation.definition.raw["operationId"],
                                              set())]
    generated = {name: value for name, value in (case.headers or {}).items()
                 if name.lower() != "authorization"}
    for role in ROLES:
        token = api_world.tokens[role]
        case.headers = {**generated, **({"Authorization": f"Bearer {token}"} if token else {})}
        try:
            case.call_and_validate(checks=checks, app=app)
        except Exception as error:
            error.add_note(f"Caller: {role}.")
            raise
