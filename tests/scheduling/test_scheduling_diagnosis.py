"""The scheduler's reasons in the organiser's language: from codes, with links, no jargon.

Issue 13 item 6 and issue 15 item 9: no sentence of the contract is parsed; each reason
code has a renderer; the French page names the person, session and room at fault and links
to them; stored job rows (sentences only) stay readable.
"""

from __future__ import annotations

import re
import string

import pytest

from eventapp.extensions import db
from eventapp.scheduling.catalogue import ScheduleCatalogue
from eventapp.scheduling.diagnosis import RENDERERS, explain
from eventapp.scheduling.models import JobStatus, SolveJob
from eventapp.scheduling.operations import build_solve_instance
from scheduler import Reason, solve
from scheduler.reasons import TEXTS
from tests.scheduling_world import build_world

JARGON = re.compile(r"\brule \d|min_audience|min_distinct_themes|\br\d\b|Borne|rotation",
                    re.IGNORECASE)

# a sample value per parameter name, keyed to build_world's rows
SAMPLES = {
    "participant": "p1", "session": "beta-1", "round": "r1", "room": "b", "project": "alpha",
    "slot": "ateliers", "workshop": "w1", "when": "r1", "target": "beta-1", "fixed": "alpha-1",
    "now": None, "theme": "red", "rounds": ("r1", "r2"), "group": "tables",
    "participants": ("p1", "p2", "p3", "p4", "p5", "x-presenter", "p9"), "text": "unknown",
    "metric": "unlucky", "expected": "speed-dating-solution/1", "obstacles": ("full", "steps"),
}
DERIVED = {"now_text": "now", "rounds_text": "rounds", "participants_text": "participants",
           "group_text": "group", "obstacles_text": "obstacles"}


def sample(code: str) -> Reason:
    """A reason of ``code`` with every parameter its sentence uses (numbers: 3)."""
    names = {DERIVED.get(field, field) for _, field, _, _ in string.Formatter().parse(TEXTS[code])
             if field}
    return Reason(code, {name: SAMPLES.get(name, 3) for name in names})


def _text(html: str) -> str:
    """Visible text; tags removed (not replaced by spaces: links stay inside sentences)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("\u202f", " ")


def test_every_reason_code_has_a_renderer():
    assert set(RENDERERS) == set(TEXTS), set(TEXTS) ^ set(RENDERERS)


def test_every_code_renders_in_french_with_links_and_no_jargon(app):
    world = build_world()
    with app.test_request_context("/?lang=fr"):
        cat = ScheduleCatalogue.load(world.event)
        for code in TEXTS:
            reason = sample(code)
            (html,) = explain(cat, [reason])
            text = _text(str(html))
            assert not JARGON.search(text.replace("unknown", "")), (code, text)
            assert text != reason.text(), code
            if "participant" in reason.params and code != "wish_not_held":  # named above it
                assert '/schedule/participants/' in html, (code, html)
            if "room" in reason.params and RENDERERS[code].__name__ != "_programme_changed":
                assert "/rooms/" in html, (code, html)


def test_min_audience_reads_plainly_in_french(app):
    """The sentence of the issue: 'rule 5: session happy-culture-1 has 1 participants,
    min_audience is 5' becomes French naming the presentation, with its link."""
    world = build_world()
    with app.test_request_context("/?lang=fr"):
        cat = ScheduleCatalogue.load(world.event)
        (html,) = explain(cat, [Reason.of("session_under_min_audience", session="beta-1",
                                          count=1, min_audience=5)])
    session_id = world.sessions["beta-1"].id
    assert str(html) == (
        f'<a href="/manage/events/small/sessions/{session_id}/edit">Beta au tour 1</a> a 1 '
        "participant(s) mais il en faut au moins 5 pour qu’elle ait lieu.")


def test_names_are_escaped(app):
    world = build_world()
    world.people[0].first_name = "<b>Ada</b>"
    db.session.commit()
    with app.test_request_context("/"):
        (html,) = explain(ScheduleCatalogue.load(world.event),
                          [Reason.of("round_without_session", participant="p1", round="r1")])
    assert "<b>" not in str(html) and "&lt;b&gt;Ada&lt;/b&gt;" in str(html)


@pytest.fixture
def app_config(app_config):
    app_config["REDIS_URL"] = ""
    return app_config


