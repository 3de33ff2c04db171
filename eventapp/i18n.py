"""Languages (French first, English available) and French-style dates and times.

The language comes from an explicit choice (``?lang=`` stored in the session), then the
browser's Accept-Language, then French.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_time, get_locale, gettext, pgettext, refresh

from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen is not None and chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    return (
        request.accept_languages.best_match(languages.keys())
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def local_time(moment: datetime | None, tz: str) -> str:
    """A stored UTC moment as a wall-clock time of the event ("11:50")."""
    if moment is None:
        return ""
    from zoneinfo import ZoneInfo

    # rebase=False: the moment is already in the event's zone; Flask-Babel would
    # otherwise take the naive value for UTC and shift it again (by +1 h in Paris).
    return format_time(moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None), "HH:mm",
                       rebase=False)


def clock(moment: datetime | None, tz: str | None = None) -> str:
    """A time of the day as people write it in the page's language: "10 h 30" in French
    (no-break spaces: the hour never ends a line alone), "10:30" in English. ``moment``:
    a stored UTC moment with the event's ``tz``, or an aware time already in it."""
    if moment is None:
        return ""
    if tz is not None:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo(tz))
    if str(get_locale()).startswith("fr"):
        return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


# French elides "de" and "le" before a vowel sound: "le passage d'Anaïs". H and Y are
# left out on purpose: "de Hamid", "de Yasmine" are as common as their elided forms.
ELIDING_START = re.compile(r"[aeiouàâäéèêëîïôöùûüœæ]", re.IGNORECASE)
ELIDED = "elided"


def elides(name: str) -> bool:
    """Whether a name starts with a vowel, so that French writes "d'Anaïs"."""
    return bool(ELIDING_START.match((name or "").strip()))


def gettext_for_name(message: str, name: str, **variables) -> str:
    """``message`` translated for ``name`` (which it must hold as %(name)s): before a
    vowel, the translation under the context "elided" ("d'%(name)s"), when there is one."""
    if elides(name):
        return pgettext(ELIDED, message, name=name, **variables)
    return gettext(message, name=name, **variables)


def long_date(day: date | None) -> str:
    """A date the way the interface language writes it ("mercredi 7 décembre 2016")."""
    if day is None:
        return ""
    return format_date(day, "full")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on the app context, which outlives a request when a
    # context is already pushed (CLI commands, tests): choose again for every request.
    app.before_request(refresh)
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["gettext_for_name"] = gettext_for_name

    @app.context_processor
    def inject_locale() -> dict:
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
