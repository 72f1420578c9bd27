"""The read-only web view as an aiohttp application: the index of platforms, a platform's page with its timeline,
one change's clause diff, one story's thread, raw version texts and an Atom feed per platform. GET and HEAD only,
every text escaped by the templates, a strict Content-Security-Policy and no third-party asset."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.core.config import Config
from bot.core.terms.change_view import KINDS, ChangeLayout, lay_out, recorded_only
from bot.core.terms.clauses import ClauseChange
from bot.core.topics import topic_name
from bot.pipeline.reports import status_report
from bot.store.database import Snapshot, Store, StoreError
from bot.web.atom_feed import platform_feed
from bot.web.timeline import Lane, Mark, timeline_svg

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    # Nothing but our own stylesheet: no script at all, no inline style, no frame, no form.
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
                                "form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STORE_KEY = web.AppKey("store", Store)
ConfigSource = Callable[[], Config]  # the current configuration (it may be reloaded)
CONFIG_KEY: web.AppKey[ConfigSource] = web.AppKey("config")
PAGES_KEY = web.AppKey("pages", Environment)
LaidOut = tuple[dict[str, Any], Snapshot | None, Snapshot, ChangeLayout]  # a change, its versions, its layout
LAYOUTS_KEY: web.AppKey[dict[str, LaidOut]] = web.AppKey("layouts")  # by event key, oldest first
LAYOUTS_KEPT = 16  # changes laid out and kept for paging (a 2,000-clause rewrite is a few MB)


def web_link(url: str | None) -> str | None:
    """`url` when it is an http(s) address fit for a link; None for anything else (javascript:, data:, relative)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("bot.web", "templates"), autoescape=select_autoescape(default=True),
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["topic"] = topic_name
    environment.filters["web_link"] = web_link
    environment.filters["when"] = _when
    environment.filters["segment"] = lambda value: quote(str(value), safe="")
    return environment


def _when(value: str | None) -> str:
    """An ISO time as `2024-02-07 14:05 UTC` (a date alone as is)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if len(value) <= 10:
        return moment.strftime("%Y-%m-%d")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer; a store that cannot be read is a 503 page and a bug a 500 page, never a
    traceback."""
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = _not_found(request, "There is no such page.")
    except web.HTTPException as error:  # 405 for anything but GET and HEAD (with its Allow header), …
        error.headers.update(SECURITY_HEADERS)
        raise
    except StoreError as error:
        log.error("web: %s: cannot read the store: %s", request.path, error)
        response = _page(request, "problem.html", {"title": "Storage unavailable",
                                                    "reason": "The store cannot be read right now."}, status=503)
    except Exception:  # a bug: logged with its traceback, the visitor gets a plain page (never the traceback)
        log.exception("web: %s: internal error", request.path)
        response = _page(request, "problem.html", {"title": "Internal error",
                                                    "reason": "This page could not be shown."}, status=500)
    response.headers.update(SECURITY_HEADERS)
    return response


def _page(request: web.Request, template: str, values: dict[str, Any], status: int = 200) -> web.Response:
    text = request.app[PAGES_KEY].get_template(template).render(**values)
    return web.Response(text=text, content_type="text/html", charset="utf-8", status=status)


def _not_found(request: web.Request, what: str) -> web.Response:
    return _page(request, "problem.html", {"title": "Not found", "reason": what}, status=404)


async def index(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]()
    store = request.app[STORE_KEY]
    latest = await store.latest_changes()
    platforms = sorted(config.platforms.items(),
                       key=lambda item: (latest.get(item[0]) or {}).get("new_fetched_at") or "", reverse=True)
    rows = [{"id": pid, "name": platform.name, "documents": len(platform.documents), "latest": latest.get(pid)}
            for pid, platform in platforms]
    return _page(request, "index.html", {"title": "Platforms", "platforms": rows})


async def platform_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]()
    store = request.app[STORE_KEY]
    platform_id = request.match_info["platform"]
    if platform_id not in config.platforms:
        return _not_found(request, "No watched platform has this id.")
    report = await status_report(config, store, platform_id)
    changes = await store.platform_changes(platform_id)
    lanes = []
    history: dict[str, list[dict[str, Any]]] = {}  # source id → its versions, newest first, with the change each brought
    by_version = {c["new_snapshot_id"]: c for c in changes if c["event_key"]}
    for spec in config.platforms[platform_id].documents:
        versions = await store.snapshots(spec.id, limit=500)
        history[spec.id] = [{**v, "change": by_version.get(v["id"])} for v in versions]
        marks = [Mark(v["fetched_at"], title=f"version of {_when(v['fetched_at'])}") for v in versions]
        marks += [Mark(c["new_fetched_at"], c["severity"] or "low", ", ".join(topic_name(t) for t in c["topics"][:2])
                       or "change", f"{_when(c['new_fetched_at'])}: {c['severity']} — "
                       f"{', '.join(topic_name(t) for t in c['topics']) or 'no topic'} ({len(c['clauses'])} clauses)",
                       f"/changes/{quote(c['event_key'] or '', safe='')}")
                  for c in changes if c["source_id"] == spec.id and c["event_key"]]
        lanes.append(Lane(spec.doc_type or spec.id, tuple(marks)))
    stories = report["stories"]  # (the status report's recent stories)
    statements = await store.latest_statements(platform_id, limit=5)
    return _page(request, "platform.html", {
        "title": report["name"], "platform": platform_id, "report": report, "changes": changes,
        "timeline": timeline_svg(lanes), "stories": stories, "statements": statements, "history": history,
    })


