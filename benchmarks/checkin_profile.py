"""Where a scan's CPU goes: ``python -m benchmarks.checkin_profile [options]``.

The load benchmark (``benchmarks.checkin_load``) says how many scans per second the
server answers; this one says why. It builds the same published day on PostgreSQL, signs
one staff phone in through Flask's test client (no network, no gunicorn) and sends the
first scanners' planned scans one after the other: the first half timed with the
process's CPU clock alone, the second half under cProfile (which costs several times the
scan itself, so compare its figures with each other, not with the load benchmark's). It
prints the CPU per scan both ways, the SQL statements per scan, and the functions with
the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from sqlalchemy import event as sa_event

from benchmarks.checkin_load import (
    DEFAULT_URL,
    PASSWORD,
    USER_AGENT,
    build_world,
    create_accounts,
    csrf_token,
    drop_database,
    make_app,
    recreate_database,
)
from eventapp.extensions import db


def _signed_in_client(app, email: str, slug: str):
    """A test client with a staff session and the CSRF token its scans carry."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT

    login = csrf_token(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data={"email": email, "password": PASSWORD,
                                       "csrf_token": login}, follow_redirects=True)
    csrf = csrf_token(page.get_data(as_text=True))
    check = client.get(f"/manage/events/{slug}/checkin/checkpoints.json")
    if check.status_code != 200:
        raise SystemExit(f"not signed in as staff: {check.status_code}")
    return client, csrf


def _count_statements(engine) -> list[int]:
    counter = [0]

    def before(*_args) -> None:
        counter[0] += 1

    sa_event.listen(engine, "before_cursor_execute", before)
    return counter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checkin_profile",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL.replace("checkin",
                                                                      "checkin_profile"),
                        help="PostgreSQL database to drop, recreate and use")
    parser.add_argument("--participants", type=int, default=3000)
    parser.add_argument("--scans", type=int, default=600)
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    parser.add_argument("--route", choices=("session", "api"), default="session")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="checkin-profile-"))
    recreate_database(args.database_url)
    app = make_app(args.database_url, folder)
    try:
        with app.app_context():
            event, scanners = build_world(args.participants, 20, seed=1)
            tokens = create_accounts(scanners)
            slug = event.slug
        with app.app_context():
            statements = _count_statements(db.engine)
        scanner = scanners[0]
        client, csrf = _signed_in_client(app, f"scanner-{scanner.number:02d}@bench.example",
                                         slug)
        if args.route == "api":
            path = f"/api/v1/events/{slug}/scans"
            headers = {"Authorization": f"Bearer {tokens[scanner.number]}"}
            client = app.test_client()
        else:
            path = f"/manage/events/{slug}/checkin/scan"
            headers = {"X-CSRFToken": csrf}
        bodies = []
        for counter in range(1, args.scans + 1):
            current = scanners[(counter - 1) % 10]  # door and session scanners mixed
            bodies.append(current.body(counter))
        warm = client.post(path, data=bodies[0], headers=headers,
                           content_type="application/json")
        if warm.status_code != 200:
            raise SystemExit(f"scan refused: {warm.status_code} {warm.get_data(as_text=True)}")
        half = len(bodies) // 2
        started = time.process_time()
        for body in bodies[1:half]:
            client.post(path, data=body, headers=headers, content_type="application/json")
        plain = (time.process_time() - started) / (half - 1)
        bodies = bodies[half:]
        statements[0] = 0
        results: dict[str, int] = {}
        profile = cProfile.Profile(time.process_time)
        started = time.process_time()
        profile.enable()
        for body in bodies:
            answer = client.post(path, data=body, headers=headers,
                                 content_type="application/json")
            result = answer.get_json().get("result", str(answer.status_code))
            results[result] = results.get(result, 0) + 1
        profile.disable()
        spent = time.process_time() - started
        count = len(bodies)
        print(f"route: {path}")
        print(f"scans: {count}  results: {results}")
        print(f"CPU per scan (app process): {plain * 1000:.2f} ms unprofiled, "
              f"{spent / count * 1000:.2f} ms under cProfile")
        print(f"SQL statements per scan: {statements[0] / count:.1f}")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    finally:
        if not args.keep:
            with app.app_context():
                db.engine.dispose()
            drop_database(args.database_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
