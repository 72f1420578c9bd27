"""Statements by a platform found in news text: quoted or reported speech of the platform, its spokespeople
and executives (English and French wordings), appended "Update …" passages, and own-feed posts as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.core.language import detect_language, fold_text, words_of

MIN_QUOTE_WORDS = 4  # shorter quotes are terms ("“collaborators”"), not speech
MAX_CLAUSE_CHARS = 240  # how far an attribution ("…,” a spokesperson said in a statement) is looked for

# --- sentences ---------------------------------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof vs etc inc corp ltd jr sr p.m a.m e.g i.e u.s u.k jan feb mar apr jun jul aug "
    "sep sept oct nov dec mme mlle approx".split()
)
_ABBREVIATIONS_BEFORE_NUMBER = frozenset("no art fig p pp vol ch sec sect st co".split())  # "art. 5", "No. 3"


_DOT_NUMBER = re.compile(r"\.\s*\d")
_BOUNDARY = re.compile(r"[.!?…]+[”»\"')’']*(?:\s+(?=[«“\"(\dA-ZÀ-Ý])|\s*$)|\n\s*\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a sentence never ends inside a quotation (“…”, «…», "…")."""
    quotes = _quotes(text) if ("“" in text or "«" in text or '"' in text or "„" in text) else []
    spans: list[tuple[int, int]] = []
    start = 0
    quote = 0  # quotations are in order, and so are boundaries: one pass over both
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        position = match.start()
        if text[position] != "\n":
            while quote < len(quotes) and quotes[quote][1] - 1 <= position:
                quote += 1
            inside = quote < len(quotes) and quotes[quote][0] < position
            if inside or (text[position] == "." and _is_abbreviation(text, position)):
                continue
            end = position + len(match.group(0).rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())) for s, e in spans]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped."""
    return [text[s:e].strip() for s, e in sentence_spans(text)]


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    start = max(text.rfind(" ", max(0, dot - 8), dot), text.rfind("(", max(0, dot - 8), dot)) + 1
    if start == 0 and dot > 7:
        return False  # a word longer than any abbreviation ends here
    word = text[start:dot].lower().strip(".")
    if not word or not word.replace(".", "").isalpha():
        return False
    if word in _ABBREVIATIONS_BEFORE_NUMBER:
        return _DOT_NUMBER.match(text, dot) is not None
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha() and text[dot - 1].isupper())


# --- updates appended to an article ------------------------------------------------------------------------

_UPDATE = re.compile(
    r"(?:(?<=\n)|(?<=^)|(?<=[.!?»”\"]\s)|(?<=[.!?»”\"]))\s*[\[(*]*\s*"
    r"(?P<marker>(?:UPDATE|Update[sd]?|EDIT|Correction|CORRECTION|Mise à jour|MISE À JOUR|MàJ|Actualización|"
    r"Aktualisierung|Nachtrag)\b(?P<when>(?:[^:\n]|:(?=\d\d)){0,60}?)\s?)[:—–](?!\d)\s*",
)


_UPDATE_CUES = ("update", "edit", "correction", "mise à jour", "màj", "actualización", "aktualisierung", "nachtrag")


@dataclass(frozen=True, slots=True)
class Update:
    """An "Update, 2:22 p.m.: …" passage appended to an article: the marker and where its text starts."""

    marker: str
    when: str
    marker_start: int
    start: int
    end: int


def find_updates(text: str) -> list[Update]:
    """Appended update passages, in order; each runs to the next marker or the end of the text."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _UPDATE_CUES):
        return []
    found = list(_UPDATE.finditer(text))
    updates: list[Update] = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        when = match.group("when").strip(" ,()[]") or ""
        updates.append(Update(match.group("marker").strip(" ,"), when, match.start("marker"), match.end(), end))
    return updates


