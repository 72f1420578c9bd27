"""The commands that move history in and out of the store: `import` (terms archives and exports), `export`,
`store copy` (a SQLite store into PostgreSQL) and `backfill` (from a web archive)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import click

from bot.app import DATABASE_URL_ENV, App, PollerLock, StartupError, sqlite_only
from bot.cli import _check_platform, _load, _run, main
from bot.pipeline.backup import export_state, import_state, is_export
from bot.pipeline.history_import import backfill_platform, import_archive
from bot.store.copy import copy_store, sqlite_source
from bot.store.database import StoreError


def _import_counts(report: dict[str, Any]) -> str:
    return (f"{report['seen']} versions: {report['stored']} stored, {report['duplicates']} duplicates, "
            f"{report['skipped']} skipped, "
            + (f"{report['already_handled']} captures already handled, " if report.get("already_handled") else "")
            + (f"{report['failed']} failed, " if report.get("failed") else "")
            + f"{report['changes']} changes recorded")


@main.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Restoring an export: set an existing database aside and replace it.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_context
def import_(ctx: click.Context, path: Path, replace: bool, as_json: bool) -> None:
    """Import past versions of terms from a git archive, or restore an export.

    PATH is a folder inside a git repository laid out <Service>/<Terms type>.md (e.g. a clone of a public
    terms archive): each file is matched to a configured platform (id, name or alias; case and accents
    ignored) and document type; its commits become dated versions and clause-level changes, oldest first.
    No alert is posted. Older versions are inserted in date order; a text already stored is skipped, so
    re-runs are safe.

    PATH may also be an archive written by `clausewatch export`: its database is restored into the
    configured storage (refused while a poller runs, and over existing data unless --replace).
    """
    if is_export(path):
        _restore(ctx, path, replace, as_json)
        return
    if path.is_file():
        click.echo(f"error: {path} is neither a folder of terms nor a Clausewatch export", err=True)
        ctx.exit(1)
    directory = path
    config = _load(ctx)

    async def work() -> dict[str, Any]:
        async with App.open(config) as app:
            return await import_archive(app.store, config, directory)

    report = _run(ctx, work)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for entry in report["files"]:
        label = f"{entry['service']}/{entry['type']}"
        if entry["status"] == "imported":
            click.echo(f"{label} → {entry['source']}: {_import_counts(entry['report'])}")
        else:
            click.echo(f"{label}: skipped ({entry['reason']})")
    click.echo(f"total: {_import_counts(report['totals'])}")


def _restore(ctx: click.Context, path: Path, replace: bool, as_json: bool) -> None:
    config = _load(ctx)
    lock = PollerLock(config.storage)
    try:
        sqlite_only(config, "import of an export")
        lock.acquire()
        report = import_state(config, path, replace)
    except (StoreError, StartupError, OSError, tarfile.TarError) as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(1)
        raise
    finally:
        lock.release()
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    manifest = report["manifest"]
    click.echo(f"restored {report['restored']} from an export of {manifest['created_at']}")
    if report["previous_database"]:
        click.echo(f"the previous database is kept as {report['previous_database']}")
    if report["archived_config"]:
        click.echo(f"the archived configuration differs from yours: written to {report['archived_config']}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.pass_context
def export(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Write the whole state to FILE (.tar.gz): the configuration file and a consistent copy of the
    database (routes, subscriptions, feeds added from chat, history, snapshots, outbox). Safe while the
    bot runs; `clausewatch import FILE` restores it."""
    config = _load(ctx)
    try:
        sqlite_only(config, "export")
        manifest = export_state(config, file)
    except (StoreError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(1)
        raise
    if as_json:
        click.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        return
    rows = sum(manifest["tables"].values())
    click.echo(f"exported {rows} rows in {len(manifest['tables'])} tables and {config.path.name} to {file}")


@main.group(name="store")
def store_group() -> None:
    """Move the store to another database."""


@store_group.command(name="copy")
@click.option("--to", "url", envvar=DATABASE_URL_ENV, show_envvar=True, metavar="URL",
              help="The PostgreSQL database, postgresql://user@host:port/database (default: $CLAUSEWATCH_DATABASE_URL). "
                   "Give its password in PGPASSWORD or ~/.pgpass rather than on the command line.")
@click.option("--replace", is_flag=True, help="Empty the target first when it already holds data.")
@click.option("--json", "as_json", is_flag=True, help="Print the report (per-table counts and checksums) as JSON.")
@click.pass_context
def store_copy(ctx: click.Context, url: str | None, replace: bool, as_json: bool) -> None:
    """Copy the SQLite store (history, snapshots, stories, routes, subscriptions, outbox) into PostgreSQL, in one
    transaction, and verify every table's row count and checksum before committing; exit 1, the target left as it
    was, on any mismatch. Refused while a poller runs on the storage, and over existing data unless --replace."""
    config = _load(ctx)
    lock = PollerLock(config.storage)
    try:
        source = sqlite_source(config.storage, config.database_url)
        lock.acquire()
        report = copy_store(source, url or "", replace)
    except (StoreError, StartupError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(1)
        raise
    finally:
        lock.release()
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else "\n".join(report.summary()))
    ctx.exit(0 if report.verified else 1)


@main.command()
@click.argument("platform")
@click.option("--document", "doc_type", default=None, help='Only this document type, e.g. "Terms of Service".')
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only captures from this day on (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the backfill report as JSON.")
@click.pass_context
def backfill(ctx: click.Context, platform: str, doc_type: str | None, since: Any, as_json: bool) -> None:
    """Fill a platform's document history from Wayback Machine captures (config: `archive`).

    Lists each URL document's captures, fetches them one at a time (`archive.delay` apart) in their
    original form and stores each new text as a version dated by its capture, with clause-level changes.
    No alert is posted. Captures a previous backfill handled are not fetched again.
    """
    config = _load(ctx)
    _check_platform(ctx, config, platform)

    async def work() -> dict[str, Any]:
        async with App.open(config) as app:
            return await backfill_platform(app.store, config, app.poller.fetcher, platform, doc_type,
                                           since.date() if since else None)

    report = _run(ctx, work)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for entry in report["documents"]:
        if entry["report"] is None:
            click.echo(f"{entry['type']}: skipped ({entry['reason']})")
            continue
        click.echo(f"{entry['type']} ({entry['url']}): {_import_counts(entry['report'])}")
        for problem in entry["report"]["problems"]:
            click.echo(f"  {problem}")
