"""Public pages: registration form, privacy notice, lost-link form."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..db_types import utcnow
from ..extensions import db
from ..mail import commit_and_send
from ..programme.queries import get_event_or_404
from . import operations, queries
from .forms import LostLinkForm, RegistrationForm


def register(slug: str):
    event = get_event_or_404(slug)
    state = queries.registration_state(event, utcnow())
    form = RegistrationForm()
    duplicate = None
    status = 200
    if state.accepts and form.validate_on_submit():
        try:
            result = operations.register(event, form.details(), str(get_locale() or "fr"))
        except operations.AlreadyRegistered as error:
            db.session.rollback()
            duplicate = error.participant.email
            status = 409
        except operations.RegistrationError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("registration.register", slug=slug))
        else:
            commit_and_send()
            if result.waiting:
                flash(_("You are on the waiting list. We will email you as soon as a seat "
                        "frees up. Your personal link was sent to %(email)s.",
                        email=result.participant.email), "warning")
            else:
                flash(_("You are registered. We sent your personal link to %(email)s: keep "
                        "it to see or change your registration.",
                        email=result.participant.email), "success")
            return redirect(url_for("portal.home", token=result.token))
    elif form.is_submitted():
        status = 400 if state.accepts else 403
    return render_template("registration/register.html", event=event, form=form, state=state,
                           duplicate=duplicate, lost_form=LostLinkForm(email=duplicate),
                           settings=queries.settings_of(event)), status


def privacy(slug: str):
    event = get_event_or_404(slug)
    return render_template("registration/privacy.html", event=event,
                           settings=queries.settings_of(event))


def lost_link(slug: str):
    event = get_event_or_404(slug)
    form = LostLinkForm()
    if form.validate_on_submit():
        operations.resend_link(event, form.email.data)
        commit_and_send()
        # Same answer whether or not the address is registered: the form reveals nothing.
        flash(_("If %(email)s is registered for this event, a new personal link is on its "
                "way. Check your spam folder too.", email=form.email.data), "success")
        return redirect(url_for("registration.lost_link", slug=slug))
    status = 400 if form.is_submitted() else 200
    return render_template("registration/lost_link.html", event=event, form=form), status
