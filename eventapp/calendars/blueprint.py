"""URL map of the calendars area.

Feeds live under ``/calendars/`` and open by the secret in their URL alone (calendar apps
send no cookies); organisers manage links and download calendars under
``/manage/events/<slug>/calendars/``; the participant's new-link button sits in the
portal's URL space, authenticated by the personal link like the portal's own pages.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from ..auth.access import organiser_required, staff_required
from ..extensions import limiter
from . import (
    receivers,  # noqa: F401 (connects the area's signal receivers)
    views,
)

bp = Blueprint("calendars", __name__)


def _portal_limit() -> str:
    return current_app.config["PORTAL_RATE_LIMIT"]


bp.add_url_rule("/calendars/<secret>.ics", "participant_feed", views.participant_feed)
bp.add_url_rule("/calendars/o/<secret>.ics", "organiser_feed", views.organiser_feed)
bp.add_url_rule("/p/<token>/calendar/new-link", "new_participant_link",
                limiter.limit(_portal_limit)(views.new_participant_link), methods=["POST"])

_manage = "/manage/events/<slug>/calendars"
bp.add_url_rule(f"{_manage}/", "manage", organiser_required(views.manage))
bp.add_url_rule(f"{_manage}/links", "create_links", organiser_required(views.create_links),
                methods=["POST"])
bp.add_url_rule(f"{_manage}/links/<int:feed_id>/replace", "replace_link",
                organiser_required(views.replace_link), methods=["POST"])
bp.add_url_rule(f"{_manage}/links/<int:feed_id>/revoke", "revoke_link",
                organiser_required(views.revoke_link), methods=["POST"])
bp.add_url_rule(f"{_manage}/programme.ics", "download_programme",
                staff_required(views.download_programme))
bp.add_url_rule(f"{_manage}/rooms/<int:room_id>.ics", "download_room",
                staff_required(views.download_room))
bp.add_url_rule(f"{_manage}/presenters/<int:participant_id>.ics", "download_presenter",
                staff_required(views.download_presenter))
