"""CSV import (preview, every bad row, confirm) and export (Excel FR, no formulas)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from werkzeug.datastructures import MultiDict

from eventapp.extensions import db
from eventapp.registration.csv_io import decode, detect_delimiter, neutralise
from eventapp.registration.models import Participant
from tests.factories import (
    make_event,
    make_participant,
    make_project,
    make_user,
    make_workshop,
)

BASE = "/manage/events/journee/participants"


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "imports")
    return app_config


@pytest.fixture
def event(app):
    event = make_event(slug="journee")
    make_project(event, key="tapaj", name="TAPAJ")
    make_project(event, key="lahso", name="Lieu d'accueil LAHSO")
    make_workshop(event, key="w-eval", name="Évaluation des innovations")
    db.session.commit()
    return event


def _people(event):
    return {p.email: p for p in db.session.scalars(
        db.select(Participant).where(Participant.event_id == event.id))}


def _upload(client, data: bytes, name: str = "inscrits.csv"):
    response = client.post(f"{BASE}/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    preview_url = response.headers["Location"]
    return preview_url, client.get(preview_url)


GOOD_ROWS = [
    ["Prénom", "Nom", "Courriel", "Structure", "Catégorie", "Rôle", "PMR",
     "Régime alimentaire", "Vœux", "Ateliers"],
    ["Hélène", "Lefèvre", "helene@example.org", "Régie Nord", "SIAE", "participant", "oui",
     "végétarien", "tapaj; Lieu d'accueil LAHSO", "Évaluation des innovations"],
    ["Ousmane", "Diallo", "OUSMANE@example.org", "Pôle emploi", "service public de l'emploi",
     "", "non", "", "lahso|TAPAJ", ""],
]


def _csv(rows, delimiter=",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (_csv(GOOD_ROWS).encode("utf-8"), "utf-8", ","),
        (_csv(GOOD_ROWS, ";").encode("utf-8-sig"), "utf-8", ";"),
        (_csv(GOOD_ROWS, ";").encode("cp1252"), "cp1252", ";"),
        (_csv(GOOD_ROWS, "\t").encode("utf-8"), "utf-8", "tab"),
    ],
    ids=["utf8-comma", "utf8-bom-semicolon", "cp1252-semicolon", "utf8-tab"],
)
def test_import_reads_excel_variants_and_imports_after_confirmation(
        organiser_client, event, data, encoding, delimiter):
    preview_url, preview = _upload(organiser_client, data)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert f"Read as {encoding}" in page and f"separated by \"{delimiter}\"" in page
    assert "Hélène" in page and "Lefèvre" in page and "2 valid rows" in page
    assert _people(event) == {}  # nothing imported before confirmation

    response = organiser_client.post(preview_url + "/confirm")
    assert response.status_code == 302
    people = _people(event)
    assert set(people) == {"helene@example.org", "ousmane@example.org"}
    helene, ousmane = people["helene@example.org"], people["ousmane@example.org"]
    assert (helene.first_name, helene.last_name, helene.organisation) == (
        "Hélène", "Lefèvre", "Régie Nord")
    assert helene.category == "siae" and helene.needs_step_free
    assert helene.dietary_notes == "végétarien" and helene.status == "registered"
    assert [w.project.key for w in helene.project_wishes] == ["tapaj", "lahso"]
    assert [w.workshop.key for w in helene.workshop_wishes] == ["w-eval"]
    assert ousmane.category == "service-public" and ousmane.role == "participant"
    assert [w.project.key for w in ousmane.project_wishes] == ["lahso", "tapaj"]
    assert not ousmane.needs_step_free
    # Once imported, the upload cannot be imported again: its page says what was done.
    again = organiser_client.get(preview_url)
    assert again.status_code == 302 and again.headers["Location"].endswith("/done")
    organiser_client.post(preview_url + "/confirm")
    assert len(_people(event)) == 2


def test_every_bad_row_is_listed_and_the_good_ones_can_be_imported(organiser_client, event):
    rows = [
        ["Prénom", "Nom", "Email", "Catégorie", "Projets", "Ateliers"],
        ["Ok", "Person", "ok@example.org", "association", "tapaj", ""],      # line 2
        ["Bad", "Email", "not-an-email", "association", "", ""],            # line 3
        ["Dup", "Licate", "OK@example.org", "", "", ""],                    # line 4
        ["Odd", "Category", "odd@example.org", "licorne", "", ""],          # line 5
        ["Odd", "Project", "proj@example.org", "", "tapaj;nowhere", ""],    # line 6
        ["Odd", "Workshop", "work@example.org", "", "", "atelier fantôme"],  # line 7
        ["", "", "noname@example.org", "", "", ""],                         # line 8
        ["No", "Mail", "", "", "", ""],                                     # line 9
    ]
    preview_url, preview = _upload(organiser_client, _csv(rows, ";").encode("cp1252"))
    page = preview.get_data(as_text=True).replace("&#34;", '"')
    found = {line: (column, message) for line, column, message in re.findall(
        r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)}
    assert found == {
        "3": ("Email", '"not-an-email" is not a valid email address'),
        "4": ("Email", "same email as line 2 (one person per email)"),
        "5": ("Catégorie", 'unknown category "licorne"'),
        "6": ("Projets", 'unknown project "nowhere"'),
        "7": ("Ateliers", 'unknown workshop "atelier fantôme"'),
        "8": ("Prénom", "the name is missing"),
        "9": ("Email", "the email is missing"),
    }
    assert "7 lines to correct" in page
    assert "Import these 1 participants" in page  # the good row may go in meanwhile
    done = organiser_client.post(preview_url + "/confirm", follow_redirects=True)
    assert set(_people(event)) == {"ok@example.org"}
    page = done.get_data(as_text=True)
    assert "7 lines to correct" in page and "rejected.csv" in page
    # nothing is lost: the bad lines come back as written, with what to correct
    rejected = organiser_client.get(preview_url + "/rejected.csv")
    text = rejected.get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][-1] == "Problem to correct" and lines[0][:3] == ["Prénom", "Nom", "Email"]
    assert [row[2] for row in lines[1:]] == ["not-an-email", "OK@example.org",
                                             "odd@example.org", "proj@example.org",
                                             "work@example.org", "noname@example.org", ""]
    assert lines[2][-1] == "Email : same email as line 2 (one person per email)"


def test_line_numbers_count_multiline_cells_and_blank_lines(organiser_client, event):
    data = ('Prénom,Nom,Email,Régime alimentaire\n'
            'A,B,a@example.org,"sans\ngluten"\n'
            '\n'
            'C,D,bad-email,\n').encode()
    _, preview = _upload(organiser_client, data)
    assert "<tr><td>5</td>" in preview.get_data(as_text=True)


def test_existing_participant_is_updated_and_preview_says_so(organiser_client, event):
    existing = make_participant(event, email="helene@example.org", first_name="H",
                                organisation="Old")
    db.session.commit()
    preview_url, preview = _upload(organiser_client, _csv(GOOD_ROWS).encode())
    page = preview.get_data(as_text=True)
    assert "Update (already registered)" in page
    organiser_client.post(preview_url + "/confirm")
    people = _people(event)
    assert len(people) == 2
    db.session.refresh(existing)
    assert existing.first_name == "Hélène" and existing.organisation == "Régie Nord"


def test_missing_required_columns_is_explained(organiser_client, event):
    _, preview = _upload(organiser_client, b"Foo;Bar\n1;2\n")
    page = preview.get_data(as_text=True)
    assert "at least an email column" in page
    assert "Ignored columns: Foo, Bar" in page


def test_wrong_file_type_and_missing_file_are_refused(organiser_client, event):
    response = organiser_client.post(f"{BASE}/import", data={
        "file": (io.BytesIO(b"x"), "photo.png")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert organiser_client.post(f"{BASE}/import", data={}).status_code == 400


def test_an_upload_belongs_to_its_organiser_and_event(organiser_client, client, event):
    preview_url, _ = _upload(organiser_client, _csv(GOOD_ROWS).encode())
    import_id = preview_url.rsplit("/", 1)[-1]
    other_event = make_event(slug="autre")
    db.session.commit()
    assert organiser_client.get(
        f"/manage/events/autre/participants/import/{import_id}").status_code == 404
    del other_event
    organiser_client.post("/logout")
    make_user(email="orga2@example.org", role="organiser")
    client.post("/login", data={"email": "orga2@example.org",
                                "password": "correct horse battery"})
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url + "/confirm").status_code == 404
    assert client.get(f"{BASE}/import/..%2F..%2Fsecret_key").status_code == 404
    assert _people(event) == {}


def test_export_is_excel_fr_and_neutralises_formulas(organiser_client, event):
    person = make_participant(event, first_name="=HYPERLINK(\"http://evil\")",
                              last_name="+33 6", organisation="@SUM(A1)",
                              email="formula@example.org", dietary_notes="-2",
                              accessibility_notes="\tcalc")
    make_participant(event, first_name="Émile", last_name="Zola", email="emile@example.org")
    db.session.commit()
    del person
    response = organiser_client.get(f"{BASE}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Identifiant", "Prénom", "Nom", "Email"]
    formula = next(row for row in rows if row[3] == "formula@example.org")
    assert formula[1] == "'=HYPERLINK(\"http://evil\")"
    assert formula[2] == "'+33 6" and formula[4] == "'@SUM(A1)"
    assert formula[10] == "'\tcalc" and formula[11] == "'-2"
    assert any(row[1] == "Émile" for row in rows)


def test_export_then_import_round_trips(organiser_client, event):
    make_participant(event, first_name="Émile", last_name="Zola", email="emile@example.org",
                     category="recherche", role="speaker", needs_step_free=True)
    db.session.commit()
    exported = organiser_client.get(f"{BASE}/export.csv").get_data()
    _, preview = _upload(organiser_client, exported)
    page = preview.get_data(as_text=True)
    assert "1 valid row" in page and "Update (already registered)" in page


def test_helpers():
    assert decode("é".encode("cp1252")) == ("é", "cp1252")
    assert decode("\ufeffé".encode()) == ("é", "utf-8")
    assert detect_delimiter("Nom,Prénom;x\n") == ","
    assert detect_delimiter("Nom;Prénom;Email\n") == ";"
    assert neutralise("=1+1") == "'=1+1" and neutralise("\r") == "'\r"
    assert neutralise("Paris") == "Paris" and neutralise(None) == ""


def test_after_import_the_links_go_to_the_new_participants_in_one_go(organiser_client, app,
                                                                      event):
    from tests.factories import portal_token_in, read_outbox

    make_participant(event, email="helene@example.org")
    db.session.commit()
    preview_url, _ = _upload(organiser_client, _csv(GOOD_ROWS).encode())
    done = organiser_client.post(preview_url + "/confirm", follow_redirects=True)
    page = done.get_data(as_text=True)
    assert read_outbox(app) == []  # nothing is sent without being asked
    assert "1 new participant will receive this email" in page
    assert "Subject:" in page and "(their personal link)" in page and "/p/" not in page
    assert "1 person already registered" in page  # the update, on request only
    organiser_client.post(preview_url + "/links")
    [message] = read_outbox(app)
    assert message["To"] == "ousmane@example.org"
    assert organiser_client.get(f"/p/{portal_token_in(message)}/").status_code == 200
    # once per import
    again = organiser_client.post(preview_url + "/links", follow_redirects=True)
    assert "already sent" in again.get_data(as_text=True) and len(read_outbox(app)) == 1


def test_links_can_include_the_updated_people(organiser_client, app, event):
    from tests.factories import read_outbox

    make_participant(event, email="helene@example.org")
    db.session.commit()
    preview_url, _ = _upload(organiser_client, _csv(GOOD_ROWS).encode())
    organiser_client.post(preview_url + "/confirm")
    organiser_client.post(preview_url + "/links", data={"include_updated": "y"})
    assert {m["To"] for m in read_outbox(app)} == {"ousmane@example.org",
                                                   "helene@example.org"}


def test_the_template_file_imports_as_it_is(organiser_client, event):
    response = organiser_client.get(f"{BASE}/import/template.csv")
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel FR opens it directly
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Prénom;Nom;Courriel")
    assert "TAPAJ" in text  # the event's own project names as the example's wishes
    _, preview = _upload(organiser_client, data)
    page = preview.get_data(as_text=True)
    assert "1 valid row" in page and "camille.martin@example.org" in page
    assert "to correct" not in page


def test_wishes_separated_by_commas_or_semicolons(organiser_client, event):
    make_project(event, key="alpha", name="Alpha, β")
    db.session.commit()
    rows = [["Prénom", "Nom", "Email", "Vœux"],
            ["A", "B", "a@example.org", "TAPAJ, Lieu d'accueil LAHSO"],
            ["C", "D", "c@example.org", "Alpha, β; tapaj"],
            ["E", "F", "e@example.org", "lahso,Alpha, β"]]
    preview_url, preview = _upload(organiser_client, _csv(rows, ";").encode())
    assert "3 valid rows" in preview.get_data(as_text=True)
    organiser_client.post(preview_url + "/confirm")
    people = _people(event)
    assert [w.project.key for w in people["a@example.org"].project_wishes] == ["tapaj", "lahso"]
    assert [w.project.key for w in people["c@example.org"].project_wishes] == ["alpha", "tapaj"]
    assert [w.project.key for w in people["e@example.org"].project_wishes] == ["lahso", "alpha"]


def test_an_update_changes_only_the_columns_in_the_file(organiser_client, event):
    existing = make_participant(event, email="helene@example.org", first_name="H",
                                organisation="Régie Sud", category="intervenant",
                                role="speaker", dietary_notes="Halal", status="cancelled")
    db.session.commit()
    data = "Courriel;Prénom;Rôle\nhelene@example.org;Hélène;\n".encode("cp1252")
    preview_url, preview = _upload(organiser_client, data)
    assert "Cancelled" in preview.get_data(as_text=True)
    organiser_client.post(preview_url + "/confirm")
    db.session.refresh(existing)
    assert existing.first_name == "Hélène"
    assert (existing.organisation, existing.category, existing.role) == (
        "Régie Sud", "intervenant", "speaker")
    assert existing.dietary_notes == "Halal" and existing.status == "cancelled"


def _errors(preview) -> dict[str, str]:
    page = preview.get_data(as_text=True).replace("&#34;", '"')
    return {line: message for line, _column, message in re.findall(
        r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)}


def test_a_cell_over_the_csv_limit_is_reported_on_its_line(organiser_client, event):
    """Issue 12: a cell over 128 KiB answered 500 on preview and confirm."""
    data = ("Prénom;Nom;Email\nA;B;a@example.org\n"
            f"C;\"{'x' * 200_000}\";c@example.org\n").encode()
    preview_url, preview = _upload(organiser_client, data)
    assert preview.status_code == 200
    errors = _errors(preview)
    assert list(errors) == ["3"] and "field larger than field limit" in errors["3"]
    assert "is a quote" in errors["3"]
    assert organiser_client.post(preview_url + "/confirm").status_code == 302
    assert _people(event) == {}


def test_an_unbalanced_quote_is_reported_on_its_line(organiser_client, event):
    """The quote swallows every following line into one cell: over the limit (500 before)."""
    rows = "".join(f"P{n};Q{n};p{n}@example.org\n" for n in range(8_000))
    data = f"Prénom;Nom;Email\nA;\"B;a@example.org\n{rows}".encode()
    preview_url, preview = _upload(organiser_client, data)
    assert preview.status_code == 200
    errors = _errors(preview)
    assert list(errors) == ["2"] and "opened and never closed" in errors["2"]
    assert organiser_client.post(preview_url + "/confirm").status_code == 302
    assert _people(event) == {}


def test_an_unbalanced_quote_in_a_small_file_names_the_column(organiser_client, event):
    data = 'Prénom;Nom;Email;Régime alimentaire\nA;"B;a@example.org;\nC;D;c@example.org;"\n'
    _, preview = _upload(organiser_client, data.encode())
    page = preview.get_data(as_text=True)
    assert "<tr><td>2</td><td>Nom</td><td>Nom: must be on one line" in page


def test_control_characters_in_cells_are_refused_and_bidi_controls_stripped(
        organiser_client, event):
    data = ("Prénom;Nom;Email\nA\x00;B;a@example.org\n"
            "\u202eC;D;c@example.org\n").encode()
    preview_url, preview = _upload(organiser_client, data)
    page = preview.get_data(as_text=True)
    assert "<tr><td>2</td><td>Prénom</td><td>Prénom: must be on one line, without control " \
        "characters" in page
    assert "<tr><td>3</td>" not in page


def test_checking_a_file_costs_the_same_statements_for_more_rows(organiser_client, event):
    from sqlalchemy import event as sa_event

    def rows(count: int) -> bytes:
        lines = ["Prénom;Nom;Email"] + [f"P{n};Q{n};p{n}-{count}@example.org"
                                        for n in range(count)]
        return ("\n".join(lines) + "\nBad;Row;nope\n").encode()

    counts = []
    for count in (3, 60):
        preview_url, _ = _upload(organiser_client, rows(count))
        organiser_client.get(preview_url)
        statements: list[str] = []

        def record(conn, cursor, statement, *args, statements=statements):
            statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            organiser_client.get(preview_url)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
        organiser_client.post(preview_url + "/confirm")
        done_url = preview_url + "/done"
        organiser_client.get(done_url)
        statements.clear()
        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            organiser_client.get(done_url)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_the_import_applies_the_registration_forms_email_rule_and_limits(
        organiser_client, event):
    """The CSV import's email check and length limits are those of the organiser's
    participant form (one rule, two doors): an address the form refuses is refused on its
    line, and every column the form limits is limited the same way."""
    rows = [
        ["Prénom", "Nom", "Email", "Fonction", "Régime alimentaire"],
        ["Ok", "Person", "ok@example.org", "x" * 300, "y" * 2000],             # line 2
        ["Two", "Dots", "two@example..org", "", ""],                           # line 3
        ["Long", "Title", "title@example.org", "x" * 301, ""],                 # line 4
        ["Long", "Needs", "needs@example.org", "", "y" * 2001],                # line 5
    ]
    _preview_url, preview = _upload(organiser_client, _csv(rows, ";").encode("utf-8"))
    page = preview.get_data(as_text=True).replace("&#34;", '"')
    found = {line: (column, message) for line, column, message in re.findall(
        r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", page)}
    assert found == {
        "3": ("Email", '"two@example..org" is not a valid email address'),
        "4": ("Fonction", "Fonction is longer than 300 characters"),
        "5": ("Régime alimentaire", "Régime alimentaire is longer than 2000 characters"),
    }
    from eventapp.registration.forms import OrganiserParticipantForm, is_email_address
    with organiser_client.application.test_request_context():
        form = OrganiserParticipantForm(meta={"csrf": False}, formdata=MultiDict({
            "first_name": "Two", "last_name": "Dots", "email": "two@example..org"}))
        form.validate()
    assert form.email.errors and not is_email_address("two@example..org")
