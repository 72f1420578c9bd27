"""Quotations and the speaker they are attributed to: the quotation marks of news text (also one a cut-off excerpt
leaves open), the attribution around a quotation, an introducing line ("a spokesperson said:") or a caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.news.channels import channel_of
from bot.core.news.exclusions import is_old, is_terms_language, is_terms_text, locates_terms
from bot.core.news.people import last_person
from bot.core.news.speakers import (
    ACCORDING,
    document_speaks,
    name_pattern,
    platform_name,
    resolve_speaker,
    subject_speaker,
)
from bot.core.news.speech import (
    DOCUMENT,
    MAX_CLAUSE_CHARS,
    MIN_QUOTE_WORDS,
    READS,
    SHORT_QUOTE_WORDS,
    SPEECH,
    Found,
    Reading,
    Speaker,
    as_sentence,
)
from bot.core.text import quotations


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each quotation (“…”, «…», „…“, "…")."""
    found = quotations(text)
    # A text cut off inside a quotation (a feed's excerpt): the last opening mark never closed runs to the end.
    tail_start = found[-1][1] + 1 if found else 0
    tail = text[tail_start:]
    if any(mark in tail for mark in _OPENING):
        openings = [at for at in (tail.find(mark) for mark in "“«„") if at >= 0]
        if tail.count('"') == 1:
            openings.append(tail.find('"'))
        if openings:
            at = min(openings)
            rest = tail[at + 1:]
            if not any(mark in rest for mark in "”»“«„\"") and len(rest.split()) >= MIN_QUOTE_WORDS + 2:
                found.append((tail_start + at + 1, len(text)))
    return found


_OPENING = ("“", "«", "„", '"')
CAPTION = re.compile(r"[”\"»]?[ \t,.]*\n[ \t]*(?:(?i:mensaje|comunicado|aviso|nota|message|statement|communiqué|"
                     r"Mitteilung|Nachricht)\s+(?i:de|del|from|du|de la|von))\s+(?P<who>[^\n]{2,80})")

# ",” said X CEO Jo Weber", "», a déclaré …", "“, dijo …": a short quotation its speaker closes is speech, not a name.
SAID_RIGHT_AFTER = re.compile(rf"[”\"»“]?\s*,?\s*[”\"»“]?\s*(?:{SPEECH.pattern})", re.IGNORECASE)
MARKS = " \n\t\"“”«»„‘’*_()[]"
_QUOTE_MARKS = re.compile(r"[”\"»’*_]*\s*\n\s*[“\"«„»‘*_]*\s*|[*_]*\s+“[*_]*|^[\s“”\"«»„‘’*_]+|[\s“”\"«»„‘’*_]+$")


def clean_quote(inside: str) -> str:
    """The words of a quotation as one sentence, without the marks that reopen it on each paragraph."""
    return as_sentence(_QUOTE_MARKS.sub(_mark_gap, inside))


def _mark_gap(match: re.Match[str]) -> str:
    """Marks that reopen a quotation on a new paragraph become a space; those at either end go."""
    inner = match.start() > 0 and match.end() < len(match.string)
    return " " if inner and (any(c.isspace() for c in match.group(0))) else ""


def sentence_index(spans: list[tuple[int, int]], position: int) -> int:
    for number, (start, end) in enumerate(spans):
        if start <= position < end:
            return number
    return -1


_STATEMENT_FROM = re.compile(
    r"\b(?:statement|response|reply|comment|déclaration|réponse|communiqué|comunicado|respuesta|Stellungnahme|"
    r"Erklärung|Antwort)\s+(?:from|by|de|du|des|del|von|der|des)\s+(?P<who>.{2,80})$", re.IGNORECASE | re.DOTALL)

