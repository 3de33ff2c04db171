"""Stopping the seating's phases: a stop event that also fires at a deadline, and a helper
that interrupts a native solver when the event is set.

Why a module of its own: every strategy of the seating (:mod:`scheduler.paths`,
:mod:`scheduler.person_mip`, :mod:`scheduler.refine`) and the workshop phase use them, and
keeping them apart from the path formulation avoids import cycles between those modules."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any


@contextmanager
def watch_stop(stop: threading.Event | None, interrupt: Callable[[], Any]):
    """Call ``interrupt`` from a helper thread as soon as ``stop`` is set."""
    if stop is None:
        yield
        return
    done = threading.Event()

    def run() -> None:
        while not done.is_set():
            if stop.wait(0.05):
                interrupt()
                return

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


class StopAt:
    """A stop event that also fires at a deadline: handed to every phase of the seating
    (pricing, flows, MIPs) so that the time limit is a wall, not a hint. Duck-types the
    ``is_set``/``wait`` of ``threading.Event`` that the phases use."""

    def __init__(self, stop: threading.Event | StopAt | None, deadline: float):
        self.stop = stop
        self.deadline = deadline

    def is_set(self) -> bool:
        return ((self.stop is not None and self.stop.is_set())
                or time.monotonic() >= self.deadline)

    def wait(self, timeout: float) -> bool:
        step = max(0.0, min(timeout, self.deadline - time.monotonic()))
        if self.stop is not None:
            self.stop.wait(step)
        else:
            time.sleep(step)
        return self.is_set()



class AnyOf:
    """Set when either of two events is (e.g. the caller's stop, or a sibling strategy that
    proved its schedule optimal). Duck-types ``is_set``/``wait`` like :class:`StopAt`."""

    def __init__(self, a: threading.Event | StopAt | AnyOf | None, b: threading.Event):
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.b.is_set() or (self.a is not None and self.a.is_set())

    def wait(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while not self.is_set() and time.monotonic() < end:
            self.b.wait(min(0.05, max(0.0, end - time.monotonic())))
        return self.is_set()
