"""Statements by a platform found in news text: quoted or reported speech of the platform, its spokespeople
and executives (English and French wordings), appended "Update …" passages, and own-feed posts as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.core.language import detect_language
from bot.core.text import fold, words

MIN_QUOTE_WORDS = 4  # shorter reported pieces are fragments, not claims
SHORT_QUOTE_WORDS = 4  # quotations this short are setting names or terms ("“Allow AI training”"), not speech
PRONOUN_REACH = 400  # how far back "she said" looks for the executive it stands for
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
    quotes = _quotes(text) if any(cue in text for cue in _QUOTE_CUES) else []
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
    r"(?P<marker>(?:(?:News|NEWS|Editor['’]s|EDITOR['’]S) (?:update|UPDATE|Update)|UPDATE|Update[sd]?|EDIT|Correction|CORRECTION|Mise à jour|MISE À JOUR|MàJ|Actualización|"
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


_SPEECH_EN = (
    r"said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|explains|noted|notes|confirmed|"
    r"confirms|insisted|insists|denied|denies|argued|argues|acknowledged|acknowledges|clarified|clarifies|"
    r"stressed|stresses|emphasi[sz]ed|emphasi[sz]es|responded|replied|maintained|maintains|commented|"
    r"announced|pointed out|contended|assured|promised|pledged|posted|tweeted|claims|claimed|asserts|asserted|"
    r"revealed|mentioned|reiterated|reiterates"
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
_SPEECH_OTHER = (
    r"dijo|dice|afirm[óo]|afirma|asegur[óo]|asegura|explic[óo]|explica|señal[óo]|señala|declar[óo]|indic[óo]|"
    r"indica|añadi[óo]|agreg[óo]|sostuvo|subray[óo]|precis[óo]|neg[óo]|confirm[óo]|coment[óo]|escribi[óo]|"
    r"ha (?:dicho|afirmado|asegurado|explicado|señalado|declarado|indicado|confirmado|negado|añadido|aclarado|"
    r"informado|comunicado|anunciado)|inform[óo]|informa|comunic[óo]|comunica|anunci[óo]|anuncia|aclar[óo]|aclara|"
    r"escribe|reconoce|reconoci[óo]|insisti[óo]|insiste|sostiene|defiende|defendi[óo]|"
    r"sagte|sagt|erkl[äa]rte|erkl[äa]rt|betonte|betont|schreibt|schrieb|versicherte|best[äa]tigte|bestritt|"
    r"dementierte|teilte\b[^,.;:]{0,60}?\bmit|teilt\b[^,.;:]{0,60}?\bmit|hei(?:ß|ss)t es|hie(?:ß|ss) es|"
    r"stellte?\b[^,.;:]{0,60}?\bklar|gibt\b[^,.;:]{0,60}?\ban(?=,)|gab\b[^,.;:]{0,60}?\ban(?=,)|"
    r"gibt\b[^,.;:]{0,40}?\bbekannt|gab\b[^,.;:]{0,40}?\bbekannt|ergänzte|ergänzt|beteuerte?|versichert|"
    r"räumte?\b[^,.;:]{0,40}?\bein(?=,)|(?<=,\s)so(?=\s+(?-i:[A-ZÄÖÜ]))"
)
_SPEECH = re.compile(rf"\b(?:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER})\b", re.IGNORECASE)
# Every attribution has a word starting with one of these five-letter stems (folded: "déclaré" → "decla"):
# a text, or a sentence, with none is not scanned at all.
_SPEECH_STEMS = frozenset((
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "write", "state", "expla", "noted", "notes",
    "confi", "insis", "denie", "deny", "argue", "argui", "ackno", "clari", "stres", "empha", "respo", "repli",
    "maint", "comme", "annou", "point", "conte", "assur", "promi", "pledg", "accor", "decla", "indiq", "preci",
    "affir", "ajout", "souli", "repon", "demen", "recon", "ecrit", "marte", "pours", "selon", "apres", "dijo",
    "asegu", "expli", "senal", "segun", "sagte", "erkla", "beton", "teilt", "laut",
    "poste", "tweet", "afirm", "dice", "indic", "anadi", "agreg", "sostu", "subra", "nego", "comen", "escri",
    "dicho", "sagt", "schre", "schri", "versi", "besta", "bestr", "heiss", "hiess",
    "claim", "asser", "revea", "menti", "reite", "infor", "comun", "anunc", "aclar", "recon", "insis", "sosti",
    "defie", "defen", "stell", "gibt", "gab", "ergan", "beteu", "raumt", "raum", "angab", "eigen", "sicht", "assur",
    "affir", "insis", "sayin", "stati", "addin", "arguin", "empha", "asegu", "afirm", "senal",
))


def _mentions_speech(text: str) -> bool:
    return not _SPEECH_STEMS.isdisjoint(word[:5] for word in words(fold(text)))


# Every executive's title the speaker patterns know contains one of these (lower-cased) strings.
_TITLE_CUES = ("ceo", "chief", "founder", "president", "head of", "director", "counsel", "vp", "lead", "pdg",
               "directeur", "directrice", "présid", "fondat", "responsable", "ejecutiv", "consejer", "fundador",
               "jefe", "jefa", "chef", "gründer", "vorstand", "geschäftsführer")
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
_TITLE_ES = (
    r"director(?:a)? ejecutiv[oa]|consejer[oa] delegad[oa]|president[ea]|fundador(?:a)?|cofundador(?:a)?|"
    r"jef[ea] de [a-záéíóú]+(?: [a-záéíóú]+){0,2}|director(?:a)?(?: de [a-záéíóú]+(?: [a-záéíóú]+){0,2})?|"
    r"responsable de [a-záéíóú]+(?: [a-záéíóú]+){0,2}"
)
_TITLE_DE = r"(?:[A-Z][\w]*-)?Chef(?:in)?|Gründer(?:in)?|Mitgründer(?:in)?|Vorstandschef(?:in)?|Geschäftsführer(?:in)?"
_PERSON = r"(?P<person>[A-Z][a-zà-ÿ'’-]+(?:\s+(?:de |van |von |da |le )?[A-Z][a-zà-ÿ'’-]+){1,2})"
_GENERIC_EN = re.compile(r"\b(?:the|this) (?:company|platform|service|firm|startup|start-up|streaming service|app)\b",
                         re.IGNORECASE)
_GENERIC_FR = re.compile(r"\b(?:l['’](?:entreprise|application|éditeur)|la (?:plateforme|société|firme|start-up)|"
                         r"le (?:groupe|service|site))\b", re.IGNORECASE)
_GENERIC_OTHER = re.compile(r"\b(?:la (?:empresa|compañía|plataforma|firma|app)|el (?:servicio|grupo)|"
                            r"(?:das|dem) (?:Unternehmen|Start-up)|(?:der|dem) (?:Konzern|Dienst|Anbieter)|"
                            r"des (?:Unternehmens|Konzerns|Dienstes|Anbieters)|der (?:Plattform|Firma)|"
                            r"die (?:Plattform|Firma|App))\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|she|they|il|elle|ils|elles|-t-il|-t-elle|er|sie)\b", re.IGNORECASE)
_ORG = r"(?P<org>(?:the |la |le |l['’])?[A-Z][\w&.’'-]*(?:\s+(?:of |for |des |de )?[A-Z][\w&.’'-]*)*)"
# A publication's name ("The Circuit Ledger", "Écran Libre"), matched case-sensitively inside IGNORECASE patterns.
_OUTLET = r"(?P<where>(?-i:(?:The |Le |La |Les |L['’])?[A-ZÀ-Ý][\w&’'-]*(?:\s+[A-ZÀ-Ý][\w&’'-]*){0,3}))"

_CHANNELS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), label) for p, label in (
    (r"\bin an? (?:e-?mailed|written) (?:statement|response|reply)\b|\ban? e-?mailed statement\b", "emailed statement"),
    (r"\bin an? (?:e-?mail|email) (?:to|sent to)\b|\bby e-?mail\b", "emailed statement"),
    (r"\bdans un (?:courriel|e-?mail|mail)\b|\bpar (?:courriel|e-?mail)\b", "emailed statement"),
    (r"\ben un (?:correo(?: electrónico)?|e-?mail)\b|\bpor (?:correo(?: electrónico)?|e-?mail)\b|"
     r"\bper (?:E-?Mail|Mail)\b|\bin einer (?:E-?Mail|Mail)\b", "emailed statement"),
    (r"\ben (?:una entrada|un art[íi]culo|una publicaci[óo]n) (?:de|en) (?:su )?blog\b|\bin einem Blog(?:beitrag|post|"
     r"eintrag)\b", "blog post"),
    (r"\ben un comunicado(?: de prensa)?\b|\bin einer (?:Presse)?mitteilung\b", "press release"),
    (r"\b(?:en una publicaci[óo]n|en un mensaje|en un hilo) en (?P<where>X|Twitter|Threads|LinkedIn|Instagram|"
     r"Bluesky|Mastodon)\b|\bin einem (?:Beitrag|Post) auf (?P<where2>X|Twitter|Threads|LinkedIn|Instagram|Bluesky|"
     r"Mastodon)\b|\b(?:wrote|posted|said|writes) on (?P<where3>X|Twitter|Threads|LinkedIn|Instagram|Bluesky|"
     r"Mastodon)\b", "post on {where}"),
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
    (rf"\b(?:dijo|declar[óo]|explic[óo]|afirm[óo]|asegur[óo]|señal[óo]|indic[óo]) (?:a|al) {_OUTLET}", "told {where}"),
    (rf"\b(?:sagte|erkl[äa]rte|best[äa]tigte) (?:der|dem|gegenüber) {_OUTLET}", "told {where}"),
    (r"\bin an? (?:statement|response)\b|\bdans une déclaration\b|\ben una declaraci[óo]n\b|"
     r"\bin einer (?:Stellungnahme|Erklärung)\b", "statement"),
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
    core = "(?:" + ("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip()) or "(?!)") + ")"
    return tuple((re.compile(p), kind) for p, kind in (
        # "a SoundCloud spokesperson", "the company's spokeswoman", "a spokesperson for SoundCloud"
        (rf"(?i:\b(?:an?|the|un|une|le|la|el|ein|eine)\s+)"
         rf"(?:(?P<name>{name})\s+|(?i:company(?:'s|’s)?\s+|platform(?:'s|’s)?\s+))?"
         rf"(?i:(?P<role>{_ROLE_WORD}))(?:\s+(?i:for|from|at|of|de|du|chez|von|der)\s+{_ORG})?", "role"),
        (rf"(?P<name>{name})\s+(?i:(?P<role>{_ROLE_WORD}))(?:\s+{_PERSON})?", "role"),
        # "Ein Tunely-Sprecher", "der Tunely-Sprecher"
        (rf"(?P<name>{core})-(?P<role>Sprecher(?:in)?)(?:\s+{_PERSON})?", "role"),
        # "SoundCloud CEO Jane Doe", "CEO Jane Doe", "SoundCloud's chief executive, Jane Doe", "Tunely-Chef Jo Weber"
        (rf"(?:(?P<name>{name})\s+)?(?P<title>{_TITLE_EN}|{_TITLE_FR}),?\s+{_PERSON}", "person"),
        (rf"(?P<name>{core})-(?P<title>Chef(?:in)?|Gründer(?:in)?|Vorstand)\s+{_PERSON}", "person"),
        (rf"(?i:\b(?:le|la|l['’]|el)\s*)(?P<title>{_TITLE_FR}|{_TITLE_ES})\s+(?:de|du|del|chez)\s+(?P<name>{name}),?"
         rf"\s+{_PERSON}", "person"),
        # "Jane Doe, SoundCloud's head of trust", "Jane Doe, head of policy at SoundCloud"
        (rf"{_PERSON},\s+(?:(?i:the|a|an|le|la|l['’])\s*)?(?:(?P<name>{name})\s+)?(?P<title>{_TITLE_EN}|{_TITLE_FR})"
         rf"(?:\s+(?:at|of|for|de|du|chez)\s+{_ORG})?", "person"),
    ))


def _find_people(text: str, names: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """People the text introduces as the platform's executives, in order: (where, full name or surname,
    "CEO Jane Doe")."""
    people: list[tuple[int, str, str]] = []
    names_re = _name_pattern(names)
    for pattern, kind in _speaker_patterns(names):
        if kind != "person":
            continue
        for match in pattern.finditer(text):
            org = match.groupdict().get("org")
            tied = match.group("name") is not None or (org is not None and names_re.search(org) is not None)
            executive = org is None and match.group("title")[:1].isupper()  # "CEO Jane Doe" in an article about it
            if not (tied or executive) or (org is not None and names_re.search(org) is None):
                continue
            label = _person_label(match)
            person = match.group("person")
            people.append((match.start(), person, label))
            people.append((match.start(), person.split()[-1], label))
    people.sort()
    return people


def _last_person(people: list[tuple[int, str, str]], position: int) -> _Speaker | None:
    """The executive introduced last, shortly before `position` (whom "she said" refers to when nobody was quoted
    yet)."""
    before = [label for start, _, label in people if position - PRONOUN_REACH <= start < position]
    return _Speaker(before[-1], "person") if before else None


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
    source = _STATEMENT_OF.search(clause) if needs_verb else None
    if source:  # "… heißt es in einer Stellungnahme des Unternehmens", "in a statement from Tunely"
        speaker = _resolve_speaker(source.group("who"), names, people, needs_verb=False)
        if speaker is not None and speaker.kind != "pronoun":
            return speaker
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
    for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}\b", _OUTLET_PHRASE.sub("", clause)):
        if not names_re.search(match.group(0)) and match.group(0).split()[0] not in _NOT_PEOPLE:
            return None  # a named person who is not introduced as the platform's: someone else
    for match in names_re.finditer(clause):
        if not needs_verb or _next_to_verb(clause, match.start(), match.end(), verbs):
            return _Speaker(re.sub(r"(?:'s|’s)$", "", match.group(0)), "platform")
    for generic_re in (_GENERIC_EN, _GENERIC_FR, _GENERIC_OTHER):
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
    "soir matin however other hand its part turn for pour sa por su parte en revanche cependant jedoch aber "
    "seinerseits ihrerseits sin embargo".split()
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
        if len(words) <= 5 and all(word in _FILLER for word in words):
            return True
    return False


# Where the words went ("told The Circuit Ledger", "in a statement to Morning Bytes"): not a person speaking.
_OUTLET_PHRASE = re.compile(r"\b(?:to|told|with|à|au|a)\s+(?:The |Le |La |El |Les |L['’])?[A-ZÀ-Ý][\w&’'-]*"
                            r"(?:\s+[A-ZÀ-Ý][\w&’'-]*){0,3}")
_NOT_PEOPLE = frozenset(
    "In On At The A An Update Le La Les Un Une Dans Selon Mise According Asked When Since Das Der Die Dem Den Des "
    "Ein Eine Einer Im Laut Nachtrag El Los Las Una En Según Actualización News".split()
)


def _channel(text: str) -> str | None:
    for pattern, label in _CHANNELS:
        match = pattern.search(text)
        if match:
            groups = match.groupdict()
            where = groups.get("where") or groups.get("where2") or groups.get("where3")
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
    r"“([^”]{2,2000})”|«\s?([^»]{2,2000}?)\s?»|„([^“”]{2,2000})[“”]|\"([^\"]{2,2000})\"|»([^«»]{2,2000}?)«|"
    r"‘((?:[^’]|’(?=\w)){2,2000}?)’(?!\w)|"
    # Markdown italics, which some outlets use for a statement they print in full
    r"(?<![\w*])\*(?![\s*])([^*]{10,2000}?)(?<!\s)\*(?![\w*])|(?<![\w_])_(?![\s_])([^_]{10,2000}?)(?<!\s)_(?![\w_])"
)
_QUOTE_CUES = ("“", "«", '"', "„", "»", "‘", "*", "_")


def _quotes(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inside of each quotation (“…”, «…», „…“, "…")."""
    found: list[tuple[int, int]] = []
    for match in _QUOTATION.finditer(text):
        group = next(g for g in range(1, 9) if match.group(g) is not None)
        found.append((match.start(group), match.end(group)))
    return found


