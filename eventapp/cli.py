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


def init_app(app: Flask) -> None:
    from .exchange import cli as exchange_cli

    app.cli.add_command(create_user_command)
    exchange_cli.init_app(app)
