"""Reviewing a result: metrics, colour-coded fill grid, diagnosis; accepting; permissions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.registration.models import ProjectWish
from eventapp.scheduling import operations
from eventapp.scheduling.models import Assignment, SolveJob, WorkshopAssignment
from eventapp.scheduling.operations import SchedulingError
from tests.factories import make_user
from tests.scheduling_world import (
    build_world,
    join_solve_threads,  # noqa: F401 (autouse fixture)
    solve_and_accept,
    solve_now,
)

# Solve jobs run in a thread and write through connections of their own.
pytestmark = pytest.mark.truncate_db


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_review_page_shows_metrics_grid_and_colour_names(organiser_client):
    world = build_world()
    job = solve_now(world.event)
    assert job.solver_status == "OPTIMAL"
    response = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}")
    assert response.status_code == 200
    html = response.get_data(True)
    text = _text(html)
    assert "Optimal" in text
    assert "First wish granted" in text and "Wishes granted" in text
    metrics = job.solution["metrics"]
    assert f"{round(metrics['first_wish_share'] * 100)} %" in text
    # the grid: rounds down, rooms across, each cell with count / capacity, a meter and
    # the theme's colour NAME next to its class-based colour
    assert "Round 1" in text and "Round 2" in text
    assert "Salle A" in text and "Salle B" in text
    cell = re.search(r'<td class="themed theme-(\d+)">(.*?)</td>', html, re.S)
    assert cell, "sessions are drawn in their theme's colour class"
    assert re.search(r"(rouge|bleu)", cell.group(2)) and "<meter" in cell.group(2)
    assert re.search(r"\d / 4", cell.group(2))
    assert 'style="' not in html  # CSP: no inline styles
    assert "/e/small/colours.css" in html
    counts = {}
    for a in job.solution["assignments"]:
        for session in a["sessions"].values():
            counts[session] = counts.get(session, 0) + 1
    assert f"{counts['alpha-1']} / 4" in text  # the number is the real attendance
    assert "Atelier Un" in text and "Workshop fill" in text


def test_unlucky_participants_are_named_and_linked(organiser_client):
    world = build_world()
    loser = world.people[0]
    # wishes only for a project that has no session at all
    for wish in list(loser.project_wishes):
        db.session.delete(wish)
    db.session.flush()
    db.session.add(ProjectWish(participant_id=loser.id, project_id=world.projects["delta"].id,
                               rank=0))
    db.session.commit()
    job = solve_now(world.event)
    assert job.has_schedule, job.solution
    html = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}").get_data(True)
    link = f"/manage/events/small/schedule/participants/{loser.id}"
    assert link in html and loser.full_name in html


def test_impossible_instance_gets_a_plain_language_diagnosis(organiser_client):
    world = build_world(capacity=1)  # 5 people to seat per round, 2 seats
    job = solve_now(world.event)
    assert job.solver_status == "INFEASIBLE" and job.outcome == "infeasible"
    html = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}").get_data(True)
    text = _text(html)
    assert "Why no schedule is possible" in text
    assert "During round 1 (11:50), 5 participants must be seated but the sessions have only " \
           "2 seats." in text
    assert "round r1" not in text  # the contract's sentence is not shown
    assert "Accept this schedule" not in text


def test_french_interface_uses_the_translation_catalogue(organiser_client, monkeypatch):
    """The diagnosis goes through gettext: whatever the catalogue says is what is shown."""
    import eventapp.scheduling.text as text_module

    world = build_world(capacity=1)
    job = solve_now(world.event)
    seen = []

    def fake_gettext(message, **variables):
        seen.append(message)
        return "FR:" + (message % variables if variables else message)

    monkeypatch.setattr(text_module, "gettext", fake_gettext)
    html = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}?lang=fr"
                                ).get_data(True)
    assert "During %(round)s, %(count)s participants must be seated but the sessions have " \
           "only %(seats)s seats." in seen
    assert "FR:During FR:round 1 (11:50), 5 participants must be seated" in _text(html)


def test_accept_makes_the_result_the_draft_and_keeps_pins(organiser_client):
    world = build_world()
    person = world.people[1]
    db.session.add(Assignment(participant_id=person.id, round_id=world.rounds[1].id,
                              session_id=world.sessions["gamma-2"].id, pinned=True))
    db.session.commit()
    job = solve_now(world.event)
    assert job.solution["assignments"]
    fixed = next(a for a in job.solution["assignments"] if a["participant"] == person.key)
    assert fixed["sessions"]["r2"] == "gamma-2"
    response = organiser_client.post(f"/manage/events/small/schedule/jobs/{job.id}/accept")
    assert response.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(Assignment)).all()
    seated = sum(len(a["sessions"]) for a in job.solution["assignments"])
    assert len(rows) == seated
    pinned = [a for a in rows if a.pinned]
    assert [(a.participant_id, a.session_id) for a in pinned] == [
        (person.id, world.sessions["gamma-2"].id)]
    assert db.session.query(WorkshopAssignment).count() == len(world.people) + 1
    assert db.session.get(SolveJob, job.id).accepted_at is not None
    # accepting again gives the same draft (one transaction, replace not append)
    operations.accept_result(world.event, db.session.get(SolveJob, job.id))
    db.session.commit()
    assert db.session.query(Assignment).count() == seated


def test_accept_refused_when_the_event_changed_since_the_solve(app):
    world = build_world()
    job = solve_now(world.event)
    for session in world.sessions.values():
        session.capacity = 1
    db.session.commit()
    with pytest.raises(SchedulingError, match="no longer fits") as refused:
        operations.accept_result(world.event, job)
    details = [str(detail) for detail in refused.value.details]
    assert any(re.fullmatch(r'<a href="[^"]+/sessions/\d+/edit">\w+ in round \d</a> has \d+ '
                            r"participants for 1 seats\.", detail) for detail in details), details
    assert not any("rule" in detail for detail in details)
    db.session.rollback()
    assert db.session.query(Assignment).count() == 0


def test_overview_shows_the_draft_after_accepting(organiser_client):
    world = build_world()
    solve_and_accept(world.event)
    text = _text(organiser_client.get("/manage/events/small/schedule/").get_data(True))
    assert "Current schedule (draft)" in text and "Room fill per round" in text
    assert "Publish to participants" in text
    people = organiser_client.get("/manage/events/small/schedule/participants").get_data(True)
    assert world.people[0].full_name in people


ROUTES = [
    ("GET", "/manage/events/small/schedule/"),
    ("POST", "/manage/events/small/schedule/solve"),
    ("GET", "/manage/events/small/schedule/jobs/{job}"),
    ("GET", "/manage/events/small/schedule/jobs/{job}.json"),
    ("POST", "/manage/events/small/schedule/jobs/{job}/cancel"),
    ("POST", "/manage/events/small/schedule/jobs/{job}/accept"),
    ("GET", "/manage/events/small/schedule/participants"),
    ("GET", "/manage/events/small/schedule/participants/{person}"),
    ("POST", "/manage/events/small/schedule/participants/{person}/rounds/{round}"),
    ("POST", "/manage/events/small/schedule/participants/{person}/slots/{slot}"),
    ("POST", "/manage/events/small/schedule/publish"),
]


@pytest.mark.parametrize("role", ["anonymous", "staff", "organiser"])
def test_only_organisers_reach_the_scheduling_pages(app, client, role):
    world = build_world()
    job = SolveJob(event_id=world.event.id, status="finished", time_limit_s=5, instance={})
    db.session.add(job)
    db.session.commit()
    if role != "anonymous":
        user = make_user(email=f"{role}@example.org", role=role)
        assert client.post("/login", data={"email": user.email,
                                           "password": "correct horse battery"}
                           ).status_code == 302
    values = {"job": job.id, "person": world.people[0].id, "round": world.rounds[0].id,
              "slot": world.workshops["w1"].slot_id}
    for method, pattern in ROUTES:
        response = client.open(pattern.format(**values), method=method, data={})
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        elif role == "staff":
            assert response.status_code == 403, (method, pattern)
        else:
            assert response.status_code not in (401, 403, 404, 500), (method, pattern,
                                                                      response.status_code)


@pytest.fixture
def french_catalogue(tmp_path, app_config):
    """The app's French catalogue, plus this area's fragment while it is not merged yet."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    with open(root / "eventapp/translations/fr/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po, locale="fr")
    fragment = root / "docs/i18n/scheduling.fr.po"
    if fragment.exists():
        with open(fragment, "rb") as po:
            for message in read_po(po, locale="fr"):
                if message.id and not (catalogue.get(message.id)
                                       and catalogue.get(message.id).string):
                    catalogue.add(message.id, message.string)
    target = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, catalogue)
    app_config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path / "translations")
    from eventapp.extensions import babel

    # Flask-Babel caches loaded catalogues process-wide, on the extension object
    babel.domain_instance.cache.clear()
    yield catalogue
    babel.domain_instance.cache.clear()