_MARKS = " \n\t\"“”«»„‘’*_()[]"
_QUOTE_MARKS = re.compile(r"[”\"»’*_]*\s*\n\s*[“\"«„»‘*_]*\s*|[*_]*\s+“[*_]*|^[\s“”\"«»„‘’*_]+|[\s“”\"«»„‘’*_]+$")


def _clean_quote(inside: str) -> str:
    """The words of a quotation as one sentence, without the marks that reopen it on each paragraph."""
    return _as_sentence(_QUOTE_MARKS.sub(_mark_gap, inside))


def _mark_gap(match: re.Match[str]) -> str:
    """Marks that reopen a quotation on a new paragraph become a space; those at either end go."""
    inner = match.start() > 0 and match.end() < len(match.string)
    return " " if inner and (any(c.isspace() for c in match.group(0))) else ""


def _sentence_index(spans: list[tuple[int, int]], position: int) -> int:
    for number, (start, end) in enumerate(spans):
        if start <= position < end:
            return number
    return -1


_STATEMENT_FROM = re.compile(
    r"\b(?:statement|response|reply|comment|déclaration|réponse|communiqué|comunicado|respuesta|Stellungnahme|"
    r"Erklärung|Antwort)\s+(?:from|by|de|du|des|del|von|der|des)\s+(?P<who>.{2,80})$", re.IGNORECASE | re.DOTALL)
