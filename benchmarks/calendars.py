"""Benchmark the calendar feeds: ``python -m benchmarks.calendars [--participants N]``.

Builds a published day of N participants (default 10,000) in a temporary SQLite
database (``benchmarks/published_day.py``: the generator's instance, the demo day's
plenary items, the first-come-first-served seating as the published schedule; the
solver is not what is measured here). Then prints:

* the seconds to build every participant's feed in one pass (first pass: every item
  stamped and written; second pass: steady state, what re-publication costs), and
* one feed's milliseconds through the whole HTTP request (secret look-up, programme
  loaded, items stamped, file built, ETag), the median over repeats, and the same for a
  conditional request answered 304.

Targets (issue 5): all feeds under 10 s, one feed under 20 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _setup(participants: int, seed: int):
    from benchmarks.published_day import build_published_day
    from eventapp import create_app
    from eventapp.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="calendars-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "SECRET_KEY": "benchmark", "SERVER_NAME": "bench.example",
                      "TESTING": True, "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX_DIR": str(folder / "outbox")})
    context = app.app_context()
    context.push()
    db.create_all()
    event, publication = build_published_day(participants, seed)
    return app, event, publication


def _all_feeds(event, publication) -> tuple[float, int, int]:
    """Seconds to stamp and build every participant's feed; feeds and bytes built."""
    from eventapp.calendars.documents import participant_calendar_name, publish_document
    from eventapp.calendars.operations import insert_entries, stamp_items
    from eventapp.calendars.queries import (
        CalendarContext,
        all_participant_items,
        entries_of,
        owner_of,
    )
    from eventapp.extensions import db
    from eventapp.registration.models import Participant

    started = time.perf_counter()
    ctx = CalendarContext.load(event)
    entries = entries_of(event)
    people = {p.id: p for p in db.session.query(Participant).filter_by(event_id=event.id)}
    size, rows = 0, []
    items_by_person = all_participant_items(ctx)
    for pid, items in items_by_person.items():
        owner = owner_of("participant", pid)
        stamped = stamp_items(event, owner, items, entries.get(owner, {}), participant_id=pid,
                              now=publication.published_at, new_rows=rows)
        size += len(publish_document(participant_calendar_name(event, people[pid]), event,
                                     stamped))
    insert_entries(rows)
    db.session.commit()
    return time.perf_counter() - started, len(items_by_person), size


def _one_feed(app, event, repeats: int, seed: int) -> tuple[float, float]:
    """Median milliseconds of one feed request, and of its 304 revalidation."""
    from eventapp.calendars.operations import ensure_feed
    from eventapp.calendars.queries import feed_secret
    from eventapp.extensions import db
    from eventapp.registration.models import Participant

    people = db.session.query(Participant).filter_by(event_id=event.id,
                                                     status="registered").all()
    chosen = random.Random(seed).sample(people, min(repeats, len(people)))
    urls = [f"/calendars/{feed_secret(ensure_feed(event, 'participant', participant=p).nonce)}.ics"
            for p in chosen]
    db.session.commit()
    client = app.test_client()
    client.get(urls[0])  # warm caches (VTIMEZONE, templates)
    full, revalidate = [], []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        full.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        etag = response.headers["ETag"]
        started = time.perf_counter()
        again = client.get(url, headers={"If-None-Match": etag})
        revalidate.append((time.perf_counter() - started) * 1000)
        assert again.status_code == 304, again.status_code
    return statistics.median(full), statistics.median(revalidate)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.pop("DATABASE_URL", None)
    started = time.perf_counter()
    app, event, publication = _setup(args.participants, args.seed)
    print(f"set-up ({args.participants:,} participants, published): "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    first, feeds, size = _all_feeds(event, publication)
    print(f"all feeds, first pass (stamps written): {first:.2f} s for {feeds:,} feeds, "
          f"{size / 1e6:.1f} MB", flush=True)
    second, _feeds, _size = _all_feeds(event, publication)
    print(f"all feeds, steady state: {second:.2f} s (target < 10 s)", flush=True)
    one, not_modified = _one_feed(app, event, args.repeats, args.seed)
    print(f"one feed through HTTP: {one:.1f} ms median of {args.repeats} "
          f"(target < 20 ms); 304 revalidation: {not_modified:.1f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
