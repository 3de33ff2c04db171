"""Load benchmark of the check-in scan: ``python -m benchmarks.checkin_load [options]``.

What is measured: online scans (one badge, one answer) sent by concurrent staff phones
to gunicorn + PostgreSQL, as on the morning of a day with a few thousand people.

1. A fresh PostgreSQL database (``eventapp_bench_checkin``, dropped and recreated; or
   ``--database-url``), the schema brought up by the migrations (``flask db upgrade``),
   a published day of ``--participants`` people (``benchmarks/published_day.py``), its
   checkpoints, every badge issued, one staff account per scanner.
2. gunicorn on loopback (``gthread``: ``--workers`` processes of ``--threads`` threads),
   pointing at that database.
3. ``wrk`` (Debian package ``wrk``) with ``benchmarks/checkin_load.lua``: one wrk thread
   and one connection per scanner (default 20), each scanner a checkpoint (6 at the
   door, 10 in session rooms, 2 at lunch, 2 at workshops), each request a distinct nonce.
   A scanner's plan comes from its checkpoint's offline bundle: the people it expects
   (first scan ``ok``), about 10 % repeats (``already``), 8 % people expected elsewhere
   (``wrong_place``, session rooms), 2 % invalid codes (``unknown``: a forged signature
   or garbage); cycled when exhausted (then everything answers ``already`` etc.).
   The route is the staff page's, what the phones use (``--route session``: cookie
   session, ``X-CSRFToken`` header); ``--route api`` sends the same bodies to the API's
   ``scanBadge`` with bearer tokens.
4. Figures: scans/s, latency p50/p90/p99/max (wrk's, closed loop: each phone waits for
   its answer; ``--pace MS`` makes each phone wait MS between scans, for the latency of
   a busy but human-paced door), non-2xx answers. Then checks against the database:
   every answered nonce has its scan row and nothing else was added (0 lost: rows =
   answered, plus at most the one request per scanner still in flight when wrk stopped),
   no nonce twice, at most one admission per (checkpoint, participant) (0 doubled),
   every scan's result is the one its plan implies (first scan of an expected person
   ``ok``, later ones ``already``...), admissions = distinct (checkpoint, participant)
   pairs scanned with a valid expected code. A replay phase re-sends ``--replay``
   answered nonces with their bodies: each must answer ``replayed: true`` with its first
   result, adding no row.

5. The ceiling: the same gunicorn set-up serving a bare Flask endpoint
   (``benchmarks/bare_flask.py``: parse a small JSON body, answer JSON) under wrk with
   the same connections, right after the scans (``--bare`` seconds): the scan rate is
   printed as a fraction of it, which the machine's other load affects less than the
   rate itself; so does the server CPU per scan.

Targets (issue 17): at least 300 scans/s with p99 under 100 ms, 0 lost, 0 doubled, for
20 concurrent scanners (issue 7 had hoped for 1,000 scans/s). The figures are printed,
never asserted; the exit status is 1 only when a correctness check fails (lost, doubled,
wrong result, replay).
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
LUA_SCRIPT = Path(__file__).with_suffix(".lua")
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eventapp_bench_checkin"
USER_AGENT = "eventapp-checkin-load/1"  # the session is bound to it (strong protection)
PASSWORD = "benchmark-password"
SIGNING_KEY = "Y2hlY2tpbi1sb2FkLWJlbmNobWFyay1zZWVkLTMyYiE"  # 32 bytes, base64url
SECRET_KEY = "checkin-load-benchmark"
# What each scanner scans, by its number (cycled): 6 door, 10 session, 2 lunch, 2 workshop
# for 20 scanners.
STATIONS = ["door", "session", "session", "door", "lunch", "session", "workshop",
            "session", "door", "session"]
REPEAT, ELSEWHERE, INVALID = 0.10, 0.08, 0.02
TARGET_RATE, TARGET_P99_MS = 300, 100  # issue 17 (issue 7 had hoped for 1,000 and 50)
# The day is in the past, so that each scan's device time (``scanned_at``, the middle of
# its checkpoint's window) is trusted: a device clock ahead of the server's is not.
DAY = "2016-12-07"


@dataclass
class Item:
    """One planned scan: ``kind`` expected / elsewhere / invalid."""

    kind: str
    participant_id: int | None
    code: str


@dataclass
class Scanner:
    number: int
    checkpoint_id: int
    station: str
    scanned_at: str
    plan: list[Item] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body_prefix(self, item: Item) -> str:
        return (f'{{"checkpoint":{self.checkpoint_id},"code":"{item.code}",'
                f'"scanned_at":"{self.scanned_at}","device":"scanner-{self.number:02d}",'
                '"nonce":"')

    def body(self, counter: int) -> str:
        """What wrk sent as request number ``counter`` (from 1)."""
        item = self.plan[(counter - 1) % len(self.plan)]
        return self.body_prefix(item) + self.nonce(counter) + '"}'

    def nonce(self, counter: int) -> str:
        return f"s{self.number:02d}-{counter:07d}"


# --- set-up ----------------------------------------------------------------------------

def recreate_database(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    name = parsed.database
    if not name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"--database-url: the database name {name!r} must be letters, "
                         "digits and underscores (it is dropped and recreated)")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True,
                         connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True,
                         connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def make_app(url: str, folder: Path):
    from eventapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                       "BADGE_SIGNING_KEY": SIGNING_KEY, "RATELIMIT_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "PUBLIC_BASE_URL": "http://127.0.0.1",
                       "MAIL_OUTBOX_DIR": str(folder / "outbox")})


def build_world(participants: int, scanners: int, seed: int):
    """The published day, its checkpoints and badges, and each scanner's plan."""
    from flask_migrate import upgrade

    from benchmarks.published_day import build_published_day
    from eventapp.checkin import codes
    from eventapp.checkin.checkpoints import sync_checkpoints
    from eventapp.checkin.queries import checkpoint_bundle
    from eventapp.extensions import db
    from eventapp.registration.models import Participant

    upgrade(directory=str(REPO_ROOT / "migrations"))
    event, _publication = build_published_day(participants, seed, DAY)
    checkpoints = sync_checkpoints(event)
    db.session.commit()
    by_kind: dict[str, list] = {}
    for checkpoint in checkpoints:
        by_kind.setdefault(checkpoint.kind, []).append(checkpoint)
    stations = [STATIONS[n % len(STATIONS)] for n in range(scanners)]
    chosen = []
    for n, station in enumerate(stations):
        pool = by_kind.get(station)
        if station == "door" or not pool:
            chosen.append(by_kind["door"][0])
            continue
        # spread the scanners of a kind over its checkpoints (rooms of every round)
        rank = stations[:n].count(station)
        step = max(1, len(pool) // max(1, stations.count(station)))
        chosen.append(pool[(rank * step) % len(pool)])
    keys = dict(db.session.execute(db.select(Participant.key, Participant.id).where(
        Participant.event_id == event.id)).all())
    bundles = {cp.id: checkpoint_bundle(event, cp) for cp in set(chosen)}
    db.session.commit()  # the bundle issues the missing badges
    rng = random.Random(seed)
    result = []
    sharing = Counter(cp.id for cp in chosen)
    share_rank: Counter = Counter()
    for n, checkpoint in enumerate(chosen, start=1):
        middle = checkpoint.opens_at + (checkpoint.closes_at - checkpoint.opens_at) / 2
        scanner = Scanner(n, checkpoint.id, checkpoint.kind,
                          event.to_local(middle).isoformat())
        people = bundles[checkpoint.id]["participants"]
        expected = [Item("expected", keys[p["id"]], codes.encode(event.id, p["serial"]))
                    for p in people if p["expected"]]
        elsewhere = [Item("elsewhere", keys[p["id"]], codes.encode(event.id, p["serial"]))
                     for p in people if not p["expected"]]
        random.Random(checkpoint.id).shuffle(expected)  # the same order for every sharer
        mine = expected[share_rank[checkpoint.id]::sharing[checkpoint.id]]
        share_rank[checkpoint.id] += 1
        scanner.plan = _plan(rng, mine, expected, elsewhere, n)
        result.append(scanner)
    return event, result


def _plan(rng: random.Random, mine: list[Item], expected: list[Item],
          elsewhere: list[Item], number: int) -> list[Item]:
    """The scanner's own people in order, with repeats, people from elsewhere and
    invalid codes mixed in."""
    plan: list[Item] = []
    for count, item in enumerate(mine or expected[:1]):
        plan.append(item)
        draw = rng.random()
        if draw < REPEAT:
            plan.append(rng.choice(plan))
        elif draw < REPEAT + ELSEWHERE and elsewhere:
            plan.append(rng.choice(elsewhere))
        elif draw < REPEAT + ELSEWHERE + INVALID:
            plan.append(Item("invalid", None, _invalid_code(item.code, count, number)))
    return plan


def _invalid_code(code: str, count: int, number: int) -> str:
    """Half forged (one signature character changed), half garbage."""
    if count % 2:
        position = 60
        swapped = "B" if code[position] != "B" else "C"
        return code[:position] + swapped + code[position + 1:]
    return f"NOT-A-BADGE-{number}-{count}"


def create_accounts(scanners: list[Scanner]) -> dict[int, str]:
    """One staff account per scanner; its API token (used with ``--route api``)."""
    from eventapp.api.tokens import issue_api_token
    from eventapp.auth.operations import create_user
    from eventapp.extensions import db

    tokens = {}
    for scanner in scanners:
        user = create_user(f"scanner-{scanner.number:02d}@bench.example", PASSWORD, "staff",
                           name=f"Scanner {scanner.number}")
        db.session.flush()
        _row, tokens[scanner.number] = issue_api_token(user, "checkin load benchmark")
    db.session.commit()
    return tokens


# --- the server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, threads: int,
                   folder: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY,
               BADGE_SIGNING_KEY=SIGNING_KEY, LOGIN_RATE_LIMIT="10000 per minute",
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
               MAIL_OUTBOX_DIR=str(folder / "outbox"), **(extra_env or {}))
    command = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
               "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "--keep-alive", "30", "eventapp:create_app()"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json",
                                        timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not answer within 60 s")


