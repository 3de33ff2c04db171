"""URL map of the exchange area (instance import/export)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exchange", __name__, url_prefix="/manage")
