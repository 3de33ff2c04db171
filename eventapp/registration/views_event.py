"""Public pages: the list of events and each event's programme, with its registration
state (so they sit in the registration area, above the programme)."""

from __future__ import annotations

from flask import Response, render_template

from ..colours import readable_text_colour
from ..db_types import utcnow
from ..events.models import Event
from ..events.queries import get_event_or_404, get_public_event_or_404
from ..extensions import db
from ..programme.models import Theme
from ..programme.queries import build_public_programme
from .queries import registration_state


def index():
    from flask_login import current_user

    query = db.select(Event).order_by(Event.date.desc())
    if not current_user.is_authenticated:  # drafts are not public
        query = query.where(Event.stage != "draft")
    events = db.session.scalars(query).all()
    return render_template("programme/index.html", events=events)


def programme(slug: str) -> str:
    """An event's public programme: timeline, speed-dating grid, projects, workshops."""
    event = get_public_event_or_404(slug)
    return render_template("programme/public/programme.html", page=build_public_programme(event),
                           registration=registration_state(event, utcnow()))


def projects(slug: str) -> str:
    """An event's projects, linked from its public programme's grid: who presents each,
    its keywords, its description (unfolded on demand), when and where. A page of its own,
    so that the programme of a large day stays small (400 projects: 200 KB)."""
    event = get_public_event_or_404(slug)
    return render_template("programme/public/projects.html", page=build_public_programme(event))


def theme_css(slug: str) -> Response:
    """The event's signage colours as CSS classes (inline styles are barred by our CSP)."""
    event = get_event_or_404(slug)
    themes = db.session.scalars(db.select(Theme).where(Theme.event_id == event.id)).all()
    rules = [
        f".theme-{t.id} {{ --swatch: {t.colour}; "
        f"--swatch-text: {readable_text_colour(t.colour)}; }}"
        for t in themes
    ]
    response = Response("\n".join(rules) + "\n", mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
