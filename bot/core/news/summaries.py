"""Statements boiled down to 2–4 short points that keep their claims and denials: the extractive summarizer (built
in, offline), and `Summarizers`, the summarizers by kind (others, such as a remote model, added from outside core).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core.news.statements import Statement, split_sentences
from bot.core.text import fold
from bot.core.topics import label_topics

MAX_POINTS = 4
MAX_POINT_WORDS = 28


class Summarizer(Protocol):
    """Turns one statement into a few short points (plain text, no markup)."""

    def summarize(self, statement: Statement) -> list[str]: ...


SummarizerFactory = Callable[[], Summarizer]


class Summarizers:
    """Summarizers by kind: "extractive" (offline) is built in; others are registered on the object by the layer
    that does their I/O (e.g. "openai" from the pipeline)."""

    def __init__(self) -> None:
        self._factories: dict[str, SummarizerFactory] = {"extractive": ExtractiveSummarizer}

    def register(self, kind: str, factory: SummarizerFactory) -> None:
        """Make `kind` available to `get` and `summarize`."""
        self._factories[kind] = factory

    def get(self, kind: str = "extractive") -> Summarizer:
        """A summarizer of the registered `kind`. Raises KeyError naming the known kinds."""
        try:
            return self._factories[kind]()
        except KeyError:
            raise KeyError(f"unknown summarizer {kind!r} (known: {', '.join(sorted(self._factories))})") from None

    def summarize(self, statement: Statement, kind: str = "extractive") -> list[str]:
        """2–4 short points of `statement` by the summarizer of `kind`."""
        return self.get(kind).summarize(statement)


def summarize(statement: Statement) -> list[str]:
    """2–4 short points of `statement` (fewer when it makes fewer claims), by the extractive summarizer."""
    return ExtractiveSummarizer().summarize(statement)


# --- the extractive summarizer -----------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|neither|nor|without|no longer|n't|ne|n'|pas|jamais|aucun\w*|rien|sans|"
    r"nunca|ningun\w*|sin|nicht|nie|kein\w*|ohne)\b|n't\b|\bn['’]",
    re.IGNORECASE,
)
_RELEVANT = re.compile(
    r"\b(?:data|donn[ée]es|datos|daten|train\w*|entra[iî]n\w*|ai|a\.i\.|ia|ki|models?|mod[eè]les?|licen[cs]\w*|"
    r"content|contenus?|uploads?|tracks?|morceaux|songs?|music|musique|artists?|artistes?|creators?|cr[ée]at\w+|"
    r"opt(?:-| )?(?:out|in)|consent\w*|advertis\w*|annonceurs?|partners?|partenaires?|third[- ]part\w*|tiers|"
    r"clauses?|terms|conditions|polic\w+|politique|privacy|confidentialit[ée]|rights|droits|payouts?|prices?|"
    r"prix|royalt\w+|spam|search|recherche|recommend\w*|sell\w*|sold|vend\w*|shar\w+|partag\w*|delet\w*|"
    r"suppr\w*|remov\w*|retir\w*|users?|utilisat\w+|listeners?|auditeurs?|posts?|photos?|videos?|vid[ée]os?|"
    r"accounts?|comptes?|effective|vigueur|section|article|settings?|param[eè]tres?|label\w*|generat\w*|"
    r"g[ée]n[ée]rat\w*)\b",
    re.IGNORECASE,
)
_FLUFF = re.compile(
    r"\b(?:thank\w*|excited|proud|love|grateful|appreciate\w*|hear you|listening|feedback|passionate|journey|"
    r"remerci\w*|fiers?|heureux|ravis|[ée]coute)\b|"
    r"\b(?:seen|heard|read|received|noticed|follow(?:ed|ing)|lu|vu|re[çc]u)\b.{0,40}\b(?:questions?|concerns?|"
    r"comments?|reports?|messages?|discussions?|rapport|inqui[ée]tudes?|commentaires?)\b",
    re.IGNORECASE,
)
_COMMITMENT = re.compile(
    r"\b(?:will|won't|won’t|shall|plans? to|going to|commit\w*|promis\w*|va|allons|vont|allez|sera|seront)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
_LEAD_IN = re.compile(
    r"^(?:(?:to be clear|let us be clear|let me be clear|in fact|importantly|however|that said|again|simply put|"
    r"put simply|also|and|but|so|moreover|additionally|first|second|third|finally|instead|today|"
    r"we want to be clear(?: that)?|we want to reassure (?:you|artists|users|creators)(?: that)?|"
    r"par ailleurs|cependant|en effet|toutefois|pour [êe]tre clair|d'abord|enfin|aussi|ainsi|de plus)[,:]?\s+)+",
    re.IGNORECASE,
)
_CLAIM_SPLIT = re.compile(
    r"\s*;\s+|,?\s+and that\s+|,?\s+but that\s+|,?\s+et que\s+|,?\s+et qu['’]|,?\s+mais que\s+|"
    r",\s+(?:and|but)\s+(?=(?:we|it|our|the company|the platform)\s)|,\s+(?:et|mais)\s+(?=(?:nous|elle|la plateforme)\s)"
)
_DENIAL = re.compile(
    r"^it (?:does not|doesn't|doesn’t|did not|didn't|didn’t|do not|don't) (?P<verb>[a-z]+)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_FIRST_SINGULAR = re.compile(r"\b(?:I|me|my|mine|I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll)\b")
_COMMON_START = frozenset(
    "the this these that those it its a an no any all our we some every each there such new only".split()
)
_MODALS = frozenset("will would can could may might must shall should".split())
_ADVERBS = frozenset("only also never always still now currently already just even really actually simply".split())
_THIRD_PERSON = {"are": "is", "have": "has", "do": "does", "were": "was", "aren't": "isn't", "don't": "doesn't",
                 "haven't": "hasn't", "weren't": "wasn't", "aren’t": "isn’t", "don’t": "doesn’t",
                 "haven’t": "hasn’t", "weren’t": "wasn’t", "go": "goes"}
_CONTRACTIONS = {"we're": "it is", "we’re": "it is", "we've": "it has", "we’ve": "it has", "we'll": "it will",
                 "we’ll": "it will", "we'd": "it would", "we’d": "it would"}


@dataclass(frozen=True, slots=True)
class _Claim:
    text: str
    order: int
    score: float


class ExtractiveSummarizer:
    """Picks the statement's most relevant claims (topic words, denials, numbers; no pleasantries) and
    rewrites English ones as short reported points ("denies selling …", "says …"). Offline, deterministic."""

    def __init__(self, max_points: int = MAX_POINTS, max_words: int = MAX_POINT_WORDS) -> None:
        self.max_points = max_points
        self.max_words = max_words

    def summarize(self, statement: Statement) -> list[str]:
        claims = self._claims(statement)
        chosen = self._choose(claims)
        english = statement.language in ("en", "und")
        speaker = statement.speaker if statement.speaker[:1].isupper() else ""
        context = f"{statement.quote} {statement.passage}"
        points: list[str] = []
        for claim in chosen:
            point = self._rewrite(claim, speaker, context) if english else _tidy(claim.text)
            point = _shorten(point, self.max_words)
            if point and fold(point) not in {fold(p) for p in points}:
                points.append(point)
        return points

    def _claims(self, statement: Statement) -> list[_Claim]:
        claims: list[_Claim] = []
        for piece in statement.pieces:
            for sentence in split_sentences(piece):
                for part in _CLAIM_SPLIT.split(sentence):
                    text = _LEAD_IN.sub("", part.strip()).strip(" ,;:")
                    if len(text.split()) < 3:
                        continue
                    claims.append(_Claim(text, len(claims), _score(text)))
        return claims

    def _choose(self, claims: list[_Claim]) -> list[_Claim]:
        ranked = sorted(claims, key=lambda c: (-c.score, c.order))
        chosen = [c for c in ranked if c.score >= 0][: self.max_points]  # pleasantries score below zero
        if not chosen and ranked:
            chosen = ranked[:1]  # a statement that makes one weak claim still says something
        return sorted(chosen, key=lambda c: c.order)

    def _rewrite(self, claim: _Claim, speaker: str, context: str) -> str:
        text = claim.text.rstrip(".!…").strip()
        if _FIRST_SINGULAR.search(text):
            return f"“{text}”"  # a personal quote is kept verbatim rather than rewritten wrongly
        text = _third_person(text)  # quoted words ("we", "our") and reported ones ("it") alike
        subjects = ["the company", "the platform", "the service", *([re.escape(speaker)] if speaker else [])]
        text = re.sub(rf"^(?:{'|'.join(subjects)})\b(?!['’])", "it", text, flags=re.IGNORECASE)
        denial = _DENIAL.match(text)
        if denial and denial.group("verb").lower() not in _MODALS | {"have", "be", "know", "think", "want"}:
            return f"denies {_gerund(denial.group('verb').lower())}{denial.group('rest')}"
        if re.match(r"^(?:denies|says|confirms|promises)\b", text, re.IGNORECASE):
            return text[0].lower() + text[1:]
        first = text.split(" ", 1)[0].strip(",;:")
        if first and not _looks_like_a_name(first, context):
            text = text[0].lower() + text[1:]
        return f"says {text}"


def _looks_like_a_name(word: str, context: str) -> bool:
    """Keep the capital of a sentence's first word when it is a name: "DreamUp", "EU", or capitalised mid-sentence."""
    if word.lower() in _COMMON_START or not word[:1].isupper():
        return False
    if re.search(r"[a-z][A-Z]", word) or word.isupper():
        return True
    return re.search(rf"(?<![.!?:]\s)(?<!^)(?<=\s){re.escape(word)}\b", context) is not None