_STATEMENT_OF = re.compile(
    r"\b(?:statement|response|déclaration|réponse|communiqué|comunicado|respuesta|Stellungnahme|Erklärung|"
    r"Mitteilung)\s+(?=(?:from|by|de|du|des|del|von|der)\s)(?P<who>[^,.;:«»“”„\"]{2,60})", re.IGNORECASE)
_STATEMENT_WORD = re.compile(r"\b(?:in an? (?:statement|blog post|press release)|(?:released|issued|published) an? "
                             r"statement|dans un communiqué|en un comunicado|in einer (?:Stellungnahme|Mitteilung))\b",
                             re.IGNORECASE)
_INTRO_END = re.compile(r"(?::|\b(?:following|suivante?|siguiente|folgende)\b[^.]*\.)\s*[*_]*\s*$", re.IGNORECASE)


def _introduced_by(intro: str, names: tuple[str, ...], people: dict[str, str]) -> _Speaker | None:
    """Who speaks in the quotation that follows a sentence such as "a Tunely spokesperson said:" or "We have
    received a statement from Tunely:" (None when the sentence does not introduce a quotation)."""
    if not _INTRO_END.search(intro):
        # "Meta, on the other hand, expressed frustration in a statement last week." then the statement as the
        # next paragraph: the sentence's subject released it.
        if _STATEMENT_WORD.search(intro) is None:
            return None
        return _subject_speaker(intro.strip(), names, people)
    stripped = intro.strip().rstrip(":*_ ").strip()
    source = _STATEMENT_FROM.search(stripped)
    if source:
        speaker = _resolve_speaker(source.group("who"), names, people, needs_verb=False)
        if speaker is not None and speaker.kind != "pronoun":
            return speaker
    speaker = _resolve_speaker(stripped, names, people)
    return speaker if speaker is not None and speaker.kind != "pronoun" else None


