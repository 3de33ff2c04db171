"""Public pages: registration form, privacy notice, lost-link form."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..db_types import utcnow
from ..events.models import Event
from ..events.queries import get_public_event_or_404 as get_event_or_404
from ..ttl_cache import TTLCache, cache_seconds
from ..web import commit_or_refuse
from . import operations, queries
from .forms import LostLinkForm, RegistrationForm


def register(slug: str):
    event = get_event_or_404(slug)
    state = queries.registration_state(event, utcnow())
    form = RegistrationForm()
    status = 200
    if state.accepts and form.validate_on_submit():
        if not commit_or_refuse(lambda: operations.register(
                event, form.details(), str(get_locale() or "fr")),
                operations.RegistrationError, send_mail=True):
            return redirect(url_for("registration.register", slug=slug))
        # One answer for a new and an already registered address (who is registered stays
        # private): the personal link, or a reminder of it, is in the email.
        flash(_("Thank you. We sent an email to %(email)s with your personal link: open it "
                "to see your registration, choose your presentations or cancel. Check your "
                "spam folder too.", email=form.email.data.strip()), "success")
        return redirect(url_for("registration.registered", slug=slug))
    elif form.is_submitted():
        status = 400 if state.accepts else 403
    blank = _blank_fields(event, form) if state.accepts and not form.is_submitted() else None
    return render_template("registration/register.html", event=event, form=form, state=state,
                           settings=queries.settings_of(event), blank_fields=blank), status


_BLANK_FIELDS = TTLCache(size=256)


def _blank_fields(event: Event, form: RegistrationForm) -> Markup | None:
    """The form's fields, blank, as HTML: the same for every visitor of the event in one
    language, and about 7 ms of the page's 10 of CPU, which an opening burst of
    registrations pays a hundred times a second. Kept ``SCAN_CACHE_SECONDS`` (the
    per-process caches' expiry: 0 turns it off). The CSRF token is outside them."""
    seconds = cache_seconds(current_app.config)
    if not seconds:
        return None
    key = (event.id, event.slug, str(get_locale() or "fr"))
    fields = _BLANK_FIELDS.get(key)
    if fields is None:
        fields = Markup(render_template("registration/_person_fields.html", event=event,
                                        form=form))
        _BLANK_FIELDS.put(key, fields, seconds)
    return fields


def registered(slug: str):
    """Where every accepted registration lands: check your inbox."""
    event = get_event_or_404(slug)
    return render_template("registration/registered.html", event=event)


def privacy(slug: str):
    event = get_event_or_404(slug)
    return render_template("registration/privacy.html", event=event,
                           settings=queries.settings_of(event))


def lost_link(slug: str):
    event = get_event_or_404(slug)
    form = LostLinkForm()
    if form.validate_on_submit() and commit_or_refuse(
            lambda: operations.resend_link(event, form.email.data), send_mail=True):
        # Same answer whether or not the address is registered: the form reveals nothing.
        flash(_("If %(email)s is registered for this event, a new personal link is on its "
                "way. Check your spam folder too.", email=form.email.data), "success")
        return redirect(url_for("registration.lost_link", slug=slug))
    status = 400 if form.is_submitted() else 200
    return render_template("registration/lost_link.html", event=event, form=form), status
