"""``flask --app eventapp api-token EMAIL`` and ``revoke-api-token PREFIX``."""

from __future__ import annotations

import click
from flask import Blueprint

from ..auth.models import find_user_by_email
from ..extensions import db
from .tokens import (
    ApiTokenError,
    issue_api_token,
    live_tokens,
    revoke_by_prefix,
    revoke_user_tokens,
)


def register_commands(bp: Blueprint) -> None:
    @bp.cli.command("api-token")
    @click.argument("email")
    @click.option("--name", default="", help="A label to recognise the token by.")
    @click.option("--revoke-all", is_flag=True, help="Revoke every token of this account.")
    @click.option("--list", "list_only", is_flag=True, help="List the live tokens' prefixes.")
    def api_token_command(email: str, name: str, revoke_all: bool, list_only: bool) -> None:
        """Print a new API token for an organiser or staff account (shown once)."""
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"no account with the email {email}")
        if list_only:
            for row in live_tokens(user):
                used = row.last_used_at.isoformat() if row.last_used_at else "never"
                click.echo(f"{row.token_prefix}…  {row.name or '-'}  created "
                           f"{row.created_at.isoformat()}  last used {used}")
            return
        if revoke_all:
            count = revoke_user_tokens(user)
            db.session.commit()
            click.echo(f"Revoked {count} token(s) of {user.email}.")
            return
        try:
            _row, clear = issue_api_token(user, name)
        except ApiTokenError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(clear)
        click.echo(f"New {user.role} token for {user.email}: store it now, it is not shown "
                   "again.", err=True)

    @bp.cli.command("revoke-api-token")
    @click.argument("prefix")
    def revoke_api_token_command(prefix: str) -> None:
        """Revoke the API token starting with PREFIX (at least eva_ + 8 characters)."""
        try:
            row = revoke_by_prefix(prefix)
        except ApiTokenError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Revoked {row.token_prefix}… of {row.user.email}.")