# --- statements --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """What a platform said: the words, who said them, where, when, in which language, and the passage.

    `quote` is verbatim for a direct quote (`direct`), the reported clause for reported speech, the whole
    post for an own-feed post. `channel` says where ("emailed statement", "told The Verge", "blog post",
    "newsroom post", "quoted in the article"). `update` is the marker of the appended update it was found in
    ("Update, 2:22 p.m."), `when` the publication time given by the caller (or the update's own time).
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

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.parts or (self.quote,)


_SPEECH_EN = (
    r"said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|explains|noted|notes|confirmed|"
    r"confirms|insisted|insists|denied|denies|argued|argues|acknowledged|acknowledges|clarified|clarifies|"
    r"stressed|stresses|emphasi[sz]ed|emphasi[sz]es|responded|replied|maintained|maintains|commented|"
    r"announced|pointed out|contended|assured|promised|pledged"
)
_SPEECH_FR = (
    r"a (?:d[ée]clar[ée]|indiqu[ée]|pr[ée]cis[ée]|affirm[ée]|assur[ée]|expliqu[ée]|ajout[ée]|soulign[ée]|"
    r"confi[ée]|r[ée]pondu|d[ée]menti|reconnu|[ée]crit|martel[ée]|insist[ée]|promis|annonc[ée])|"
    r"d[ée]clare|indique|pr[ée]cise|affirme|assure|explique|ajoute|souligne|r[ée]pond|d[ée]ment|"
    r"reconna[iî]t|[ée]crit|martèle|insiste|promet|"
    r"(?:a-t-(?:il|elle)|ont-ils|ont-elles) (?:d[ée]clar[ée]|ajout[ée]|pr[ée]cis[ée]|expliqu[ée]|indiqu[ée]|"
    r"assur[ée]|affirm[ée]|soulign[ée]|insist[ée]|poursuivi)|"
    r"(?:d[ée]clare|ajoute|pr[ée]cise|explique|indique|assure|affirme|souligne|poursuit|insiste)-t-(?:il|elle)"
)
_SPEECH_OTHER = r"dijo|afirm[óo]|asegur[óo]|explic[óo]|señal[óo]|declar[óo]|sagte|erkl[äa]rte|betonte|teilte mit"
_SPEECH = re.compile(rf"\b(?:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER})\b", re.IGNORECASE)
# Every attribution has a word starting with one of these five-letter stems (folded: "déclaré" → "decla"):
# a text, or a sentence, with none is not scanned at all.
_SPEECH_STEMS = frozenset((
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "write", "state", "expla", "noted", "notes",
    "confi", "insis", "denie", "deny", "argue", "argui", "ackno", "clari", "stres", "empha", "respo", "repli",
    "maint", "comme", "annou", "point", "conte", "assur", "promi", "pledg", "accor", "decla", "indiq", "preci",
    "affir", "ajout", "souli", "repon", "demen", "recon", "ecrit", "marte", "pours", "selon", "apres", "dijo",
    "asegu", "expli", "senal", "segun", "sagte", "erkla", "beton", "teilt", "laut",
))


def _mentions_speech(text: str) -> bool:
    return not _SPEECH_STEMS.isdisjoint(word[:5] for word in words_of(fold_text(text)))


# Every executive's title the speaker patterns know contains one of these (lower-cased) strings.
_TITLE_CUES = ("ceo", "chief", "founder", "president", "head of", "director", "counsel", "vp", "lead", "pdg",
               "directeur", "directrice", "présid", "fondat", "responsable")
_ACCORDING = re.compile(
    r"\b(?:according to|selon|d'après|d’après|según|laut)\s+(?P<who>[^,:«“\"]{2,80}?)\s*[,:]", re.IGNORECASE
)
_ROLE_WORD = r"spokes(?:person|woman|man)|representative|press officer|porte-parole|portavoz|Sprecher(?:in)?"
_TITLE_EN = (
    r"(?:co-?)?founder(?: and (?:CEO|chief executive))?|CEO|chief executive(?: officer)?|president|"
    r"vice[- ]president(?: of [a-z]+(?: [a-z]+){0,3})?|VP(?: of [a-z]+(?: [a-z]+){0,3})?|"
    r"head of [a-z]+(?: (?:and|&) [a-z]+| [a-z]+){0,3}|chief [a-z]+ officer|"
    r"director of [a-z]+(?: [a-z]+){0,3}|general counsel|(?:product|policy|public policy) (?:lead|director|chief)"
)
_TITLE_FR = (
    r"PDG|directeur général|directrice générale|président(?:e)?|fondat(?:eur|rice)|cofondat(?:eur|rice)|"
    r"directeur(?: [a-zéè]+){0,3}|directrice(?: [a-zéè]+){0,3}|responsable(?: [a-zéè']+){0,4}"
)
_PERSON = r"(?P<person>[A-Z][a-zà-ÿ'’-]+(?:\s+(?:de |van |von |da |le )?[A-Z][a-zà-ÿ'’-]+){1,2})"
_GENERIC_EN = re.compile(r"\b(?:the|this) (?:company|platform|service|firm|startup|start-up|streaming service|app)\b",
                         re.IGNORECASE)
_GENERIC_FR = re.compile(r"\b(?:l['’](?:entreprise|application|éditeur)|la (?:plateforme|société|firme|start-up)|"
                         r"le (?:groupe|service|site))\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|she|they|il|elle|ils|elles|-t-il|-t-elle)\b", re.IGNORECASE)
_ORG = r"(?P<org>(?:the |la |le |l['’])?[A-Z][\w&.’'-]*(?:\s+(?:of |for |des |de )?[A-Z][\w&.’'-]*)*)"
# A publication's name ("The Circuit Ledger", "Écran Libre"), matched case-sensitively inside IGNORECASE patterns.
_OUTLET = r"(?P<where>(?-i:(?:The |Le |La |Les |L['’])?[A-ZÀ-Ý][\w&’'-]*(?:\s+[A-ZÀ-Ý][\w&’'-]*){0,3}))"

_CHANNELS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), label) for p, label in (
    (r"\bin an? (?:e-?mailed|written) (?:statement|response|reply)\b", "emailed statement"),
    (r"\bin an? (?:e-?mail|email) (?:to|sent to)\b|\bby e-?mail\b", "emailed statement"),
    (r"\bdans un (?:courriel|e-?mail|mail)\b|\bpar (?:courriel|e-?mail)\b", "emailed statement"),
    (r"\bin an? (?:blog ?post|post on (?:its|the company's) (?:official )?blog)\b|\bdans un billet de blog\b",
     "blog post"),
    (r"\bin an? (?:press release|communiqué)\b|\bdans un communiqué(?: de presse)?\b", "press release"),
    (r"\bin an? (?:post|thread) on (?P<where>X|Twitter|Threads|LinkedIn|Instagram|Bluesky|Mastodon|its website)\b",
     "post on {where}"),
    (rf"\bin an? interview with {_OUTLET}", "interview with {where}"),
    (rf"\bdans une (?:interview|entrevue|entretien) (?:accordée? )?(?:à|au) {_OUTLET}", "interview with {where}"),
    (rf"\b(?:told|a confié à|a déclaré à|a indiqué à|a précisé à|a expliqué à|a répondu à) {_OUTLET}",
     "told {where}"),
    (r"\btold (?P<where>reporters|journalists)\b", "told {where}"),
    (r"\b(?:a (?:d[ée]clar[ée]|indiqu[ée]|pr[ée]cis[ée]|expliqu[ée]|confi[ée]|r[ée]pondu)|a-t-(?:il|elle) "
     rf"(?:d[ée]clar[ée]|indiqu[ée]|pr[ée]cis[ée]|confi[ée]))\b[^.«»“”]{{0,60}}?\s(?:à|au) {_OUTLET}",
     "told {where}"),
    (r"\bin an? (?:statement|response)\b|\bdans une déclaration\b", "statement"),
    (r"\bon a (?:call|press call|livestream)\b|\bduring a (?:call|livestream|town hall|press conference)\b",
     "press call"),
))


@lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip())
    return re.compile(rf"(?<![\w@#/.-])(?:{alternation or '(?!)'})(?:'s|’s)?(?![\w-])")


@dataclass(frozen=True, slots=True)
class _Speaker:
    text: str
    kind: str  # "role", "person", "platform", "generic", "pronoun"


@lru_cache(maxsize=256)
def _speaker_patterns(names: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    name = _name_pattern(names).pattern
    name = name.removeprefix(r"(?<![\w@#/.-])")
    return tuple((re.compile(p), kind) for p, kind in (
        # "a SoundCloud spokesperson", "the company's spokeswoman", "a spokesperson for SoundCloud"
        (rf"(?i:\b(?:an?|the|un|une|le|la|el|ein|eine)\s+)"
         rf"(?:(?P<name>{name})\s+|(?i:company(?:'s|’s)?\s+|platform(?:'s|’s)?\s+))?"
         rf"(?i:(?P<role>{_ROLE_WORD}))(?:\s+(?i:for|from|at|of|de|du|chez|von|der)\s+{_ORG})?", "role"),
        (rf"(?P<name>{name})\s+(?i:(?P<role>{_ROLE_WORD}))(?:\s+{_PERSON})?", "role"),
        # "SoundCloud CEO Jane Doe", "CEO Jane Doe", "le PDG de SoundCloud, Jane Doe"
        (rf"(?:(?P<name>{name})\s+)?(?P<title>{_TITLE_EN}|{_TITLE_FR})\s+{_PERSON}", "person"),
        (rf"(?i:\b(?:le|la|l['’])\s*)(?P<title>{_TITLE_FR})\s+(?:de|du|chez)\s+(?P<name>{name}),?\s+{_PERSON}",
         "person"),
        # "Jane Doe, SoundCloud's head of trust", "Jane Doe, head of policy at SoundCloud"
        (rf"{_PERSON},\s+(?:(?i:the|a|an|le|la|l['’])\s*)?(?:(?P<name>{name})\s+)?(?P<title>{_TITLE_EN}|{_TITLE_FR})"
         rf"(?:\s+(?:at|of|for|de|du|chez)\s+{_ORG})?", "person"),
    ))


def _find_people(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """People the text introduces as the platform's executives: full name and surname → "CEO Jane Doe"."""
    people: dict[str, str] = {}
    names_re = _name_pattern(names)
    for pattern, kind in _speaker_patterns(names):
        if kind != "person":
            continue
        for match in pattern.finditer(text):
            org = match.groupdict().get("org")
            tied = match.group("name") is not None or (org is not None and names_re.search(org) is not None)
            if not tied or (org is not None and names_re.search(org) is None):
                continue
            label = _person_label(match)
            person = match.group("person")
            people[person] = label
            people[person.split()[-1]] = label
    return people


def _person_label(match: re.Match[str]) -> str:
    title = match.group("title")
    person = match.group("person")
    return f"{title} {person}" if len(title.split()) <= 2 and title[:1].isupper() else f"{person}, {title}"


def _resolve_speaker(clause: str, names: tuple[str, ...], people: dict[str, str],
                     needs_verb: bool = True) -> _Speaker | None:
    """The platform-side speaker named in an attribution clause, or None (someone else, or nobody).

    The platform itself or "the company" must be the one speaking: next to the speech verb ("SoundCloud
    said", "said the company"), not merely named in the clause ("SoundCloud's critics said").
    """
    names_re = _name_pattern(names)
    verbs = [(m.start(), m.end()) for m in _SPEECH.finditer(clause)] if needs_verb else []
    for pattern, kind in _speaker_patterns(names):
        for match in pattern.finditer(clause):
            groups = match.groupdict()
            org = groups.get("org")
            if org is not None and names_re.search(org) is None:
                return None  # "a spokesperson for the Musicians' Union": not the platform
            if kind == "role":
                return _Speaker(match.group(0).strip(" ,.;"), "role")
            person = groups.get("person") or ""
            if groups.get("name") is not None or (org is not None) or person in people:
                return _Speaker(people.get(person) or _person_label(match), "person")
            if groups.get("title") and groups["title"][:1].isupper():
                return _Speaker(_person_label(match), "person")  # "CEO Jane Doe" in an article about the platform
    for person, label in people.items():
        if re.search(rf"\b{re.escape(person)}\b", clause):
            return _Speaker(label, "person")
    for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}\b", clause):
        if not names_re.search(match.group(0)) and match.group(0).split()[0] not in _NOT_PEOPLE:
            return None  # a named person who is not introduced as the platform's: someone else
    for match in names_re.finditer(clause):
        if not needs_verb or _next_to_verb(clause, match.start(), match.end(), verbs):
            return _Speaker(re.sub(r"(?:'s|’s)$", "", match.group(0)), "platform")
    for generic_re in (_GENERIC_EN, _GENERIC_FR):
        for match in generic_re.finditer(clause):
            if not needs_verb or _next_to_verb(clause, match.start(), match.end(), verbs):
                return _Speaker(match.group(0), "generic")
    for match in _PRONOUN.finditer(clause):
        if _next_to_verb(clause, match.start(), match.end(), verbs):
            return _Speaker("", "pronoun")
    return None


_FILLER = frozenset(
    "also later has have had previously again then now further first initially itself on this week today "
    "yesterday monday tuesday wednesday thursday friday saturday sunday morning evening afternoon night "
    "has since already instead quickly separately in a an statement the emailed when asked still "
    "aussi ensuite encore a de nouveau depuis lundi mardi mercredi jeudi vendredi samedi dimanche "
    "soir matin".split()
)


def _next_to_verb(clause: str, start: int, end: int, verbs: list[tuple[int, int]]) -> bool:
    """Is the phrase at [start, end) the subject (or the inverted subject) of a speech verb in `clause`?"""
    for verb_start, verb_end in verbs:
        if verb_start >= end:
            between = clause[end:verb_start]
        elif verb_end <= start:
            between = clause[verb_end:start]
        else:
            return True  # inside the verb: "a-t-elle ajouté"
        between = re.sub(r",[^,]{0,80},", " ", between)  # an aside: "la plateforme, contactée par Le Fil, a …"
        words = re.findall(r"[^\W\d_]+", between.lower())
        if len(words) <= 4 and all(word in _FILLER for word in words):
            return True
    return False


_NOT_PEOPLE = frozenset("In On At The A An Update Le La Les Un Une Dans Selon Mise According Asked When Since".split())


def _channel(text: str) -> str | None:
    for pattern, label in _CHANNELS:
        match = pattern.search(text)
        if match:
            where = match.groupdict().get("where")
            return label.format(where=where.strip()) if where else label
    return None


@dataclass(slots=True)
class _Found:
    start: int
    quote: str
    speaker: _Speaker
    channel: str | None
    passage: str
    direct: bool


_QUOTATION = re.compile(
    r"“([^”]{2,2000})”|«\s?([^»]{2,2000}?)\s?»|„([^“”]{2,2000})[“”]|\"([^\"]{2,2000})\""
)


def _quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each quotation (“…”, «…», „…“, "…")."""
    found: list[tuple[int, int]] = []
    for match in _QUOTATION.finditer(text):
        group = next(g for g in range(1, 5) if match.group(g) is not None)
        found.append((match.start(group), match.end(group)))
    return found


def _sentence_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= position < end:
            return start, end
    return position, position


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
        body = text.strip() or title.strip()
        speaker = names[0] if names else (platform or "the platform")
        language = language or detect_language(f"{title}\n{text}")
        return [Statement(body, speaker, "newsroom post", language, body, True, platform, published, None, (body,))]
    if not _mentions_speech(text):
        return []  # nobody is quoted or reported as saying anything: no regex scans
    lowered = text.lower()
    language = language or detect_language(f"{title}\n{text}")
    name_tuple = tuple(n for n in names if n.strip())
    people = _find_people(text, name_tuple) if any(cue in lowered for cue in _TITLE_CUES) else {}
    spans = sentence_spans(text)
    quotes = _quotes(text)
    found: list[_Found] = []
    quoted_sentences: set[tuple[int, int]] = set()
    previous: _Found | None = None
    previous_sentence_end = -1
    for start, end in quotes:
        quote = _as_sentence(text[start:end])
        sentence = _sentence_of(spans, start)
        words = len(quote.split())
        if words < 2:
            continue
        after = text[end:min(sentence[1], end + MAX_CLAUSE_CHARS)]
        before = text[max(sentence[0], start - MAX_CLAUSE_CHARS):start]
        speaker: _Speaker | None = None
        clause = ""
        for candidate in (after, before):
            if _SPEECH.search(candidate) or _ACCORDING.search(candidate):
                speaker = _resolve_speaker(candidate, name_tuple, people)
                clause = candidate
                if speaker is not None:
                    break
        if speaker is not None and speaker.kind == "pronoun":
            speaker = previous.speaker if previous is not None else None
        if speaker is None and words < MIN_QUOTE_WORDS:
            continue  # a short quotation with no attribution is a term ("“collaborators”"), not speech
        if speaker is None and previous is not None and not clause.strip(" ,.;:—–-\"“”«»\n"):
            # A quotation that follows an attributed one with no attribution of its own continues it.
            if sentence[0] <= previous_sentence_end + 2:
                speaker = previous.speaker
        if speaker is None:
            previous = None
            continue
        channel = _channel(text[sentence[0]:sentence[1]])
        item = _Found(start, quote, speaker, channel, text[sentence[0]:sentence[1]].strip(), True)
        found.append(item)
        quoted_sentences.add(sentence)
        previous = item
        previous_sentence_end = sentence[1]
    for sentence in spans:
        if sentence in quoted_sentences:
            continue
        if not _mentions_speech(text[sentence[0]:sentence[1]]):
            continue
        reported = _reported(text[sentence[0]:sentence[1]], name_tuple, people, found)
        if reported is not None:
            reported.start = sentence[0]
            found.append(reported)
    found.sort(key=lambda f: f.start)
    return _merge(found, text, language, platform, published)


_REPORTED = re.compile(
    rf"^(?P<subject>.{{0,160}}?)\b(?P<verb>(?i:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER}))\b"
    r"(?P<object>(?:(?<=told)|(?<=tells))\s+"
    r"(?:(?:The |Le |La |Les |L['’])?[A-Z][\w&’'-]*(?:\s+[A-Z][\w&’'-]*){0,3}|reporters|journalists)|"
    r"\s+à\s+(?:[^,]{2,40}?)(?=\s*,|\s+que\b|\s+qu['’]))?"
    r"(?P<channel>\s+(?:in|on|during|dans|par|lors)\s+[^,]{2,60}?(?=\s*,|\s+that\b|\s+que\b|\s+qu['’]))?"
    r"\s*[,:]?\s*(?:that\s+|que\s+|qu['’])?(?P<content>.+)$",
    re.DOTALL,
)


_INVERTED = re.compile(
    rf"^(?P<content>[^“”«»\"]{{12,}}?),\s+"
    rf"(?P<attribution>[^,]{{0,80}}?\b(?i:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER})\b"
    # after the verb, only a short adjunct ("on Thursday", "told The Verge"): a longer tail is what was said
    r"(?:\s+[^\s,]+){0,4}?)[.!]?$",
    re.DOTALL,
)


# Verbs that also take a plain object ("SoundCloud added section 6.4", "a annoncé une option") report speech
# only when followed by "that" / "que" or a colon.
_NEEDS_THAT = re.compile(
    r"(?i:added|adds|wrote|writes|noted|notes|confirmed|confirms|explained|explains|announced|acknowledged|"
    r"acknowledges|clarified|clarifies|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|responded|replied|commented|"
    r"pointed out|assured|promised|pledged|a ajout[ée]|ajoute|a annonc[ée]|a [ée]crit|[ée]crit|a reconnu|"
    r"reconna[iî]t|a promis|promet|a confi[ée]|a r[ée]pondu|r[ée]pond|a expliqu[ée]|explique)"
)


def _reported(sentence: str, names: tuple[str, ...], people: dict[str, str], found: list[_Found]) -> _Found | None:
    """Reported speech of the platform in one sentence: "In a statement, the company said it does not …"."""
    according = _ACCORDING.search(sentence)
    if according and according.start() < 40:
        speaker = _resolve_speaker(according.group("who"), names, people, needs_verb=False)
        content = sentence[according.end():].strip()
        if speaker is not None and speaker.kind != "pronoun" and len(content.split()) >= MIN_QUOTE_WORDS:
            return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence.strip(), False)
    stripped = sentence.strip()
    inverted = _INVERTED.match(stripped)
    if inverted:  # "The change rolls out next week, Meta said on Thursday."
        speaker = _resolve_speaker(inverted.group("attribution"), names, people)
        if speaker is not None and speaker.kind == "pronoun":
            speaker = found[-1].speaker if found else None
        content = inverted.group("content")
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS - 1:
            return _Found(0, _clean_content(content), speaker, _channel(stripped), stripped, False)
    match = _REPORTED.match(stripped)
    if not match:
        return None
    verb = match.group("verb").lower()
    if _NEEDS_THAT.fullmatch(match.group("verb")) and not re.search(
            r"(?:\bthat|\bque|\bqu['’]|:)\s*$", stripped[:match.start("content")]):
        return None
    speaker = _resolve_speaker(stripped[:match.end("verb")], names, people)
    if speaker is None:
        return None
    if speaker.kind == "pronoun":
        if not found:
            return None
        speaker = found[-1].speaker
    content = match.group("content").strip()
    if verb.startswith(("denied", "denies")) and re.match(r"\w+ing\b", content):
        content = f"denies {content}"
    elif verb.startswith(("dément", "dement", "a démenti", "a dementi")):
        content = f"dément {content}"
    if len(content.split()) < MIN_QUOTE_WORDS - 1 or content.lower().startswith(("to comment", "de commenter")):
        return None
    return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence.strip(), False)


def _clean_content(content: str) -> str:
    return _as_sentence(content)


def _as_sentence(text: str) -> str:
    """A quoted or reported piece as a sentence: "…models," → "…models."."""
    text = text.strip().rstrip(",;:—– ").strip()
    if text and text[-1] not in ".!?…":
        text += "."
    return text


def _merge(found: list[_Found], text: str, language: str, platform: str | None,
           published: str | None) -> list[Statement]:
    """One statement per speaker; generic mentions ("the company", "the spokesperson") join the speaker before."""
    updates = find_updates(text)
    groups: list[list[_Found]] = []
    for item in found:
        target = None
        for group in groups:
            head = group[0].speaker
            same = head.text.lower() == item.speaker.text.lower()
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
            when=(update.when or published) if update is not None else published,
            update=update.marker if update else None,
            parts=pieces,
        ))
    return statements


def _speaker_text(text: str) -> str:
    """"A SoundCloud spokesperson" → "a SoundCloud spokesperson"; names keep their capitals."""
    first, _, rest = text.partition(" ")
    if first in ("A", "An", "The", "Un", "Une", "Le", "La", "This"):
        return f"{first.lower()} {rest}"
    return text
