"""Email: sent only after the commit, through a real SMTP server on loopback."""

from __future__ import annotations

import socket
import time
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.exc import IntegrityError

from eventapp.extensions import db
from eventapp.mail import (
    commit_and_send,
    queue_email,
    queued_emails,
    render_email,
    send_queued,
)
from eventapp.registration.models import Participant
from tests.factories import (
    email_text,
    make_event,
    make_participant,
    portal_token_in,
    read_outbox,
)


class _Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_config(app_config, smtp_inbox):
    _, port = smtp_inbox
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_SENDER="journee@example.org")
    return app_config


def _wait_for(inbox, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_registration_email_goes_through_smtp(smtp_config, smtp_inbox, client, app):
    inbox, _ = smtp_inbox
    event = make_event(slug="journee", name="Journée test")
    db.session.commit()
    response = client.post("/e/journee/register", data={
        "first_name": "Nora", "last_name": "Kaci", "email": "nora@example.org",
        "category": "association", "role": "participant", "consent": "y"})
    assert response.status_code == 302
    _wait_for(inbox, 1)
    [(sender, recipients, message)] = inbox.messages
    assert sender == "journee@example.org" and recipients == ["nora@example.org"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@example.org>")
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(preferencelist=("html",)).get_content()
    token = portal_token_in(message)
    assert f"/p/{token}/" in html
    assert "Nora" in email_text(message)
    assert response.headers["Location"].endswith("/e/journee/register/sent")
    assert read_outbox(app) == []  # SMTP configured: nothing written to the outbox
    del event


def test_a_failing_commit_sends_nothing(app):
    event = make_event()
    make_participant(event, key="same")
    db.session.commit()
    with app.test_request_context():
        # Unique (event, key) is violated only when the commit flushes.
        db.session.add(Participant(event_id=event.id, key="same", email="other@example.org"))
        queue_email(render_email("link_resent", "x@example.org", "fr", participant=event,
                                 event=event, link="http://localhost/p/abc/", settings=None))
        assert len(queued_emails()) == 1
        with pytest.raises(IntegrityError):
            commit_and_send()
        db.session.rollback()
        assert queued_emails() == []
        assert send_queued() == 0
    assert read_outbox(app) == []


def test_nothing_is_sent_before_the_commit(app):
    event = make_event()
    db.session.commit()
    with app.test_request_context():
        queue_email(render_email("link_resent", "x@example.org", "fr", participant=event,
                                 event=event, link="http://localhost/p/abc/", settings=None))
        assert read_outbox(app) == []
        commit_and_send()
    [message] = read_outbox(app)
    assert message["To"] == "x@example.org"
    assert "http://localhost/p/abc/" in email_text(message)


def test_smtp_failure_after_commit_is_logged_not_raised(app_config, client, app, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_USE_TLS=False)
    make_event(slug="journee")
    db.session.commit()
    response = client.post("/e/journee/register", data={
        "first_name": "Nora", "last_name": "Kaci", "email": "nora@example.org",
        "category": "association", "role": "participant", "consent": "y"})
    assert response.status_code == 302  # the registration stands
    assert "could not send email" in caplog.text
