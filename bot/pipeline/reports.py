"""Read-only reports over the store for the CLI: the sources table and a platform's status."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.config import Config, SourceSpec, slugify
from bot.core.health import health_word
from bot.core.routing import RouteTable
from bot.core.terms.dates import effective_date, last_updated
from bot.core.terms.stance import ai_training_stance
from bot.store.database import FetchState, Snapshot, Store, StoreError


@dataclass(frozen=True, slots=True)
class SourceRow:
    id: str
    kind: str
    platform: str | None
    health: str
    last_fetch: str | None
    last_outcome: str | None
    next_due: str | None
    consecutive_failures: int
    last_error: str | None
    url: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _announced(snapshot: Snapshot | None) -> str | None:
    """The effective date the current text announces (its "Effective …" lines are kept as metadata)."""
    if snapshot is None:
        return None
    return effective_date("\n".join((*json.loads(snapshot.metadata or "[]"), snapshot.text)))


def _health(state: FetchState | None) -> str:
    if state is None:
        return "new"
    return health_word(state.fetches, state.failing, state.consecutive_failures, state.last_error)


async def sources_report(config: Config, store: Store) -> list[SourceRow]:
    states = await store.fetch_states()
    rows: list[SourceRow] = []
    for spec in config.sources():
        state = states.get(spec.id)
        health = _health(state)
        due = None
        if state is not None and state.next_due_at is not None:
            due = datetime.fromtimestamp(state.next_due_at, UTC).isoformat(timespec="seconds")
        rows.append(
            SourceRow(spec.id, spec.kind, spec.platform, health, state.last_fetch_at if state else None,
                      state.last_outcome if state else None, due, state.consecutive_failures if state else 0,
                      state.last_error if state else None, spec.location)
        )
    return rows


async def status_report(config: Config, store: Store, platform_id: str,
                        states: dict[str, FetchState] | None = None) -> dict[str, Any]:
    """The JSON contract of `clausewatch status PLATFORM --json` (fields from the terms issue)."""
    platform = config.platforms[platform_id]
    if states is None:
        states = await store.fetch_states()
    documents: list[dict[str, Any]] = []
    for spec in platform.documents:
        latest = await store.latest_snapshot(spec.id)
        changes = await store.changes(spec.id, limit=1)
        state = states.get(spec.id)
        stance = ai_training_stance(latest.text) if latest else None
        documents.append(
            {
                "type": spec.doc_type,
                "url": spec.location,
                "source": spec.id,
                "health": _health(state),
                "last_fetch": state.last_fetch_at if state else None,
                "last_error": state.last_error if state else None,
                "version": latest.hash[:16] if latest else None,
                "version_fetched_at": latest.fetched_at if latest else None,
                "last_change": changes[0]["new_fetched_at"] if changes else None,
                "effective_date": (changes[0]["effective_date"] if changes else None) or _announced(latest),
                "last_updated": last_updated(json.loads(latest.metadata or "[]")) if latest else None,
                "ai_training": stance.to_dict() if stance else None,
            }
        )
    recent = [{k: message.get(k) for k in ("event", "title", "url", "topics", "severity", "at", "thread")}
              for message in await store.recent_messages(platform_id, limit=10)]
    stories = (await stories_report(config, store, platform_id, limit=5))["stories"]
    statements = await store.latest_statements(platform_id, limit=1)
    statement = None
    if statements:
        row = statements[0]
        statement = {"speaker": row["speaker"], "channel": row["channel"], "points": row["points"],
                     "quote": row["quote"], "url": row["url"], "at": row["at"], "thread": row["story"]}
    return {"platform": platform_id, "name": platform.name, "documents": documents, "recent": recent,
            "stories": stories, "statement": statement}


async def overview_report(config: Config, store: Store, inactive: dict[str, str]) -> dict[str, Any]:
    """`clausewatch status --json` without a platform: every platform's documents and health in brief, the last
    poll cycle and the delivery routes (`inactive`: channel id → why it has no adapter)."""
    platforms = []
    states = await store.fetch_states()  # read once for every platform
    for platform_id in config.platforms:
        report = await status_report(config, store, platform_id, states)
        platforms.append(
            {
                "platform": platform_id,
                "name": report["name"],
                "documents": [
                    {k: d[k] for k in ("type", "health", "last_change", "version")} | {
                        "ai_training_granted": (d["ai_training"] or {}).get("granted")
                    }
                    for d in report["documents"]
                ],
                "recent": report["recent"][:3],
            }
        )
    last_cycle = await store.last_cycle()
    routes = await routes_report(config, store, inactive)
    return {"platforms": platforms, "last_cycle": last_cycle,
            "routes": [{"id": r.id, "output": r.url, "health": r.health, "reason": r.last_error, "since": r.last_fetch}
                       for r in routes]}


def document_specs(config: Config, platform_id: str, document: str | None) -> list[SourceSpec]:
    """The platform's documents, or the one named by type ("Terms of Service") or slug ("terms-of-service")."""
    specs = list(config.platforms[platform_id].documents)
    if document is None:
        return specs
    wanted = slugify(document)
    return [s for s in specs if slugify(s.doc_type or "") == wanted or s.id == document]


