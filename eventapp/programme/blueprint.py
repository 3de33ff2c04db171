"""URL map of the programme area: public pages and the organiser's builder."""

from __future__ import annotations

from flask import Blueprint

from . import views_manage, views_public

public_bp = Blueprint("public", __name__)
public_bp.add_url_rule("/", view_func=views_public.index)
public_bp.add_url_rule("/e/<slug>/", view_func=views_public.programme)
public_bp.add_url_rule("/e/<slug>/colours.css", view_func=views_public.theme_css)

manage_bp = Blueprint("programme", __name__, url_prefix="/manage")
manage_bp.add_url_rule("/", view_func=views_manage.events)
