"""Who speaks in an attribution clause: the patterns naming the platform's side (its name, "the company", a
spokesperson, an executive) and their resolution to a speaker, or to no one (someone else speaking).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.news.speech import DOCUMENT, READS, SPEECH, Speaker
from bot.core.text import letter_runs

ACCORDING = re.compile(
    r"\b(?:according to|selon|d'après|d’après|según|laut|de acuerdo con|en palabras de|nach Angaben(?: von)?)"
    r"\s+(?P<who>[^,:«“\"]{2,80}?)\s*[,:]", re.IGNORECASE
)

_ROLE_WORD = (r"spokes(?:person|woman|man)|representative|press officer|porte-parole|portavoz|"
              r"(?:Unternehmens|Konzern|Firmen|Presse)?[Ss]precher(?:in)?|"
              r"représentante?|representante")

_TITLE_EN = (
    r"(?:(?:Senior |Executive )?(?:[Vv]ice[- ]president|VP) and )?general counsel|"
    r"(?:Firmen|Konzern|Unternehmens)(?:chef|gründer|mitgründer)(?:in)?|(?:co-?)?founder(?: and (?:CEO|chief executive))?|"
    r"CEO|chief executive(?: officer)?|president|"
    r"vice[- ]president(?: of [a-z]+(?: [a-z]+){0,3})?|VP(?: of [a-z]+(?: [a-z]+){0,3})?|"
    r"head of (?:[a-z]+|[A-Z]{2,4})(?: (?:and|&) [a-z]+| [a-z]+){0,3}|chief [a-z]+ officer|"
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

PERSON = r"(?P<person>[A-Z][a-zà-ÿ'’-]+(?:\s+(?:de |van |von |da |le )?[A-Z][a-zà-ÿ'’-]+){1,2})"
_GENERIC_EN = re.compile(r"\b(?:the|this) (?:company|platform|service|firm|startup|start-up|streaming service|app|brand|"
                         r"social (?:network|media (?:platform|company|site)))\b",
                         re.IGNORECASE)

_GENERIC_FR = re.compile(r"\b(?:l['’](?:entreprise|application|éditeur)|la (?:plateforme|société|firme|start-up)|"
                         r"le (?:groupe|service|site|réseau social)|la marque(?: [a-zéè]+)?)\b", re.IGNORECASE)

_GENERIC_OTHER = re.compile(r"\b(?:la (?:empresa|compañía|plataforma|firma|app|marca|red social)|el (?:servicio|grupo)|"
                            r"(?:das|dem) soziale[n]? Netzwerk|"
                            r"(?:das|dem) (?:Unternehmen|Start-up)|(?:der|dem) (?:Konzern|Dienst|Anbieter)|"
                            r"des (?:Unternehmens|Konzerns|Dienstes|Anbieters)|der (?:Plattform|Firma)|"
                            r"die (?:Plattform|Firma|App)|(?:Unternehmens|Konzern|Firmen)seite)\b", re.IGNORECASE)

_PRONOUN = re.compile(r"\b(?:he|she|they|il|elle|ils|elles|-t-il|-t-elle|er|sie)\b", re.IGNORECASE)
_ORG = r"(?P<org>(?:the |la |le |l['’])?[A-Z][\w&.’'-]*(?:\s+(?:of |for |des |de )?[A-Z][\w&.’'-]*)*)"


@lru_cache(maxsize=256)
def name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip())
    return re.compile(rf"(?<![\w@#/.-])(?:{alternation or '(?!)'})(?:'s|’s)?(?![\w-])")


@lru_cache(maxsize=256)
def speaker_patterns(names: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    name = name_pattern(names).pattern
    name = name.removeprefix(r"(?<![\w@#/.-])")
    core = "(?:" + ("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip()) or "(?!)") + ")"
    return tuple((re.compile(p), kind) for p, kind in (
        # "a SoundCloud spokesperson", "the company's spokeswoman", "a spokesperson for SoundCloud"
        (rf"(?i:\b(?:an?|the|un|une|le|la|el|ein|eine)\s+)"
         rf"(?:(?P<name>{name})\s+|(?i:company(?:'s|’s)?\s+|platform(?:'s|’s)?\s+))?"
         rf"(?i:(?P<role>{_ROLE_WORD}))(?:\s+(?i:for|from|at|of|de|du|chez|von|der)\s+{_ORG})?", "role"),
        (rf"(?P<name>{name})\s+(?i:(?P<role>{_ROLE_WORD}))(?:\s+{PERSON})?", "role"),
        # "the Safety on Tunely account", "Tunely's @Support account", "le compte @Support de Tunely"
        (rf"(?i:\b(?:the|its)\s+)?(?:(?i:official\s+)?@?\w+\s+(?i:on|at)\s+)?(?P<name>{name})\s+(?:@?\w+\s+)?"
         rf"(?P<role>(?i:account))\b|(?i:le compte)\s+(?:officiel\s+)?@?\w+\s+(?:de|d['’])\s*(?P<name2>{name})", "role"),
        # "la maison mère de Tunely", "the parent company of Tunely", "the moderation team at Tunely", "Tunely's
        # moderation team", "l'équipe de modération de Tunely"
        (rf"(?i:\b(?:the|la|le|l['’]|el|der|die)\s*)(?P<role>(?i:parent company|maison[- ]mère|société mère|"
         rf"empresa matriz|Mutterkonzern|(?:[\w-]+\s+){{0,2}}?team|équipe(?:\s+de\s+[\w-]+)?|equipo(?:\s+de\s+[\w-]+)?))"
         rf"\s+(?i:of|at|de|du|des|del|von|bei|chez)\s+(?P<name>{name})|(?P<name2>{name})\s+(?P<role2>(?i:(?:[\w-]+\s+)"
         rf"{{0,2}}?team))\b", "role"),
        # "a source at Tunely", "une source chez Tunely", "fuentes de Tunely", "eine Quelle bei Tunely"
        (rf"(?P<role>(?i:sources?|fuentes?|Quellen?))\s+(?i:at|within|inside|chez|au sein de|de|bei|aus dem Umfeld von)\s+"
         rf"(?P<name>{name})", "role"),
        # "fuentes de la compañía", "desde la empresa" ("afirman desde la compañía"), "en palabras de su fundador"
        (r"(?P<role>(?i:fuentes?|portavoces|voceros?)\s+(?:de|cercanas a)\s+la\s+(?:compañía|empresa|plataforma))|"
         r"(?i:\b(?:afirm|asegur|explic|señal|indic|insist|dic|dij|sostien|comunic|inform|apunt|precis|recalc|"
         r"subray|confirm|aclar|defiend|reconoc)\w*\s+desde\s+)"
         rf"(?P<role2>(?i:la (?:compañía|empresa|plataforma|red social)|el servicio)|(?P<name>{name}))|"
         r"(?i:\bsu\s+)(?P<role3>(?i:(?:co)?fundador(?:a)?|director(?:a)? ejecutiv[oa]|consejer[oa] delegad[oa]|"
         r"portavoz))\b(?!\s*,?\s*(?-i:[A-Z]))", "role"),
        # "Ein Tunely-Sprecher", "der Tunely-Sprecher"
        (rf"(?P<name>{core})-(?P<role>Sprecher(?:in)?)(?:\s+{PERSON})?", "role"),
        # "der Tunely-Chef", "des Tunely-Gründers", "el fundador de Tunely", "el director ejecutivo de la compañía":
        # the executive named by role only
        (rf"(?i:\b(?:der|die|den|dem|des)\s+)(?P<name>{core})-(?P<role>(?:Mit)?[Gg]ründer(?:in|s)?|Chef(?:in|s)?)\b"
         rf"(?!\s+(?-i:[A-Z]))", "role"),
        (rf"(?i:\b(?:el|la|al|del)\s+)(?P<role>(?i:(?:co)?fundador(?:a)?|director(?:a)? ejecutiv[oa]|"
         rf"consejer[oa] delegad[oa]))\s+(?i:de|del)\s+(?:(?P<name>{name})|(?i:la (?:compañía|empresa|plataforma)))"
         rf"(?!\s*,\s*(?-i:[A-Z]))", "role"),
        # "SoundCloud CEO Jane Doe", "CEO Jane Doe", "SoundCloud's chief executive, Jane Doe", "Tunely-Chef Jo Weber"
        (rf"(?:(?P<name>{name})\s+)?(?P<title>{_TITLE_EN}|{_TITLE_FR}),?\s+{PERSON}", "person"),
        (rf"(?P<name>{core})-(?P<title>Chef(?:in)?|Gründer(?:in)?|Vorstand)\s+{PERSON}", "person"),
        (rf"(?i:\b(?:le|la|l['’]|el)\s*)(?P<title>{_TITLE_FR}|{_TITLE_ES})\s+(?:de|du|del|chez)\s+(?P<name>{name}),?"
         rf"\s+{PERSON}", "person"),
        # "Jane Doe, SoundCloud's head of trust", "Jane Doe, head of policy at SoundCloud"
        (rf"{PERSON},\s+(?:(?i:the|a|an|le|la|l['’])\s*)?(?:(?P<name>{name})\s+)?(?P<title>{_TITLE_EN}|{_TITLE_FR})"
         rf"(?:\s+(?:at|of|for|de|du|chez)\s+{_ORG})?", "person"),
    ))


def person_label(match: re.Match[str]) -> str:
    title = match.group("title")
    person = match.group("person")
    return f"{title} {person}" if len(title.split()) <= 2 and title[:1].isupper() else f"{person}, {title}"


_STATEMENT_OF = re.compile(
    r"\b(?:statement|response|déclaration|réponse|communiqué|comunicado|respuesta|Stellungnahme|Erklärung|"
    r"Mitteilung)\s+(?=(?:from|by|de|du|des|del|von|der)\s)(?P<who>[^,.;:«»“”„\"]{2,60})", re.IGNORECASE)


def resolve_speaker(clause: str, names: tuple[str, ...], people: dict[str, str],
                    needs_verb: bool = True) -> Speaker | None:
    """The platform-side speaker named in an attribution clause, or None (someone else, or nobody).

    The platform itself or "the company" must be the one speaking: next to the speech verb ("SoundCloud
    said", "said the company"), not merely named in the clause ("SoundCloud's critics said").
    """
    names_re = name_pattern(names)
    source = _STATEMENT_OF.search(clause) if needs_verb else None
    if source:  # "… heißt es in einer Stellungnahme des Unternehmens", "in a statement from Tunely"
        speaker = resolve_speaker(source.group("who"), names, people, needs_verb=False)
        if speaker is not None and speaker.kind != "pronoun":
            return speaker
    verbs = [(m.start(), m.end()) for m in SPEECH.finditer(clause)] if needs_verb else []
    for pattern, kind in speaker_patterns(names):
        for match in pattern.finditer(clause):
            groups = match.groupdict()
            org = groups.get("org")
            if org is not None and names_re.search(org) is None:
                return None  # "a spokesperson for the Musicians' Union": not the platform
            if kind == "role":
                return Speaker(match.group(0).strip(" ,.;"), "role")
            person = groups.get("person") or ""
            if groups.get("name") is not None or (org is not None) or person in people:
                return Speaker(people.get(person) or person_label(match), "person")
            if groups.get("title") and groups["title"][:1].isupper():
                return Speaker(person_label(match), "person")  # "CEO Jane Doe" in an article about the platform
    for person, label in people.items():
        if re.search(rf"\b{re.escape(person)}\b", clause):
            return Speaker(label, "person")
    for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}\b",
                             _OWNER_PHRASE.sub(r"\g<owned>", _OUTLET_PHRASE.sub("", clause))):
        words = match.group(0).split()
        if not names_re.search(match.group(0)) and words[0] not in NOT_PEOPLE and words[-1] not in _PLACES:
            return None  # a named person who is not introduced as the platform's: someone else
    for match in names_re.finditer(clause):
        if needs_verb and _PLACE_BEFORE.search(clause, 0, match.start()):
            continue  # "Auf Tunely heißt es", "On Tunely, it says": where the words are, not who says them
        if not needs_verb or next_to_verb(clause, match.start(), match.end(), verbs):
            return Speaker(re.sub(r"(?:'s|’s)$", "", match.group(0)), "platform")
    for generic_re in (_GENERIC_EN, _GENERIC_FR, _GENERIC_OTHER):
        for match in generic_re.finditer(clause):
            if not needs_verb or next_to_verb(clause, match.start(), match.end(), verbs):
                return Speaker(match.group(0), "generic")
    for match in _PRONOUN.finditer(clause):
        if next_to_verb(clause, match.start(), match.end(), verbs):
            return Speaker("", "pronoun")
    return None


# "das Unternehmen von Jo Diaz", "la empresa de Jo Diaz", "the company of Jo Diaz": the owner names the company.
_OWNER_PHRASE = re.compile(r"\b(?P<owned>(?i:Unternehmen|Konzern|Dienst|company|empresa|compañía|entreprise|"
                           r"société|plataforma|plateforme|platform|red social|réseau social))\s+(?:von|of|de|d['’]|del|"
                           r"(?:(?:dirigid|fundad|presidid)[ao]|(?:dirig|fond|présid)ée?|led|run|founded|owned|"
                           r"geführt(?:e[sn]?)?|gegründet(?:e[sn]?)?)\s+(?:by|por|par|von))\s*[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}")

_PLACE_BEFORE = re.compile(r"\b(?i:auf|on|sur|bei)\s+$")
_FILLER = frozenset(
    "also later has have had previously again then now further first initially itself on this week today "
    "yesterday monday tuesday wednesday thursday friday saturday sunday morning evening afternoon night "
    "has since already instead quickly separately in a an statement the emailed when asked still "
    "aussi ensuite encore a de nouveau depuis lundi mardi mercredi jeudi vendredi samedi dimanche "
    "soir matin however other hand its part turn for pour sa por su parte en revanche cependant jedoch aber "
    "seinerseits ihrerseits sin embargo von seiten seitens".split()
)


def next_to_verb(clause: str, start: int, end: int, verbs: list[tuple[int, int]]) -> bool:
    """Is the phrase at [start, end) the subject (or the inverted subject) of a speech verb in `clause`?"""
    for verb_start, verb_end in verbs:
        if verb_start >= end:
            between = clause[end:verb_start]
        elif verb_end <= start:
            between = clause[verb_end:start]
        else:
            return True  # inside the verb: "a-t-elle ajouté"
        if verb_start >= end and re.fullmatch(r"\s*,\s*(?:que|qui|which|who)\s+", between, re.IGNORECASE):
            return True  # "… contacted Tunely, which confirmed that …"
        between = re.sub(r",[^,]{0,80},", " ", between)  # an aside: "la plateforme, contactée par Le Fil, a …"
        words = letter_runs(between.lower())
        if len(words) <= 5 and all(word in _FILLER for word in words):
            return True
    return False


# Where the words went ("told The Circuit Ledger", "in a statement to Morning Bytes"): not a person speaking.
_OUTLET_PHRASE = re.compile(r"\b(?:to|told|with|à|au|a)\s+(?:The |Le |La |El |Les |L['’])?[A-ZÀ-Ý][\w&’'-]*"
                            r"(?:\s+[A-ZÀ-Ý][\w&’'-]*){0,3}")

# Capitalised names of pages and places ("Privacy Center", "Help Centre"), not of people.
_PLACES = frozenset("Center Centre Blog Hub Store Help Policy Terms Service Services Settings Newsroom Page "
                    "Forum Community".split())

NOT_PEOPLE = frozenset(
    "In On At The A An Update Le La Les Un Une Dans Selon Mise According Asked When Since Das Der Die Dem Den Des "
    "Ein Eine Einer Im Laut Nachtrag El Los Las Una En Según Actualización News".split()
)

NOT_A_NAME_START = frozenset("Según Segun Selon Laut According Para Pour For Mais Pero But Aber Et Y Und And Ante "
                             "Face Comme As Como Wie".split())

_PLURAL_PEOPLE = re.compile(
    r"\b(?:users|artists|creators|musicians|photographers|critics|people|customers|members|developers|writers|"
    r"utilisateurs|utilisatrices|artistes|créateurs|musiciens|internautes|usuarios|artistas|creadores|músicos|"
    r"Nutzer(?:innen)?|Künstler(?:innen)?|Kreative[n]?|Musiker(?:innen)?)\b", re.IGNORECASE)

_SINGULAR_HUMAN = frozenset(("he", "she", "er"))


def nearest_actor(context: str, names: tuple[str, ...], people: dict[str, str],
                  pronoun: str = "") -> Speaker | None:
    """Whom a pronoun or a missing subject stands for: the actor named last in the sentence before, when it is the
    platform, its spokesperson or an executive ("Tunely addressed the issue. It said …"); None when the last one
    named is someone else, or when people such as users are named after it ("they" may be them)."""
    if not context:
        return None
    names_re = name_pattern(names)
    mentions: list[tuple[int, Speaker | None]] = []
    for match in names_re.finditer(context):
        mentions.append((match.end(), Speaker(re.sub(r"(?:'s|’s)$", "", match.group(0)), "platform")))
    for generic_re in (_GENERIC_EN, _GENERIC_FR, _GENERIC_OTHER):
        for match in generic_re.finditer(context):
            mentions.append((match.end(), Speaker(match.group(0), "generic")))
    for pattern, kind in speaker_patterns(names):
        for match in pattern.finditer(context):
            org = match.groupdict().get("org")
            if org is not None and names_re.search(org) is None:
                mentions.append((match.end(), None))
            elif kind == "role":
                mentions.append((match.end(), Speaker(match.group(0).strip(" ,.;"), "role")))
    for person, label in people.items():
        for match in re.finditer(rf"\b{re.escape(person)}\b", context):
            mentions.append((match.end(), Speaker(label, "person")))
    known = [m for m in mentions if m[1] is not None]
    for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}\b", _OUTLET_PHRASE.sub("", context)):
        words = match.group(0).split()
        if words[0] in NOT_PEOPLE or words[0] in NOT_A_NAME_START or names_re.search(match.group(0)):
            continue
        at = context.find(match.group(0))
        if not any(start - 80 <= at <= start for start, _ in known):
            mentions.append((at + len(match.group(0)), None))
    if not mentions:
        return None
    mentions.sort(key=lambda m: m[0])
    if pronoun.lower() in _SINGULAR_HUMAN:
        humans = [m for m in mentions if m[1] is None or m[1].kind in ("person", "role")]
        if humans:
            mentions = humans
    at, speaker = mentions[-1]
    if speaker is not None and _PLURAL_PEOPLE.search(context, at):
        return None
    return speaker


def platform_name(mention: str, names: tuple[str, ...]) -> str:
    """The name as written ("Tunely's" → "Tunely"), or the platform's own for a descriptive alias ("formerly …")."""
    mention = re.sub(r"(?:'s|’s)$", "", mention)
    return names[0] if mention[:1].islower() and names else mention


def someone_else(context: str, names: tuple[str, ...], people: dict[str, str]) -> bool:
    """Does the sentence name a person who is not the platform's (a critic, a researcher)?"""
    names_re = name_pattern(names)
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b(?-i:[A-Z][a-zà-ÿ'’-]+\s+[A-Z][a-zà-ÿ'’-]+)\b(?!\s+[A-Z])", context):
        first, last = match.group(0).split()
        if first in NOT_PEOPLE or first in NOT_A_NAME_START or names_re.search(match.group(0)):
            continue
        if first in people or last in people or last in _PLACES:
            continue
        return True
    return False


def document_speaks(clause: str) -> bool:
    """Is the document the one saying it? "«…», decía un mensaje en la aplicación" is; in "Google elogió a Reddit en un
    comunicado, y subrayó que …" a document is only where someone else spoke. An indefinite one ("un mensaje") must be
    the subject of the verb; a definite one ("the statement", "le communiqué") refers back to the platform's."""
    verbs = [(m.start(), m.end()) for m in SPEECH.finditer(clause)] + [(m.start(), m.end()) for m in READS.finditer(clause)]
    for match in DOCUMENT.finditer(clause):
        if not re.match(r"(?i:un|una)\s", match.group(0)) or next_to_verb(clause, match.start(), match.end(), verbs):
            return True
    return False


def pronoun_of(clause: str) -> str:
    match = _PRONOUN.search(clause)
    return match.group(0).lower().removeprefix("-t-") if match else ""


_CLAUSE_START = re.compile(r"(?:^|[,;:]\s+|\b(?:mais|pero|but|and|et|y|und|aber)\s+)$", re.IGNORECASE)


def subject_speaker(clause: str, names: tuple[str, ...], people: dict[str, str]) -> Speaker | None:
    """The platform-side speaker that opens a clause of `clause` (its subject), or None."""
    speaker = resolve_speaker(clause, names, people, needs_verb=False)
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
    head = re.sub(r"^\s*[\[(][^\])]{0,40}[\])]\s*", "", clause[:at])  # "[14 May] Tunely sent us …"
    head = re.sub(r"(?i)\b(?:the|a|an|le|la|les|l['’]|el|los|las|der|die|das|un|une|ein|eine)\s*$", "", head)
    head = re.sub(r"(?i)\b(?:(?:CEO|PDG|chief executive|président|director[a]?|jef[ea]|Chef)\s+(?:de|of|du|del|von)?\s*)$",
                  "", head)
    return speaker if _CLAUSE_START.search(head) or not head.strip() else None