def _score(text: str) -> float:
    topics = len(label_topics(text))
    relevant = len({m.group(0).lower() for m in _RELEVANT.finditer(text)})
    negation = 1 if _NEGATION.search(text) else 0
    commitment = 1 if _COMMITMENT.search(text) else 0
    score = 2.0 * topics + min(relevant, 4) + 2.5 * negation + commitment + (1.0 if _NUMBER.search(text) else 0.0)
    if _FLUFF.search(text) and not negation and not topics:
        score -= 4.0
    if len(text.split()) < 5:
        score -= 1.0
    return score


def _third_person(text: str) -> str:
    """First-person plural to the platform in the third person:
    "We don't sell your data" → "it doesn't sell users' data"."""
    words = text.split(" ")
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        bare = word.strip(",;:()“”\"")
        lower = bare.lower()
        if lower in _CONTRACTIONS:
            out.append(word.replace(bare, _CONTRACTIONS[lower]))
        elif lower == "we":
            out.append(word.replace(bare, "it"))
            index = _conjugate_after(words, index + 1, out)
            continue
        elif lower == "our":
            out.append(word.replace(bare, "its"))
        elif lower == "us":
            out.append(word.replace(bare, "it"))
        elif lower == "ourselves":
            out.append(word.replace(bare, "itself"))
        elif lower == "ours":
            out.append(word.replace(bare, "its own"))
        elif lower == "your":
            out.append(word.replace(bare, "users'"))
        elif lower in ("you", "yours"):
            out.append(word.replace(bare, "users"))
        else:
            out.append(word)
        index += 1
    return " ".join(out)


