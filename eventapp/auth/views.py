from __future__ import annotations

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


def _landing(user) -> str:
    """Where a sign-in lands: organisers on their events; staff, who come to scan, on the
    checkpoint menu of today's event (or of the one in rehearsal), one tap from scanning."""
    if not user.is_organiser:
        from ..checkin.queries import staff_event

        event = staff_event()
        if event is not None:
            return url_for("checkin.scan_menu", slug=event.slug)
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