_STATEMENT_WORD = re.compile(
    r"\b(?:in an? (?:statement|blog post|press release)|(?:released|issued|published|sent|shared|posted|put out)"
    r"(?: us| to [\w ]{2,30}?)? (?:an? |the following |its )?(?:\w+ )?(?:statement|message|response|letter|blog post)|"
    r"dans un communiqué|(?:a|ont) (?:publié|diffusé|envoyé|transmis)(?: \w+){0,2} (?:un|une|le|la) (?:communiqué|"
    r"déclaration|message|lettre|billet)|nous a (?:envoyé|fait parvenir|transmis)|en un comunicado|"
    r"(?:emitió|public[óo]|envi[óo]|difundi[óo]|comparti[óo]) (?:un|una|el|la) (?:comunicado|declaraci[óo]n|mensaje|carta)|"
    r"in einer (?:Stellungnahme|Mitteilung)|(?:pr[ée]venir|informer|avertir|notified|informed|warned|inform|notify|"
    r"warn|informar|avisar|informieren|benachrichtigen)(?: \w+)? (?:ses|les|its|their|sus|a sus|a los|seine|ihre|die) "
    r"(?:clients|utilisateurs|abonn[ée]s|customers|users|subscribers|clientes|usuarios|Kunden|Nutzer(?:innen)?)|"
    r"(?:via|par|by|through|por|per) (?:un |an? |una |e-?)?(?:mail|e-?mail|courriel|correo|notification|notice)|"
    r"in an? (?:e-?mail|notice|notification|message) (?:sent )?to (?:its |their )?(?:users|customers|subscribers)|"
    r"(?:hat|haben) (?:uns )?(?:eine|folgende|die) (?:\w+ )?(?:Nachricht|"
    r"Stellungnahme|Mitteilung|Erklärung)\b(?: \w+)? (?:geschickt|übermittelt|veröffentlicht|zukommen lassen))\b",
    re.IGNORECASE)

_INTRO_END = re.compile(r"(?::|\b(?:following|suivante?|siguiente|folgende)\b[^.]*\.)\s*[*_]*\s*$", re.IGNORECASE)


def introduced_by(intro: str, names: tuple[str, ...], people: dict[str, str]) -> Speaker | None:
    """Who speaks in the quotation that follows a sentence such as "a Tunely spokesperson said:" or "We have
    received a statement from Tunely:" (None when the sentence does not introduce a quotation)."""
    if not _INTRO_END.search(intro):
        # "Meta, on the other hand, expressed frustration in a statement last week." then the statement as the
        # next paragraph: the sentence's subject released it.
        if _STATEMENT_WORD.search(intro) is None:
            return None
        return subject_speaker(intro.strip(), names, people)
    stripped = intro.strip().rstrip(":*_ ").strip()
    if "\n" in stripped:  # headings and list items run into the intro where no full stop parts them: its own line
        stripped = stripped.rsplit("\n", 1)[-1].strip()
    source = _STATEMENT_FROM.search(stripped)
    if source:
        speaker = resolve_speaker(source.group("who"), names, people, needs_verb=False)
        if speaker is not None and speaker.kind != "pronoun":
            return speaker
    speaker = resolve_speaker(stripped, names, people)
    if speaker is None and _STATEMENT_WORD.search(stripped):  # "Tunely sent us a statement:", "emitió un comunicado:"
        speaker = subject_speaker(stripped, names, people)
    return speaker if speaker is not None and speaker.kind != "pronoun" else None


# The company's voice: "our customers", "nos utilisateurs", "nuestros usuarios", "unsere Kunden".
CORPORATE_WE = re.compile(r"\b(?:our (?:customers|users|members|community|creators|platform|services?)|nos (?:clients|"
                          r"utilisateurs|abonnés|membres)|notre (?:communauté|plateforme|service)|nuestr[oa]s? (?:clientes|"
                          r"usuarios|comunidad|plataforma|servicio)|unsere[nr]? (?:Kunden|Nutzer\w*|Community|Plattform|"
                          r"Dienst\w*))\b", re.IGNORECASE)


