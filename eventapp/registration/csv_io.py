"""Participants as CSV: the files French organisers really exchange with Excel.

Import reads UTF-8 (with or without BOM) and Excel's Windows-1252, with ``;``, ``,`` or
tab separators, maps French or English headers, and checks every row before anything is
written: :func:`parse_participants` returns the rows and every problem with its line
number; the organiser confirms a clean file, then the rows are applied.

Export writes UTF-8 with BOM and semicolons (what Excel FR opens directly) and defuses
spreadsheet formulas (CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from ..events.models import Event
from ..extensions import db
from ..programme.models import Project, Workshop
from ..text import block_problem, line_problem, strip_bidi
from ..web import YIELD_PER
from .forms import OrganiserParticipantForm, is_email_address, length_limits
from .models import CATEGORIES, ROLES, Participant, ProjectWish, WorkshopWish
from .operations import PersonDetails, normalise_email
from .queries import (
    PARTICIPANT_ORDER,
    emails_in_event,
    projects_of,
    search_participants,
    workshops_of,
)

# The organiser's participant form's limits, which the import applies to the same columns.
COLUMN_LIMITS = length_limits(OrganiserParticipantForm)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def fold(value: str) -> str:
    """Lower-case, accent-free, single-spaced text, for matching headers and names."""
    value = (value or "").replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    value = re.sub(r"[^a-z0-9@.]+", " ", value)
    return " ".join(value.split())


HEADERS = {
    "first_name": ["prenom", "first name", "firstname", "given name"],
    "last_name": ["nom", "nom de famille", "last name", "lastname", "surname", "family name"],
    "email": ["email", "e mail", "courriel", "mail", "adresse email", "adresse e mail",
              "adresse mail", "email address"],
    "organisation": ["organisation", "organization", "structure", "organisme",
                     "employeur", "nom de la structure"],
    "job_title": ["fonction", "poste", "job title", "titre"],
    "category": ["categorie", "category", "type de structure", "college"],
    "role": ["role"],
    "needs_step_free": ["accessibilite", "pmr", "accessibility", "step free",
                        "acces pmr", "mobilite reduite", "accessibilite pmr"],
    "accessibility_notes": ["besoins d accessibilite", "besoins accessibilite",
                            "autres besoins", "accessibility notes", "other accessibility needs"],
    "dietary_notes": ["regime alimentaire", "regime", "dietary", "dietary needs",
                      "allergies", "repas"],
    "projects": ["voeux", "projets", "voeux projets", "wishes", "projects", "project wishes"],
    "workshops": ["ateliers", "voeux ateliers", "workshops", "workshop wishes"],
}
HEADER_LOOKUP = {alias: name for name, aliases in HEADERS.items() for alias in aliases}

CATEGORY_ALIASES = {
    "siae": "siae", "structure d insertion": "siae", "iae": "siae",
    "service public": "service-public", "service public de l emploi": "service-public",
    "spe": "service-public", "pole emploi": "service-public",
    "france travail": "service-public", "public employment service": "service-public",
    "association": "association",
    "entreprise": "entreprise", "company": "entreprise",
    "collectivite": "collectivite", "collectivite territoriale": "collectivite",
    "local authority": "collectivite",
    "recherche": "recherche", "research": "recherche",
    "financeur": "financeur", "funder": "financeur",
    "demandeur emploi": "demandeur-emploi", "demandeur d emploi": "demandeur-emploi",
    "personne en recherche d emploi": "demandeur-emploi", "job seeker": "demandeur-emploi",
    "intervenant": "intervenant", "intervenante": "intervenant",
    "autre": "autre", "other": "autre",
}
CATEGORY_ALIASES.update({fold(key): key for key in CATEGORIES})
ROLE_ALIASES = {
    "participant": "participant", "participante": "participant",
    "presenter": "presenter", "porteur de projet": "presenter", "porteur": "presenter",
    "porteuse de projet": "presenter", "presentateur": "presenter",
    "speaker": "speaker", "intervenant": "speaker", "intervenante": "speaker",
    "staff": "staff", "equipe": "staff", "benevole": "staff", "organisation": "staff",
}
ROLE_ALIASES.update({fold(key): key for key in ROLES})
TRUE_WORDS = {"oui", "yes", "true", "vrai", "1", "x", "pmr", "o", "y"}
FALSE_WORDS = {"", "non", "no", "false", "faux", "0", "n"}


@dataclass
class ImportRow:
    line: int
    email: str
    details: PersonDetails
    project_ids: list[int] | None
    workshop_ids: list[int] | None
    project_names: list[str] = field(default_factory=list)
    workshop_names: list[str] = field(default_factory=list)
    existing_id: int | None = None
    existing_status: str | None = None
    # Only the columns present in the file: an update leaves the other fields alone.
    changes: dict[str, object] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return "update" if self.existing_id else "create"


@dataclass
class RowError:
    line: int
    message: str
    column: str = ""      # the column at fault, as its header is written ("" = the row)
    fatal: bool = False   # the reader stopped here: the rest of the file was not read


@dataclass
class ParseResult:
    encoding: str = ""
    delimiter: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field name -> header as written
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)

    @property
    def clean(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def importable(self) -> bool:
        """Good rows may be imported while the bad ones wait for correction, unless the
        file could not be read to its end (then what was not read would be lost)."""
        return bool(self.rows) and not any(error.fatal for error in self.errors)

    @property
    def bad_lines(self) -> int:
        return len({error.line for error in self.errors})


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM or not), else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def detect_delimiter(text: str) -> str:
    """The separator under which the header row names the most known columns.

    Excel FR writes ``;``, other tools ``,`` or tabs; a header line decides best because
    cells (project lists) may themselves contain commas. csv.Sniffer settles ties.
    """
    first_line = text.splitlines()[0] if text else ""
    scores = {}
    for delimiter in (";", ",", "\t"):
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # a header cell over the csv module's limit: read on, report later
            cells = []
        scores[delimiter] = sum(1 for cell in cells if fold(cell) in HEADER_LOOKUP)
    best = max(scores.values())
    candidates = [d for d, score in scores.items() if score == best]
    if len(candidates) == 1:
        return candidates[0]
    try:
        sniffed = csv.Sniffer().sniff(text[:4096], delimiters=";,\t").delimiter
    except csv.Error:
        sniffed = ";"
    return sniffed if sniffed in candidates else candidates[0]


def parse_participants(data: bytes, event: Event) -> ParseResult:
    """Read and check a participants file; nothing is written to the database."""
    result = ParseResult()
    text, result.encoding = decode(data)
    if not text.strip():
        result.errors.append(RowError(1, str(_l("The file is empty."))))
        return result
    result.delimiter = detect_delimiter(text)
    records = _records(csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter),
                       result)
    _, header = next(records, (1, []))
    result.header = header
    positions = _map_header(header, result)
    if "email" not in positions or not ({"first_name", "last_name"} & set(positions)):
        if not result.errors:
            result.errors.append(RowError(1, str(_l(
                "The first line must name the columns, with at least an email column "
                "(Email or Courriel) and a name column (Prénom or Nom)."))))
        return result
    catalogue = _Catalogue(projects_of(event.id), workshops_of(event.id))
    catalogue.people = emails_in_event(event.id)  # one query, not one per row
    seen_emails: dict[str, int] = {}
    for start, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "")
                  for name, i in positions.items()}
        errors_before = len(result.errors)
        _parse_row(start, values, event, catalogue, seen_emails, result)
        if len(result.errors) > errors_before:
            result.rejected.append((start, cells))
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, str(_l("The file has no participant rows."))))
    return result


def _records(reader, result: ParseResult):
    """(first line, cells) of each record; a record the csv module cannot read ends the
    file with an error on its line, not an exception (a cell over its 128 KiB limit,
    typically everything after a quote left open)."""
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            result.errors.append(RowError(start, str(_l(
                "this line cannot be read (%(problem)s): is a quote (\") opened and never "
                "closed? Nothing after it was read.", problem=str(error))), fatal=True))
            return
        yield start, cells
        start = reader.line_num + 1


def _map_header(header: list[str], result: ParseResult) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = HEADER_LOOKUP.get(fold(cell))
        if name is None or name in positions:
            if cell.strip():
                result.ignored_columns.append(cell.strip())
            continue
        positions[name] = index
        result.columns[name] = cell.strip()
    return positions


class _Catalogue:
    """Projects and workshops by key or by (accent-free) name."""

    def __init__(self, projects: list[Project], workshops: list[Workshop]) -> None:
        self.projects = self._index(projects)
        self.workshops = self._index(workshops)
        self.people: dict[str, tuple[int, str]] = {}  # lower-case email -> (id, status)

    @staticmethod
    def _index(items) -> dict[str, object]:
        index: dict[str, object] = {}
        for item in items:
            index.setdefault(fold(item.name), item)
        for item in items:
            index[fold(item.key)] = item
        return index


def _split_list(value: str, index: dict | None = None) -> list[str]:
    """The names of a wishes cell, separated by ``;``, ``|`` or ``,``.

    A name may itself hold a comma ("Alpha, β"): at each place the longest run of
    pieces that names a known item (``index``, by folded name) is taken as one name.
    """
    pieces = [part.strip() for part in re.split(r"([;|,])", value)]
    names, start = [], 0
    while start < len(pieces):
        if pieces[start] in (";", "|", ",", ""):
            start += 1
            continue
        end = start
        if index is not None:
            for stop in range(len(pieces) - 1, start, -1):
                if "".join(pieces[start:stop + 1]).count(";") or \
                        "".join(pieces[start:stop + 1]).count("|"):
                    continue  # only commas may sit inside a name
                joined = "".join(p if p == "," else f" {p}" for p in pieces[start:stop + 1])
                if fold(joined) in index:
                    end = stop
                    break
        names.append(" ".join("".join(p if p == "," else f" {p}"
                                      for p in pieces[start:end + 1]).split()))
        start = end + 1
    return names


def _resolve(value: str, index: dict, unknown_message, errors: list, column: str) -> list:
    found: list = []
    for name in _split_list(value, index):
        item = index.get(fold(name))
        if item is None:
            errors.append((column, str(unknown_message) % {"name": name}))
        elif item in found:
            errors.append((column, str(_l('"%(name)s" is listed twice.', name=name))))
        else:
            found.append(item)
    return found


def _parse_row(line: int, values: dict[str, str], event: Event, catalogue: _Catalogue,
               seen_emails: dict[str, int], result: ParseResult) -> None:
    def column(name: str) -> str:
        return result.columns.get(name, name)

    errors: list[tuple[str, str]] = _text_problems(values, result)
    email = normalise_email(values.get("email", ""))
    if not email:
        errors.append((column("email"), str(_l("the email is missing"))))
    elif not is_email_address(email):
        errors.append((column("email"),
                       str(_l('"%(email)s" is not a valid email address', email=email))))
    elif email in seen_emails:
        errors.append((column("email"), str(_l("same email as line %(line)s (one person "
                                               "per email)", line=seen_emails[email]))))
    else:
        seen_emails[email] = line
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if not first and not last:
        errors.append((column("first_name" if "first_name" in values else "last_name"),
                       str(_l("the name is missing"))))
    category = None
    if values.get("category"):
        category = CATEGORY_ALIASES.get(fold(values["category"]))
        if category is None:
            errors.append((column("category"),
                           str(_l('unknown category "%(value)s"', value=values["category"]))))
    role: str | None = "participant"
    if values.get("role"):
        role = ROLE_ALIASES.get(fold(values["role"]))
        if role is None:
            errors.append((column("role"),
                           str(_l('unknown role "%(value)s"', value=values["role"]))))
    step_free, notes = _step_free(values.get("needs_step_free", ""),
                                  values.get("accessibility_notes", ""))
    projects = _resolve(values.get("projects", ""), catalogue.projects,
                        _l('unknown project "%(name)s"'), errors, column("projects"))
    workshops = _resolve(values.get("workshops", ""), catalogue.workshops,
                         _l('unknown workshop "%(name)s"'), errors, column("workshops"))
    for name, limit in COLUMN_LIMITS.items():
        if len(values.get(name, "")) > limit:
            errors.append((column(name), str(_l("%(column)s is longer than %(limit)s "
                                                "characters", column=result.columns[name],
                                                limit=limit))))
    if errors:
        result.errors.extend(RowError(line, message, where) for where, message in errors)
        return
    existing = catalogue.people.get(email.lower())
    changes: dict[str, object] = {"email": email}
    for name in ("first_name", "last_name", "organisation", "job_title", "dietary_notes"):
        if name in values:
            changes[name] = values[name]
    if category is not None:  # an empty cell keeps what an update already has
        changes["category"] = category
    if values.get("role"):
        changes["role"] = role
    if "needs_step_free" in values:
        changes["needs_step_free"] = step_free
    if "accessibility_notes" in values or notes:
        changes["accessibility_notes"] = notes
    result.rows.append(ImportRow(
        line=line, email=email,
        details=PersonDetails(first_name=first, last_name=last, email=email,
                              organisation=values.get("organisation", ""), category=category,
                              role=role or "participant", needs_step_free=step_free,
                              accessibility_notes=notes,
                              dietary_notes=values.get("dietary_notes", ""),
                              job_title=values.get("job_title") if "job_title" in values
                              else None),
        project_ids=[p.id for p in projects] if "projects" in values else None,
        workshop_ids=[w.id for w in workshops] if "workshops" in values else None,
        project_names=[p.name for p in projects], workshop_names=[w.name for w in workshops],
        existing_id=existing[0] if existing else None,
        existing_status=existing[1] if existing else None, changes=changes))


SINGLE_LINE_COLUMNS = ("first_name", "last_name", "organisation", "job_title", "email",
                       "category", "role")


def _text_problems(values: dict[str, str], result: ParseResult) -> list[tuple[str, str]]:
    """The same text rules as the forms (:mod:`eventapp.text`): single-line cells refuse
    control characters and line breaks (often a quote left open, which swallows the next
    lines), the others refuse control characters; bidi controls are stripped."""
    problems = []
    for name, value in values.items():
        values[name] = value = strip_bidi(value) if name in SINGLE_LINE_COLUMNS else value
        where = result.columns.get(name, name)
        if name in SINGLE_LINE_COLUMNS and line_problem(value):
            problems.append((where, str(_l("%(column)s: must be on one line, without "
                                           "control characters (is a quote opened and "
                                           "never closed?)", column=where))))
        elif block_problem(value):
            problems.append((where, str(_l("%(column)s: must not contain control characters",
                                           column=where))))
    return problems


def _step_free(value: str, notes: str) -> tuple[bool, str]:
    """A yes/no accessibility cell; other text means yes and is kept as a note."""
    folded = fold(value)
    if folded in TRUE_WORDS:
        return True, notes
    if folded in FALSE_WORDS:
        return False, notes
    return True, "\n".join(part for part in (value, notes) if part)


# --- Export ---------------------------------------------------------------------------

EXPORT_HEADER = ["Identifiant", "Prénom", "Nom", "Email", "Organisation", "Fonction",
                 "Catégorie", "Rôle", "Statut", "PMR", "Besoins d'accessibilité",
                 "Régime alimentaire", "Vœux", "Ateliers", "Inscription", "Consentement"]


def neutralise(value: object) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def export_rows(event: Event) -> Iterator[list[str]]:
    """Every participant of ``event`` as CSV rows (header first), in the organiser's
    order, for :func:`eventapp.web.csv_stream`: three queries whatever the number of
    people (participants, project wishes, workshop wishes), each read in batches
    (``yield_per``: a server-side cursor on PostgreSQL) and merged in that one order, so
    memory does not grow with the event."""
    yield EXPORT_HEADER
    batches = {"yield_per": YIELD_PER}
    people = db.session.scalars(search_participants(event.id), execution_options=batches)
    wishes = db.session.execute(_wish_names(event, ProjectWish, Project),
                                execution_options=batches)
    workshops = db.session.execute(_wish_names(event, WorkshopWish, Workshop),
                                   execution_options=batches)
    for p, (wished, chosen) in _merged(people, iter(wishes), iter(workshops)):
        yield [neutralise(v) for v in (
            p.key, p.first_name, p.last_name, p.email or "", p.organisation, p.job_title,
            p.category or "", p.role, p.status, "oui" if p.needs_step_free else "non",
            p.accessibility_notes, p.dietary_notes, " | ".join(wished), " | ".join(chosen),
            event.to_local(p.created_at).strftime("%Y-%m-%d %H:%M") if p.created_at else "",
            event.to_local(p.consent_at).strftime("%Y-%m-%d %H:%M") if p.consent_at else "",
        )]


def _wish_names(event: Event, wish: type[ProjectWish] | type[WorkshopWish],
                target: type[Project] | type[Workshop]) -> Select:
    """(participant id, wished name) of every wish of the event's people, in the order
    of :data:`PARTICIPANT_ORDER`, then by rank."""
    column = getattr(wish, f"{wish.target}_id")
    return (select(wish.participant_id, target.name)
            .join(Participant, Participant.id == wish.participant_id)
            .join(target, target.id == column)
            .where(Participant.event_id == event.id)
            .order_by(*PARTICIPANT_ORDER, wish.rank))


def _merged(people: Iterable[Participant], *streams: Iterator
            ) -> Iterator[tuple[Participant, list[list[str]]]]:
    """Each person with the names of each stream's rows that are theirs. Every stream is
    in the people's order, so each is read once, alongside."""
    heads: list[Any] = [next(stream, None) for stream in streams]
    for person in people:
        names: list[list[str]] = []
        for index, stream in enumerate(streams):
            mine = []
            while heads[index] is not None and heads[index][0] == person.id:
                mine.append(heads[index][1])
                heads[index] = next(stream, None)
            names.append(mine)
        yield person, names


