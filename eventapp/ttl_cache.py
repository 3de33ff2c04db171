"""A small per-process cache whose entries expire (the scan routes' staff member, event
and checkpoint: ``auth.session_cache``, ``checkin.scan_cache``).

Entries live ``SCAN_CACHE_SECONDS`` (default 10; 0 turns every such cache off, as the
test suite does, whose databases reuse row ids from one test to the next). With several
server processes there is no invalidation across them: the expiry is the bound on how
long a change (a disabled account, a renamed room) takes to reach every scan.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

DEFAULT_SECONDS = 10.0


def cache_seconds(config: Mapping[str, Any]) -> float:
    return float(config.get("SCAN_CACHE_SECONDS", DEFAULT_SECONDS) or 0)


class TTLCache:
    """A thread-safe map whose entries expire after the seconds given to :meth:`put`."""

    def __init__(self, size: int = 4096) -> None:
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: Any) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: Any, value: Any, seconds: float) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()  # rare: a flood of distinct keys starts afresh
            self._entries[key] = (time.monotonic() + seconds, value)

    def discard(self, key: Any) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
