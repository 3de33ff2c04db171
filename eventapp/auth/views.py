from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from .forms import LoginForm
from .operations import authenticate


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so the login page cannot redirect elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


#: Where a sign-in lands, asked in turn: each rule returns a URL, or None to pass. Areas
#: above this one add theirs (check-in sends staff to today's scanner, see
#: checkin/receivers.py) without auth importing them; without an answer, the event list.
LANDING_RULES: list[Callable[[Any], str | None]] = []


def landing_rule(rule: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """Register ``rule(user)`` as a place a sign-in may land (decorator)."""
    LANDING_RULES.append(rule)
    return rule


def _landing(user) -> str:
    """Where a sign-in lands: the first rule that answers, else the organiser's events."""
    for rule in LANDING_RULES:
        url = rule(user)
        if url is not None:
            return url
    return url_for("programme.events")


def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Signed in."), "success")
            return redirect(_safe_next(request.args.get("next")) or _landing(user))
        flash(_("Wrong email or password."), "error")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


def logout():
    """Sign out everywhere: the account's session generation moves on, so copies of this
    session cookie and every remember-me cookie stop working too."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("Signed out."), "success")
    return redirect(url_for("public.index"))
