"""Reading values of JSON bodies the way JSON Schema (and so the OpenAPI document) reads
them, shared by every JSON reader (the API's and the staff scanning page's)."""

from __future__ import annotations

from typing import Any


def json_integer(value: Any) -> int | None:
    """``value`` as an ``int`` if JSON Schema calls it an integer, else ``None``.

    JSON has one number type: ``699.0`` is an integer for JSON Schema (and for every
    client that serialises numbers as floats), so a document saying ``integer`` accepts
    it and the server must too. ``true``/``false`` are not numbers (Python says they are).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