# Words of a licence grant: a quotation made of them is the terms speaking, not the platform.
_GRANT = re.compile(
    r"\b(?:you (?:hereby )?(?:grant|agree|give)|hereby|grant us|vous (?:nous )?(?:accordez|conc[ée]dez|acceptez)|"
    r"(?:usted|tú)? ?nos (?:otorga|concede)s?|(?:otorga|concede)s? a \w+|aceptas? (?:que|estos|las)|"
    r"(?:Sie|du) (?:räumen|räumst|gewähren|gewährst|erteilen) (?:uns|\w+)|räumen uns|gewähren uns)\b",
    re.IGNORECASE)
_LEGAL = re.compile(
    r"\b(?:licen[cs]e|licencia|lizenz|worldwide|mondiale|mundial|weltweite?n?|royalty[- ]free|non-exclusive|"
    r"non exclusive|no exclusiva|nicht[- ]exklusive?n?|sublicens\w*|sous-licen\w*|sublicen\w*|unterlizenz\w*|"
    r"your content|vos contenus|su contenido|tu contenido|Ihren Inhalten|Ihre Inhalte)\b", re.IGNORECASE)
_TERMS_SPEAKER = re.compile(
    r"\b(?:terms|policy|clause|section|agreement|conditions|CGU|AGB|Nutzungsbedingungen|Datenschutzerklärung|"
    r"Richtlinien?|términos|condiciones|cláusula|Klausel|Abschnitt|article|artículo|política|politique)\b",
    re.IGNORECASE)


