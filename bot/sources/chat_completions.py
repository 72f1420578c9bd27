"""Statement summaries from an OpenAI-compatible chat-completions endpoint (`summarizer: {kind: openai}`):
one request per statement, with a timeout; the answer must be 2–4 short plain points, anything else is an
error so that the caller falls back to the offline summary.
"""

from __future__ import annotations

import re

import aiohttp

from bot.core.config import SummarizerSettings
from bot.core.news.statements import Statement

INSTRUCTIONS = (
    "You summarise what a company said about its terms of service or policies, for artists and creators. "
    "Reply with 2 to 4 short points, one per line, each starting with '- '. Keep every claim and every denial "
    "(for example: 'denies selling listener data to advertisers'); use reported speech ('says …', 'denies …'); "
    "add nothing that is not in the statement; no preamble, no markup."
)
MAX_POINT_CHARS = 240
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


class SummaryError(Exception):
    """The endpoint failed or answered something that is not 2–4 points."""


class ChatCompletionsSummarizer:
    """POSTs `{base_url}/chat/completions`; `api_key` goes in the Authorization header only."""

    def __init__(self, session: aiohttp.ClientSession, settings: SummarizerSettings, api_key: str | None) -> None:
        self.session = session
        self.settings = settings
        self.api_key = api_key
        self.url = (settings.base_url or "").rstrip("/") + "/chat/completions"

    async def points(self, statement: Statement) -> list[str]:
        said = f"Speaker: {statement.speaker or 'the company'} ({statement.channel or 'statement'})\n" \
               f"Statement: {statement.quote[:4000]}"
        body = {
            "model": self.settings.model,
            "temperature": 0,
            "max_tokens": 300,
            "messages": [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": said}],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            async with self.session.post(self.url, json=body, headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=self.settings.timeout)) as response:
                if response.status != 200:
                    raise SummaryError(f"HTTP {response.status} from {self.url}")
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise SummaryError(f"{type(error).__name__}: {error}") from error
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as error:
            raise SummaryError("the answer has no choices[0].message.content") from error
        return parse_points(str(content))


def parse_points(content: str) -> list[str]:
    """The points of an answer: 1–4 non-empty lines (bullets stripped; a statement of one claim makes one
    point), each short. Raises SummaryError."""
    points = [_BULLET.sub("", line).strip() for line in content.splitlines()]
    points = [point for point in points if point]
    if not 1 <= len(points) <= 4 or any(len(point) > MAX_POINT_CHARS for point in points):
        raise SummaryError(f"expected 2–4 short points, got {len(points)} lines")
    return points
