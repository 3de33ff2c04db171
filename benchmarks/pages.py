"""Every page and export of a published day, measured: ``python -m benchmarks.pages``.

For each size (``--sizes``, default 300,3000,10000 people) it builds a published day
(``benchmarks/published_day.py``: the generator's instance, the demo day's plenary items,
the first-come-first-served seating published) with its checkpoints, a calendar feed, a
solve job, a participants upload and the accounts the pages need, then requests every GET
route of the URL map (:func:`page_calls`: a new page cannot be forgotten; the routes left
out are in :data:`SKIPPED`, each with its reason) and prints, per page and size, the SQL
statements of one request, the median milliseconds over ``--repeats`` requests and the
kilobytes of the answer. SQLite by default (a temporary file); PostgreSQL too with
``--postgres`` (``TEST_DATABASE_URL``, dropped and recreated: give a database of your own).

Targets (issue 17) at 10,000 people: every HTML page under 500 ms and 400 KB, every
export under 3 s, the same statements at every size. ``tests/app/test_query_budget.py``
asserts the last one on two small days with the same helpers.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.statements import counting_statements

PASSWORD = "benchmark password"
ORGANISER_EMAIL = "organiser@bench.example"

# GET routes that are not pages or exports of an event, and why they are not measured.
SKIPPED: dict[str, str] = {
    "static": "files served from disk; no database, no event",
}

# Measured up to this many people only, and why.
LARGEST: dict[str, tuple[int, str]] = {
    "checkin.badges_pdf": (500, "renders every badge in the request (about 40 ms of CPU "
                                "each): for thousands, a background job (issue 17 item 4)"),
}

# Exports: answers that are files (their target is 3 s, not 500 ms and 400 KB).
EXPORTS = frozenset({
    "registration.export_csv", "checkin.attendance_csv", "checkin.badges_pdf",
    "exchange.export_event", "api.export_event_instance", "api.get_attendance",
    "api.list_participants", "checkin.bundle_json", "api.get_checkpoint_bundle",
    "calendars.download_programme", "calendars.download_room",
    "calendars.download_presenter", "calendars.participant_feed",
    "calendars.organiser_feed", "portal.data",
})


@dataclass(frozen=True)
class Call:
    """One GET route of the URL map and who asks for it."""

    endpoint: str
    rule: str

    @property
    def who(self) -> str:
        """``organiser`` (session cookie), ``api`` (organiser's bearer token),
        ``participant`` (bearer portal token) or ``anonymous``."""
        if self.rule.startswith("/manage"):
            return "organiser"
        if self.rule.startswith("/api/v1/participant"):
            return "participant"
        if self.rule.startswith("/api/v1/") and self.endpoint != "api.openapi":
            return "api"
        return "anonymous"

    @property
    def export(self) -> bool:
        return self.endpoint in EXPORTS


def page_calls(app) -> list[Call]:
    """Every GET route of ``app`` but those in :data:`SKIPPED`, sorted by endpoint."""
    calls = {Call(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
             if "GET" in (rule.methods or ()) and rule.endpoint not in SKIPPED}
    return sorted(calls, key=lambda call: call.endpoint)


# --- the day ---------------------------------------------------------------------------

@dataclass
class World:
    """A published day and what its URLs and requests need."""

    slug: str
    values: dict[str, object]
    overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    api_token: str = ""
    portal_token: str = ""

    def url(self, call: Call) -> str:
        values = {**self.values, **self.overrides.get(call.endpoint, {})}
        path = call.rule
        for argument in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", call.rule):
            if argument not in values:
                raise KeyError(f"no value for <{argument}> in {call.rule}: extend World")
            path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(values[argument]), path)
        query = self.overrides.get(call.endpoint, {}).get("?")
        return f"{path}?{query}" if query else path


def build_world(participants: int, seed: int = 1, upload_dir: Path | None = None) -> World:
    """Build and commit a published day of ``participants`` people and everything its
    pages need (an app context with the schema is required)."""
    from sqlalchemy import select

    from benchmarks.published_day import build_published_day
    from eventapp.api.tokens import issue_api_token
    from eventapp.auth.models import User
    from eventapp.auth.operations import create_user
    from eventapp.calendars.operations import ensure_feed
    from eventapp.calendars.queries import feed_secret
    from eventapp.checkin.checkpoints import sync_checkpoints
    from eventapp.exchange.queries import export_instance
    from eventapp.extensions import db
    from eventapp.programme.models import (
        ProgrammeItem,
        Project,
        Room,
        Round,
        Session,
        Theme,
        Workshop,
        WorkshopSlot,
    )
    from eventapp.registration import import_store
    from eventapp.registration.models import Participant
    from eventapp.registration.tokens import issue_token
    from eventapp.scheduling.catalogue import ScheduleCatalogue as Catalogue
    from eventapp.scheduling.models import SolveJob
    from eventapp.scheduling.operations import _write_draft
    from eventapp.scheduling.queries import map_to_assignments, published_map

    event, publication = build_published_day(participants, seed)
    _name_everyone(event)
    organiser = db.session.scalar(db.select(User).where(User.email == ORGANISER_EMAIL))
    if organiser is None:
        organiser = create_user(ORGANISER_EMAIL, PASSWORD, "organiser", name="Bench")
        db.session.flush()
    _row, api_token = issue_api_token(organiser, "pages benchmark")
    checkpoints = sync_checkpoints(event)
    db.session.flush()

    def first(model, *where):
        return db.session.scalar(db.select(model).where(model.event_id == event.id, *where)
                                 .order_by(model.id).limit(1))

    # The published seating is also the draft and a finished solve's result, so the
    # schedule overview and the job page review a whole day.
    schedule = published_map(publication)
    # Someone seated in every round and slot, not presenting, with wishes: the same kind
    # of person at every size, so the pages about one person compare.
    cat = Catalogue.load(event)
    places = len(cat.rounds) + len(cat.slots)
    person = next(p for p in cat.participants.values()
                  if p.role == "participant" and p.project_wishes and sum(
                      len(part) for part in schedule.get(p.key, {}).values()) == places)
    presenter = first(Participant, Participant.role == "presenter") or person
    room = first(Room)
    portal_token = issue_token(person, "portal")
    _write_draft(cat, schedule)
    job = SolveJob(event=event, status="finished", time_limit_s=5,
                   instance=export_instance(event), created_by_id=organiser.id,
                   solver_status="FEASIBLE",
                   solution={"status": "FEASIBLE", "assignments": map_to_assignments(schedule)})
    db.session.add(job)
    person_feed = ensure_feed(event, "participant", participant=person)
    room_feed = ensure_feed(event, "room", room=room)
    db.session.commit()
    # The upload the import preview reads: everyone already registered, re-imported.
    people = db.session.execute(db.select(Participant.email, Participant.first_name,
                                          Participant.last_name)
                                .where(Participant.event_id == event.id)).all()
    upload = "Email,Prénom,Nom\n" + "".join(f"{e},{f},{n}\n" for e, f, n in people)
    import_id = import_store.save(upload.encode("utf-8"), event.id, organiser.id,
                                  "participants.csv")
    # an import already done (the same people, all updated): its report page
    done_id = import_store.save(upload.encode("utf-8"), event.id, organiser.id,
                                "participants.csv")
    import_store.mark_imported(done_id, [], [person_id for person_id, in db.session.execute(
        select(Participant.id).where(Participant.event_id == event.id))])
    door = next(cp for cp in checkpoints if cp.kind == "door")
    sheet, logo_id, rapporteur = _after_the_day(event, person, door)
    values = {
        "slug": event.slug, "theme_id": first(Theme).id, "room_id": room.id,
        "round_id": first(Round).id, "project_id": first(Project).id,
        "participant_id": person.id, "session_id": first(Session).id,
        "slot_id": first(WorkshopSlot).id, "workshop_id": first(Workshop).id,
        "item_id": first(ProgrammeItem).id, "token": portal_token, "import_id": import_id,
        "job_id": job.id, "feed_id": room_feed.id, "checkpoint_id": door.id,
        "participant_key": person.key, "secret": feed_secret(person_feed.nonce),
        "sheet_id": sheet.id, "logo_id": logo_id,
    }
    overrides = {
        "calendars.organiser_feed": {"secret": feed_secret(room_feed.nonce)},
        "calendars.download_presenter": {"participant_id": presenter.id},
        # a search by name, as the scanning page sends it (the common surname of the day)
        "checkin.search_json": {"?": "q=" + person.last_name[:3]},
        "report.rapporteur": {"token": rapporteur},
        "registration.import_done": {"import_id": done_id},
    }
    return World(event.slug, values, overrides, api_token, portal_token)


def _after_the_day(event, person, door) -> tuple[object, int, str]:
    """The attendance sheets (their first one), a funder's logo, a workshop rapporteur's
    link, and ``person`` admitted at the door (their certificate needs them to have
    come): what the after-the-day pages' URLs name."""
    import io
    from datetime import timedelta

    from PIL import Image

    from eventapp.attendance.images import logo_from_upload
    from eventapp.attendance.operations import add_logo, sync_sheets
    from eventapp.checkin.operations import ScanRequest, current_code, record_scan
    from eventapp.extensions import db
    from eventapp.programme.models import Round, Workshop
    from eventapp.report.operations import new_rapporteur_link

    sheet = sync_sheets(event)[0]
    png = io.BytesIO()
    Image.new("RGB", (120, 60), (0, 51, 153)).save(png, "PNG")
    logo = add_logo(event, "Financeur", logo_from_upload(png.getvalue()))
    workshop = db.session.scalars(db.select(Workshop).where(Workshop.event_id == event.id)
                                  .order_by(Workshop.id)).first()
    rapporteur = new_rapporteur_link(workshop)
    first_round = db.session.scalars(db.select(Round).where(Round.event_id == event.id)
                                     .order_by(Round.starts_at)).first()
    record_scan(event, ScanRequest(door, current_code(person), "benchmark-arrival"), None,
                now=first_round.starts_at - timedelta(minutes=20))
    db.session.commit()
    return sheet, logo.id, rapporteur


FIRST_NAMES = ["Camille", "Dominique", "Léa", "Hugo", "Amina", "Thomas", "Inès", "Lucas",
               "Chloé", "Mehdi", "Sarah", "Julien", "Manon", "Karim", "Élodie", "Nicolas"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garnier",
              "Rousseau", "Bonnet", "Mercier", "Benali", "Nguyen", "Fontaine", "Chevalier",
              "Robin", "Masson", "Da Silva", "Girard", "Perrin", "Morel", "Haddad"]


def _name_everyone(event) -> None:
    """The generator's people have no names; pages list names, so give them some (sizes
    and searches as on a real day)."""
    from sqlalchemy import update

    from eventapp.extensions import db
    from eventapp.registration.models import Participant

    ids = db.session.scalars(db.select(Participant.id).where(Participant.event_id == event.id)
                             .order_by(Participant.id)).all()
    db.session.execute(update(Participant), [
        {"id": ident, "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
         "last_name": LAST_NAMES[(n * 7) % len(LAST_NAMES)],
         "organisation": f"Structure {n % 500}"} for n, ident in enumerate(ids)])
    db.session.commit()


# --- the requests ----------------------------------------------------------------------

def signed_in_client(app):
    """A test client signed in as the benchmark's organiser."""
    client = app.test_client()
    answer = client.post("/login", data={"email": ORGANISER_EMAIL, "password": PASSWORD})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in refused: {answer.status_code}")
    return client


@dataclass
class Measure:
    status: int
    statements: int
    milliseconds: float
    kilobytes: float
    first_byte_ms: float


def request(clients: dict[str, object], world: World, call: Call
            ) -> tuple[int, list[str], bytes, float, float]:
    """One request of ``call``, read to its last byte: status, the SQL statements sent,
    body, total and first-byte milliseconds (a streamed answer has its first byte early)."""
    from eventapp.extensions import db

    headers = {}
    if call.who == "api":
        headers["Authorization"] = f"Bearer {world.api_token}"
    elif call.who == "participant":
        headers["Authorization"] = f"Bearer {world.portal_token}"
    client = clients["organiser" if call.who == "organiser" else "anonymous"]
    # A request inside an app context (the benchmark's, a test's) reuses that context's
    # session: start from an empty one, as a request served alone does.
    db.session.remove()
    with counting_statements(db.engine) as counter:
        started = time.perf_counter()
        answer = client.get(world.url(call), headers=headers, buffered=False)
        chunks, first = [], None
        for chunk in answer.response:
            if first is None:
                first = time.perf_counter()
            chunks.append(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        answer.close()
        ended = time.perf_counter()
    first = first or ended
    return (answer.status_code, counter.statements, b"".join(chunks), (ended - started) * 1000,
            (first - started) * 1000)


def measure(clients: dict[str, object], world: World, call: Call, repeats: int) -> Measure:
    """A first request (caches warm, badges issued), then ``repeats`` counted and timed:
    the statements of the first of those, the median times."""
    request(clients, world, call)
    times, firsts, statuses, counts, size = [], [], [], [], 0
    for _ in range(max(1, repeats)):
        status, statements, body, spent, first = request(clients, world, call)
        times.append(spent)
        firsts.append(first)
        statuses.append(status)
        counts.append(len(statements))
        size = len(body)
    return Measure(statuses[0], counts[0], statistics.median(times), size / 1024,
                   statistics.median(firsts))


def make_app(url: str, folder: Path):
    from eventapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "pages benchmark",
                       "TESTING": True, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "SERVER_NAME": "localhost", "PUBLIC_BASE_URL": "http://localhost",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "BABEL_DEFAULT_LOCALE": "en",
                       "BADGE_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
                       "MAIL_OUTBOX_DIR": str(folder / "outbox"),
                       "IMPORT_UPLOAD_DIR": str(folder / "imports")})


