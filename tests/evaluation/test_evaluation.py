"""The evaluation questionnaire end to end (issue 18, section 3): built from ready blocks
and free questions, sent by email with a personal link, answered by two participants,
edited, reminded, closed, and read back per question, session, workshop and category."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.db_types import utcnow
from eventapp.evaluation.models import Answer, Question, Questionnaire, Response
from eventapp.extensions import db
from tests.checkin.test_checkin import checkin_world
from tests.factories import email_text, portal_token_in, read_outbox


@pytest.fixture
def world(app):
    app.config["WTF_CSRF_ENABLED"] = False
    world = checkin_world(with_codes=False)
    for person, category in zip(world.people, ("association", "siae", "association",
                                               "siae", "entreprise"), strict=False):
        person.category = category
        person.email = f"{person.key}@example.org"
    world.presenter.email = "paula@example.org"
    db.session.commit()
    return world


def manage(world, tail: str = "") -> str:
    return f"/manage/events/{world.event.slug}/evaluation/{tail}"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def build(client, world) -> None:
    for block in ("day", "sessions", "workshop", "next_steps"):
        assert client.post(manage(world, "blocks"), data={"block": block}).status_code == 302
    again = client.post(manage(world, "blocks"), data={"block": "day"})
    assert again.status_code == 400 and "already in the questionnaire" in again.get_data(
        as_text=True)
    bad = client.post(manage(world, "questions"), data={
        "kind": "single", "label_fr": "Votre structure", "options": "Une seule"})
    assert bad.status_code == 400 and "between 2 and" in bad.get_data(as_text=True)
    assert client.post(manage(world, "questions"), data={
        "kind": "single", "label_fr": "Reviendrez-vous ?", "label_en": "Will you come back?",
        "options": "Oui | Yes\nNon | No\nPeut-être | Maybe"}).status_code == 302
    assert client.post(manage(world, "questions"), data={
        "kind": "multiple", "label_fr": "Ce qui vous a servi", "label_en": "What helped you",
        "options": "Les rencontres | Meeting people\nLes ateliers | The workshops\n"
                   "Les présentations | The presentations"}).status_code == 302


def answer_form(items_page: str) -> list[str]:
    import re

    return sorted(set(re.findall(r'name="(q\d+(?:-[a-z]+\d+)?)"', items_page)))


def test_questionnaire_end_to_end(app, organiser_client, world):
    client = organiser_client
    build(client, world)
    assert count(Question) == 7
    refused = client.post(manage(world, "send"))
    assert "closing date" in client.get(manage(world)).get_data(as_text=True)
    assert count(Questionnaire) <= 1 and not read_outbox(app) and refused.status_code == 302
    closes = world.event.to_local(utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(manage(world), data={"intro": "Merci !", "closes_at": closes}
                       ).status_code == 302
    assert client.post(manage(world, "send")).status_code == 302
    emails = read_outbox(app)
    assert len(emails) == 6  # five participants and the presenter
    assert "/evaluation" in email_text(emails[0])
    # Questions are frozen once sent.
    frozen = client.post(manage(world, "blocks"), data={"block": "day"})
    assert "already sent" in frozen.get_data(as_text=True)

    by_email = {m["To"]: portal_token_in(m) for m in emails}
    ada, bob = world.people[0], world.people[1]
    ada_link = f"/p/{by_email[ada.email]}/evaluation"
    page = client.get(ada_link).get_data(as_text=True)
    names = answer_form(page)
    questions = {q.block + q.kind: q for q in db.session.scalars(select(Question))}
    day, comment = questions["dayscale"], questions["daytext"]
    sessions = [n for n in names if n.startswith(f"q{questions['sessionsscale'].id}-")]
    workshop = [n for n in names if n.startswith(f"q{questions['workshopscale'].id}-")]
    assert len(sessions) == 2 and len(workshop) == 1  # two rounds, one workshop
    assert "Alpha" in page or "Beta" in page or "Gamma" in page  # the projects heard

    single, multiple = questions["freesingle"], questions["freemultiple"]
    ada_answers = {f"q{day.id}": "5", f"q{comment.id}": "Très utile",
                   sessions[0]: "4", sessions[1]: "2", workshop[0]: "5",
                   f"q{single.id}": "0", f"q{multiple.id}": ["0", "2"]}
    assert client.post(ada_link, data=ada_answers).status_code == 302
    # Bad input: a value outside the scale: refused, said where, nothing changed.
    bad = client.post(ada_link, data={**ada_answers, f"q{day.id}": "9"})
    assert bad.status_code == 400 and "Choose one of the answers offered" in bad.get_data(
        as_text=True)
    assert db.session.scalar(select(Answer.number).where(Answer.question_id == day.id)) == 5
    # Ada changes her mind: still one response, the new value.
    assert client.post(ada_link, data={**ada_answers, f"q{day.id}": "4"}).status_code == 302
    assert count(Response) == 1
    assert db.session.scalar(select(Answer.number).where(Answer.question_id == day.id)) == 4
    assert 'value="4" checked' in client.get(ada_link).get_data(as_text=True)

    bob_link = f"/p/{by_email[bob.email]}/evaluation"
    bob_names = answer_form(client.get(bob_link).get_data(as_text=True))
    bob_answers = {f"q{day.id}": "2", f"q{single.id}": "1",
                   **{n: "3" for n in bob_names
                      if n.startswith(f"q{questions['sessionsscale'].id}-")}}
    assert client.post(bob_link, data=bob_answers).status_code == 302
    assert client.get("/p/not-a-real-token-at-all/evaluation").status_code == 404

    # The reminder goes to the four who have not answered.
    before = len(read_outbox(app))
    assert client.post(manage(world, "remind")).status_code == 302
    assert len(read_outbox(app)) - before == 4

    # Closed: an answer is refused, nothing saved.
    questionnaire = db.session.get(Questionnaire, world.event.id)
    questionnaire.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = client.post(ada_link, data={**ada_answers, f"q{day.id}": "1"})
    assert late.status_code == 409 and "closed on" in late.get_data(as_text=True)
    assert db.session.scalar(select(Answer.number).where(Answer.question_id == day.id,
                                                         Answer.response_id.in_(
        select(Response.id).where(Response.participant_id == ada.id)))) == 4

    results = client.get(manage(world, "results")).get_data(as_text=True)
    assert "2 answers from 6 people asked (33 %)" in results
    assert "average 3.0 / 5" in results  # day: Ada 4, Bob 2
    assert "<svg" in results and 'class="chart-bar"' in results
    assert "Très utile" in results
    # By category: associations (Ada) 4.0, SIAE (Bob) 2.0.
    assert "Association</th><td>1</td><td>4.0</td>" in results
    assert "Work integration social enterprise (SIAE)</th><td>1</td><td>2.0</td>" in results
    rows = list(csv.reader(io.StringIO(client.get(manage(world, "results.csv"))
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Réponse", "Catégorie", "Question", "Objet", "Valeur"]
    assert ["siae", "Your opinion of the day overall (1 to 5)", "", "2"] in [
        row[1:] for row in rows]
    assert not any(ada.last_name in cell for row in rows for cell in row)
    assert any(row[4] == "Meeting people; The presentations" for row in rows)
    exported = client.get(f"/p/{by_email[ada.email]}/data.json").get_json()
    assert {"question": day.label_fr, "target": "", "number": 4, "choices": [],
            "text": ""} in exported["evaluation_answers"]


def test_portal_shows_the_questionnaire_only_while_open(app, client, world):
    from eventapp.evaluation import operations
    from tests.factories import make_portal_token

    ada = world.people[0]
    token = make_portal_token(ada)
    db.session.commit()
    assert "/evaluation" not in client.get(f"/p/{token}/").get_data(as_text=True)
    early = client.post(f"/p/{token}/evaluation", data={})
    assert early.status_code == 409
    operations.add_block(world.event, "day")
    operations.update_settings(world.event, "", utcnow() + timedelta(days=1), utcnow())
    operations.send(world.event)
    db.session.commit()
    assert f"/p/{token}/evaluation" in client.get(f"/p/{token}/").get_data(as_text=True)
