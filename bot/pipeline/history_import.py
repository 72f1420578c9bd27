"""History import: past versions of a document (git archive, Wayback captures) become dated snapshots and
clause-level change records, like the poller's, but without events: history is not an alert.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.core.config import Config, Platform, SourceSpec
from bot.core.terms.documents import NormalizedDocument
from bot.core.text import fold
from bot.pipeline.document_versions import DocumentProblem, document_change, read_document
from bot.sources.archives import (
    ArchiveError,
    Pacer,
    git_root,
    git_versions,
    scan_archive_dir,
    wayback_captures,
    wayback_snapshot,
)
from bot.sources.fetcher import Fetcher
from bot.store.database import ChangeWrite, Snapshot, SnapshotWrite, Store

__all__ = ["ArchiveError", "ImportReport", "backfill_platform", "import_archive", "ingest_versions"]
log = logging.getLogger(__name__)
Version = tuple[datetime, bytes, str | None]  # (when, body, content type)


@dataclass(slots=True)
class ImportReport:
    """What ingesting past versions of one document did."""

    source: str
    seen: int = 0  # versions (or captures) considered
    already_handled: int = 0  # web-archive captures a previous backfill handled: not fetched again
    stored: int = 0  # new snapshots
    duplicates: int = 0  # text already stored for this document
    skipped: int = 0  # error pages and unreadable versions
    failed: int = 0  # captures that could not be fetched
    changes: int = 0  # clause-level change records written
    problems: list[str] = field(default_factory=list)  # "<date>: <why it was skipped or failed>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add(self, other: ImportReport) -> None:
        for name in ("seen", "already_handled", "stored", "duplicates", "skipped", "failed", "changes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems)


def _stamp(moment: datetime) -> str:
    """A version date as the store writes `fetched_at`: UTC ISO 8601 to the second."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


async def ingest_versions(store: Store, config: Config, spec: SourceSpec, versions: Iterable[Version],
                          name: str | None = None) -> ImportReport:
    """Store past versions of the document `spec`, each dated by its own time, oldest first.

    A version may be older than what is stored already (history loaded after the bot started polling):
    it is inserted in date order, with a change record from the version before it, and the change record
    of the version after it is recomputed against it. Error pages are skipped; a text already stored for
    the document under the same date line is a duplicate (so re-runs store nothing twice); the same text under
    another date line is a version without a change record. No event or delivery is created.
    `name` (a file name) tells Markdown from HTML when there is no content type; default: the spec's URL.
    """
    report = ImportReport(spec.id)
    platform: Platform | None = config.platforms.get(spec.platform or "")
    known = await store.snapshot_keys(spec.id)
    for moment, body, content_type in sorted(versions, key=lambda version: _stamp(version[0])):
        report.seen += 1
        at = _stamp(moment)
        try:
            document = await read_document(spec, body, content_type, name or spec.location)
        except DocumentProblem as problem:
            report.skipped += 1
            report.problems.append(f"{at}: {problem}")
            continue
        key = (document.hash, json.dumps(list(document.metadata)))
        if key in known:
            report.duplicates += 1
            continue
        before, after = await store.neighbours(spec.id, at)
        change_before = await _change(spec, platform, before, document, at)
        change_after = None
        if after is not None:
            this = Snapshot(0, spec.id, document.hash, document.text, at, json.dumps(list(document.metadata)))
            following = NormalizedDocument(after.text, after.hash, tuple(json.loads(after.metadata or "[]")))
            change_after = await _change(spec, platform, this, following, after.fetched_at)
        snapshot = SnapshotWrite(document.hash, hashlib.sha256(body).hexdigest(), document.text, document.metadata)
        await store.insert_version(spec.id, snapshot, at, change_before, after, change_after)
        known.add(key)
        report.stored += 1
        report.changes += 1 if change_before else 0
    return report


async def _change(spec: SourceSpec, platform: Platform | None, before: Snapshot | None, document: NormalizedDocument,
                  at: str) -> ChangeWrite | None:
    """The clause-level change record from `before` to `document` (None without a difference that counts)."""
    if before is None:
        return None
    found = await asyncio.to_thread(document_change, spec, platform, before, document, at)
    return found[0] if found else None


# --- a terms archive in git ----------------------------------------------------------------------


@dataclass(slots=True)
class ArchiveFile:
    """One `<Service>/<Terms type>.md` file of an archive and what became of it."""

    service: str
    type: str
    path: str
    source: str | None = None
    status: str = "skipped"  # "imported" | "skipped"
    reason: str | None = None
    report: ImportReport | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["report"] = self.report.to_dict() if self.report else None
        return data


