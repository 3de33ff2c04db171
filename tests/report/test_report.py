"""The report of the day (issue 18, section 4), built from the 2016 demo day with people,
signatures and generated evaluation answers: opened with python-docx, its PDF read back
with pypdfium2; the rapporteur writes a workshop's summary by their link."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import docx
import pytest
from sqlalchemy import func, select

from eventapp.attendance import operations as attendance
from eventapp.attendance.images import signature_from_png
from eventapp.db_types import utcnow
from eventapp.demo.loader import load_demo
from eventapp.evaluation import operations as evaluation
from eventapp.extensions import db
from eventapp.programme.models import Theme, Workshop
from eventapp.registration.models import Participant
from tests.attendance.test_attendance import pdf_text, signature_png
from tests.factories import make_participant


@pytest.fixture
def day(app):
    app.config["WTF_CSRF_ENABLED"] = False
    event = load_demo()
    people = [make_participant(event, key=f"p{n}", first_name=f"Personne{n}",
                               last_name=f"Test{n}", email=f"p{n}@example.org",
                               category=category)
              for n, category in enumerate(["association", "siae", "association",
                                            "financeur", "siae", "collectivite"])]
    db.session.flush()
    sheets = attendance.sync_sheets(event)
    morning = next(s for s in sheets if s.key == "half_day:am")
    attendance.open_window(morning, utcnow())
    for person in people[:4]:  # four signed the morning sheet on their phone
        attendance.record_signature(event, attendance.SignRequest(
            participant=person, image=signature_from_png(signature_png()),
            nonce=uuid.uuid4().hex, via="portal", sheet=morning), sheets)
    settings = attendance.settings_for_update(event)
    settings.esf_mention = True
    settings.funders_mention = "Avec le soutien de la DGEFP"
    for block in ("day", "next_steps"):
        evaluation.add_block(event, block)
    choice = evaluation.add_free_question(event, "single", "Reviendrez-vous ?",
                                          "Will you come back?", "Oui | Yes\nNon | No")
    evaluation.update_settings(event, "", utcnow() + timedelta(days=5), utcnow())
    evaluation.send(event)
    questions = {q.block + q.kind: q for q in evaluation_questions(event)}
    for person, score, plan in ((people[0], 5, "Monter un partenariat avec une SIAE"),
                                (people[1], 3, "Recruter via la clause sociale")):
        evaluation.save_response(person, [
            evaluation.GivenAnswer(questions["dayscale"], "", number=score),
            evaluation.GivenAnswer(questions["next_stepstext"], "", text=plan),
            evaluation.GivenAnswer(choice, "", number=0)])
    db.session.commit()
    return event


def evaluation_questions(event):
    from eventapp.evaluation.queries import questions_of

    return questions_of(event)


def test_report_of_the_demo_day_in_docx_and_pdf(organiser_client, client, day):
    base = f"/manage/events/{day.slug}/report"
    assert organiser_client.post(f"{base}/", data={
        "intro": "Une journée pour partager les innovations sociales.",
        "conclusion": "Rendez-vous l’an prochain."}).status_code == 302
    workshop = db.session.scalars(select(Workshop).where(Workshop.event_id == day.id)
                                  .order_by(Workshop.position)).first()
    made = organiser_client.post(f"{base}/workshops/{workshop.id}/link",
                                 follow_redirects=True).get_data(as_text=True)
    token = re.search(r"/rapporteur/([A-Za-z0-9_-]+)", made).group(1)
    assert client.post(f"/rapporteur/{token}", data={
        "summary": "Les freins à l’emploi des jeunes ont été discutés.",
        "next_steps": "Créer un groupe de travail départemental."}).status_code == 302
    assert client.get("/rapporteur/forged-link-0000").status_code == 404

    response = organiser_client.get(f"{base}/report.docx?lang=fr")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows
                      for cell in row.cells)
    assert day.name in text and "Une journée pour partager" in text
    assert "Les freins à l’emploi des jeunes" in text and "Créer un groupe de travail" in text
    assert "Rendez-vous l’an prochain." in text
    assert "moyenne 4.0 / 5" in text                     # (5 + 3) / 2
    asked = len(evaluation.recipients(day))
    assert f"2 réponses sur {asked} personnes sollicitées" in text
    assert "Monter un partenariat avec une SIAE" in text
    assert "Cofinancé par l’Union européenne" in text
    assert "Avec le soutien de la DGEFP" in text
    # Attendance by category with the morning's signatures: Association 2 registered,
    # 2 came, 2 signed in the morning.
    assert "Association\n2\n2\n2\n0" in cells
    registered = db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.event_id == day.id, Participant.status == "registered",
        Participant.role != "staff"))  # the demo's presenters too
    assert f"Total\n{registered}\n4\n4\n0" in cells
    # The speed-dating grid, coloured by theme, each colour also named.
    assert _has_shading(document)
    theme = db.session.scalars(select(Theme).where(Theme.event_id == day.id)).first()
    assert f"({theme.colour_name})" in cells
    assert len(document.inline_shapes) >= 1  # the EU emblem
    pdf = organiser_client.get(f"{base}/report.pdf?lang=fr")
    assert pdf.status_code == 200
    pdf_body = pdf_text(pdf.data)
    for expected in ("Une journée pour partager", "Les freins à l’emploi des jeunes",
                     "moyenne 4.0 / 5", "Cofinancé par l’Union européenne", "Total"):
        assert expected in pdf_body, expected


def _has_shading(document) -> bool:
    return any("w:shd" in cell._tc.xml for table in document.tables for row in table.rows
               for cell in row.cells)


def test_report_and_results_statements_do_not_grow_with_people(app, organiser_client, day):
    from tests.attendance.test_attendance import _statements

    paths = [f"/manage/events/{day.slug}/report/report.docx",
             f"/manage/events/{day.slug}/evaluation/results"]
    few = [len(_statements(app, lambda p=p: organiser_client.get(p).data)) for p in paths]
    questions = {q.block + q.kind: q for q in evaluation_questions(day)}
    for n in range(20):
        person = make_participant(day, key=f"more{n}", email=f"more{n}@example.org",
                                  category="entreprise")
        db.session.flush()
        evaluation.save_response(person, [
            evaluation.GivenAnswer(questions["dayscale"], "", number=4),
            evaluation.GivenAnswer(questions["next_stepstext"], "", text=f"Idée {n}")])
    db.session.commit()
    many = [len(_statements(app, lambda p=p: organiser_client.get(p).data)) for p in paths]
    assert many == few