# Where the words are the terms or the policy rather than the platform speaking: "what Zoom says in its revised terms",
# "changes to its privacy policy, stating that", "en sus términos de servicio, CapCut indica", "dans ses CGU".
_IN_TERMS = re.compile(
    r"\b(?:in|to|into|under) (?:its|the|their) (?:revised |new |updated |current |own )?(?:terms(?: of (?:service|use))?|"
    r"TOS|ToS|privacy (?:policy|policies|notice)|policy|FAQ|help (?:page|center|centre)|support page|user agreement)\b|"
    r"\ben (?:sus|los|las|la) (?:nuevos |nuevas )?(?:t[ée]rminos|condiciones|pol[íi]tica|secci[óo]n de privacidad)\b|"
    r"\bdans (?:ses|les|sa) (?:nouvelles )?(?:conditions|CGU|r[èe]gles|politique)\b|"
    r"\bin (?:seinen|ihren|den) (?:neuen )?(?:Nutzungsbedingungen|AGB|Datenschutz\w*|Richtlinien)\b", re.IGNORECASE)
_TERMS_CUES = ("terms", "tos", "policy", "polic", "faq", "help", "support", "agreement", "términos", "terminos",
               "condiciones", "política", "privacidad", "conditions", "cgu", "règles", "politique", "nutzungsbed",
               "agb", "datenschutz", "richtlinie")


def _locates_terms(passage: str) -> bool:
    """Does the passage say the words are written in the terms or the policy ("in its revised terms")?"""
    lowered = passage.lower()
    return any(cue in lowered for cue in _TERMS_CUES) and _IN_TERMS.search(passage) is not None


def _attribution_part(found: _Found) -> str:
    """The words of a reported sentence before what was said ("Tunely made changes to its policy, stating that")."""
    head = found.quote[:24].rstrip(".")
    at = found.passage.find(head) if head else -1
    return found.passage[:at] if at > 0 else ""


def _is_terms_text(quote: str, clause: str) -> bool:
    """Is the quotation a terms clause ("you grant us a worldwide licence …") rather than the platform speaking?"""
    grant = _GRANT.search(quote) is not None
    legal = len({m.group(0).lower() for m in _LEGAL.finditer(quote)})
    return (grant and legal >= 1) or ((grant or legal) and _TERMS_SPEAKER.search(clause) is not None)


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PAST_YEAR = re.compile(
    r"\b(?:in|back in|as early as|en|au|dans|im Jahr|im|Anfang|Ende|Mitte|en el año|durante|"
    r"(?:early|late|mid|début|fin|principios de|finales de)(?: de)?)\s+((?:19|20)\d\d)\b|"
    r"\b(?:a|an|the|une?|el|la|einer?|einem)\s+((?:19|20)\d\d)\s+(?:interview|statement|post|blog post|memo|"
    r"entretien|entrevista|Interview)\b|\b((?:19|20)\d\d)\s+(?:hatte|hatten|sagte|erklärte)\b", re.IGNORECASE)


