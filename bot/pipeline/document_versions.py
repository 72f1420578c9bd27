"""A fetched version of a terms document: its normalised text, or why it is not usable (unreadable, empty, not the
document at all), read with the extraction settings of the stored version or as a new baseline, and the verdict
against the stored version with the change record and message it makes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass

from bot.core.config import Platform, SourceSpec, describe_extraction
from bot.core.events import clause_change_message
from bot.core.messages import Message
from bot.core.terms.availability import UNAVAILABLE, not_the_document
from bot.core.terms.clauses import ClauseChange
from bot.core.terms.documents import NormalizedDocument, looks_like_error_page, normalize
from bot.core.terms.segments import PATH_SEPARATOR
from bot.core.terms.verdict import Verdict, compare_versions
from bot.sources.document_text import ExtractionError, extract_text
from bot.sources.fetcher import FetchResult
from bot.store.database import ChangeWrite, Snapshot

log = logging.getLogger(__name__)


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


@dataclass(frozen=True, slots=True)
class Reading:
    """A fetched version as read: the `document` to store, the text to judge against the stored version (`judged`:
    the document itself; None for a new baseline), the text whose clauses a judged change must show (`within`), and
    why the version is a new baseline (`note`)."""

    document: NormalizedDocument
    judged: NormalizedDocument | None
    within: NormalizedDocument | None = None
    note: str | None = None


async def read_version(spec: SourceSpec, extraction: str | None, result: FetchResult, latest: Snapshot | None
                       ) -> Reading:
    """The fetched version, read with `spec`'s settings and judged against the stored version `latest`.

    After `select` or `remove` were edited (the stored version was read with `extraction`), the reading with the new
    settings is stored at once as a new baseline, noted in `history` (the texts differ by what was cut out, not by
    what the platform wrote). The body is also read with the old settings: if the page changed since, that reading
    is judged as any other, and the changes of clauses the new settings still read are posted (nothing is lost,
    and what the edit cut out, such as a block that kept changing, is not posted). Raises DocumentProblem (see
    `read_document`)."""
    if latest is None or not settings_changed(spec, extraction):
        document = await read_document(spec, result.body, result.content_type, spec.location,
                                       previous=latest.text if latest is not None else None)
        return Reading(document, document)
    document = await read_document(spec, result.body, result.content_type, spec.location)
    note = (f"extraction settings changed ({describe_extraction(extraction or '')} → "
            f"{describe_extraction(spec.extraction)}): a new baseline")
    log.info("source %s: %s", spec.id, note, extra={"source": spec.id})
    before = spec.with_extraction(extraction or "")
    earlier: NormalizedDocument | None = None
    if before is not None:
        try:
            earlier = await read_document(before, result.body, result.content_type, spec.location, latest.text)
        except DocumentProblem:
            pass  # the old settings no longer find the document: nothing to compare
    if earlier is not None and (earlier.hash != latest.hash or dated_again(latest, earlier)):
        return Reading(document, earlier, document, note)  # the page changed too
    return Reading(document, None, None, note)


def settings_changed(spec: SourceSpec, extraction: str | None) -> bool:
    """A document whose stored version was read with other extraction settings than `spec`'s (`extraction`, None
    where not known)."""
    return spec.kind == "document" and extraction is not None and extraction != spec.extraction


def dated_again(latest: Snapshot, document: NormalizedDocument) -> bool:
    """The same text as the stored version under another date line."""
    return latest.hash == document.hash and tuple(json.loads(latest.metadata or "[]")) != document.metadata


def document_change(spec: SourceSpec, platform: Platform | None, latest: Snapshot, document: NormalizedDocument,
                    at: str) -> tuple[ChangeWrite, Message] | None:
    """The clause-level change record from `latest` to `document` and its message (run in a thread),
    or None when they differ only in ignored ways (or the new version is not the document)."""
    return document_verdict(spec, platform, latest, document, at)[1]


def document_verdict(spec: SourceSpec, platform: Platform | None, latest: Snapshot, document: NormalizedDocument,
                     at: str, within: NormalizedDocument | None = None
                     ) -> tuple[Verdict, tuple[ChangeWrite, Message] | None]:
    """The verdict on `document` after `latest` (`bot.core.terms.verdict.compare_versions`, what benchmarks
    measure) and, for a change, its change record and message (run in a thread). With `within` (the version that is
    stored, read with other settings than `document`), only the changes of clauses `within` reads count."""
    verdict = compare_versions(latest.text, document, json.loads(latest.metadata or "[]"))
    if verdict.kind != "change":
        return verdict, None
    changes = verdict.changes if within is None else [c for c in verdict.changes if _read_in(c, within.text)]
    if not changes:
        return dataclasses.replace(verdict, kind="noise", reason="only what the new extraction settings leave out "
                                   "changed", changes=[], topics=()), None
    version = (within or document).hash[:16]
    message = clause_change_message(spec, platform, changes, version, at, verdict.effective_date,
                                    verdict.upcoming_and_current)
    change = ChangeWrite(
        spec.platform, spec.doc_type, latest.id, latest.fetched_at, verdict.effective_date,
        verdict.upcoming_and_current, message.severity, message.topics,
        [dataclasses.asdict(c) for c in changes], message.key,
    )
    return verdict, (change, message)


def _read_in(change: ClauseChange, text: str) -> bool:
    """Whether a clause change is in what `text` reads: the clause's new wording is in it, or (a clause removed) the
    section it stood in is."""
    if change.new_text is not None:
        return change.new_text in text
    sections = [title for title in change.path.split(PATH_SEPARATOR)[:-1] if title]
    return not sections or sections[-1] in text
