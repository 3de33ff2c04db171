"""URL map of the organiser's programme builder.

Its endpoints keep the name ``programme.*`` (templates and links use them); the builder
is its own area only because it also edits people (presenters) and checks what hangs on a
row before deleting it (wishes, assignments), which the programme area below does not know.
"""

from __future__ import annotations

from flask import Blueprint

from . import queries, views
from .lifecycle import event_status

# The organiser's builder. GET pages of lists are open to staff (read-only); every page
# that changes something is for organisers only (see views.py).
manage_bp = Blueprint("programme", __name__, url_prefix="/manage")
# The event navigation's status (templates/events/_nav.html), one query per page.
manage_bp.add_app_template_global(event_status, "event_status")
manage_bp.add_app_template_global(queries.next_setup_step, "next_setup_step")
manage_bp.add_app_template_global(queries.round_numbers, "round_numbers")
manage_bp.add_url_rule("/", view_func=views.events)
manage_bp.add_url_rule("/events/new", view_func=views.event_new,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/", view_func=views.event_dashboard)
manage_bp.add_url_rule("/events/<slug>/edit", view_func=views.event_edit,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/delete", view_func=views.event_delete,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/open", view_func=views.event_open,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/close", view_func=views.event_close,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/duplicate", view_func=views.event_duplicate,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/rounds/generate", view_func=views.rounds_generate,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/grid", view_func=views.grid)
# The presenter pickers' search (project and session forms), one page at a time.
manage_bp.add_url_rule("/events/<slug>/people.json", view_func=views.people_json)
# Both answer GET with the grid (the builder's routes all take GET, for one access matrix).
manage_bp.add_url_rule("/events/<slug>/grid/place", view_func=views.grid_place,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/grid/rounds/<int:round_id>/generate",
                       endpoint="round_fill", view_func=views.grid_generate,
                       methods=["GET", "POST"])
# Several items at once (builder/quick.py); declared before the sections' own pages.
manage_bp.add_url_rule("/events/<slug>/quick-start", view_func=views.quick_start,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/projects/several", view_func=views.projects_quick,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/workshops/several", view_func=views.workshops_quick,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/timeline/several", view_func=views.items_quick,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/grid/generate", view_func=views.grid_fill_all,
                       methods=["GET", "POST"])
for _section in views.SECTIONS:
    _base = f"/events/<slug>/{_section.name}"
    manage_bp.add_url_rule(f"{_base}/", endpoint=_section.name,
                           view_func=views.list_view(_section))
    manage_bp.add_url_rule(f"{_base}/new", endpoint=f"{_section.singular}_new",
                           view_func=views.new_view(_section), methods=["GET", "POST"])
    manage_bp.add_url_rule(f"{_base}/<int:{_section.id_arg}>/edit",
                           endpoint=f"{_section.singular}_edit",
                           view_func=views.edit_view(_section), methods=["GET", "POST"])
    manage_bp.add_url_rule(f"{_base}/<int:{_section.id_arg}>/delete",
                           endpoint=f"{_section.singular}_delete",
                           view_func=views.delete_view(_section), methods=["GET", "POST"])
