"""Outgoing email, sent only once the database change it announces is committed.

Operations call :func:`queue_email` while they work; the view commits, then calls
:func:`commit_and_send` (or :func:`send_queued` after its own commit). A commit that
fails raises before anything is sent, so nobody receives a link to a registration that
does not exist. The queue lives on ``flask.g`` and dies with the request.

Without ``MAIL_SERVER`` (SMTP_HOST) messages are written as ``.eml`` files to
``MAIL_OUTBOX_DIR`` and summarised in the log, so development needs no mail server.
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import partial
from pathlib import Path
from typing import cast

from flask import current_app, g, render_template
from flask_babel import force_locale

from .extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """A file part of an email: ``params`` go into its Content-Type (e.g. the iTIP
    ``method`` of a text/calendar part)."""

    filename: str
    content: bytes
    mimetype: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    # Extra parts beside text and HTML in multipart/alternative (a text/calendar
    # invitation: Gmail and Outlook act on it there), then attached files.
    alternatives: tuple[Attachment, ...] = ()
    attachments: tuple[Attachment, ...] = ()


def render_email(template: str, to: str, locale: str, **context) -> OutgoingEmail:
    """Render ``templates/mail/<template>.{subject,txt,html}`` in the recipient's language."""
    with force_locale(locale or "fr"):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject, **context)
    return OutgoingEmail(to=to, subject=" ".join(subject.split()), text=text, html=html)


def queue_email(message: OutgoingEmail) -> None:
    """Send ``message`` after the current request's commit (see :func:`send_queued`)."""
    g.setdefault("_mail_queue", []).append(message)


def queue_rendered_email(template: str, to: str, locale: str, **context) -> None:
    """Queue :func:`render_email` itself, to run when the message is sent, after the
    commit: rendering takes milliseconds that a transaction holding a lock (the seats of
    an event) should not spend, and a rolled-back change renders nothing. The objects in
    ``context`` are read after the commit (reloaded if it expired them)."""
    g.setdefault("_mail_queue", []).append(partial(render_email, template, to, locale,
                                                   **context))


def _rendered(queue: list[OutgoingEmail | Callable[[], OutgoingEmail]]) -> list[OutgoingEmail]:
    """The queue with its deferred renderings done (in place: each is rendered once)."""
    for index, item in enumerate(queue):
        if not isinstance(item, OutgoingEmail):
            queue[index] = item()
    return cast("list[OutgoingEmail]", queue)  # (every item is an OutgoingEmail now)


def queued_emails() -> list[OutgoingEmail]:
    return list(_rendered(g.get("_mail_queue", [])))


def discard_queued() -> None:
    g.pop("_mail_queue", None)


def commit_and_send() -> None:
    """Commit the session, then send what the request queued (nothing if commit fails)."""
    try:
        db.session.commit()
    except Exception:
        discard_queued()
        raise
    send_queued()


def send_queued() -> int:
    """Send every queued message; a delivery failure is logged, never shown as a crash.

    The change is already committed at this point: failing the request would make the
    person retry a registration that succeeded.
    """
    messages = g.pop("_mail_queue", [])
    sent = 0
    for item in messages:
        try:
            message = item if isinstance(item, OutgoingEmail) else item()
        except Exception:
            # (after the commit: the change stands, so the request must not fail)
            log.exception("could not render a queued email")
            continue
        try:
            deliver(build_message(message))
            sent += 1
        except (OSError, smtplib.SMTPException):
            log.exception("could not send email %r to %s", message.subject, message.to)
    return sent


def build_message(message: OutgoingEmail) -> EmailMessage:
    config = current_app.config
    sender = config["MAIL_SENDER"]
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else None
    email["Message-ID"] = make_msgid(domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    for part in message.alternatives:
        maintype, subtype = part.mimetype.split("/", 1)
        email.add_alternative(part.content.decode("utf-8"), subtype=subtype,
                              params=dict(part.params))
    for part in message.attachments:
        maintype, subtype = part.mimetype.split("/", 1)
        params = dict(part.params)
        if maintype == "text":
            params.setdefault("charset", "utf-8")
        email.add_attachment(part.content, maintype=maintype, subtype=subtype,
                             filename=part.filename, params=params)
    return email


def deliver(email: EmailMessage) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        _send_smtp(email, config)
    else:
        _write_to_outbox(email, Path(config["MAIL_OUTBOX_DIR"]))


def _send_smtp(email: EmailMessage, config) -> None:
    """STARTTLS (port 587, SMTP_STARTTLS) or implicit TLS when the port is 465."""
    port = int(config["MAIL_PORT"])
    connection = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
    with connection(config["MAIL_SERVER"], port, timeout=20) as smtp:
        if config.get("MAIL_USE_TLS") and port != 465:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(email)


def _write_to_outbox(email: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", str(email["To"]))[:80]
    path = outbox / f"{time.time_ns()}-{recipient}.eml"
    path.write_bytes(email.as_bytes())
    log.info("email to %s: %s (written to %s)", email["To"], email["Subject"], path)
    return path
