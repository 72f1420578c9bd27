"""A platform document's current stance, read from its latest text: AI-training grant, opt-out, exceptions."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from bot.core.text import fold
from bot.core.topics import label_topics

# Carve-outs from an AI clause, matched on folded text (lower case, no accents): separately licensed works,
# "in the absence of a separate agreement that states otherwise", "unless otherwise agreed" … in en/fr/de/es.
_EXCEPTION = re.compile(
    r"\b(separately licen[cs]ed|exclusive(ly)? licen[cs]ed|except (for )?content|does not apply to|"
    r"(in the )?absence of (a |any )?(separate|written|specific|individual) (agreement|licen[cs]e|contract)|"
    r"unless (you have |we have |there is )?(a |an )?(separate|written|specific|individual)( \w+)? "
    r"(agreement|licen[cs]e|contract)|"
    r"unless otherwise (agreed|stated|provided)|separate (licen[cs]e )?agreement (that )?(states|provides|says) otherwise|"
    r"sauf|a l'exception|excepte|a defaut d'(un )?accord|en l'absence d'(un )?(accord|contrat)|"
    r"sofern (nicht|keine) (gesonderte|anderslautende|abweichende|separate)|sofern nicht (anders|ausdrucklich) vereinbart|"
    r"es sei denn|ausgenommen|mit ausnahme|"
    r"salvo (acuerdo|pacto|que)|a menos que|excepto|a falta de (un )?acuerdo|en ausencia de (un )?(acuerdo|contrato))\b"
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
    """Quote the first paragraph about AI training; look for an opt-out and carve-outs in it or just after it."""
    clause: str | None = None
    opt_out = False
    exceptions: str | None = None
    paragraphs = text.split("\n")
    for index, paragraph in enumerate(paragraphs):
        topics = label_topics(paragraph)
        if "ai_training" in topics:
            if clause is None:
                clause = paragraph
            if exceptions is None:
                # the clause itself, or the paragraph just after it ("This does not apply to …")
                following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
                for candidate in (paragraph, following):
                    if candidate and not candidate.startswith("#") and _EXCEPTION.search(fold(candidate)):
                        exceptions = candidate
                        break
            if "opt_out" in topics:
                opt_out = True
    return AiTrainingStance(clause is not None, clause, opt_out, exceptions)