BARE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"checkpoint":1,"code":"%s","nonce":"bare"}'
function done(summary, latency, requests)
  io.write(string.format('BARE {"duration_us":%%.0f,"requests":%%.0f,"p99":%%.0f}\\n',
    summary.duration, summary.requests, latency:percentile(99)))
end
""" % ("A" * 114)


def bare_ceiling(workers: int, threads: int, scanners: int, duration: float,
                 folder: Path) -> dict:
    """Requests/s and p99 of a bare Flask endpoint (``benchmarks/bare_flask.py``) on the
    same gunicorn set-up, measured now: the ceiling a scan's rate is compared with."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
               "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "--keep-alive", "30", "benchmarks.bare_flask:app"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("the bare Flask server did not start") from None
                time.sleep(0.2)
        script = folder / "bare.lua"
        script.write_text(BARE_LUA)
        done = subprocess.run(["wrk", "-t", str(scanners), "-c", str(scanners),
                               "-d", f"{duration:g}s", "--timeout", "10s", "-s", str(script),
                               f"http://127.0.0.1:{port}/scan"],
                              capture_output=True, text=True, check=False)
    finally:
        stop(process)
    for line in done.stdout.splitlines():
        if line.startswith("BARE "):
            data = json.loads(line.split(" ", 1)[1])
            return {"rate": data["requests"] / (data["duration_us"] / 1e6),
                    "p99_ms": data["p99"] / 1000}
    raise SystemExit(f"wrk printed no figures for the bare endpoint:\n{done.stdout}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def csrf_token(page: str) -> str:
    """The CSRF token of a page's form (the staff page's scans carry it as a header)."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    match = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    if match is None:  # a page without a form (the scanner's): its meta tag
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    if match is None:
        raise SystemExit("no CSRF token in the page: cannot sign in")
    return match.group(1)


def sign_in(base: str, email: str, slug: str) -> dict[str, str]:
    """A staff phone's session over HTTP: the login form, then the CSRF token of a page;
    the headers its scans carry."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]

    login = csrf_token(opener.open(f"{base}/login").read().decode())
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": login}).encode()
    page = opener.open(urllib.request.Request(f"{base}/login", data=form)).read().decode()
    csrf = csrf_token(page)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    headers = {"User-Agent": USER_AGENT, "Cookie": cookie, "X-CSRFToken": csrf,
               "Content-Type": "application/json"}
    check = urllib.request.Request(f"{base}/manage/events/{slug}/checkin/checkpoints.json",
                                   headers=headers)
    with urllib.request.urlopen(check) as answer:
        json.load(answer)  # signed in as staff, or this raises
    return headers


def scan_path(route: str, slug: str) -> str:
    if route == "api":
        return f"/api/v1/events/{slug}/scans"
    return f"/manage/events/{slug}/checkin/scan"


def write_plans(folder: Path, scanners: list[Scanner], path: str) -> None:
    for scanner in scanners:
        lines = [path, *(f"{k}: {v}" for k, v in scanner.headers.items()), ""]
        lines += [scanner.body_prefix(item) for item in scanner.plan]
        (folder / f"scanner-{scanner.number:02d}.txt").write_text("\n".join(lines) + "\n")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(process: subprocess.Popen, database: str) -> dict[str, list[int]]:
    """gunicorn's workers, and the PostgreSQL backends connected to our database."""
    from sqlalchemy import text

    from eventapp.extensions import db

    workers = [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children")
               .read_text().split()]
    db.session.rollback()
    backends = list(db.session.scalars(text(
        "SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": database}))
    db.session.rollback()
    return {"gunicorn": workers, "postgres": backends}


def cpu_use(pids: dict[str, list[int]]) -> dict[str, float]:
    return {name: sum(cpu_seconds(pid) for pid in group) for name, group in pids.items()}


def run_wrk(port: int, folder: Path, scanners: int, duration: float, pace_ms: int = 0
            ) -> dict:
    command = ["wrk", "-t", str(scanners), "-c", str(scanners), "-d", f"{duration:g}s",
               "--timeout", "10s", "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{port}",
               "--", str(folder), str(pace_ms)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("CHECKIN_LOAD "):
            return json.loads(line.split(" ", 1)[1])
    raise SystemExit(f"wrk printed no figures (status {done.returncode}):\n"
                     f"{done.stdout}\n{done.stderr}")


# --- checks ----------------------------------------------------------------------------

def scan_rows(event_id: int) -> list:
    from eventapp.checkin.models import Scan
    from eventapp.extensions import db

    db.session.expire_all()
    return db.session.execute(db.select(
        Scan.id, Scan.nonce, Scan.checkpoint_id, Scan.participant_id, Scan.result)
        .where(Scan.event_id == event_id).order_by(Scan.id)).all()


def settle(event_id: int, quiet: float = 1.0, limit: float = 30.0) -> None:
    """Wait until the server has finished the requests wrk left in flight at its stop
    (they still commit): the count of scan rows stops changing."""
    from sqlalchemy import func

    from eventapp.checkin.models import Scan
    from eventapp.extensions import db

    deadline, last = time.monotonic() + limit, -1
    while time.monotonic() < deadline:
        db.session.rollback()
        count = db.session.scalar(db.select(func.count()).select_from(Scan)
                                  .where(Scan.event_id == event_id))
        if count == last:
            return
        last = count
        time.sleep(quiet)


def check(event_id: int, scanners: list[Scanner], figures: dict) -> dict:
    """Lost, doubled and wrong results, from the database (see the module docstring)."""
    from sqlalchemy import func

    from eventapp.checkin.models import Admission
    from eventapp.extensions import db

    rows = scan_rows(event_id)
    by_number = {s.number: s for s in scanners}
    answered_nonces, in_flight = set(), set()
    for figure in figures["scanners"]:
        scanner = by_number[figure["id"]]
        if figure["last"] - figure["first"] + 1 != figure["answered"] and figure["answered"]:
            raise SystemExit(f"scanner {scanner.number}: answers out of order ({figure})")
        if figure["answered"]:
            answered_nonces |= {scanner.nonce(c) for c in range(figure["first"],
                                                                figure["last"] + 1)}
        in_flight |= {scanner.nonce(c) for c in range(figure["last"] + 1, figure["sent"] + 1)}
    nonces = Counter(row.nonce for row in rows)
    stored = set(nonces)
    lost = len(answered_nonces - stored)
    unexplained = len(stored - in_flight - answered_nonces)
    wrong = Counter()
    first_ok: set[tuple[int, int]] = set()
    scanned_pairs: set[tuple[int, int]] = set()
    for row in rows:
        number, counter = (int(part) for part in row.nonce[1:].split("-"))
        scanner = by_number[number]
        item = scanner.plan[(counter - 1) % len(scanner.plan)]
        if item.kind == "expected":
            pair = (row.checkpoint_id, item.participant_id)
            want = "already" if pair in scanned_pairs else "ok"
            scanned_pairs.add(pair)
            if row.result == "ok":
                first_ok.add(pair)
        else:
            want = "wrong_place" if item.kind == "elsewhere" else "unknown"
        if row.result != want or row.participant_id != item.participant_id:
            wrong[f"{item.kind}: {want} expected, {row.result} stored"] += 1
    admissions = set(db.session.execute(db.select(
        Admission.checkpoint_id, Admission.participant_id).where(
        Admission.event_id == event_id)).all())
    doubled_admissions = db.session.scalar(db.select(func.count()).select_from(
        db.select(Admission.checkpoint_id, Admission.participant_id)
        .where(Admission.event_id == event_id)
        .group_by(Admission.checkpoint_id, Admission.participant_id)
        .having(func.count() > 1).subquery()))
    return {
        "rows": len(rows), "answered": len(answered_nonces),
        "in_flight": len(in_flight), "in_flight_recorded": len(in_flight & stored),
        "lost": lost, "unexplained": unexplained,
        "doubled_nonces": sum(count - 1 for count in nonces.values() if count > 1),
        "doubled_admissions": doubled_admissions,
        "ok_scans": sum(1 for row in rows if row.result == "ok"),
        "admissions": len(admissions), "expected_pairs": len(scanned_pairs),
        "admissions_match": admissions == scanned_pairs == first_ok,
        "wrong_results": dict(wrong), "results": dict(Counter(row.result for row in rows)),
    }


def replay(port: int, scanners: list[Scanner], figures: dict, count: int,
           event_id: int) -> dict:
    """Re-send ``count`` answered nonces (spread over the scanners) with their bodies."""
    before = {row.nonce: row.result for row in scan_rows(event_id)}
    per_scanner = max(1, count // len(scanners))
    jobs = {}
    for figure in figures["scanners"]:
        answered = list(range(figure["first"], figure["last"] + 1)) if figure["answered"] else []
        jobs[figure["id"]] = answered[::max(1, len(answered) // per_scanner)][:per_scanner]
    bad: list[str] = []
    sent = Counter()
    lock = threading.Lock()

    def work(scanner: Scanner, path: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for counter in jobs[scanner.number]:
            connection.request("POST", path, scanner.body(counter), scanner.headers)
            answer = connection.getresponse()
            data = json.loads(answer.read())
            nonce = scanner.nonce(counter)
            with lock:
                sent["replayed"] += 1
                if answer.status != 200 or not data.get("replayed") \
                        or data.get("result") != before.get(nonce):
                    bad.append(f"{nonce}: {answer.status} {str(data)[:120]}")
        connection.close()

    path = figures["path"]
    workers = [threading.Thread(target=work, args=(s, path)) for s in scanners]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    after = scan_rows(event_id)
    return {"sent": sent["replayed"], "bad": bad, "added": len(after) - len(before)}


# --- report ----------------------------------------------------------------------------

def report(args, figures: dict, checked: dict, replayed: dict, setup_seconds: float) -> int:
    seconds = figures["duration_us"] / 1e6
    rate = figures["requests"] / seconds
    latency = {k: v / 1000 for k, v in figures["latency_us"].items()}
    non_2xx = figures["requests"] - sum(s["good"] for s in figures["scanners"])
    errors = figures["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    print(f"set-up: {setup_seconds:.1f} s ({args.participants:,} participants, published; "
          f"{args.scanners} scanners)")
    print(f"server: gunicorn gthread, {args.workers} workers x {args.threads} threads; "
          f"route: {args.route} ({figures['path']})")
    pace = f", each waiting {args.pace} ms between scans" if args.pace else ""
    print(f"load: {figures['requests']:,} scans in {seconds:.1f} s = {rate:,.0f} scans/s "
          f"({args.scanners} concurrent scanners{pace})")
    print(f"latency ms: p50 {latency['p50']:.1f}, p90 {latency['p90']:.1f}, "
          f"p99 {latency['p99']:.1f}, max {latency['max']:.1f} (mean {latency['mean']:.1f})")
    cpu = {name: seconds / max(1, checked["rows"]) * 1000
           for name, seconds in figures["cpu"].items()}
    ceiling = os.cpu_count() * 1000 / max(0.001, sum(cpu.values()))
    print(f"server CPU per scan: gunicorn {cpu['gunicorn']:.1f} ms + PostgreSQL backends "
          f"{cpu['postgres']:.1f} ms -> at most {ceiling:,.0f} scans/s on "
          f"{os.cpu_count()} cores with nothing else running (load average "
          f"{figures['load_average']:.1f} when the load started)")
    bare = figures.get("bare")
    if bare:
        print(f"bare Flask ceiling (same gunicorn set-up, same run): {bare['rate']:,.0f} "
              f"requests/s, p99 {bare['p99_ms']:.1f} ms; scans reach "
              f"{rate / bare['rate']:.1%} of it")
    print(f"errors: {non_2xx} non-2xx answers, {socket_errors} socket errors/time-outs")
    print("results stored: " + ", ".join(f"{k} {v:,}" for k, v in
                                         sorted(checked["results"].items())))
    print(f"database: {checked['rows']:,} scan rows for {checked['answered']:,} answered "
          f"requests (+ {checked['in_flight']} in flight at the stop, "
          f"{checked['in_flight_recorded']} of them recorded); lost {checked['lost']}, "
          f"rows from nowhere {checked['unexplained']}")
    print(f"doubled: {checked['doubled_nonces']} nonces twice, "
          f"{checked['doubled_admissions']} (checkpoint, participant) admitted twice; "
          f"{checked['admissions']:,} admissions = {checked['ok_scans']:,} ok scans = "
          f"{checked['expected_pairs']:,} distinct expected pairs scanned: "
          f"{'yes' if checked['admissions_match'] else 'NO'}")
    wrong = sum(checked["wrong_results"].values())
    print(f"results as planned: {'yes' if not wrong else 'NO'}"
          + ("" if not wrong else f" {checked['wrong_results']}"))
    print(f"replay: {replayed['sent']:,} nonces re-sent, {len(replayed['bad'])} not answered "
          f"as replays, {replayed['added']} rows added")
    for line in replayed["bad"][:5]:
        print(f"  {line}")
    correct = (checked["lost"] == 0 and checked["unexplained"] == 0
               and checked["doubled_nonces"] == 0 and checked["doubled_admissions"] == 0
               and checked["admissions_match"] and not wrong and non_2xx == 0
               and not replayed["bad"] and replayed["added"] == 0
               and checked["ok_scans"] == checked["admissions"])
    fast = rate >= TARGET_RATE and latency["p99"] < TARGET_P99_MS
    print(f"verdict: {rate:,.0f} scans/s (target >= {TARGET_RATE:,}: "
          f"{'met' if rate >= TARGET_RATE else 'NOT met'}), p99 {latency['p99']:.1f} ms "
          f"(target < {TARGET_P99_MS}: "
          f"{'met' if latency['p99'] < TARGET_P99_MS else 'NOT met'}), "
          f"0 lost / 0 doubled / results right: {'met' if correct else 'NOT met'}"
          f" -> {'all targets met' if fast and correct else 'targets not all met'}")
    return 0 if correct else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checkin_load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="PostgreSQL database to drop, recreate and use")
    parser.add_argument("--participants", type=int, default=3000)
    parser.add_argument("--scanners", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--route", choices=("session", "api"), default="session")
    parser.add_argument("--pace", type=int, default=0, metavar="MS",
                        help="each scanner waits MS between two scans (0: as fast as the "
                             "server answers, the throughput test; 1000: a busy door)")
    parser.add_argument("--replay", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bare", type=float, default=10, metavar="SECONDS",
                        help="seconds of load on a bare Flask endpoint, the ceiling the "
                             "scans are compared with (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: install it with `apt-get install wrk` (Debian package).",
              file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="checkin-load-"))
    started = time.perf_counter()
    recreate_database(args.database_url)
    app = make_app(args.database_url, folder)
    context = app.app_context()
    context.push()
    process = None
    try:
        event, scanners = build_world(args.participants, args.scanners, args.seed)
        tokens = create_accounts(scanners)
        event_id, slug = event.id, event.slug
        port = free_port()
        process = start_gunicorn(args.database_url, port, args.workers, args.threads,
                                 folder)
        base = f"http://127.0.0.1:{port}"
        for scanner in scanners:
            if args.route == "api":
                scanner.headers = {"User-Agent": USER_AGENT,
                                   "Authorization": f"Bearer {tokens[scanner.number]}",
                                   "Content-Type": "application/json"}
            else:
                scanner.headers = sign_in(base, f"scanner-{scanner.number:02d}@bench.example",
                                          slug)
        path = scan_path(args.route, slug)
        write_plans(folder, scanners, path)
        setup_seconds = time.perf_counter() - started
        print(f"load: {args.scanners} scanners for {args.duration:g} s ...", flush=True)
        database = make_url(args.database_url).database
        before_pids = server_pids(process, database)
        before, load_average = cpu_use(before_pids), os.getloadavg()[0]
        figures = run_wrk(port, folder, args.scanners, args.duration, args.pace)
        figures["path"] = path
        settle(event_id)
        after_pids = server_pids(process, database)
        after = cpu_use(after_pids)
        start = {name: sum(cpu_seconds(pid) for pid in group if pid in before_pids[name])
                 for name, group in after_pids.items()}
        figures["cpu"] = {name: after[name] - min(start[name], before[name])
                          for name in after}
        figures["load_average"] = load_average
        if args.bare:
            figures["bare"] = bare_ceiling(args.workers, args.threads, args.scanners,
                                           args.bare, folder)
        checked = check(event_id, scanners, figures)
        replayed = replay(port, scanners, figures, args.replay, event_id)
        return report(args, figures, checked, replayed, setup_seconds)
    finally:
        if process is not None:
            stop(process)
        from eventapp.extensions import db

        db.session.remove()
        db.engine.dispose()
        context.pop()
        if not args.keep:
            drop_database(args.database_url)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