@dataclass(slots=True)
class _Quotation:
    """One quotation being attributed: where it is, its words, and the sentences around it."""

    start: int
    end: int
    quote: str
    words: int
    index: int  # of the sentence it starts in (-1: none)
    sentence: tuple[int, int]
    whole: tuple[int, int]  # its sentence to the end of the one it ends in (it may run over several paragraphs)
    before: str = ""  # the attribution looked for before it …
    after: str = ""  # … and after it


def _quotation(reading: Reading, start: int, end: int) -> _Quotation:
    spans = reading.spans
    quote = clean_quote(reading.text[start:end])
    index = sentence_index(spans, start)
    sentence = spans[index] if index >= 0 else (start, end)
    last = spans[sentence_index(spans, end - 1)] if index >= 0 else sentence
    return _Quotation(start, end, quote, len(quote.split()), index, sentence, (sentence[0], max(sentence[1], last[1])))


def find_quoted(reading: Reading) -> None:
    """Attribute each quotation of the text: those the platform's side said join `reading.found`; the sentences of
    quotations that are the terms, or words said long before, are marked as such (no reported speech in them)."""
    text = reading.text
    previous: Found | None = None  # the quotation attributed last …
    previous_end = -1  # … and where its sentences end
    for start, end in reading.quotes:
        quotation = _quotation(reading, start, end)
        if quotation.words <= SHORT_QUOTE_WORDS:
            # too short to be a statement, but the quotation that follows it continues its speaker ("“High time,”
            # said CEO Jo Weber. “The block will …”")
            short = _short_attributed(reading, quotation)
            if short is not None:
                previous, previous_end = short, quotation.whole[1]
            continue  # a setting's name, a term ("“collaborators”"), a fragment: never a statement on its own
        quotation.after = text[end:min(quotation.whole[1], end + MAX_CLAUSE_CHARS)]
        quotation.before = text[max(quotation.sentence[0], start - MAX_CLAUSE_CHARS):start]
        speaker, clause = _attributed(reading, quotation)
        speaker = _resolved(reading, quotation, speaker, clause, previous, previous_end)
        whole = quotation.whole
        if speaker is not None and (_terms_quoted(quotation, clause) or is_old(text[whole[0]:start], reading.reference)
                                    or locates_terms(clause)):
            # the terms quoted, or words said years before the article: not a statement now, nor reported speech
            numbers = reading.sentences_within(whole)
            reading.quoted_sentences.update(reading.spans[number] for number in numbers)
            if speaker.kind in ("platform", "generic", "pronoun"):
                reading.terms_at.update(numbers)
            speaker = None
        if speaker is None:
            previous = None
            continue
        passage = text[whole[0]:whole[1]].strip()
        previous = Found(start, quotation.quote, speaker, channel_of(passage), passage, True)
        previous_end = whole[1]
        reading.found.append(previous)
        reading.quoted_sentences.update(reading.spans[number] for number in reading.sentences_within(whole))


def _short_attributed(reading: Reading, quotation: _Quotation) -> Found | None:
    """A short quotation its speaker closes at once (",” said CEO Jo Weber"), as the speaker of what follows."""
    if quotation.words >= 3 and SAID_RIGHT_AFTER.match(reading.text, quotation.end):
        clause = reading.text[quotation.end:min(quotation.whole[1], quotation.end + MAX_CLAUSE_CHARS)]
        short = resolve_speaker(clause, reading.names, reading.people)
        if short is not None and short.kind != "pronoun":
            whole = quotation.whole
            return Found(quotation.start, quotation.quote, short, None, reading.text[whole[0]:whole[1]], True)
    return None


def _terms_quoted(quotation: _Quotation, clause: str) -> bool:
    return is_terms_text(quotation.quote, clause) or is_terms_language(quotation.before + quotation.quote)


