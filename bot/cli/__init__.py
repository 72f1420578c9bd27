"""The `clausewatch` command line: parses options, calls the App, prints results. No logic of its own."""

from __future__ import annotations

import asyncio
import difflib
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from bot import __version__
from bot.app import (
    App,
    ChatEnv,
    StartupError,
    config_path,
    database_label,
    discord_invite,
    install_stop_signals,
    load_config,
    plan_channels,
    setup_logging,
    web_address,
)
from bot.core.config import Config, ConfigError
from bot.core.events import clause_lines
from bot.core.terms.clauses import ClauseChange
from bot.core.text import plain
from bot.pipeline.history_import import ArchiveError
from bot.pipeline.poller import Progress
from bot.pipeline.reports import (
    diff_report,
    document_specs,
    health_report,
    history_report,
    overview_report,
    routes_report,
    sources_report,
    status_report,
    stories_report,
    why_report,
)
from bot.store.database import Store, StoreError

T = TypeVar("T")
CONFIG_ERROR_EXIT = 2


def _terminal_progress(label: str) -> Progress | None:
    """A one-line progress counter on a terminal; None (plain logs) otherwise."""
    if not sys.stderr.isatty():
        return None
    last = 0.0

    def show(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done == total or now - last > 0.1:
            last = now
            end = "\n" if done == total else ""
            sys.stderr.write(f"\r{label}: {done}/{total} sources{end}")
            sys.stderr.flush()

    return show


def _load(ctx: click.Context) -> Config:
    """The configuration named by --config (or its defaults); exits 2 with the problems when it is invalid."""
    path = config_path(ctx.obj["config"])
    try:
        return load_config(path)
    except ConfigError as error:
        click.echo(str(error), err=True)
        ctx.exit(CONFIG_ERROR_EXIT)
        raise  # unreachable: ctx.exit raises


def _run(ctx: click.Context, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work`; a store, startup or archive error exits 1 with its reason, not a traceback."""
    try:
        return asyncio.run(work())
    except (StoreError, StartupError, ArchiveError) as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(1)
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (default: $CLAUSEWATCH_CONFIG, else ./feeds.yaml).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False), help="Log verbosity.")
@click.option("--log-format", default="human", show_default=True, type=click.Choice(["human", "json"]),
              help="Log lines as text or as JSON objects.")
@click.version_option(__version__, prog_name="clausewatch")
@click.pass_context
def main(ctx: click.Context, config: str | None, log_level: str, log_format: str) -> None:
    """Watch platforms' terms and policy news; post threaded updates to chat, console and JSONL."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    setup_logging(log_level, log_format)


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the configuration and print a summary of what would be watched."""
    config = _load(ctx)
    plan = plan_channels(config)
    documents = sum(len(p.documents) for p in config.platforms.values())
    platform_feeds = sum(len(p.feeds) for p in config.platforms.values())
    click.echo(f"{config.path}: OK")
    click.echo(f"  storage:   {config.storage}")
    click.echo(f"  database:  {database_label(config)}")
    click.echo(f"  poll:      every {config.poll.interval:g}s, {config.poll.concurrency} at once "
               f"({config.poll.per_host} per host), timeout {config.poll.timeout:g}s, max {config.poll.max_bytes} bytes")
    click.echo(f"  platforms: {len(config.platforms)} ({', '.join(config.platforms) or 'none'})")
    click.echo(f"  sources:   {len(config.sources())} ({documents} documents, {platform_feeds} platform feeds, "
               f"{len(config.feeds)} news feeds)")
    click.echo(f"  channels:  {len(config.channels)}")
    for channel in config.channels:
        state = "active" if channel.id not in plan.inactive else f"inactive: {plan.inactive[channel.id]}"
        filters = []
        if channel.platforms is not None:
            filters.append("platforms=" + ",".join(sorted(channel.platforms)))
        if channel.topics is not None:
            filters.append("topics=" + ",".join(sorted(channel.topics)))
        click.echo(f"    - {channel.id} ({channel.kind} → {channel.target}) {' '.join(filters)} [{state}]")
    if config.web is not None:
        host, port = web_address(config)
        click.echo(f"  web view:  http://{host}:{port}/ while `run` runs"
                   + (f"; posts link to {config.web.base_url}" if config.web.base_url else "; no base_url: posts carry no link"))
    for warning in config.warnings:
        click.echo(f"  warning: {warning}")


@main.command()
@click.option("--once", is_flag=True, help="Run one full cycle over every source, deliver, and exit.")
@click.pass_context
def poll(ctx: click.Context, once: bool) -> None:
    """Fetch every source, store what changed, and deliver the resulting events.

    Exits 0 even when sources fail (their failures are recorded); non-zero only for configuration errors.
    Without --once, keeps polling like `clausewatch run`.
    """
    config = _load(ctx)
    if not once:
        ctx.invoke(run)
        return

    async def work() -> None:
        async with App.open(config, exclusive=True) as app:
            cycle, delivery = await app.poll_once(_terminal_progress("polling"))
        click.echo(
            f"polled {cycle.sources} sources in {cycle.seconds:.1f}s: {cycle.ok} changed or new, "
            f"{cycle.not_modified} not modified, {cycle.unchanged} unchanged, {cycle.failed} failed; "
            f"{cycle.events} events, {delivery.delivered} deliveries",
            err=True,
        )

    _run(ctx, work)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Poll continuously, each source on its own interval; SIGINT/SIGTERM finish the cycle and exit."""
    config = _load(ctx)

    async def work() -> None:
        stop = asyncio.Event()
        install_stop_signals(stop)
        async with App.open(config, exclusive=True, listen=True) as app:
            logging.getLogger("bot").info("watching %d sources; Ctrl-C to stop", len(config.sources()))
            await app.run(stop, _terminal_progress("polling"))
        logging.getLogger("bot").info("stopped cleanly")

    _run(ctx, work)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """Table of sources with health, last fetch, next due and last error, then the delivery routes
    (kind `route`): `ok`, `inactive` (no chat token) or `disabled` (the chat platform refused the channel).
    `--json` lists the sources; `status --json` lists the routes."""
    config = _load(ctx)

    rows = _report(ctx, config, sources_report)
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False))
        return
    inactive = plan_channels(config).inactive
    rows += _report(ctx, config, lambda c, store: routes_report(c, store, inactive))
    header = ("SOURCE", "KIND", "HEALTH", "LAST FETCH", "OUTCOME", "NEXT DUE", "LAST ERROR")
    table = [header] + [
        (r.id, r.kind, r.health, r.last_fetch or "-", r.last_outcome or "-", r.next_due or "-", (r.last_error or "")[:60])
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    for row in table:
        _say("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + str(row[-1]))


@main.command()
@click.argument("platform", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON (a contract).")
@click.pass_context
def status(ctx: click.Context, platform: str | None, as_json: bool) -> None:
    """A platform's current terms status and recent events (all platforms in brief without PLATFORM)."""
    report = _platform_report(ctx, platform, as_json, lambda c, store: (
        overview_report(c, store, plan_channels(c).inactive) if platform is None else status_report(c, store, platform)))
    if report is None:
        return
    for entry in report.get("platforms", [report]):
        _say(f"{entry.get('name', entry['platform'])} ({entry['platform']})")
        for doc in entry["documents"]:
            granted = doc.get("ai_training_granted", (doc.get("ai_training") or {}).get("granted"))
            ai = {True: "grants AI training", False: "no AI-training clause", None: "not fetched yet"}[granted]
            _say(f"  {doc['type']}: {doc['health']}, last change {doc['last_change'] or '-'}, {ai}")
            clause = (doc.get("ai_training") or {}).get("clause")
            if clause:
                _say(f"    “{clause[:200]}”")
        statement = entry.get("statement")
        if statement:
            _say(f"  latest statement: {statement['speaker']} ({statement['channel']}), {statement['at']}")
            for point in statement["points"]:
                _say(f"    • {point}")
        for story in entry.get("stories", []):
            _say(f"  story: {story['title']} ({story['items']} posts, last {story['last_at']})")
        for event in entry["recent"]:
            _say(f"  [{event['event']}] {event['title']} ({event['at']})")
    if platform is None:
        cycle = report.get("last_cycle")
        _say(f"last poll cycle: {cycle['finished_at']}: {cycle['sources']} sources, {cycle['ok']} ok, "
             f"{cycle['failed']} failed, {cycle['events']} events" if cycle else "last poll cycle: none yet")
        for route in report.get("routes", []):
            reason = f" — {route['reason']}" if route.get("reason") else ""
            _say(f"route {route['id']} ({route['output']}): {route['health']}{reason}")


@main.command()
@click.option("--platform", "platform", help="Only this platform's stories.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def stories(ctx: click.Context, platform: str | None, as_json: bool) -> None:
    """Recent stories (threads), newest activity first, with item counts."""
    report = _platform_report(ctx, platform, as_json, lambda c, store: stories_report(c, store, platform))
    if report is None:
        return
    if not report["stories"]:
        _say("no stories yet")
    for story in report["stories"]:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(story["kinds"].items()))
        _say(f"{story['last_at']}  {story['platform'] or '-'}  {story['title']}  ({kinds})")


@main.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def why(ctx: click.Context, url: str, as_json: bool) -> None:
    """What happened to one article: seen in which feed, attributed to which platform, which thread,
    posted where — or why not."""
    config = _load(ctx)
    report = _report(ctx, config, lambda c, store: why_report(c, store, url))
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if not report["seen"]:
        _say(f"{url}: {report['reason']}")
        return
    for entry in report["entries"]:
        _say(f"seen in {entry['source']} on {entry['first_seen_at']}: {entry['title']}")
        _say(f"  platform: {entry['platform'] or 'none'}" + (f" ({entry['attribution']})" if entry["attribution"] else "")
             + f"; language: {entry['language'] or '-'}; thread: {entry['thread']}")
        if entry.get("thread_reason"):
            _say(f"  thread: {entry['thread_reason']}")
        for post in entry["posts"]:
            where = ", ".join(f"{d['channel_id']} {d['status']}" + (f" ({d['last_error']})" if d["last_error"] else "")
                              for d in post["deliveries"]) or post["reason"]
            _say(f"  {post['event']} at {post['at']}: {where}")
        if entry["reason"]:
            _say(f"  not posted: {entry['reason']}")


@main.command(name="discord-invite")
@click.option("--application-id", help="The Discord application id (default: read from DISCORD_TOKEN).")
@click.pass_context
def discord_invite_(ctx: click.Context, application_id: str | None) -> None:
    """Print the URL that adds the bot to a Discord server, with exactly the scopes (bot,
    applications.commands) and permissions it needs."""
    try:
        click.echo(discord_invite(application_id, ChatEnv.from_env()))
    except StartupError as error:
        click.echo(f"error: {error}", err=True)
        ctx.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def health(ctx: click.Context, as_json: bool) -> None:
    """Exit 0 when the database takes writes and the last poll cycle is at most three intervals old,
    1 otherwise (for container HEALTHCHECKs and monitoring)."""
    config = _load(ctx)
    report = _report(ctx, config, lambda c, store: health_report(c, store, time.time()))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    elif report["healthy"]:
        click.echo(f"healthy: last poll cycle {report['last_cycle_at']} ({report['age_seconds']:.0f}s ago)")
    else:
        click.echo("unhealthy: " + "; ".join(report["problems"]), err=True)
    ctx.exit(0 if report["healthy"] else 1)


def _check_platform(ctx: click.Context, config: Config, platform: str) -> None:
    """Exit 1 with the closest known names when `platform` is not configured."""
    if platform in config.platforms:
        return
    close = difflib.get_close_matches(platform.lower(), list(config.platforms), n=5, cutoff=0.5)
    known = close or list(config.platforms)[:8]
    click.echo(f"unknown platform {platform!r}; {'did you mean' if close else 'known'}: {', '.join(known)}", err=True)
    ctx.exit(1)


def _check_document(ctx: click.Context, config: Config, platform: str, document: str | None) -> None:
    """Exit 1 listing the platform's document types when `document` names none of them."""
    if document is None or document_specs(config, platform, document):
        return
    known = ", ".join(f"'{d.doc_type}'" for d in config.platforms[platform].documents) or "none"
    click.echo(f"{platform} has no document {document!r}; configured: {known}", err=True)
    ctx.exit(1)


def _say(text: str) -> None:
    """Print text that may hold feed or page text: escapes, control and bidi characters stripped, as the console
    channel does (JSON output is left exact)."""
    click.echo(plain(text))


def _report(ctx: click.Context, config: Config, build: Callable[[Config, Store], Awaitable[T]]) -> T:
    """Open the app on `config` for reading only and build a report from its store (works on read-only storage)."""

    async def work() -> T:
        async with App.open(config, read_only=True) as app:
            return await build(config, app.store)

    return _run(ctx, work)


def _document_arguments(command: Callable[..., Any]) -> Callable[..., Any]:
    """PLATFORM [DOCUMENT] [--json] and the context, as `diff` and `history` take them."""
    with_json = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    return click.argument("platform")(click.argument("document", required=False)(with_json(click.pass_context(command))))

def _platform_report(ctx: click.Context, platform: str | None, as_json: bool,
                     build: Callable[[Config, Store], Awaitable[dict[str, Any]]],
                     document: str | None = None) -> dict[str, Any] | None:
    """A report on one platform (or all), after checking the names given; printed as JSON here when asked
    (then None), else returned for the command to print as text."""
    config = _load(ctx)
    if platform is not None:
        _check_platform(ctx, config, platform)
        _check_document(ctx, config, platform, document)
    report = _report(ctx, config, build)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return None
    return report


@main.command()
@_document_arguments
def diff(ctx: click.Context, platform: str, document: str | None, as_json: bool) -> None:
    """The latest change of a platform's terms, clause by clause (DOCUMENT: a type such as "Terms of Service")."""
    report = _platform_report(ctx, platform, as_json, lambda c, store: diff_report(c, store, platform, document),
                              document)
    if report is None:
        return
    if not report["changes"]:
        _say(f"no recorded change for {platform}" + (f" {document}" if document else ""))
        return
    for change in report["changes"]:
        _say(f"{change['document']} — {change['old_version_at']} → {change['new_version_at']} "
             f"[{change['severity']}; {', '.join(change['topics']) or 'no topic'}]")
        if change["effective_date"]:
            _say(f"  effective {change['effective_date']}")
        for line in clause_lines([ClauseChange(**clause) for clause in change["clauses"]], quote_limit=2000):
            _say(f"  {line}")


@main.command()
@_document_arguments
def history(ctx: click.Context, platform: str, document: str | None, as_json: bool) -> None:
    """Dated versions and substantive changes of a platform's documents."""
    report = _platform_report(ctx, platform, as_json,
                              lambda c, store: history_report(c, store, platform, document), document)
    if report is None:
        return
    for doc in report["documents"]:
        _say(f"{doc['type']} ({len(doc['versions'])} versions)")
        for change in doc["changes"]:
            plural = "" if change["clauses"] == 1 else "s"
            _say(f"  {change['new_version_at']}  {change['severity']:<6} {change['clauses']} clause{plural} "
                 f"({', '.join(change['kinds'])}) {', '.join(change['topics'])}")
        for version in doc["versions"]:
            if version.get("note"):
                _say(f"  {version['fetched_at']}  {version['note']}")


@main.command()
@click.option("--keep", type=click.Path(file_okay=False), default=None,
              help="Keep the demo's storage and JSONL output in this folder instead of a temporary one.")
@click.option("--serve", "serve_pages", is_flag=True,
              help="Serve the web view of the demo's store, print its address and keep serving until Ctrl-C.")
@click.option("--port", type=click.IntRange(0, 65535), default=8088, show_default=True,
              help="Port of the web view with --serve (0: any free port).")
@click.pass_context
def demo(ctx: click.Context, keep: str | None, serve_pages: bool, port: int) -> None:
    """Offline demo: serves bundled fixtures on 127.0.0.1 and runs the real pipeline over several cycles."""
    from bot.demo import run_demo

    async def work() -> None:
        stop: asyncio.Event | None = None
        if serve_pages:
            stop = asyncio.Event()
            install_stop_signals(stop)
        await run_demo(sys.stdout, Path(keep) if keep else None, web_port=port if serve_pages else None, stop=stop)

    _run(ctx, work)


@main.command()
@click.option("--host", default=None,
              help="Address to listen on (default: $CLAUSEWATCH_WEB_HOST, else web.host, else 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (default: web.port, else 8088; 0: any free port).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the read-only web view of the store (platforms, timelines, clause diffs, stories) until Ctrl-C."""
    config = _load(ctx)
    default_host, default_port = web_address(config)

    async def work() -> None:
        stop = asyncio.Event()
        install_stop_signals(stop)
        async with App.open(config, read_only=True) as app:
            address = await app.serve_web(host or default_host, default_port if port is None else port)
            click.echo(f"web view: {address} (Ctrl-C to stop)")
            await stop.wait()

    _run(ctx, work)


if __name__ == "__main__":  # pragma: no cover
    main()


# The commands that move history in and out of the store register themselves on `main`.
from bot.cli import archives  # noqa: E402, F401
