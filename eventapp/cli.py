"""Command-line commands (``flask --app eventapp COMMAND``)."""

from __future__ import annotations

import sys

import click
from flask import Flask

from .extensions import db


def _read_password(prompt_confirmation: bool = True) -> str:
    """Prompt on a terminal; read one line from standard input when scripted."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=prompt_confirmation)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["organiser", "staff"]), required=True)
@click.option("--name", default="", help="Display name.")
def create_user_command(email: str, role: str, name: str) -> None:
    """Create an organiser or staff account; the password is prompted or read from stdin."""
    from .auth.operations import AccountError, create_user

    password = _read_password()
    try:
        user = create_user(email, password, role, name=name)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("load-demo")
@click.option("--reset", is_flag=True,
              help="Replace the demo event (and everything in it) by a fresh copy.")
def load_demo_command(reset: bool) -> None:
    """Load the demo day (7 December 2016) and the demo accounts."""
    from .demo.loader import DEMO_ACCOUNTS, ensure_demo_accounts, find_demo_event, load_demo

    existed = find_demo_event() is not None
    event = load_demo(reset=reset)
    created = ensure_demo_accounts()
    db.session.commit()
    if existed and not reset:
        click.echo(f"The demo event is already loaded: {event.name} (/e/{event.slug}/). "
                   "Use --reset to replace it.")
    else:
        click.echo(f"{'Reloaded' if existed else 'Loaded'} the demo event: {event.name} "
                   f"(/e/{event.slug}/).")
    for account in DEMO_ACCOUNTS:
        state = "created" if account in created else "already present"
        click.echo(f"Demo {account.role} account {account.email} ({state}); "
                   f"password: {account.password}")


def init_app(app: Flask) -> None:
    from .exchange import cli as exchange_cli

    app.cli.add_command(create_user_command)
    app.cli.add_command(load_demo_command)
    exchange_cli.init_app(app)