def _attributed(reading: Reading, quotation: _Quotation) -> tuple[Speaker | None, str]:
    """The speaker of a quotation and the clause that names them: the attribution after or before it, a line that
    introduces it, a caption under it, the document it is from, or the platform's own voice ("our users")."""
    names, people = reading.names, reading.people
    after, before = quotation.after, quotation.before
    speaker: Speaker | None = None
    clause = ""
    for candidate in (after, before):
        if SPEECH.search(candidate) or ACCORDING.search(candidate):
            speaker = resolve_speaker(candidate, names, people)
            clause = candidate
            if speaker is not None:
                break
    if speaker is None and not after.strip(MARKS + ".,"):
        # "A spokesperson sent the following statement:" / "… a statement from Tunely, which reads:" then the
        # quotation, in the same sentence or as the next paragraph
        speaker, clause = _introduced(reading, quotation, clause)
    if speaker is None:
        caption = CAPTION.match(reading.text, quotation.end)
        if caption is not None:
            # «…»,\nMensaje de Tunely: a caption under the quotation says whose words they are
            speaker = resolve_speaker(caption.group("who"), names, people, needs_verb=False)
            speaker = speaker if speaker is not None and speaker.kind != "pronoun" else None
            clause = caption.group(0) if speaker is not None else clause
    if speaker is None:
        speaker = _platform_voice(reading, quotation, clause)
    return speaker, clause


def _introduced(reading: Reading, quotation: _Quotation, clause: str) -> tuple[Speaker | None, str]:
    """The speaker named by the words that introduce the quotation: the start of its sentence ending with a colon,
    or the sentence before when the quotation opens its own (then the quotation's sentences start there)."""
    before = quotation.before
    speaker: Speaker | None = None
    if before.rstrip(MARKS).endswith(":"):
        speaker = introduced_by(before.rstrip(MARKS), reading.names, reading.people)
        clause = before if speaker is not None else clause
    elif quotation.index > 0 and not before.strip(MARKS):
        start, end = reading.spans[quotation.index - 1]
        speaker = introduced_by(reading.text[start:end], reading.names, reading.people)
        if speaker is not None:
            clause = reading.text[start:end]
            quotation.whole = (start, quotation.whole[1])
    return speaker, clause


def _platform_voice(reading: Reading, quotation: _Quotation, clause: str) -> Speaker | None:
    """The platform itself, for a quotation of its own message ("«…», indique le courriel", "the notice reads:")
    when it was named just before, or for a paragraph that is one quotation in the company's voice ("our users")."""
    text, names, before = reading.text, reading.names, quotation.before
    whole = quotation.whole
    document = clause or (before if before.rstrip(MARKS).endswith(":") else "")
    if document and DOCUMENT.search(document) and (SPEECH.search(document) or READS.search(document)):
        named = name_pattern(names).search(text, max(0, whole[0] - 600), whole[0])
        if named is not None and document_speaks(document):
            return Speaker(platform_name(named.group(0), names), "platform")
    if not clause.strip(MARKS + ".,;:—–-") and quotation.words >= 12 and CORPORATE_WE.search(quotation.quote) \
            and not before.strip(MARKS) and not quotation.after.strip(MARKS + "."):
        named = name_pattern(names).search(text, max(0, whole[0] - 1500), whole[1])
        if named is not None:
            return Speaker(re.sub(r"(?:'s|’s)$", "", named.group(0)), "platform")
    return None


def _resolved(reading: Reading, quotation: _Quotation, speaker: Speaker | None, clause: str,
              previous: Found | None, previous_end: int) -> Speaker | None:
    """A pronoun ("she said") stands for the speaker quoted just before, else the executive introduced last; a
    quotation with no attribution of its own that follows an attributed one continues it."""
    pronoun = speaker is not None and speaker.kind == "pronoun"
    if pronoun:
        speaker = previous.speaker if previous is not None else last_person(reading.people_at, quotation.start)
    if speaker is None and pronoun and _terms_quoted(quotation, clause):
        reading.terms_at.update(reading.sentences_within(quotation.whole))
    if speaker is None and previous is not None and not clause.strip(MARKS + ".,;:—–-"):
        if quotation.sentence[0] <= previous_end + 3:
            speaker = previous.speaker
    return speaker
