"""One harness for the race tests: the same operation in several threads at once.

Each thread has an application (or request) context of its own, hence its own session and
connection; the data the test sets up must therefore be committed, and such tests are
marked ``truncate_db``. The threads prepare what they need, wait on one barrier so that
their operations really overlap, then commit; what each one ended with is returned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import Flask

from eventapp.extensions import db

Argument = TypeVar("Argument")


def run_concurrently(
    app: Flask,
    attempt: Callable[[Argument, Callable[[], None]], str],
    arguments: Sequence[Argument],
    *,
    refusals: tuple[type[Exception], ...] = (),
    describe_refusal: Callable[[Exception], str] = lambda refusal: "refused",
    request_context: bool = False,
    timeout: float = 60,
) -> list[str]:
    """Run ``attempt(argument, start)`` in one thread per argument and return the
    outcomes, sorted.

    ``attempt`` loads what it needs, calls ``start()`` (the barrier: every thread goes on
    together from there), does the operation and returns its outcome; the harness commits
    after it. An exception in ``refusals`` is rolled back and its outcome is
    ``describe_refusal(error)``; any other one is rolled back and reported as
    ``"error: <type>: <message>"``, which no test expects, so it fails the test with what
    went wrong."""
    barrier = threading.Barrier(len(arguments))
    outcomes: list[str] = []
    lock = threading.Lock()

    def start() -> None:
        barrier.wait(10)

    def worker(argument: Argument) -> None:
        context = app.test_request_context() if request_context else app.app_context()
        with context:
            try:
                outcome = attempt(argument, start)
                db.session.commit()
            except refusals as refusal:
                db.session.rollback()
                outcome = describe_refusal(refusal)
            except Exception as error:  # noqa: BLE001 (reported, and fails the test)
                db.session.rollback()
                outcome = f"error: {type(error).__name__}: {error}"
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return sorted(outcomes)
