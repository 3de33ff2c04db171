"""Organiser pages of the programme builder."""

from __future__ import annotations

from flask import render_template

from ..auth.access import organiser_required, staff_required
from ..events.models import Event
from ..extensions import db


@staff_required
def events():
    all_events = db.session.scalars(db.select(Event).order_by(Event.date.desc())).all()
    return render_template("programme/manage/events.html", events=all_events)


__all__ = ["events", "organiser_required"]
