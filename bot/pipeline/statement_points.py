"""The points each statement is boiled down to: the configured summarizer — offline extractive by default,
or an OpenAI-compatible endpoint asked once per statement (cached in the store) — with the extractive
summary as the fallback on any error, so a statement is never posted without points.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from datetime import datetime

import aiohttp

from bot.core.config import SummarizerSettings
from bot.core.news.statements import Statement
from bot.core.news.summaries import summarize
from bot.sources.chat_completions import ChatCompletionsSummarizer, SummaryError
from bot.store.database import Store

log = logging.getLogger(__name__)


class StatementPoints:
    """`await points(statement)`: a few short points; `remote` is None for the offline summarizer."""

    def __init__(self, store: Store, settings: SummarizerSettings, session: aiohttp.ClientSession | None,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.remote: ChatCompletionsSummarizer | None = None
        if settings.kind == "openai" and session is not None:
            api_key = os.environ.get(settings.api_key_env) if settings.api_key_env else None
            if settings.api_key_env and not api_key:
                log.warning("summarizer: $%s is not set; asking %s without a key", settings.api_key_env, settings.base_url)
            self.remote = ChatCompletionsSummarizer(session, settings, api_key)

    async def points(self, statement: Statement) -> list[str]:
        if self.remote is None:
            return summarize(statement)
        key = hashlib.sha256("\x00".join((self.settings.model or "", statement.speaker, statement.channel,
                                          statement.quote)).encode("utf-8")).hexdigest()
        cached = await self.store.cached_points(key)
        if cached is not None:
            return cached
        try:
            points = await self.remote.points(statement)
        except SummaryError as error:
            log.warning("summarizer %s failed (%s); using the offline summary", self.settings.base_url, error)
            return summarize(statement)
        await self.store.cache_points(key, self.settings.model or "", points, self.clock().isoformat(timespec="seconds"))
        return points