def test_stored_diagnosis_shown_in_french_with_links(organiser_client):
    """A job row as the runner stores it (the contract's sentences only, as rows written
    before the codes existed): the page rebuilds the reasons and shows them in French,
    linked to the person and the room at fault, with no English and no jargon."""
    world = build_world()
    instance = build_solve_instance(world.event, time_limit_s=5, change_penalty=0)
    person = next(p for p in instance["participants"] if p["id"] == "p1")
    person["needs_accessible"] = True
    person["fixed"] = {"r1": "beta-1"}  # Salle B has steps
    solution = solve(instance, time_limit_s=5, workers=1)
    assert solution["status"] == "INFEASIBLE"
    assert solution["diagnosis"] == [
        "participant p1 needs an accessible room but is fixed to beta-1 in room b"]
    job = SolveJob(event=world.event, status=JobStatus.FINISHED, time_limit_s=5,
                   instance=instance, solution=solution, solver_status="INFEASIBLE")
    db.session.add(job)
    db.session.commit()
    html = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}?lang=fr"
                                ).get_data(True)
    ada = world.people[0]
    assert (f'href="/manage/events/small/schedule/participants/{ada.id}">Ada Test1</a>'
            in html)
    assert f'href="/manage/events/small/rooms/{world.rooms["b"].id}/edit">Salle B</a>' in html
    text = _text(html)
    assert ("Ada Test1 a besoin d’un accès sans marche mais est épinglé·e à Beta au tour 1 "
            "dans la salle Salle B, qui n’est pas accessible.") in text
    section = text[text.index("Pourquoi aucun planning"):]
    assert not JARGON.search(section), section
    assert "accessible room" not in section and "fixed to" not in section


def test_review_explains_in_french_why_someone_got_none_of_their_wishes(organiser_client):
    """Ada needs step-free access and wished only for Beta, whose one session is in Salle B,
    which has steps: the review says so, in French, linking Beta and Ada."""
    world = build_world()
    ada = world.people[0]
    ada.needs_step_free = True
    ada.project_wishes = [w for w in ada.project_wishes if w.project.key == "beta"]
    db.session.commit()
    instance = build_solve_instance(world.event, time_limit_s=5, change_penalty=0)
    solution = solve(instance, time_limit_s=5, workers=1)
    assert solution["status"] == "OPTIMAL"
    job = SolveJob(event=world.event, status=JobStatus.FINISHED, time_limit_s=5,
                   instance=instance, solution=solution, solver_status="OPTIMAL")
    db.session.add(job)
    db.session.commit()
    html = organiser_client.get(f"/manage/events/small/schedule/jobs/{job.id}?lang=fr"
                                ).get_data(True)
    beta = world.projects["beta"].id
    assert (f'<a href="/manage/events/small/projects/{beta}/edit">Beta</a> : toutes ses '
            "présentations sont dans des salles avec marches, et "
            f'<a href="/manage/events/small/schedule/participants/{ada.id}">Ada Test1</a> a '
            "besoin d’un accès sans marche.") in html.replace("\u202f", " ").replace("\xa0", " ")
    assert not JARGON.search(_text(html)), JARGON.search(_text(html))
    # the fill grid gives a word only to fills worth a look (not "faible" on every cell)
    assert "faible" not in _text(html) and "Tour 1" in _text(html)


def test_api_refusal_details_are_plain_text(client):
    """The pages link names in a refusal's details; the API gives their plain text."""
    from tests.api_helpers import api_token, assert_error, bearer

    world = build_world()
    instance = build_solve_instance(world.event, time_limit_s=5, change_penalty=0)
    solution = solve(instance, time_limit_s=5, workers=1)
    job = SolveJob(event=world.event, status=JobStatus.FINISHED, time_limit_s=5,
                   instance=instance, solution=solution, solver_status=solution["status"])
    db.session.add(job)
    for session in world.sessions.values():
        session.capacity = 1
    db.session.commit()
    error = assert_error(client.post(f"/api/v1/events/small/solve-jobs/{job.id}/accept",
                                     headers=bearer(api_token())), 409)
    messages = [d["message"] for d in error["details"]]
    assert messages and all("<" not in m and "rule" not in m for m in messages), messages
    assert any(re.fullmatch(r"\w+ in round \d has \d+ participants for 1 seats\.", m)
               for m in messages), messages