def _conjugate_after(words: list[str], index: int, out: list[str]) -> int:
    """Agree the verb after a new subject "it" ("we only use" → "it only uses"); returns the next index."""
    while index < len(words) and words[index].lower() in _ADVERBS:
        out.append(words[index])
        index += 1
    if index >= len(words):
        return index
    word = words[index]
    lower = word.lower().strip(",;:")
    if lower in _THIRD_PERSON:
        out.append(word.replace(word.strip(",;:"), _THIRD_PERSON[lower]))
    elif lower in _MODALS or lower.endswith(("ed", "n't", "n’t")) or not lower.isalpha():
        out.append(word)
    else:
        out.append(word.replace(lower, _third_singular(lower)))
    return index + 1


def _third_singular(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _gerund(verb: str) -> str:
    """"sell" → "selling", "use" → "using", "plan" → "planning", "agree" → "agreeing"."""
    if verb in ("be", "see", "agree", "free", "flee"):
        return verb + "ing"
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    vowel_groups = re.findall(r"[aeiou]+", verb)
    if (len(vowel_groups) == 1 and len(verb) <= 4 and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", verb)):
        return verb + verb[-1] + "ing"
    return verb + "ing"


def _tidy(text: str) -> str:
    """A claim kept in its own words (languages the rewriter does not handle), without the final full stop."""
    return text.strip().rstrip(".").strip()


def _shorten(point: str, max_words: int) -> str:
    words = point.split()
    if len(words) <= max_words:
        return point
    head = " ".join(words[:max_words])
    cut = max(head.rfind(", "), head.rfind("; "))
    if cut > len(head) // 2:
        return head[:cut] + "…"
    return head + "…"

