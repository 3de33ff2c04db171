"""Registration opening burst: ``python -m benchmarks.registration_burst [options]``.

What is measured (issue 17): the public registration form the minute registration
opens, when a mailing has gone out to a thousand people and more.

1. A fresh PostgreSQL database (dropped and recreated; ``--database-url``), the schema by
   the migrations, one event open for registration (no capacity limit, so that every
   registration is confirmed by email).
2. A local SMTP sink (aiosmtpd on loopback) that counts every message by recipient and,
   as each one arrives, asks the database (its own connection, autocommit) whether the
   person it confirms is there: a confirmation read before the registration's commit
   would find nobody.
3. gunicorn (``gthread``, as the check-in benchmark) with the rate limits set for the
   burst: ``REGISTRATION_RATE_LIMIT`` per client address raised to ``--rate-limit``
   (every request here comes from one address, as on-site sign-ups behind one network
   would; the per-address limit of 10 a minute would refuse nearly all of them), and the
   per-email limit left as it is (each address registers once).
4. An open-loop load: ``--rate`` people per second for ``--duration`` seconds, each a new
   browser that loads the form (its CSRF token and session cookie), then posts it. The
   posts are scheduled at fixed times; a post's latency runs from its scheduled time,
   so a server that falls behind shows it (no coordinated omission).
5. Figures: people registered, the rate reached, errors (anything but the redirect to
   "check your inbox"), the post latency p50/p90/p99/max, gunicorn and PostgreSQL CPU
   per registration; then the checks: one registered row per answered post, exactly one
   confirmation per person, none sent before its commit.

Targets: 100 registrations/s for 60 s, no error, p99 under 500 ms, each confirmation
sent once, after commit. Printed, never asserted; the exit status is 1 only when a
correctness check fails (an error, a missing or doubled email, a row missing).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from queue import Empty, Queue

from sqlalchemy.engine import make_url

from benchmarks.checkin_load import (
    cpu_use,
    drop_database,
    free_port,
    make_app,
    recreate_database,
    server_pids,
    start_gunicorn,
    stop,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eventapp_bench_registration"
TARGET_RATE, TARGET_P99_MS = 100, 500
SLUG = "burst"


class Sink:
    """aiosmtpd handler: counts messages by recipient; checks each one's person is
    committed when the message arrives."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        url = make_url(database_url).set(drivername="postgresql")
        self.connection = psycopg.connect(url.render_as_string(hide_password=False),
                                          autocommit=True)
        self.lock = threading.Lock()
        self.by_recipient: Counter = Counter()
        self.before_commit: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        for recipient in envelope.rcpt_tos:
            with self.lock:
                found = self.connection.execute(
                    "SELECT count(*) FROM participants WHERE email = %s",
                    (recipient.lower(),)).fetchone()[0]
                self.by_recipient[recipient.lower()] += 1
                if not found:
                    self.before_commit.append(recipient)
        return "250 OK"


def build_event() -> None:
    from flask_migrate import upgrade

    from benchmarks.checkin_load import REPO_ROOT
    from eventapp.events.models import Event
    from eventapp.extensions import db

    upgrade(directory=str(REPO_ROOT / "migrations"))
    db.session.add(Event(slug=SLUG, name="Journée d'inscription", venue="Paris",
                         date=date.today() + timedelta(days=60), timezone="Europe/Paris",
                         stage="open"))
    db.session.commit()


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def person(number: int) -> dict[str, str]:
    return {"first_name": f"Prénom{number}", "last_name": f"Nom{number}",
            "email": f"person-{number:05d}@burst.example", "organisation": "Association",
            "category": "association", "role": "participant", "consent": "y"}