def _before_verb(sentence: str) -> str:
    """The words of a reported sentence up to just after its speech verb ("In 2019 Tunely said", "Tunely said in
    2019"): where a date says when it was said, rather than what it is about."""
    verb = _SPEECH.search(sentence)
    return sentence[:verb.end() + 9] if verb else sentence


def _reference_year(text: str, published: str | None) -> int | None:
    """The year the article speaks from: its publication date, else the latest year it names."""
    if published and published[:4].isdigit():
        return int(published[:4])
    years = [int(y) for y in _YEAR.findall(text)]
    return max(years) if years else None


def _is_old(before: str, reference: int | None) -> bool:
    """Do the words before a quotation (or a reported sentence) date it to a year before the article's?"""
    if reference is None or not _YEAR.search(before):
        return False
    for match in _PAST_YEAR.finditer(before):
        year = next(int(y) for y in match.groups() if y)
        if year < reference:
            return True
    return False


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
        return [Statement(body, speaker, "newsroom post", language, body, True, platform, published, None, (body,),
                          title.strip() or None)]
    if not _mentions_speech(text):
        return []  # nobody is quoted or reported as saying anything: no regex scans
    lowered = text.lower()
    language = language or detect_language(f"{title}\n{text}")
    name_tuple = tuple(n for n in names if n.strip())
    people_at = _find_people(text, name_tuple) if any(cue in lowered for cue in _TITLE_CUES) else []
    people = {name: label for _, name, label in people_at}
    spans = sentence_spans(text)
    quotes = _quotes(text)
    found: list[_Found] = []
    quoted_sentences: set[tuple[int, int]] = set()
    previous: _Found | None = None
    previous_sentence_end = -1
    reference = _reference_year(text, published)
    for start, end in quotes:
        quote = _clean_quote(text[start:end])
        index = _sentence_index(spans, start)
        sentence = spans[index] if index >= 0 else (start, end)
        last = spans[_sentence_index(spans, end - 1)] if index >= 0 else sentence
        whole = (sentence[0], max(sentence[1], last[1]))  # a quotation may run over several paragraphs
        words = len(quote.split())
        if words <= SHORT_QUOTE_WORDS:
            continue  # a setting's name, a term ("“collaborators”"), a fragment: never a statement on its own
        after = text[end:min(whole[1], end + MAX_CLAUSE_CHARS)]
        before = text[max(sentence[0], start - MAX_CLAUSE_CHARS):start]
        speaker: _Speaker | None = None
        clause = ""
        for candidate in (after, before):
            if _SPEECH.search(candidate) or _ACCORDING.search(candidate):
                speaker = _resolve_speaker(candidate, name_tuple, people)
                clause = candidate
                if speaker is not None:
                    break
        if speaker is None and not after.strip(_MARKS + ".,"):
            # "A spokesperson sent the following statement:" / "… a statement from Tunely, which reads:" then the
            # quotation, in the same sentence or as the next paragraph
            if before.rstrip(_MARKS).endswith(":"):
                speaker = _introduced_by(before.rstrip(_MARKS), name_tuple, people)
                clause = before if speaker is not None else clause
            elif index > 0 and not before.strip(_MARKS):
                intro = text[spans[index - 1][0]:spans[index - 1][1]]
                speaker = _introduced_by(intro, name_tuple, people)
                if speaker is not None:
                    clause = intro
                    whole = (spans[index - 1][0], whole[1])
        if speaker is not None and speaker.kind == "pronoun":
            speaker = previous.speaker if previous is not None else _last_person(people_at, start)
        if speaker is None and previous is not None and not clause.strip(_MARKS + ".,;:—–-"):
            # A quotation that follows an attributed one with no attribution of its own continues it.
            if sentence[0] <= previous_sentence_end + 3:
                speaker = previous.speaker
        if speaker is not None and (_is_terms_text(quote, clause) or _is_old(text[whole[0]:start], reference)
                                    or _locates_terms(clause)):
            # the terms quoted, or words said years before the article: not a statement now, nor reported speech
            quoted_sentences.update(span for span in spans if whole[0] <= span[0] < whole[1])
            speaker = None
        if speaker is None:
            previous = None
            continue
        passage = text[whole[0]:whole[1]].strip()
        item = _Found(start, quote, speaker, _channel(passage), passage, True)
        found.append(item)
        quoted_sentences.update(span for span in spans if whole[0] <= span[0] < whole[1])
        previous = item
        previous_sentence_end = whole[1]
    for sentence in spans:
        if sentence in quoted_sentences:
            continue
        if not _mentions_speech(text[sentence[0]:sentence[1]]):
            continue
        earlier = [item for item in found if item.start < sentence[0]]  # whom "he said" can stand for
        reported = _reported(text[sentence[0]:sentence[1]], name_tuple, people, earlier)
        if (reported is not None and not _is_old(_before_verb(reported.passage), reference)
                and not _is_terms_text(reported.quote, reported.passage)
                and not _locates_terms(_attribution_part(reported))):
            reported.start = sentence[0]
            found.append(reported)
    found.sort(key=lambda f: f.start)
    return _merge(found, text, language, platform, published)