def _change_view(spec: SourceSpec, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "document": spec.doc_type,
        "source": spec.id,
        "url": spec.location,
        "old_version_at": record["old_fetched_at"],
        "new_version_at": record["new_fetched_at"],
        "effective_date": record["effective_date"],
        "upcoming_and_current": record["upcoming_and_current"],
        "severity": record["severity"],
        "topics": record["topics"],
        "clauses": record["clauses"],
        "key": record["event_key"],  # of its terms_change post; its page in the web view is /changes/<key>
    }


async def diff_report(config: Config, store: Store, platform_id: str, document: str | None) -> dict[str, Any]:
    """`clausewatch diff`: the latest clause-level change of each (or the named) document."""
    changes = []
    for spec in document_specs(config, platform_id, document):
        records = await store.changes(spec.id, limit=1)
        if records:
            changes.append(_change_view(spec, records[0]))
    changes.sort(key=lambda c: c["new_version_at"] or "", reverse=True)
    return {"platform": platform_id, "document": document, "changes": changes}


async def history_report(config: Config, store: Store, platform_id: str, document: str | None) -> dict[str, Any]:
    """`clausewatch history`: dated versions and substantive changes of each (or the named) document."""
    documents = []
    for spec in document_specs(config, platform_id, document):
        versions = await store.snapshots(spec.id)
        records = await store.changes(spec.id, limit=50)
        documents.append(
            {
                "type": spec.doc_type,
                "source": spec.id,
                "url": spec.location,
                "versions": [{"version": v["hash"][:16], "fetched_at": v["fetched_at"],
                              "last_updated": last_updated(json.loads(v["metadata"] or "[]"))}
                             | ({"note": v["note"]} if v["note"] else {}) for v in versions],
                "changes": [
                    {k: view[k] for k in ("new_version_at", "effective_date", "severity", "topics")}
                    | {"clauses": len(view["clauses"]),
                       "kinds": sorted({c["kind"] for c in view["clauses"]})}
                    for view in (_change_view(spec, r) for r in records)
                ],
            }
        )
    return {"platform": platform_id, "document": document, "documents": documents}


async def health_report(config: Config, store: Store, now: float) -> dict[str, Any]:
    """`clausewatch health`: healthy when the database takes writes and the last completed poll cycle is
    at most three polling intervals old (the shortest interval of any source, else `poll.interval`)."""
    problems: list[str] = []
    try:
        await store.check_writable()
    except StoreError as error:
        problems.append(str(error))
    intervals = [spec.interval for spec in config.sources()] or [config.poll.interval]
    limit = 3 * min(intervals)
    cycle = await store.last_cycle()
    last = cycle["finished_at"] if cycle else None
    age = now - datetime.fromisoformat(last).timestamp() if last else None
    if age is None:
        problems.append("no poll cycle has completed yet")
    elif age > limit:
        problems.append(f"the last poll cycle finished {age:.0f}s ago, more than three intervals ({limit:.0f}s)")
    return {"healthy": not problems, "last_cycle_at": last, "age_seconds": round(age, 1) if age is not None else None,
            "limit_seconds": limit, "problems": problems}