async def change_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]()
    key = request.match_info["key"]
    laid = request.app[LAYOUTS_KEY].pop(key, None)  # (put back last: the most recently used)
    if laid is None:  # a change never changes: read and laid out once, then paged from memory
        laid = await _lay_out_change(request.app[STORE_KEY], key)
        if laid is None:
            return _not_found(request, "No recorded terms change has this key.")
    layouts = request.app[LAYOUTS_KEY]
    layouts[key] = laid
    while len(layouts) > LAYOUTS_KEPT:
        layouts.pop(next(iter(layouts)))
    change, old, new, layout_of_change = laid
    layout = "inline" if request.query.get("view") == "inline" else "side"
    try:
        page = int(request.query.get("page", "1"))
    except ValueError:
        page = 1
    view = await asyncio.to_thread(layout_of_change.page, page)  # (highlights of long clauses take a while)
    platform = config.platforms.get(change["platform"])
    return _page(request, "change.html", {
        "title": f"{platform.name if platform else change['platform']}: {change['doc_type'] or change['source_id']} "
                 f"changed on {_when(change['new_fetched_at'])}",
        "change": change, "old": old, "new": new, "view": view, "layout": layout, "kinds": KINDS,
        "platform_name": platform.name if platform else change["platform"],
        "base": f"/changes/{quote(request.match_info['key'], safe='')}",
    })


async def _lay_out_change(store: Store, key: str) -> LaidOut | None:
    """The change recorded under `key` with both versions (their texts dropped once laid out) and its layout."""
    found = await store.change_with_versions(key)
    if found is None:
        return None
    change, old, new = found
    posted = [ClauseChange(c["kind"], c["path"], c.get("old_path"), c.get("old_text"), c.get("new_text"),
                           c.get("inline"), tuple(c.get("topics") or ()), c.get("severity") or "low")
              for c in change["clauses"]]
    # Without the version before (pruned), the posted clauses are all there is to show.
    layout = await asyncio.to_thread(lay_out, old.text, new.text, posted) if old else recorded_only(posted)
    return change, old and dataclasses.replace(old, text=""), dataclasses.replace(new, text=""), layout


async def story_page(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    thread = request.match_info["thread"]
    posts, statements = await store.thread_posts(thread)
    if not posts:
        return _not_found(request, "No story has this thread key.")
    opener = posts[0]
    return _page(request, "story.html", {"title": opener.get("title") or thread, "thread": thread, "posts": posts,
                                         "statements": statements, "platform": opener.get("platform")})


async def version_text(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    try:
        snapshot_id = int(request.match_info["version"])
    except ValueError:
        return _not_found(request, "Versions are numbered.")
    snapshot = await store.snapshot_by_id(snapshot_id)
    if snapshot is None:
        return _not_found(request, "No stored version has this number.")
    return web.Response(text=snapshot.text, content_type="text/plain", charset="utf-8")


async def platform_atom(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]()
    platform_id = request.match_info["platform"]
    if platform_id not in config.platforms:
        return _not_found(request, "No watched platform has this id.")
    messages = await request.app[STORE_KEY].recent_messages(platform_id, limit=50)
    body = platform_feed(platform_id, config.platforms[platform_id].name, messages, _base_url(request, config))
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")


def _base_url(request: web.Request, config: Config) -> str:
    """`web.base_url`, else "": links relative to the feed's own address (never built from a Host header)."""
    return config.web.base_url if config.web is not None and config.web.base_url else ""


def _static(name: str, content_type: str) -> Handler:
    """A handler serving one file of bot/web/static (read once)."""
    body = resources.files("bot.web").joinpath("static", name).read_bytes()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, headers={"Cache-Control": "max-age=3600"})

    return handler


def web_application(store: Store, config: Callable[[], Config]) -> web.Application:
    """The pages over `store`; `config` gives the current configuration (it may be reloaded)."""
    app = web.Application(middlewares=[_guard], client_max_size=1024)
    app[STORE_KEY] = store
    app[CONFIG_KEY] = config
    app[PAGES_KEY] = _environment()
    app[LAYOUTS_KEY] = {}
    app.router.add_get("/", index)
    app.router.add_get("/style.css", _static("style.css", "text/css"))
    app.router.add_get("/favicon.svg", _static("favicon.svg", "image/svg+xml"))
    app.router.add_get("/platforms/{platform}", platform_page)
    app.router.add_get("/platforms/{platform}/feed.atom", platform_atom)
    app.router.add_get("/changes/{key}", change_page)
    app.router.add_get(r"/versions/{version:\d{1,18}}.txt", version_text)
    app.router.add_get("/stories/{thread}", story_page)
    return app
