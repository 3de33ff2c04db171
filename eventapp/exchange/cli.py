"""``flask export-instance`` and ``flask import-instance``: the exchange format on the shell.

Errors end with exit status 1 and the list of problems on stderr (one ``path: message``
per line, as the solver prints them), never with a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..events.models import Event
from ..extensions import db
from .operations import InstanceImportError, import_instance, load_document, validate_instance
from .queries import event_counts, export_instance, instance_json


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


def _event(slug: str) -> Event:
    event = db.session.scalar(db.select(Event).where(Event.slug == slug))
    if event is None:
        _fail([f'no event with slug "{slug}"'])
    return event


@click.command("export-instance")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write to this file instead of standard output.")
def export_instance_command(slug: str, output: Path | None) -> None:
    """Write event SLUG as a speed-dating-instance/1 JSON document."""
    text = instance_json(export_instance(_event(slug)))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)


@click.command("import-instance")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", "slug", metavar="SLUG",
              help="Replace this event's programme and participants instead of creating one.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation when replacing.")
def import_instance_command(file: Path, slug: str | None, yes: bool) -> None:
    """Create an event (or replace one with --replace) from an instance FILE."""
    event = _event(slug) if slug else None
    try:
        document = load_document(file.read_bytes())
        validate_instance(document)  # report problems before asking anything
        if event is not None and not yes:
            counts = event_counts(event)
            click.confirm(f'Replace the programme of "{event.name}" ({counts["participants"]} '
                          f'participants, {counts["sessions"]} sessions, '
                          f'{counts["assignments"]} assignments)?', abort=True, err=True)
        event = import_instance(document, event=event)
    except InstanceImportError as error:
        db.session.rollback()
        _fail([f"{file}: {len(error.errors)} problem(s), nothing imported"]
              + [f"{path}: {message}" for path, message in error.errors])
    db.session.commit()
    assert event is not None  # import_instance returns the event it filled
    counts = event_counts(event)
    click.echo(f'{"Replaced" if slug else "Imported"} "{event.name}" as {event.slug}: '
               f'{counts["participants"]} participants, {counts["sessions"]} sessions.')


def init_app(app) -> None:
    app.cli.add_command(export_instance_command)
    app.cli.add_command(import_instance_command)