async def stories_report(config: Config, store: Store, platform_id: str | None = None, limit: int = 20) -> dict[str, Any]:
    """`clausewatch stories`: recent threads, newest activity first, with their item counts."""
    stories = []
    for row in await store.story_rows(platform_id, limit):
        message = row["first"]
        stories.append({
            "thread": row["thread"],
            "platform": message.get("platform"),
            "title": message.get("title"),
            "url": message.get("url"),
            "topics": message.get("topics") or [],
            "severity": message.get("severity"),
            "items": row["items"],
            "kinds": row["kinds"],
            "entries": row["entries"],
            "languages": sorted(language for language in row["languages"] if language != "und"),
            "opened_at": row["opened_at"],
            "last_at": row["last_at"],
        })
    return {"platform": platform_id, "stories": stories}


def _still_posted(note: str) -> bool:
    """Notes of entries that are posted all the same (to channels that take news of no watched platform), so
    that when nothing was posted, something else held the entry back."""
    return note.startswith(("names no watched platform", "mentions "))


async def why_report(config: Config, store: Store, url: str) -> dict[str, Any]:
    """`clausewatch why URL`: was the article fetched, matched to which platform, which thread, and where
    was it posted — or why not (first poll of its feed, no route, not delivered yet, failed)."""
    wanted = url.strip()
    entries = await store.entry_trail(wanted)
    if not entries:
        return {"url": wanted, "seen": False, "reason": "no watched feed has carried this link (yet), or none has "
                "for longer than `retention.entries`",
                "entries": []}
    found = []
    for entry in entries:
        events = entry["events"]
        mine = [e for e in events if json.loads(e["message"]).get("url") == wanted] or events
        posts = [{"event": event["event"], "at": event["created_at"], "deliveries": event["deliveries"],
                  "reason": None if event["deliveries"] else "no channel takes this platform or these topics"}
                 for event in mine]
        if mine:
            reason = None
        elif entry["note"] and not _still_posted(entry["note"]):  # a copy, a held-back update …: the note says why
            reason = entry["note"]
        elif entry["first_seen_at"] <= entry["baseline_at"]:  # what held it back, whatever else is true of it
            reason = "seen on its feed's first poll, which sets the baseline and posts nothing" + (
                f" (also: {entry['note']})" if entry["note"] else "")
        elif entry["note"]:
            reason = entry["note"]
        elif entry["platform"] is None:
            reason = "not attributed to any watched platform, so not posted"
        else:
            reason = "recorded without a post (more new entries than the per-poll limit)"
        found.append({
            "source": entry["source_id"],
            "platform": entry["platform"],
            "attribution": entry["attribution"],
            "language": entry["language"],
            "title": entry["title"],
            "thread": entry["thread"],
            "thread_reason": entry["placement"],
            "version": entry["version"],
            "first_seen_at": entry["first_seen_at"],
            "posts": posts,
            "reason": reason,
        })
    return {"url": wanted, "seen": True, "entries": found}


async def routes_report(config: Config, store: Store, inactive: dict[str, str]) -> list[SourceRow]:
    """Delivery routes as rows of the `sources` table (kind `route`): those of feeds.yaml and those created
    with `/policy subscribe`, with `disabled` and the chat platform's reason when it refused us a channel."""
    problems = await store.route_problems()
    subscriptions = await store.subscriptions()
    table = RouteTable.build(config.channels, subscriptions)
    rows = []
    for channel in table.channels:
        reason, since = problems.get(channel.id, (None, None))
        health = "disabled" if reason else ("inactive" if channel.id in inactive else "ok")
        rows.append(SourceRow(channel.id, "route", None, health, since, None, None, 0,
                              reason or inactive.get(channel.id), f"{channel.kind}:{channel.target}"))
    return rows
