"""URL map of check-in: the staff page's JSON, the organiser's dashboard, exports and
badges, and the participant's own badge on "Mon programme"."""

from __future__ import annotations

from flask import Blueprint

from ..auth.session_cache import CACHED_ENDPOINTS
from . import (
                receivers,  # noqa: F401 (connects the area's signal receivers)
                views,
)

bp = Blueprint("checkin", __name__)
# A scan loads its staff member from a short cache (auth.session_cache).
CACHED_ENDPOINTS.add("checkin.scan_json")

_manage = "/manage/events/<slug>/checkin"

# Staff and organisers: the scanning page (a checkpoint menu, one page per checkpoint,
# its service worker, whose scope is the pages below it) and its data (JSON, CSRF
# header on POST).
bp.add_url_rule(f"{_manage}/scan/", "scan_menu", views.scan_menu)
bp.add_url_rule(f"{_manage}/scan/<int:checkpoint_id>", "scan_page", views.scan_page)
bp.add_url_rule(f"{_manage}/scan/sw.js", "scan_service_worker", views.scan_service_worker)
bp.add_url_rule(f"{_manage}/scan/<int:checkpoint_id>/search.json", "search_json",
                views.search_json)
bp.add_url_rule(f"{_manage}/checkpoints.json", "checkpoints_json", views.checkpoints_json)
bp.add_url_rule(f"{_manage}/checkpoints/<int:checkpoint_id>/bundle.json", "bundle_json",
                views.bundle_json)
bp.add_url_rule(f"{_manage}/scan", "scan_json", views.scan_json, methods=["POST"])
bp.add_url_rule(f"{_manage}/scans", "upload_json", views.upload_json, methods=["POST"])
# Organisers.
bp.add_url_rule(f"{_manage}/", "dashboard", views.dashboard)
bp.add_url_rule(f"{_manage}/rehearsal/start", "rehearsal_start", views.rehearsal_start,
                methods=["POST"])
bp.add_url_rule(f"{_manage}/rehearsal/end", "rehearsal_end", views.rehearsal_end,
                methods=["POST"])
bp.add_url_rule(f"{_manage}/attendance.csv", "attendance_csv", views.attendance_csv)
bp.add_url_rule(f"{_manage}/summary", "summary", views.summary)
bp.add_url_rule(f"{_manage}/badges.pdf", "badges_pdf", views.badges_pdf)
bp.add_url_rule(f"{_manage}/participants/<int:participant_id>/badge.png", "badge_png",
                views.badge_png)
bp.add_url_rule(f"{_manage}/participants/<int:participant_id>/badge/reissue",
                "badge_reissue", views.badge_reissue, methods=["POST"])
# The participant, by their personal link.
bp.add_url_rule("/p/<token>/badge.png", "portal_badge_png", views.portal_badge_png)