def run_size(url: str, participants: int, repeats: int, only: str | None,
             fresh: Callable[[str], None]) -> dict[str, Measure]:
    """Build the day of ``participants`` people in a fresh database; measure every page."""
    from eventapp.extensions import db

    fresh(url)
    folder = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    app = make_app(url, folder)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        world = build_world(participants)
        print(f"  {participants:,} people: day built in {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)
        clients = {"organiser": signed_in_client(app), "anonymous": app.test_client()}
        results = {}
        for call in page_calls(app):
            if only and not re.search(only, call.endpoint):
                continue
            if participants > LARGEST.get(call.endpoint, (participants, ""))[0]:
                continue
            started = time.perf_counter()
            try:
                results[call.endpoint] = measure(clients, world, call, repeats)
            except Exception as error:  # noqa: BLE001 - one broken page, not the run
                print(f"    {call.endpoint}: {error!r}", file=sys.stderr, flush=True)
                db.session.rollback()
                results[call.endpoint] = Measure(500, 0, 0.0, 0.0, 0.0)
                continue
            print(f"    {call.endpoint}: {time.perf_counter() - started:.1f} s",
                  file=sys.stderr, flush=True)
        db.session.remove()
        db.engine.dispose()
    return results


def _sqlite_fresh(url: str) -> None:
    path = Path(url.removeprefix("sqlite:///"))
    path.unlink(missing_ok=True)


def _postgres_fresh(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if not url.startswith("postgresql+"):
        raise SystemExit("--postgres needs TEST_DATABASE_URL=postgresql://...")
    return url


def table(results: dict[int, dict[str, Measure]], calls: dict[str, Call]) -> Iterator[str]:
    """The Markdown table: per page, statements / median ms / KB at each size."""
    sizes = sorted(results)
    head = " | ".join(f"{size:,}: stmts / ms / KB" for size in sizes)
    yield f"| page | kind | {head} | same stmts | status |"
    yield "|---|---|" + "---|" * len(sizes) + "---|---|"
    for endpoint in sorted(calls):
        row = [results[size].get(endpoint) for size in sizes]
        measured = [m for m in row if m is not None]
        if not measured:
            continue
        cells = " | ".join("—" if m is None else
                           f"{m.statements} / {m.milliseconds:,.0f} / {m.kilobytes:,.0f}"
                           + (f" (1st byte {m.first_byte_ms:,.0f})"
                              if calls[endpoint].export else "") for m in row)
        same = "yes" if len({m.statements for m in measured}) == 1 else "**no**"
        statuses = ",".join(sorted({str(m.status) for m in measured}))
        kind = "export" if calls[endpoint].export else "page"
        yield f"| `{endpoint}` | {kind} | {cells} | {same} | {statuses} |"


def verdicts(results: dict[int, dict[str, Measure]], calls: dict[str, Call]) -> Iterator[str]:
    """The targets at the largest size, page by page, when missed."""
    largest = max(results)
    for endpoint, m in sorted(results[largest].items()):
        limit_ms = 3000 if calls[endpoint].export else 500
        misses = []
        if m.milliseconds > limit_ms:
            misses.append(f"{m.milliseconds:,.0f} ms > {limit_ms:,}")
        if not calls[endpoint].export and m.kilobytes > 400:
            misses.append(f"{m.kilobytes:,.0f} KB > 400")
        if len({r[endpoint].statements for r in results.values() if endpoint in r}) > 1:
            misses.append("statements grow")
        if m.status >= 400:
            misses.append(f"status {m.status}")
        if misses:
            yield f"- `{endpoint}` at {largest:,}: " + ", ".join(misses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,3000,10000",
                        help="people per day, comma-separated (default 300,3000,10000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed requests per page")
    parser.add_argument("--only", help="a regular expression on the endpoints to measure")
    parser.add_argument("--postgres", action="store_true",
                        help="also on PostgreSQL (TEST_DATABASE_URL, recreated)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    folder = Path(tempfile.mkdtemp(prefix="pages-bench-db-"))
    databases = [("SQLite", f"sqlite:///{folder / 'pages.sqlite3'}", _sqlite_fresh)]
    if args.postgres:
        databases.append(("PostgreSQL", _postgres_url(), _postgres_fresh))
    calls = {call.endpoint: call for call in page_calls(make_app("sqlite://", folder))}
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
    for name, url, fresh in databases:
        results = {}
        for size in sizes:
            results[size] = run_size(url, size, args.repeats, args.only, fresh)
            if size != sizes[-1]:  # the sizes so far, in case a larger one never ends
                print(f"\n{name}, up to {size:,} people:\n", file=sys.stderr)
                for line in table(results, calls):
                    print(line, file=sys.stderr, flush=True)
        print(f"\n### {name}\n")
        for line in table(results, calls):
            print(line)
        missed = list(verdicts(results, calls))
        print(f"\nTargets at {max(sizes):,} people: "
              + ("all met." if not missed else f"{len(missed)} missed:"))
        for line in missed:
            print(line)
        for endpoint, (limit, why) in LARGEST.items():
            if max(sizes) > limit:
                print(f"- `{endpoint}` measured up to {limit:,} people only: {why}")
        print(f"load after: {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
