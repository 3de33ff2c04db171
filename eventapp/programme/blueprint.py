"""URL map of the programme area: public pages and the organiser's builder."""

from __future__ import annotations

from flask import Blueprint

from . import views_manage, views_public

public_bp = Blueprint("public", __name__)
public_bp.add_url_rule("/", view_func=views_public.index)
public_bp.add_url_rule("/e/<slug>/", view_func=views_public.programme)
public_bp.add_url_rule("/e/<slug>/colours.css", view_func=views_public.theme_css)

# The organiser's builder. GET pages of lists are open to staff (read-only); every page
# that changes something is for organisers only (see views_manage).
manage_bp = Blueprint("programme", __name__, url_prefix="/manage")
manage_bp.add_url_rule("/", view_func=views_manage.events)
manage_bp.add_url_rule("/events/new", view_func=views_manage.event_new,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/", view_func=views_manage.event_dashboard)
manage_bp.add_url_rule("/events/<slug>/edit", view_func=views_manage.event_edit,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/delete", view_func=views_manage.event_delete,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/rounds/generate", view_func=views_manage.rounds_generate,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/grid", view_func=views_manage.grid)
# Both answer GET with the grid (the builder's routes all take GET, for one access matrix).
manage_bp.add_url_rule("/events/<slug>/grid/place", view_func=views_manage.grid_place,
                       methods=["GET", "POST"])
manage_bp.add_url_rule("/events/<slug>/grid/rounds/<int:round_id>/generate",
                       endpoint="round_fill", view_func=views_manage.grid_generate,
                       methods=["GET", "POST"])
for _section in views_manage.SECTIONS:
    _base = f"/events/<slug>/{_section.name}"
    manage_bp.add_url_rule(f"{_base}/", endpoint=_section.name,
                           view_func=views_manage.list_view(_section))
    manage_bp.add_url_rule(f"{_base}/new", endpoint=f"{_section.singular}_new",
                           view_func=views_manage.new_view(_section), methods=["GET", "POST"])
    manage_bp.add_url_rule(f"{_base}/<int:{_section.id_arg}>/edit",
                           endpoint=f"{_section.singular}_edit",
                           view_func=views_manage.edit_view(_section), methods=["GET", "POST"])
    manage_bp.add_url_rule(f"{_base}/<int:{_section.id_arg}>/delete",
                           endpoint=f"{_section.singular}_delete",
                           view_func=views_manage.delete_view(_section), methods=["GET", "POST"])
