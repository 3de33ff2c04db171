"""Uploaded CSV files waiting for the organiser's confirmation.

The file is kept under ``instance/imports/`` with a random id, next to a small JSON
record of who uploaded it for which event; only that person, for that event, can
confirm it. Files older than a day are swept at each upload.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

IMPORT_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StoredImport:
    import_id: str
    event_id: int
    user_id: int
    filename: str
    data: bytes
    # After the import: who was imported (created, updated) and whether their personal
    # links were sent; the file stays until swept, for its rows to correct.
    created: list[int] | None = None
    updated: list[int] | None = None
    links_sent: bool = False

    @property
    def imported(self) -> bool:
        return self.created is not None


def _folder() -> Path:
    configured = current_app.config.get("IMPORT_UPLOAD_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(data: bytes, event_id: int, user_id: int, filename: str) -> str:
    _sweep()
    import_id = secrets.token_urlsafe(24)
    folder = _folder()
    (folder / f"{import_id}.csv").write_bytes(data)
    meta = {"event_id": event_id, "user_id": user_id, "filename": filename[:200],
            "created": time.time()}
    (folder / f"{import_id}.json").write_text(json.dumps(meta))
    return import_id


def load(import_id: str, event_id: int, user_id: int) -> StoredImport | None:
    """The stored upload if it exists and belongs to this event and user, else None."""
    if not IMPORT_ID.match(import_id or ""):
        return None
    folder = _folder()
    meta_path, data_path = folder / f"{import_id}.json", folder / f"{import_id}.csv"
    if not meta_path.is_file() or not data_path.is_file():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("event_id") != event_id or meta.get("user_id") != user_id:
        return None
    return StoredImport(import_id, event_id, user_id, meta.get("filename", ""),
                        data_path.read_bytes(), meta.get("created_ids"),
                        meta.get("updated_ids"), bool(meta.get("links_sent")))


def _update_meta(import_id: str, **changes) -> None:
    path = _folder() / f"{import_id}.json"
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))


def mark_imported(import_id: str, created: list[int], updated: list[int]) -> None:
    """Record who the import created and updated (the upload cannot be imported again)."""
    _update_meta(import_id, created_ids=created, updated_ids=updated)


def mark_links_sent(import_id: str) -> None:
    _update_meta(import_id, links_sent=True)


def discard(import_id: str) -> None:
    if not IMPORT_ID.match(import_id or ""):
        return
    for suffix in (".csv", ".json"):
        (_folder() / f"{import_id}{suffix}").unlink(missing_ok=True)


def _sweep() -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in _folder().glob("*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
