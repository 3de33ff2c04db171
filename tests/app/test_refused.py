"""One way to refuse: every area's domain error is an ``eventapp.errors.Refused``, and the
API answers any of them in its one error shape (status 400/409, the field at fault)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import eventapp
from eventapp.api.errors import handle_refused
from eventapp.builder.operations import ProgrammeError
from eventapp.checkin.forms import BodyError
from eventapp.errors import Refused
from eventapp.exchange.validation import InstanceImportError
from eventapp.registration.operations import RegistrationError, WishesError
from eventapp.scheduling.operations import SchedulingError

# Failures of the machinery, not refusals of a user's change.
NOT_REFUSALS = {"ApiError", "ConfigError", "SigningKeyError"}


def _exception_classes() -> dict[str, type]:
    found = {}
    for info in pkgutil.walk_packages(eventapp.__path__, "eventapp."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Exception) \
                    and value.__module__ == module.__name__:
                found[name] = value
    return found


def test_every_domain_error_is_a_refusal():
    classes = _exception_classes()
    assert {"ProgrammeError", "RegistrationError", "SchedulingError", "CheckinError",
            "CalendarError", "InstanceImportError", "AccountError"} <= set(classes)
    stray = {name for name, cls in classes.items()
             if not issubclass(cls, Refused) and name not in NOT_REFUSALS}
    assert stray == set()


def test_a_refusal_keeps_message_field_code_and_details():
    error = Refused("Nope.", field="name", code="taken", details=["a", {"field": "x",
                                                                       "message": "b"}])
    assert (str(error), error.message, error.field, error.code) == ("Nope.", "Nope.", "name",
                                                                     "taken")
    assert error.api_details() == [{"field": None, "message": "a"},
                                   {"field": "x", "message": "b"}]
    assert SchedulingError("Full.", ["one"]).details == ["one"]  # callers' order kept


def _answer(app, error: Refused) -> tuple[int, dict]:
    with app.test_request_context("/api/v1/events"):
        response = handle_refused(error)
    return response.status_code, response.get_json()["error"]


def test_the_api_answers_a_refusal_with_its_status_and_field(app):
    assert _answer(app, ProgrammeError("Taken.", "key")) == (
        409, {"status": 409, "message": "Taken.", "field": "key", "details": []})
    assert _answer(app, RegistrationError("Closed.")) == (
        409, {"status": 409, "message": "Closed.", "field": None, "details": []})
    status, body = _answer(app, WishesError({"projects": ["Rank them."]}))
    assert status == 400 and body["field"] == "projects"
    assert body["details"] == [{"field": "projects", "message": "Rank them."}]
    status, body = _answer(app, InstanceImportError([("rooms[0].capacity", "must be >= 0")]))
    assert (status, body["message"], body["field"]) == (
        400, "The instance is not valid; nothing was imported.", "rooms[0].capacity")
    status, body = _answer(app, BodyError("nonce", "Already used.", 409))
    assert (status, body["message"], body["field"]) == (
        409, "The scan conflicts with a recorded one.", "nonce")
