"""Statements by a platform found in news text: quoted or reported speech of the platform, its spokespeople
and executives (English and French wordings), appended "Update …" passages, and own-feed posts as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.language import detect_language
from bot.core.news.exclusions import reference_year
from bot.core.news.framed_speech import framed_statements
from bot.core.news.people import speakers_for
from bot.core.news.quoted_speech import find_quoted, quotation_spans
from bot.core.news.reported_speech import find_reported
from bot.core.news.speech import Found, Reading, mentions_speech, unglue
from bot.core.news.updates import Update, find_updates, update_time
from bot.core.text import sentence_spans as text_sentence_spans

__all__ = ["Statement", "Update", "extract_statements", "find_updates", "sentence_spans", "split_sentences"]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (`bot.core.text.sentence_spans`), never ending inside a quotation, even one
    a cut-off excerpt leaves open."""
    return text_sentence_spans(text, quotation_spans(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped (as `sentence_spans` cuts them)."""
    return [text[s:e] for s, e in sentence_spans(text)]


@dataclass(frozen=True, slots=True)
class Statement:
    """What a platform said: the words, who said them, where, when, in which language, and the passage.

    `quote` is verbatim for a direct quote (`direct`), the reported clause for reported speech, the whole
    post for an own-feed post. `channel` says where ("emailed statement", "told The Verge", "blog post",
    "newsroom post", "quoted in the article"). `update` is the marker of the appended update it was found in
    ("Update, 2:22 p.m."), `when` the publication time given by the caller (or the update's own time when it
    gives a date and a zone); `title` the headline of an own-feed post.
    """

    quote: str
    speaker: str
    channel: str
    language: str
    passage: str
    direct: bool = True
    platform: str | None = None
    when: str | None = None
    update: str | None = None
    parts: tuple[str, ...] = field(default=())  # each quoted or reported piece, in order
    title: str | None = None  # the headline of an own-feed post

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.parts or (self.quote,)


def extract_statements(
    text: str,
    names: Sequence[str],
    *,
    title: str = "",
    own_feed: bool = False,
    platform: str | None = None,
    published: str | None = None,
    language: str | None = None,
) -> list[Statement]:
    """Statements by the platform called `names` (its name and aliases) in an entry's `text`.

    A post from the platform's own feed (`own_feed`) is one statement as a whole. Otherwise quoted speech
    (“…,” a SoundCloud spokesperson said) and reported speech (the company said it does not …) attributed
    to the platform, a spokesperson or an executive; statements by one speaker are merged, in order.
    """
    if own_feed:
        return [_own_post(text, names, title, platform, published, language)]
    text = unglue(text)
    if not mentions_speech(text) and not any(cue in text for cue in ("\n–", "\n—", ":\n")):
        return []  # nobody is quoted or reported as saying anything: no regex scans
    language = language or detect_language(f"{title}\n{text}")
    speaker_names, people, people_at = speakers_for(text, names)
    quotes = quotation_spans(text)
    reading = Reading(text, speaker_names, people, people_at, text_sentence_spans(text, quotes), quotes,
                      reference_year(text, published))
    find_quoted(reading)
    if ":\n" in text or "–" in text or "—" in text:
        for item in framed_statements(text, speaker_names, people, reading.found, reading.reference):
            reading.found.append(item)
            reading.quoted_sentences.update(span for span in reading.spans
                                            if item.start <= span[0] < item.start + len(item.passage))
    find_reported(reading)
    reading.found.sort(key=lambda f: f.start)
    return _merge(reading.found, text, language, platform, published)


def _own_post(text: str, names: Sequence[str], title: str, platform: str | None, published: str | None,
              language: str | None) -> Statement:
    """A post from the platform's own feed: one statement as a whole, by the platform."""
    body = text.strip() or title.strip()
    speaker = names[0] if names else (platform or "the platform")
    language = language or detect_language(f"{title}\n{text}")
    return Statement(body, speaker, "newsroom post", language, body, True, platform, published, None, (body,),
                     title.strip() or None)


def _merge(found: list[Found], text: str, language: str, platform: str | None,
           published: str | None) -> list[Statement]:
    """One statement per speaker; generic mentions ("the company", "the spokesperson") join the speaker before."""
    updates = find_updates(text)
    groups: list[list[Found]] = []
    for item in found:
        target = None
        for group in groups:
            leader = group[0].speaker
            same = leader.text.lower() == item.speaker.text.lower()
            generic_follow = item.speaker.kind == "generic" or (
                item.speaker.kind == "role" and item.speaker.text.lower().startswith(("the ", "le ", "la ")))
            if same or (generic_follow and group is groups[-1]):
                target = group
                break
        if target is None:
            groups.append([item])
        else:
            target.append(item)
    statements: list[Statement] = []
    for group in groups:
        head = group[0]
        update = next((u for u in updates if u.marker_start <= head.start < u.end), None)
        channel = next((f.channel for f in group if f.channel), None) or "quoted in the article"
        pieces = tuple(f.quote for f in group)
        passage = " ".join(dict.fromkeys(f.passage for f in group))
        statements.append(Statement(
            quote=" ".join(pieces),
            speaker=_speaker_text(head.speaker.text),
            channel=channel,
            language=language,
            passage=passage,
            direct=all(f.direct for f in group),
            platform=platform,
            when=update_time(update.when, published) if update is not None else published,
            update=update.marker if update else None,
            parts=pieces,
        ))
    return statements


def _speaker_text(text: str) -> str:
    """"A SoundCloud spokesperson" → "a SoundCloud spokesperson"; names keep their capitals."""
    text = _NOMINATIVE.get(text.lower(), text)
    first, _, rest = text.partition(" ")
    if first in ("A", "An", "The", "Un", "Une", "Le", "La", "This", "Das", "Der", "Die", "Ein", "Eine", "El", "Una"):
        return f"{first.lower()} {rest}"
    return text


# German generic speakers named in the genitive ("eine Stellungnahme des Unternehmens") → who spoke.
_NOMINATIVE = {"des unternehmens": "das Unternehmen", "des konzerns": "der Konzern", "des dienstes": "der Dienst",
               "des anbieters": "der Anbieter", "der plattform": "die Plattform", "der firma": "die Firma"}
