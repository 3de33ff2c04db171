"""A bound on how deeply JSON read from outside may nest.

Python's parser fails on deep nesting with a RecursionError, which no reader expected (a
500 on every JSON endpoint for a body of 1,000 brackets); and a document that parses
just below the interpreter's limit can still exhaust it in later code. Every JSON reader
(requests through :class:`eventapp.web.BoundedJSONProvider`, uploaded instance files)
refuses more than :data:`MAX_JSON_DEPTH` levels as invalid JSON.
"""

from __future__ import annotations

from typing import Any

# Far deeper than any document the app reads (an instance is 4 levels deep).
MAX_JSON_DEPTH = 64


def check_json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> Any:
    """``value`` if its lists and objects nest at most ``limit`` levels; ValueError if not.

    Iterative, so it cannot itself run out of stack on what it refuses.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            raise ValueError(f"JSON nested more than {limit} levels deep")
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return value