def match_service(service: str, config: Config) -> Platform | None:
    """The configured platform named `service` (its id, name or an alias; case and accents folded)."""
    wanted = fold(service.strip())
    for platform in config.platforms.values():
        if wanted in {fold(name.strip()) for name in (platform.id, platform.name, *platform.aliases)}:
            return platform
    return None


async def import_archive(store: Store, config: Config, root: Path) -> dict[str, Any]:
    """Ingest the git history of every `<Service>/<Terms type>.md` file under `root` matching a configured
    platform and document type; the others are listed as skipped with the reason."""
    await asyncio.to_thread(git_root, root)  # a clear ArchiveError before anything else
    files: list[ArchiveFile] = []
    total = ImportReport("*")
    for service, doc_type, path in await asyncio.to_thread(scan_archive_dir, root):
        entry = ArchiveFile(service, doc_type, str(path))
        files.append(entry)
        platform = match_service(service, config)
        if platform is None:
            entry.reason = f"no configured platform named {service!r}"
            continue
        spec = next((d for d in platform.documents if d.doc_type == doc_type), None)
        if spec is None:
            known = ", ".join(d.doc_type or "" for d in platform.documents) or "none"
            entry.reason = f"platform {platform.id!r} has no {doc_type!r} document (configured: {known})"
            continue
        versions = await asyncio.to_thread(git_versions, root, path.resolve())
        entry.source, entry.status = spec.id, "imported"
        entry.report = await ingest_versions(store, config, spec, ((m, b, None) for m, b in versions), name=path.name)
        total.add(entry.report)
        log.info("import %s: %d versions, %d stored, %d changes", spec.id, entry.report.seen, entry.report.stored,
                 entry.report.changes, extra={"source": spec.id})
    totals = total.to_dict()
    del totals["source"]
    return {"root": str(root), "files": [f.to_dict() for f in files], "totals": totals}


# --- Wayback Machine backfill ---------------------------------------------------------------------


async def backfill_document(store: Store, config: Config, fetcher: Fetcher, spec: SourceSpec, since: date | None,
                            pacer: Pacer) -> ImportReport:
    """Captures of one URL document, fetched one by one and ingested oldest first.

    Captures a previous backfill handled are counted as `already_handled` without being fetched again
    (a failed download is not recorded as handled, so the next run retries it). Raises ArchiveError when
    the capture listing cannot be read; a capture that fails counts as `failed`.
    """
    assert spec.url is not None
    report = ImportReport(spec.id)
    captures = await wayback_captures(fetcher, config.archive_url, spec.url, since, pacer)
    handled = await store.handled_captures(spec.id)
    for moment, original in sorted(captures):
        timestamp = moment.strftime("%Y%m%d%H%M%S")
        if timestamp in handled:
            report.seen += 1
            report.already_handled += 1
            continue
        try:
            body, content_type = await wayback_snapshot(fetcher, config.archive_url, timestamp, original, pacer)
        except ArchiveError as error:
            report.seen += 1
            report.failed += 1
            report.problems.append(f"{_stamp(moment)}: {error}")
            continue
        version = await ingest_versions(store, config, spec, [(moment, body, content_type)])
        report.add(version)
        outcome = "stored" if version.stored else "duplicate" if version.duplicates else "skipped"
        await store.mark_capture(spec.id, timestamp, outcome, _stamp(datetime.now(UTC)))
    return report


async def backfill_platform(store: Store, config: Config, fetcher: Fetcher, platform_id: str, doc_type: str | None,
                            since: date | None) -> dict[str, Any]:
    """`clausewatch backfill`: each (or the named) URL document of a platform from the web archive."""
    platform = config.platforms[platform_id]
    specs = [d for d in platform.documents if doc_type is None or d.doc_type == doc_type]
    if doc_type is not None and not specs:
        known = ", ".join(d.doc_type or "" for d in platform.documents) or "none"
        raise ArchiveError(f"platform {platform_id!r} has no {doc_type!r} document (configured: {known})")
    pacer = Pacer(config.archive_delay)
    documents: list[dict[str, Any]] = []
    for spec in specs:
        if spec.url is None or not spec.url.lower().startswith(("http://", "https://")):
            documents.append({"type": spec.doc_type, "source": spec.id, "url": spec.location, "status": "skipped",
                              "reason": "not an http(s) URL: web archives have no captures of it", "report": None})
            continue
        report = await backfill_document(store, config, fetcher, spec, since, pacer)
        log.info("backfill %s: %d captures, %d stored, %d changes", spec.id, report.seen, report.stored, report.changes,
                 extra={"source": spec.id})
        documents.append({"type": spec.doc_type, "source": spec.id, "url": spec.url, "status": "backfilled",
                          "reason": None, "report": report.to_dict()})
    return {"platform": platform_id, "archive": config.archive_url, "since": since.isoformat() if since else None,
            "documents": documents}