def load(base: str, rate: float, duration: float, clients: int) -> dict:
    """The open-loop burst; what each post answered and how long it took."""
    import requests

    total = int(rate * duration)
    start = time.monotonic() + 1.0
    work: Queue = Queue()
    for number in range(total):
        work.put((number, start + number / rate))
    results: list[tuple[int, float, float, str]] = []
    lock = threading.Lock()
    url = f"{base}/e/{SLUG}/register"

    def client() -> None:
        while True:
            try:
                number, due = work.get_nowait()
            except Empty:
                return
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            outcome = "ok"
            with requests.Session() as browser:
                try:
                    page = browser.get(url, timeout=30)
                    token = TOKEN.search(page.text)
                    form_done = time.monotonic()
                    answer = browser.post(url, data={**person(number),
                                                     "csrf_token": token.group(1) if token
                                                     else ""},
                                          allow_redirects=False, timeout=30)
                    done = time.monotonic()
                    if answer.status_code != 302 or "/register/sent" not in \
                            answer.headers.get("Location", ""):
                        outcome = f"HTTP {answer.status_code}"
                except requests.RequestException as error:
                    form_done = done = time.monotonic()
                    outcome = type(error).__name__
            with lock:
                # the post's own latency, and from when the person was due (form load
                # and any wait for a free client thread included)
                results.append((number, done - due, done - form_done, outcome))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - max(began, start)
    return {"results": results, "elapsed": elapsed, "total": total}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def check(sink: Sink, results: list) -> dict:
    from sqlalchemy import func, select

    from eventapp.extensions import db
    from eventapp.registration.models import Participant

    db.session.rollback()
    rows = db.session.scalar(select(func.count()).select_from(Participant))
    registered = db.session.scalar(select(func.count()).select_from(Participant)
                                   .where(Participant.status == "registered"))
    answered_ok = {person(n)["email"] for n, _l, _p, outcome in results if outcome == "ok"}
    emails = sink.by_recipient
    return {"rows": rows, "registered": registered, "answered_ok": len(answered_ok),
            "emails": sum(emails.values()), "doubled": sum(1 for c in emails.values() if c > 1),
            "missing": len(answered_ok - set(emails)),
            "unexpected": len(set(emails) - answered_ok),
            "before_commit": len(sink.before_commit)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.registration_burst",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="PostgreSQL database to drop, recreate and use")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="people per second")
    parser.add_argument("--duration", type=float, default=60, help="seconds")
    parser.add_argument("--clients", type=int, default=64,
                        help="concurrent client threads (browsers at one time, at most)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per process")
    parser.add_argument("--rate-limit", default="20000 per minute",
                        help="REGISTRATION_RATE_LIMIT for the burst (per client address)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    from aiosmtpd.controller import Controller

    folder = Path(tempfile.mkdtemp(prefix="registration-burst-"))
    recreate_database(args.database_url)
    app = make_app(args.database_url, folder)
    context = app.app_context()
    context.push()
    process = controller = None
    try:
        build_event()
        sink = Sink(args.database_url)
        controller = Controller(sink, hostname="127.0.0.1", port=free_port())
        controller.start()
        port = free_port()
        process = start_gunicorn(args.database_url, port, args.workers, args.threads, folder,
                                 {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port),
                                  "SMTP_STARTTLS": "0",
                                  "MAIL_SENDER": "inscriptions@burst.example",
                                  "REGISTRATION_RATE_LIMIT": args.rate_limit})
        database = make_url(args.database_url).database
        pids = server_pids(process, database)
        before, load_average = cpu_use(pids), os.getloadavg()[0]
        print(f"burst: {args.rate:g} people/s for {args.duration:g} s "
              f"({int(args.rate * args.duration):,} people) ...", flush=True)
        figures = load(f"http://127.0.0.1:{port}", args.rate, args.duration, args.clients)
        after_pids = server_pids(process, database)
        after = cpu_use(after_pids)
        cpu = {name: after[name] - before.get(name, 0.0) for name in after}
        checked = check(sink, figures["results"])
        return report(args, figures, checked, cpu, load_average)
    finally:
        if process is not None:
            stop(process)
        if controller is not None:
            controller.stop()
        from eventapp.extensions import db

        db.session.remove()
        db.engine.dispose()
        context.pop()
        if not args.keep:
            drop_database(args.database_url)
        shutil.rmtree(folder, ignore_errors=True)


def report(args, figures: dict, checked: dict, cpu: dict, load_average: float) -> int:
    results = figures["results"]
    ok = [r for r in results if r[3] == "ok"]
    errors = Counter(r[3] for r in results if r[3] != "ok")
    whole = [r[1] * 1000 for r in results]
    latency = [r[2] * 1000 for r in results]
    rate = len(results) / figures["elapsed"] if figures["elapsed"] > 0 else 0.0
    per = max(1, len(ok))
    print(f"server: gunicorn gthread, {args.workers} workers x {args.threads} threads; "
          f"REGISTRATION_RATE_LIMIT {args.rate_limit!r}; load average "
          f"{load_average:.1f} when the burst started")
    print(f"load: {len(results):,} people in {figures['elapsed']:.1f} s = {rate:,.1f}/s "
          f"(asked {args.rate:g}/s); registered {len(ok):,}; errors "
          f"{sum(errors.values())} {dict(errors) if errors else ''}")
    print(f"post latency ms: p50 {percentile(latency, .5):.0f}, "
          f"p90 {percentile(latency, .9):.0f}, p99 {percentile(latency, .99):.0f}, "
          f"max {max(latency, default=0):.0f}; form load + post from the person's "
          f"scheduled arrival: p50 {percentile(whole, .5):.0f}, p99 "
          f"{percentile(whole, .99):.0f}")
    print(f"server CPU per registration (form + post): gunicorn "
          f"{cpu['gunicorn'] / per * 1000:.1f} ms, PostgreSQL {cpu['postgres'] / per * 1000:.1f} "
          f"ms")
    print(f"database: {checked['rows']:,} participants ({checked['registered']:,} registered) "
          f"for {checked['answered_ok']:,} answered posts")
    print(f"emails: {checked['emails']:,} received; {checked['doubled']} people emailed "
          f"twice, {checked['missing']} never, {checked['unexpected']} unexpected; "
          f"{checked['before_commit']} read before their registration's commit")
    correct = (not errors and checked["rows"] == checked["answered_ok"] == len(results)
               and checked["emails"] == len(ok) and checked["doubled"] == 0
               and checked["missing"] == 0 and checked["before_commit"] == 0)
    p99 = percentile(latency, .99)
    fast = rate >= 0.98 * TARGET_RATE and p99 < TARGET_P99_MS
    print(f"verdict: {rate:,.1f}/s, p99 {p99:.0f} ms (targets {TARGET_RATE}/s, "
          f"< {TARGET_P99_MS} ms: {'met' if fast else 'NOT met'}); no error, one email "
          f"each after commit: {'met' if correct else 'NOT met'}")
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