def test_diagnosis_in_french(french_catalogue, organiser_client):
    world = build_world(capacity=1)
    job = solve_now(world.event)
    html = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}?lang=fr"
                                ).get_data(True)
    text = _text(html).replace("\u202f", " ").replace("\xa0", " ")
    assert "Pourquoi aucun planning n’est possible" in text
    assert "Pendant le tour 1 (11:50), 5 participants doivent être placés mais les " \
           "présentations n’offrent que 2 places." in text
    assert "round r1" not in text and "rotation" not in text.lower()


def test_programme_mode_accept_places_the_sessions(app, shared_examples):
    """Sessions without round or room get the solver's placement when the result is accepted."""
    from eventapp.programme.models import Session
    from tests.scheduling_world import import_example

    event = import_example(shared_examples, "restitution-2016-programme.json")
    open_sessions = db.session.scalars(select(Session).where(
        Session.event_id == event.id, Session.round_id.is_(None))).all()
    assert open_sessions, "the example leaves sessions to place"
    job = solve_now(event, time_limit_s=10)
    assert job.has_schedule, (job.solver_status, job.error)
    operations.accept_result(event, job)
    db.session.commit()
    placed = {e["session"]: (e["round"], e["room"]) for e in job.solution["programme"]}
    db.session.expire_all()
    for session in open_sessions:
        assert (session.round.key, session.room.key) == placed[session.key]
        assert 1 <= session.table_number <= session.room.tables
    operations.publish(event, None)  # the accepted draft passes every rule
    db.session.commit()


def test_participants_list_and_search(organiser_client):
    world = build_world()
    solve_and_accept(world.event)
    page = organiser_client.get("/manage/events/small/schedule/participants").get_data(True)
    for person in world.people:
        assert person.full_name in page
    page = organiser_client.get("/manage/events/small/schedule/participants?q=chloe"
                                ).get_data(True)
    assert "Chloé Test3" in page and "Ada Test1" not in page
    assert "1 participant" in page
