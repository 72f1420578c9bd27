"""Read-only reports over the store for the CLI: the sources table and a platform's status."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from bot.core.config import Config
from bot.core.status import ai_training_stance
from bot.store.database import Store


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


async def sources_report(config: Config, store: Store) -> list[SourceRow]:
    states = await store.fetch_states()
    rows: list[SourceRow] = []
    for spec in config.sources():
        state = states.get(spec.id)
        if state is None or state.fetches == 0:
            health = "new"
        elif state.failing:
            health = "failing"
        elif state.consecutive_failures:
            health = f"erroring ({state.consecutive_failures})"
        else:
            health = "ok"
        due = None
        if state is not None and state.next_due_at is not None:
            due = datetime.fromtimestamp(state.next_due_at, timezone.utc).isoformat(timespec="seconds")
        rows.append(
            SourceRow(spec.id, spec.kind, spec.platform, health, state.last_fetch_at if state else None,
                      state.last_outcome if state else None, due, state.consecutive_failures if state else 0,
                      state.last_error if state else None, spec.location)
        )
    return rows


async def status_report(config: Config, store: Store, platform_id: str) -> dict[str, Any]:
    """The JSON contract of `clausewatch status PLATFORM --json` (fields from the terms issue)."""
    platform = config.platforms[platform_id]
    states = await store.fetch_states()
    documents: list[dict[str, Any]] = []
    for spec in platform.documents:
        latest = await store.latest_snapshot(spec.id)
        changes = await store.query(
            "SELECT created_at FROM events WHERE source_id = ? AND event = 'terms_change' ORDER BY id DESC LIMIT 1",
            [spec.id],
        )
        state = states.get(spec.id)
        stance = ai_training_stance(latest.text) if latest else None
        documents.append(
            {
                "type": spec.doc_type,
                "url": spec.location,
                "source": spec.id,
                "health": "failing" if state and state.failing else ("ok" if state and state.fetches else "new"),
                "last_fetch": state.last_fetch_at if state else None,
                "last_error": state.last_error if state else None,
                "version": latest.hash[:16] if latest else None,
                "version_fetched_at": latest.fetched_at if latest else None,
                "last_change": changes[0]["created_at"] if changes else None,
                "effective_date": None,
                "ai_training": stance.to_dict() if stance else None,
            }
        )
    recent_rows = await store.query(
        "SELECT message FROM events WHERE platform = ? ORDER BY id DESC LIMIT 10", [platform_id]
    )
    recent = []
    for row in recent_rows:
        message = json.loads(row["message"])
        recent.append({k: message.get(k) for k in ("event", "title", "url", "topics", "severity", "at", "thread")})
    return {"platform": platform_id, "name": platform.name, "documents": documents, "recent": recent}


async def overview_report(config: Config, store: Store) -> dict[str, Any]:
    """`clausewatch status --json` without a platform: every platform's documents and health in brief."""
    platforms = []
    for platform_id in config.platforms:
        report = await status_report(config, store, platform_id)
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
    cycles = await store.query("SELECT * FROM cycles ORDER BY id DESC LIMIT 1")
    return {"platforms": platforms, "last_cycle": cycles[0] if cycles else None}