_REPORTED = re.compile(
    rf"^(?P<subject>.{{0,160}}?)\b(?P<verb>(?i:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER}))\b"
    r"(?P<object>(?:(?<=told)|(?<=tells))\s+"
    r"(?:(?:The |Le |La |Les |L['’])?[A-Z][\w&’'-]*(?:\s+[A-Z][\w&’'-]*){0,3}|reporters|journalists)|"
    r"\s+à\s+(?:[^,]{2,40}?)(?=\s*,|\s+que\b|\s+qu['’])|"
    r"\s+(?:a|al)\s+(?:El |La |Los |Las )?[A-Z][\w&’'-]*(?:\s+[A-Z][\w&’'-]*){0,3}(?=\s*,|\s+que\b))?"
    r"(?P<channel>\s+(?:in|on|during|dans|par|lors|en)\s+[^,]{1,60}?(?=\s*,|\s+that\b|\s+que\b|\s+qu['’]))?"
    r"\s*[,:]?\s*(?:that\s+|que\s+|qu['’]|dass\s+|daß\s+)?(?P<content>.+)$",
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
    r"reconna[iî]t|a promis|promet|a confi[ée]|a r[ée]pondu|r[ée]pond|a expliqu[ée]|explique|posted|tweeted|"
    r"dice|escribi[óo]|schreibt|schrieb|coment[óo]|añadi[óo]|agreg[óo]|claims|claimed|revealed|mentioned|"
    r"reiterated|reiterates|inform[óo]|informa|comunic[óo]|comunica|anunci[óo]|anuncia|escribe|reconoce|"
    r"reconoci[óo]|defiende|defendi[óo]|asserts|asserted|ha (?:informado|comunicado|anunciado)|"
    r"gibt\b[^,.;:]{0,40}?\bbekannt|gab\b[^,.;:]{0,40}?\bbekannt)"
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
    sourced = _sourced(stripped, names, people)
    if sourced is not None:
        return sourced
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
            r"(?:\bthat|\bque|\bqu['’]|\bdass|:)\s*$", stripped[:match.start("content")]):
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


# "… sind laut Meta ausgeschlossen", "according to the company", "selon la plateforme", "según la compañía": the
# source named right after the phrase, anywhere in the sentence.
_ACCORDING_INLINE = re.compile(
    r"\b(?:according to|selon|d['’]apr[èe]s|seg[úu]n|laut|zufolge)\s+(?P<who>(?:(?:the|its|la|le|l['’]|el|su|ses|son|sa|"
    r"des|der|dem|den)\s*)?[\w&.’'-]+(?:\s+[A-Z][\w&.’'-]+)?)", re.IGNORECASE)
# "nach eigenen Angaben", "by its own account", "selon ses dires", "según sus palabras", "aus Sicht des Konzerns":
# the subject of the sentence is the source.
_OWN_ACCOUNT = re.compile(
    r"\b(?:nach eigenen Angaben|eigenen Angaben zufolge|by its own account|in its own words|selon ses (?:dires|propres "
    r"termes)|de son propre aveu|seg[úu]n sus (?:propias )?(?:palabras|explicaciones)|aus (?:der )?Sicht (?:des "
    r"Unternehmens|des Konzerns|der Plattform|des Dienstes)|in the company['’]s view|from the company['’]s perspective)\b",
    re.IGNORECASE)
# "SoundCloud a réagi rapidement, assurant que …", "the company pushed back, insisting that …": the speaker acts,
# then a participle of saying carries what it said.
_PARTICIPLE = re.compile(
    r"^(?P<subject>.{3,200}?),\s+(?:en\s+)?(?P<verb>(?i:assurant|affirmant|expliquant|pr[ée]cisant|soulignant|"
    r"indiquant|arguant|insistant sur le fait|asegurando|afirmando|explicando|señalando|insistiendo en|"
    r"subrayando|indicando|insisting|saying|stating|adding|arguing|claiming|explaining|noting|stressing|"
    r"emphasi[sz]ing|maintaining))\s+(?:que\s+|qu['’]|that\s+|dass\s+)(?P<content>.+)$", re.DOTALL)
_CLAUSE_START = re.compile(r"(?:^|[,;:]\s+|\b(?:mais|pero|but|and|et|y|und|aber)\s+)$", re.IGNORECASE)


