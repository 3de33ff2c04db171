"""Exchange-format keys: URL-safe identifiers, unique within one event.

Every programme entity has a ``key`` (the ``id`` of the exchange format). Organisers
rarely type one: it is derived from the name, and made unique by a numeric suffix.
"""

from __future__ import annotations

import re
import unicodedata

from ..extensions import Model, db
from .models import KEY_LENGTH

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII, lower-case, hyphen-separated ("Salle attenante n°2" -> "salle-attenante-n2")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def is_valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.match(key)) and len(key) <= KEY_LENGTH


def key_taken(model: type[Model], event_id: int, key: str, exclude_id: int | None = None) -> bool:
    columns = model.__table__.c  # any keyed table of an event: id, event_id, key
    query = db.select(columns.id).where(columns.event_id == event_id, columns.key == key)
    if exclude_id is not None:
        query = query.where(columns.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def unique_key(model: type[Model], event_id: int, base: str, fallback: str = "item",
               exclude_id: int | None = None) -> str:
    """``base`` slugified, or with "-2", "-3"... appended until no row of the event has it."""
    stem = slugify(base) or fallback
    candidate = stem
    n = 2
    while key_taken(model, event_id, candidate, exclude_id):
        candidate = f"{stem}-{n}"
        n += 1
    return candidate
