"""A fetched version of a terms document: its normalised text, or why it is not usable (unreadable, empty, not the
document at all), and the verdict against the stored version with the change record and message it makes."""

from __future__ import annotations

import asyncio
import dataclasses
import json

from bot.core.config import Platform, SourceSpec
from bot.core.events import clause_change_message
from bot.core.messages import Message
from bot.core.terms.availability import UNAVAILABLE, not_the_document
from bot.core.terms.documents import NormalizedDocument, looks_like_error_page, normalize
from bot.core.terms.verdict import Verdict, compare_versions
from bot.sources.document_text import ExtractionError, extract_text
from bot.store.database import ChangeWrite, Snapshot


class DocumentProblem(Exception):
    """A fetched document version that is not usable terms text; `kind` is "extract", "error_page" (empty) or
    "not_document" (an interstitial: its message starts with `UNAVAILABLE`, which health notices read)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


async def read_document(spec: SourceSpec, body: bytes, content_type: str | None, name: str,
                        previous: str | None = None) -> NormalizedDocument:
    """One version of a document as normalised text (extraction with the spec's select/remove).

    Raises DocumentProblem for unreadable markup, empty pages, and a text that is not the document (an error,
    captcha, cookie or login wall, maintenance or geo-block page; or, against the `previous` stored text, a
    small text that shares almost nothing with it: see `bot.core.terms.availability.not_the_document`).
    """
    try:
        text = await asyncio.to_thread(
            extract_text, body, content_type=content_type, name=name, select=spec.select, remove=spec.remove,
        )
    except ExtractionError as error:
        raise DocumentProblem(str(error), "extract") from error
    if not text.strip():
        problem = f"the selector {spec.select!r} matched nothing" if spec.select else looks_like_error_page(text)
        raise DocumentProblem(problem or "the page is empty", "error_page")
    problem = await asyncio.to_thread(not_the_document, text, previous)
    if problem is not None:
        raise DocumentProblem(UNAVAILABLE + problem, "not_document")
    return await asyncio.to_thread(normalize, text)  # CPU work on large pages stays off the loop


def dated_again(latest: Snapshot, document: NormalizedDocument) -> bool:
    """The same text as the stored version under another date line."""
    return latest.hash == document.hash and tuple(json.loads(latest.metadata or "[]")) != document.metadata


def document_change(spec: SourceSpec, platform: Platform | None, latest: Snapshot, document: NormalizedDocument,
                    at: str) -> tuple[ChangeWrite, Message] | None:
    """The clause-level change record from `latest` to `document` and its message (run in a thread),
    or None when they differ only in ignored ways (or the new version is not the document)."""
    return document_verdict(spec, platform, latest, document, at)[1]


def document_verdict(spec: SourceSpec, platform: Platform | None, latest: Snapshot, document: NormalizedDocument,
                     at: str) -> tuple[Verdict, tuple[ChangeWrite, Message] | None]:
    """The verdict on `document` after `latest` (`bot.core.terms.verdict.compare_versions`, what benchmarks
    measure) and, for a change, its change record and message (run in a thread)."""
    verdict = compare_versions(latest.text, document, json.loads(latest.metadata or "[]"))
    if verdict.kind != "change":
        return verdict, None
    message = clause_change_message(spec, platform, verdict.changes, document.hash[:16], at, verdict.effective_date,
                                    verdict.upcoming_and_current)
    change = ChangeWrite(
        spec.platform, spec.doc_type, latest.id, latest.fetched_at, verdict.effective_date,
        verdict.upcoming_and_current, message.severity, message.topics,
        [dataclasses.asdict(c) for c in verdict.changes], message.key,
    )
    return verdict, (change, message)