def _sourced(sentence: str, names: tuple[str, ...], people: dict[str, str]) -> _Found | None:
    """Reported speech marked by a source phrase or a participle rather than a verb of saying with its subject."""
    lowered = sentence.lower()
    if any(cue in lowered for cue in ("laut ", "zufolge", "according to", "selon ", "d'apr", "d’apr", "según ",
                                      "segun ")):
        for match in _ACCORDING_INLINE.finditer(sentence):
            if match.start() < 40 and _ACCORDING.match(sentence, match.start()):
                continue  # the sentence-initial form, handled with its comma
            who = match.group("who")
            speaker = _resolve_speaker(who, names, people, needs_verb=False)
            if speaker is None or speaker.kind == "pronoun":
                continue
            content = (sentence[:match.start()] + sentence[match.end():]).strip(" ,")
            if len(content.split()) >= MIN_QUOTE_WORDS:
                return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence, False)
    if any(cue in lowered for cue in ("eigenen angaben", "own account", "own words", "selon ses", "propre aveu",
                                      "sus palabras", "sus propias", "sicht de", "sicht der", "company's",
                                      "company’s")):
        own = _OWN_ACCOUNT.search(sentence)
        if own is not None:
            speaker = _subject_speaker(sentence[:own.start()], names, people)
            if speaker is not None:
                content = (sentence[:own.start()] + sentence[own.end():]).strip(" ,")
                return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence, False)
    if "ant " in lowered or "ing " in lowered or "ndo " in lowered:
        participle = _PARTICIPLE.match(sentence)
        if participle is not None and len(participle.group("content").split()) >= MIN_QUOTE_WORDS:
            speaker = _subject_speaker(participle.group("subject"), names, people)
            if speaker is not None:
                return _Found(0, _clean_content(participle.group("content")), speaker, _channel(sentence),
                              sentence, False)
    return None


def _subject_speaker(clause: str, names: tuple[str, ...], people: dict[str, str]) -> _Speaker | None:
    """The platform-side speaker that opens a clause of `clause` (its subject), or None."""
    speaker = _resolve_speaker(clause, names, people, needs_verb=False)
    if speaker is None or speaker.kind == "pronoun":
        return None
    probe = speaker.text.split(",")[0].strip()
    if speaker.kind == "person":
        probe = next((person for person, label in people.items() if label == speaker.text), probe.split()[-1])
    at = clause.find(probe) if probe else -1
    if at < 0:
        at = clause.lower().find(probe.lower())
    if at < 0:
        return None
    head = clause[:at]
    head = re.sub(r"(?i)\b(?:the|a|an|le|la|les|l['’]|el|los|las|der|die|das|un|une|ein|eine)\s*$", "", head)
    head = re.sub(r"(?i)\b(?:(?:CEO|PDG|chief executive|président|director[a]?|jef[ea]|Chef)\s+(?:de|of|du|del|von)?\s*)$",
                  "", head)
    return speaker if _CLAUSE_START.search(head) or not head.strip() else None


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
            when=_update_time(update.when, published) if update is not None else published,
            update=update.marker if update else None,
            parts=pieces,
        ))
    return statements


_MONTH = (r"jan|feb|m[äa]r|mar|apr|abr|ma[iy]|mai|jun|jul|juil|aug|ao[uû]|ago|sep|oct|okt|nov|d[ée]c|dez|dic|"
          r"f[ée]v|janv|avr|ene|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
          r"diciembre|janvier|f[ée]vrier|mars|avril|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre|"
          r"januar|februar|m[äa]rz|juni|juli|oktober|dezember")
_HAS_DATE = re.compile(rf"\b(?:{_MONTH})\w*\.?\s*\d|\d\.?\s*(?:de\s+)?(?:{_MONTH})|\b(?:19|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}\b",
                       re.IGNORECASE)
_HAS_ZONE = re.compile(r"\b(?:[ECMP][SD]?T|UTC|GMT|CES?T|BST|MES?Z|Pacific|Eastern|Central|Mountain|heure de Paris|"
                       r"hora peninsular|Uhr MES?Z)\b|[+-]\d\d:?\d\d\b")
_HAS_CLOCK = re.compile(r"\d{1,2}(?::|\s?h\s?)\d\d|\d{1,2}\s?(?:[ap]\.?m\.?|Uhr)", re.IGNORECASE)


def _update_time(when: str, published: str | None) -> str | None:
    """The time a statement in an appended update was given: the update's own when it says the date and the
    zone ("Feb 16, 2024, 4:30 PM PT"); its clock and zone on the article's date ("at 10:12 Pacific"); else the
    article's publication time (a bare "2:22 p.m." says neither)."""
    when = when.strip(" ,()[]").removeprefix("at ").strip()
    if not when or not _HAS_ZONE.search(when):
        return published
    if _HAS_DATE.search(when):
        return when
    if published and _HAS_CLOCK.search(when) and re.match(r"\d{4}-\d\d-\d\d", published):
        year, month, day = published[:10].split("-")
        months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        return f"{int(day)} {months[int(month) - 1]} {year}, {when}"
    return published


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
