"""A platform document's current stance, read from its latest text: AI-training grant, opt-out, exceptions."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from bot.core.topics import label_topics

_EXCEPTION = re.compile(
    r"\b(separately licen[cs]ed|exclusive(ly)? licen[cs]ed|except (for )?content|does not apply to|"
    r"sauf|a l'exception|excepte)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AiTrainingStance:
    """Does the text grant AI-training use of user content, and on what terms."""

    granted: bool
    clause: str | None
    opt_out: bool
    exceptions: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ai_training_stance(text: str) -> AiTrainingStance:
    """Quote the first paragraph about AI training; look for an opt-out and carve-outs near it."""
    clause: str | None = None
    opt_out = False
    exceptions: str | None = None
    for paragraph in text.split("\n"):
        topics = label_topics(paragraph)
        if "ai_training" in topics:
            if clause is None:
                clause = paragraph
            if exceptions is None and _EXCEPTION.search(paragraph):
                exceptions = paragraph
            if "opt_out" in topics:
                opt_out = True
    return AiTrainingStance(clause is not None, clause, opt_out, exceptions)
