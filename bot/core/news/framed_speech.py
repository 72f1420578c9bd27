"""Statements set apart without quotation marks or without an attribution of their own: a paragraph under a line
that introduces it, a text signed by a byline ("– Jo Diaz, CTO of Tunely"), a post embedded from a social network.
"""

from __future__ import annotations

import re

from bot.core.news.channels import channel_of
from bot.core.news.exclusions import YEAR, is_old, is_terms_text, locates_terms
from bot.core.news.people import APPOSITION_CUES
from bot.core.news.quoted_speech import clean_quote, introduced_by
from bot.core.news.speakers import PERSON, name_pattern, resolve_speaker
from bot.core.news.speech import MIN_QUOTE_WORDS, Found, Speaker

# "– Jo Diaz, directrice technique de Tunely" or "— Tunely team" on its own line under a block quote or a paragraph.
_BYLINE = re.compile(r"^[ \t]*[–—][ \t]*(?P<who>[^\n–—]{2,120}?)[ \t]*$", re.MULTILINE)

# A line ending with a colon ("Tunely sent us a message:"), then a paragraph that is not a quotation nor a list.
_INTRO_LINE = re.compile(r"^(?P<intro>[^\n]{8,300}?:)[ \t*_]*\n\s*(?P<body>[^\n]{20,3000})", re.MULTILINE)
_NOT_BODY = tuple("-•*·–—>#[(0123456789“\"«„»‘")


def framed_statements(text: str, names: tuple[str, ...], people: dict[str, str], found: list[Found],
                      reference: int | None) -> list[Found]:
    """Statements set apart with no quotation marks or no attribution of their own: a paragraph under a line that
    introduces it ("Tunely sent us this message:"), a quotation or paragraph signed by a byline below it."""
    taken = [(f.start, f.start + len(f.passage)) for f in found]
    framed: list[Found] = []

    def free(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in taken)

    for match in _BYLINE.finditer(text):
        who = match.group("who").strip()
        if "@" in who or len(who.split()) > 14:
            continue
        speaker = resolve_speaker(who, names, people, needs_verb=False)
        signed = re.match(rf"{PERSON},\s+(?P<title>.+)$", who)
        if speaker is None and signed and APPOSITION_CUES.search(signed.group("title")) and \
                name_pattern(names).search(signed.group("title")):
            speaker = Speaker(who, "person")  # "– Jo Diaz, Directrice technique de Tunely"
        if speaker is None or speaker.kind == "pronoun":
            continue
        before = text[:match.start()].rstrip()
        start = before.rfind("\n") + 1
        line = before[start:]
        quote = clean_quote(line)
        if (len(quote.split()) <= MIN_QUOTE_WORDS + 1 or not free(start, match.start()) or line.rstrip().endswith(":")
                or is_terms_text(quote, "") or is_old(line, reference)):
            continue
        framed.append(Found(start, quote, speaker, None, f"{line} {match.group(0).strip()}", True))
        taken.append((start, match.end()))
    if "(@" in text:
        for item in _embedded_posts(text, names, people, reference):
            if free(item.start, item.start + len(item.passage)):
                framed.append(item)
                taken.append((item.start, item.start + len(item.passage)))
    for match in _INTRO_LINE.finditer(text):
        body = match.group("body").strip()
        if body.startswith(_NOT_BODY) or len(body.split()) < MIN_QUOTE_WORDS + 2:
            continue
        intro = match.group("intro")
        speaker = introduced_by(intro, names, people)
        if speaker is None or locates_terms(intro) or is_old(intro, reference):
            continue
        start = match.start("body")
        quote = clean_quote(body)
        if not free(match.start(), match.end()) or is_terms_text(quote, intro):
            continue
        framed.append(Found(start, quote, speaker, channel_of(intro), f"{intro.strip()} {body}", True))
        taken.append((match.start(), match.end()))
    return framed


# A post embedded from a social network, signed under (or after) its text: "— Tunely (@tunely) December 15, 2023".
_EMBED_SIGNATURE = re.compile(r"(?:^|(?<=\s))[–—][ \t]*(?P<who>[^\n()–—]{1,60}?)[ \t]*\(@(?P<handle>\w{1,30})\)"
                              r"[ \t]*(?P<date>[^\n]{0,40})$", re.MULTILINE)

_LINKS = re.compile(r"\s*(?:https?://\S+|pic\.twitter\.com/\S+|\S+\.\S+/\S+…?)")


def _embedded_posts(text: str, names: tuple[str, ...], people: dict[str, str], reference: int | None) -> list[Found]:
    """Posts embedded in the article and signed by the platform's account or by one of its people (its owner, an
    executive the text introduces): their text is what they said. A critic's or a user's post is signed by someone
    else and is left alone."""
    names_re = name_pattern(names)
    handles = {re.sub(r"\W", "", name).lower() for name in names}
    found: list[Found] = []
    for match in _EMBED_SIGNATURE.finditer(text):
        who = match.group("who").strip()
        if names_re.fullmatch(who) or match.group("handle").lower() in handles:
            speaker = Speaker(who, "platform")
        elif who in people or (" " in who and who.split()[-1] in people and who.split()[-1] != who):
            speaker = Speaker(people.get(who) or people[who.split()[-1]], "person")
        else:
            continue
        year = YEAR.search(match.group("date"))
        if year is not None and reference is not None and int(year.group(0)) < reference:
            continue  # an old post recalled
        line_start = text.rfind("\n", 0, match.start()) + 1
        start = line_start
        body = text[line_start:match.start()].strip()
        # a post printed over several short paragraphs: take the ones before while the post is still short
        while len(_LINKS.sub("", body).split()) < 15 and start > 0:
            previous_end = len(text[:start].rstrip())
            previous_start = text.rfind("\n", 0, previous_end) + 1
            paragraph = text[previous_start:previous_end].strip()
            if not paragraph or paragraph.endswith(":") or len(paragraph.split()) > 80:
                break
            body = f"{paragraph}\n{body}"
            start = previous_start
        quote = clean_quote(_LINKS.sub("", body).strip(" …"))
        if len(quote.split()) <= MIN_QUOTE_WORDS or is_terms_text(quote, ""):
            continue
        found.append(Found(start, quote, speaker, "embedded post", f"{body} {match.group(0).strip()}", True))
    return found