# --- Template and rows to correct --------------------------------------------------------

TEMPLATE_HEADER = ["Prénom", "Nom", "Courriel", "Structure", "Fonction", "Catégorie", "PMR",
                   "Besoins d'accessibilité", "Régime alimentaire", "Vœux", "Ateliers"]


def template_csv(projects: list[Project], workshops: list[Workshop]) -> bytes:
    """An example file to fill in (Excel FR: UTF-8 with BOM, semicolons), with the
    event's own project and workshop names in the example row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    wishes = "; ".join(p.name for p in projects[:3]) or "Projet A; Projet B"
    writer.writerow([neutralise(v) for v in (
        "Camille", "Martin", "camille.martin@example.org", "Association du quartier",
        "Chargée de mission", "association", "non", "", "végétarien", wishes,
        workshops[0].name if workshops else "")])
    return buffer.getvalue().encode("utf-8-sig")


def rejected_csv(result: ParseResult) -> bytes:
    """The rows that were not imported, as written in the file, each with what to correct
    in a last column: fixed and uploaded again, they join the others (nothing is lost)."""
    problems: dict[int, list[str]] = {}
    for error in result.errors:
        where = f"{error.column} : " if error.column else ""
        problems.setdefault(error.line, []).append(where + error.message)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*result.header, str(_l("Problem to correct"))])
    for line, cells in result.rejected:
        cells = list(cells) + [""] * (len(result.header) - len(cells))
        writer.writerow([neutralise(v) for v in (*cells, " / ".join(problems.get(line, [])))])
    return buffer.getvalue().encode("utf-8-sig")
