"""Role × route permission matrix.

Every URL rule of the app must be declared in ACCESS with the least role that may use
it; the test then calls every rule with every method as an anonymous visitor, a staff
member and an organiser, and checks that those below the required role are turned away
(anonymous: sent to the sign-in page; staff: 403) and those at or above it are not.
The JSON API (level API) authenticates with bearer tokens only: every role calling it with
its session cookie must get a JSON 401 (tests/api/test_api_auth_errors.py covers tokens).
A new route that is not declared here fails the first test.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image

from eventapp import create_app
from eventapp.attendance.models import FunderLogo
from eventapp.attendance.operations import sync_sheets
from eventapp.checkin.checkpoints import sync_checkpoints
from eventapp.evaluation.operations import add_block
from eventapp.extensions import db
from eventapp.scheduling.models import SolveJob
from tests.conftest import login
from tests.factories import (
    make_calendar_feed,
    make_event,
    make_participant,
    make_portal_token,
    make_programme_item,
    make_project,
    make_room,
    make_round,
    make_session,
    make_theme,
    make_workshop,
    make_workshop_slot,
)

PUBLIC, STAFF, ORGANISER, API = "public", "staff", "organiser", "api"
RANK = {"anonymous": 0, "staff": 1, "organiser": 2}
NEEDED = {PUBLIC: 0, STAFF: 1, ORGANISER: 2}

# endpoint -> least role allowed. Keep sorted by area.
ACCESS: dict[str, str] = {
    "static": PUBLIC,
    "favicon": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "public.index": PUBLIC,
    "public.programme": PUBLIC,
    "public.projects": PUBLIC,
    "public.theme_css": PUBLIC,
    "programme.events": STAFF,
    "programme.event_new": ORGANISER,
    "programme.event_dashboard": STAFF,
    "programme.event_edit": ORGANISER,
    "programme.event_delete": ORGANISER,
    "programme.event_open": ORGANISER,
    "programme.event_close": ORGANISER,
    "programme.event_duplicate": ORGANISER,
    "programme.grid": STAFF,
    "programme.people_json": ORGANISER,
    "programme.grid_place": ORGANISER,
    "programme.round_fill": ORGANISER,
    "programme.rounds_generate": ORGANISER,
    "programme.quick_start": ORGANISER,
    "programme.projects_quick": ORGANISER,
    "programme.workshops_quick": ORGANISER,
    "programme.items_quick": ORGANISER,
    "programme.grid_fill_all": ORGANISER,
    "programme.themes": STAFF,
    "programme.theme_new": ORGANISER,
    "programme.theme_edit": ORGANISER,
    "programme.theme_delete": ORGANISER,
    "programme.rooms": STAFF,
    "programme.room_new": ORGANISER,
    "programme.room_edit": ORGANISER,
    "programme.room_delete": ORGANISER,
    "programme.projects": STAFF,
    "programme.project_new": ORGANISER,
    "programme.project_edit": ORGANISER,
    "programme.project_delete": ORGANISER,
    "programme.presenters": STAFF,
    "programme.presenter_new": ORGANISER,
    "programme.presenter_edit": ORGANISER,
    "programme.presenter_delete": ORGANISER,
    "programme.timeline": STAFF,
    "programme.item_new": ORGANISER,
    "programme.item_edit": ORGANISER,
    "programme.item_delete": ORGANISER,
    "programme.rounds": STAFF,
    "programme.round_new": ORGANISER,
    "programme.round_edit": ORGANISER,
    "programme.round_delete": ORGANISER,
    "programme.slots": STAFF,
    "programme.slot_new": ORGANISER,
    "programme.slot_edit": ORGANISER,
    "programme.slot_delete": ORGANISER,
    "programme.workshops": STAFF,
    "programme.workshop_new": ORGANISER,
    "programme.workshop_edit": ORGANISER,
    "programme.workshop_delete": ORGANISER,
    "programme.sessions": STAFF,
    "programme.session_new": ORGANISER,
    "programme.session_edit": ORGANISER,
    "programme.session_delete": ORGANISER,
    "exchange.export_event": ORGANISER,
    "exchange.import_new": ORGANISER,
    "exchange.import_into": ORGANISER,
    "registration.register": PUBLIC,
    "registration.privacy": PUBLIC,
    "registration.registered": PUBLIC,
    "registration.lost_link": PUBLIC,
    "registration.participants": ORGANISER,
    "registration.participant_new": ORGANISER,
    "registration.participant_edit": ORGANISER,
    "registration.participant_cancel": ORGANISER,
    "registration.participant_send_link": ORGANISER,
    "registration.settings": ORGANISER,
    "registration.export_csv": ORGANISER,
    "registration.import_upload": ORGANISER,
    "registration.import_preview": ORGANISER,
    "registration.import_confirm": ORGANISER,
    "registration.import_template": ORGANISER,
    "registration.import_done": ORGANISER,
    "registration.import_rejected": ORGANISER,
    "registration.import_links": ORGANISER,
    "scheduling.overview": ORGANISER,
    "scheduling.start_solve": ORGANISER,
    "scheduling.job": ORGANISER,
    "scheduling.job_status": ORGANISER,
    "scheduling.cancel_job": ORGANISER,
    "scheduling.accept_job": ORGANISER,
    "scheduling.participants": ORGANISER,
    "scheduling.participant": ORGANISER,
    "scheduling.move_session": ORGANISER,
    "scheduling.move_session_anyway": ORGANISER,
    "scheduling.move_workshop": ORGANISER,
    "scheduling.publish": ORGANISER,
    "scheduling.publish_confirm": ORGANISER,
    # The participant's own pages: the personal link is the credential.
    "portal.home": PUBLIC,
    "portal.wishes": PUBLIC,
    "portal.edit": PUBLIC,
    "portal.cancel": PUBLIC,
    "portal.delete": PUBLIC,
    "portal.data": PUBLIC,
    # JSON API: bearer tokens only, so cookies never authenticate (level API).
    "api.openapi": PUBLIC,
    "api.create_registration": PUBLIC,
    "api.list_events": API,
    "api.get_event": API,
    "api.import_event_instance": API,
    "api.export_event_instance": API,
    "api.replace_event_instance": API,
    "api.cancel_solve_job": API,
    "api.start_solve": API,
    "api.get_solve_job": API,
    "api.accept_solve_job": API,
    "api.publish_assignments": API,
    "api.open_registration": API,
    "api.close_registration": API,
    "api.get_participant": API,
    "api.update_wishes": API,
    "api.get_participant_programme": API,
    "portal.switch_round": PUBLIC,
    "portal.switch_workshop": PUBLIC,
    # Calendars: feeds open by the secret in their URL (calendar apps send no cookies).
    "calendars.participant_feed": PUBLIC,
    "calendars.organiser_feed": PUBLIC,
    "calendars.new_participant_link": PUBLIC,
    "calendars.manage": ORGANISER,
    "calendars.create_links": ORGANISER,
    "calendars.replace_link": ORGANISER,
    "calendars.revoke_link": ORGANISER,
    "calendars.download_programme": STAFF,
    "calendars.download_room": STAFF,
    "calendars.download_presenter": STAFF,
    # Check-in: staff scan (JSON for the scanning page); organisers see the rest.
    "checkin.scan_menu": STAFF,
    "checkin.scan_page": STAFF,
    "checkin.scan_service_worker": PUBLIC,
    "checkin.search_json": STAFF,
    "checkin.checkpoints_json": STAFF,
    "checkin.bundle_json": STAFF,
    "checkin.scan_json": STAFF,
    "checkin.upload_json": STAFF,
    "checkin.dashboard": ORGANISER,
    "checkin.attendance_csv": ORGANISER,
    "checkin.summary": ORGANISER,
    "checkin.rehearsal_start": ORGANISER,
    "checkin.rehearsal_end": ORGANISER,
    "checkin.badges_pdf": ORGANISER,
    "checkin.badge_png": ORGANISER,
    "checkin.badge_reissue": ORGANISER,
    "checkin.portal_badge_png": PUBLIC,
    "api.list_participants": API,
    "api.get_participant_badge": API,
    "api.list_checkpoints": API,
    "api.get_checkpoint_bundle": API,
    "api.scan_badge": API,
    "api.upload_scans": API,
    "api.get_attendance": API,
    # Émargement: organisers run sheets and certificates; staff take signatures and
    # countersign; the participant signs and gets the certificate by the personal link.
    "attendance.index": ORGANISER,
    "attendance.sheets_pdf": ORGANISER,
    "attendance.sheet_pdf": ORGANISER,
    "attendance.window_open": ORGANISER,
    "attendance.window_close": ORGANISER,
    "attendance.settings": ORGANISER,
    "attendance.logo_add": ORGANISER,
    "attendance.logo_png": ORGANISER,
    "attendance.logo_delete": ORGANISER,
    "attendance.certificates_pdf": ORGANISER,
    "attendance.certificates_zip": ORGANISER,
    "attendance.participant_certificate": ORGANISER,
    "attendance.countersign": STAFF,
    "attendance.sign_json": STAFF,
    "attendance.upload_json": STAFF,
    "attendance.portal_sign": PUBLIC,
    "attendance.portal_certificate": PUBLIC,
    # Evaluation: organisers build, send and read; participants answer by their link.
    "evaluation.builder": ORGANISER,
    "evaluation.add_block": ORGANISER,
    "evaluation.add_question": ORGANISER,
    "evaluation.delete_question": ORGANISER,
    "evaluation.send": ORGANISER,
    "evaluation.remind": ORGANISER,
    "evaluation.results": ORGANISER,
    "evaluation.results_csv": ORGANISER,
    "evaluation.answer": PUBLIC,
    # Report of the day: organisers; a workshop's rapporteur by the link's secret.
    "report.edit": ORGANISER,
    "report.docx": ORGANISER,
    "report.pdf": ORGANISER,
    "report.workshop": ORGANISER,
    "report.rapporteur_link": ORGANISER,
    "report.rapporteur": PUBLIC,
}


@dataclass(frozen=True)
class Call:
    endpoint: str
    method: str
    rule: str


def _all_calls() -> list[Call]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    calls = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            calls.append(Call(rule.endpoint, method, rule.rule))
    return sorted(calls, key=lambda c: (c.endpoint, c.method))


CALLS = _all_calls()


def test_every_route_is_declared():
    undeclared = sorted({c.endpoint for c in CALLS} - set(ACCESS))
    assert not undeclared, f"declare these endpoints in ACCESS: {undeclared}"
    stale = sorted(set(ACCESS) - {c.endpoint for c in CALLS})
    assert not stale, f"ACCESS names endpoints that no longer exist: {stale}"


@pytest.fixture(scope="module")
def world(module_app) -> dict:
    """One event with one object of each kind, for the URL arguments.

    Built and committed once for the module: every test runs in a transaction rolled back
    after it (tests/conftest.py), so each call, whatever its method, finds this same world.
    The objects are detached with their attributes loaded, for the URL arguments.
    """
    with module_app.app_context():
        event = make_event(slug="matrix")
        theme = make_theme(event)
        room = make_room(event, themes=[theme])
        round_ = make_round(event)
        project = make_project(event, theme)
        presenter = make_participant(event, role="presenter")
        session = make_session(event, project, round=round_, room=room, table_number=1)
        slot = make_workshop_slot(event)
        workshop = make_workshop(event, slot=slot, room=room)
        item = make_programme_item(event)
        token = make_portal_token(presenter)
        job = SolveJob(event=event, status="finished", time_limit_s=5, instance={})
        db.session.add(job)
        db.session.commit()
        feed = make_calendar_feed(event, "room", room=room)
        checkpoint = sync_checkpoints(event)[0]
        sheet = sync_sheets(event)[0]
        png = io.BytesIO()
        Image.new("RGB", (4, 2), "navy").save(png, format="PNG")
        logo = FunderLogo(event_id=event.id, name="Funder", image=png.getvalue(), width=4,
                          height=2)
        db.session.add(logo)
        question = add_block(event, "day")[0]
        db.session.commit()
        world = {
            "slug": event.slug, "event": event, "theme": theme, "room": room,
            "round": round_, "project": project, "participant": presenter,
            "session": session, "slot": slot, "workshop": workshop, "item": item,
            "filename": "app.css", "token": token, "import_id": "a" * 32, "job": job,
            "feed": feed, "secret": "not-a-feed-secret",
            "checkpoint": checkpoint, "participant_key": presenter.key,
            "sheet": sheet, "logo": logo, "question": question,
        }
        for value in world.values():
            if hasattr(value, "id"):
                db.session.refresh(value)
        db.session.expunge_all()
        db.session.remove()
    return world


def _url(call: Call, world: dict) -> str:
    values = {}
    for argument in _arguments(call.rule):
        if argument in world and not hasattr(world[argument], "id"):
            values[argument] = world[argument]
        elif argument.endswith("_id") and argument[:-3] in world:
            values[argument] = world[argument[:-3]].id
        else:
            raise AssertionError(f"no value for <{argument}> in {call.rule}: extend `world`")
    path = call.rule
    for argument, value in values.items():
        path = _replace_argument(path, argument, str(value))
    return path


def _arguments(rule: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"<(?:[^:<>]+:)?([^<>]+)>", rule)]


def _replace_argument(path: str, argument: str, value: str) -> str:
    return re.sub(rf"<(?:[^:<>]+:)?{argument}>", value, path)


def _request(client, call: Call, url: str):
    return client.open(url, method=call.method, data={})


@pytest.mark.parametrize("role", ["anonymous", "staff", "organiser"])
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.endpoint}")
def test_role_can_or_cannot(call: Call, role: str, world, client, organiser, staff):
    if call.endpoint not in ACCESS:
        pytest.fail(f"{call.endpoint} is not declared in ACCESS")
    if role != "anonymous":
        assert login(client, organiser.email if role == "organiser" else staff.email
                     ).status_code == 302
    response = _request(client, call, _url(call, world))
    if ACCESS[call.endpoint] == API:
        assert response.status_code == 401, response.status_code
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        return
    allowed = RANK[role] >= NEEDED[ACCESS[call.endpoint]]
    location = response.headers.get("Location", "")
    sent_to_login = response.status_code == 302 and "/login" in location
    if allowed:
        assert response.status_code not in (401, 403), response.status_code
        assert not (sent_to_login and call.endpoint != "auth.logout"), location
    elif role == "anonymous":
        assert sent_to_login or response.status_code == 401, response.status_code
    else:
        assert response.status_code == 403, response.status_code
