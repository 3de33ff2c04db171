"""Uploaded documents waiting for the organiser's confirmation of a replace.

Replacing an event's programme is a two-step action (upload, then confirm after seeing
what will be replaced). Between the steps the validated document is kept in a file under
the instance folder, named by an unguessable token and bound to the event and the user
who uploaded it; the browser only carries the token. Files older than an hour are
discarded.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app

MAX_AGE_SECONDS = 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "exchange-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _discard_stale(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # another worker removed it first
            pass


def stash(document: Any, *, event_id: int, user_id: int) -> str:
    """Keep a validated document for a later confirmation; return its token."""
    folder = _folder()
    _discard_stale(folder)
    token = secrets.token_urlsafe(24)
    payload = {"event_id": event_id, "user_id": user_id, "document": document}
    (folder / f"{token}.json").write_text(json.dumps(payload, ensure_ascii=False),
                                          encoding="utf-8")
    return token


def take(token: str, *, event_id: int, user_id: int) -> Any | None:
    """The stashed document, removed from the stash; None if unknown, expired or not ours."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = _folder() / f"{token}.json"
    try:
        if path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            path.unlink()
            return None
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if payload.get("event_id") != event_id or payload.get("user_id") != user_id:
        return None
    path.unlink(missing_ok=True)
    return payload["document"]
