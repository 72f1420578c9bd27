"""The people and companies a text ties to the platform: executives it introduces ("CEO Jane Doe", "Jane Doe,
head of policy at Tunely"), its owner or founder, a parent company or a buyer; they speak for the platform.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.core.news.speakers import NOT_A_NAME_START, NOT_PEOPLE, PERSON, name_pattern, person_label, speaker_patterns
from bot.core.news.speech import PRONOUN_REACH, Speaker

# Every executive's title the speaker patterns know contains one of these (lower-cased) strings.
TITLE_CUES = ("ceo", "chief", "founder", "president", "head of", "director", "counsel", "vp", "lead", "pdg",
              "directeur", "directrice", "présid", "fondat", "responsable", "ejecutiv", "consejer", "fundador",
              "jefe", "jefa", "chef", "gründer", "vorstand", "geschäftsführer", "manager", "employ", "empleado",
              "empleada", "salarié", "mitarbeiter", "liaison", "communica", "comunica", "kommunikation", "officer",
              "spokes", "portavoz", "porte-parole", "sprecher", "leiter", "engineer", "ingénieur", "ingeniero")


def find_people(text: str, names: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """People the text introduces as the platform's executives, in order: (where, full name or surname,
    "CEO Jane Doe")."""
    people: list[tuple[int, str, str]] = []
    names_re = name_pattern(names)
    for pattern, kind in speaker_patterns(names):
        if kind != "person":
            continue
        for match in pattern.finditer(text):
            org = match.groupdict().get("org")
            tied = match.group("name") is not None or (org is not None and names_re.search(org) is not None)
            executive = org is None and match.group("title")[:1].isupper()  # "CEO Jane Doe" in an article about it
            if not (tied or executive) or (org is not None and names_re.search(org) is None):
                continue
            label = person_label(match)
            person = match.group("person")
            people.append((match.start(), person, label))
            people.append((match.start(), person.split()[-1], label))
    if "," in text:
        people.extend(_appositions(text, names_re))
    people.extend(_possessive_titles(text, names_re))
    people.sort()
    return people


# "anunciado por su fundador, Pavel Durov", "son fondateur Jo Diaz", "its CEO, Jane Doe": an executive of the
# company named just before ("its" is the platform only when the platform is the last organisation named).
_POSSESSIVE_TITLE = re.compile(
    rf"\b(?:su|sa|son|its)\s+(?P<title>(?:co-?)?fundador(?:a)?|director(?:a)? ejecutiv[oa]|consejer[oa] delegad[oa]|"
    rf"(?:co-?)?fondat(?:eur|rice)|PDG|CEO|(?:co-?)?founder|chief executive|portavoz|porte-parole|spokesperson)"
    rf",?\s+{PERSON}")


def _possessive_titles(text: str, names_re: re.Pattern[str]) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    for match in _POSSESSIVE_TITLE.finditer(text):
        window = text[max(0, match.start() - 400):match.start()]
        named = list(names_re.finditer(window))
        if not named:
            continue
        # another organisation or person named after the platform may be what "its" stands for
        tail = window[named[-1].end():]
        if re.search(r"(?<![.!?:]\s)(?<![.!?:\n])(?<!^)(?<!\n\n)\b[A-ZÀ-Ý][a-zà-ÿ]+", tail.lstrip()):
            continue
        person = match.group("person")
        label = f"{match.group('title')} {person}"
        found.append((match.start(), person, label))
        found.append((match.start(), person.split()[-1], label))
    return found


# "Marni Greenberg, responsable de la communication, précise …", "Jo Diaz, empleado de Tunely, dijo …", "Jane Doe,
# head of policy at Tunely, said …": a person, then a title between commas.
_APPOSITION = re.compile(rf"{PERSON},\s+(?P<title>[^,.;:()«»“”\"„\n]{{3,90}}?),\s")
APPOSITION_CUES = re.compile(
    r"(?i:responsable|head\b|director|directeur|directrice|chief|officer|president|présid|presid|spokes|"
    r"porte-parole|portavoz|sprecher|manager|employee|empleado|empleada|salarié|employé|mitarbeiter|engineer|"
    r"ingénieur|ingeniero|\blead\b|jef[ea]\b|\bchef|leiter|\bceo\b|\bcto\b|\bcoo\b|\bcfo\b|\bcpo\b|\bpdg\b|founder|"
    r"fondat|fundador|gründer|liaison|communication|comunicaci|kommunikation|counsel|\bsvp\b|\bvp\b)")

_LAST_ORG = re.compile(r"\b(?:at|of|for|with|chez|de|du|des|del|de la|bei|von|der|des)\s+(?:the\s+|la\s+|le\s+|l['’])?"
                       r"(?P<org>[^\s,]+(?:\s+[^\s,]+)*)$")

_SOMEWHERE = re.compile(r"\b(?:at|of|for|with|chez|de|del|bei|von) (?:a|an|une?|una|einer?|einem)\b", re.IGNORECASE)


def _appositions(text: str, names_re: re.Pattern[str]) -> list[tuple[int, str, str]]:
    """People introduced with a lower-case title in apposition, where the title names the platform or no one."""
    found: list[tuple[int, str, str]] = []
    for match in _APPOSITION.finditer(text):
        title = match.group("title").strip()
        if not APPOSITION_CUES.search(title) or len(title.split()) > 12:
            continue
        words = title.split()
        capitals = [w for w in words[1:] if w[:1].isupper() and not names_re.search(w)
                    and w.strip("'’s").upper() != w.strip("'’s")]
        named = names_re.search(title) is not None
        if not named and (capitals or _SOMEWHERE.search(title)):
            continue  # "chair of Noyb", "a director at a label": someone else's
        if named:
            last = _LAST_ORG.search(title)
            if last and not names_re.search(last.group("org")) and any(w[:1].isupper() for w in last.group("org").split()):
                continue
        person = match.group("person")
        first, _, rest = person.partition(" ")
        if first in NOT_A_NAME_START or first in NOT_PEOPLE:
            if " " not in rest:
                continue
            person = rest
        label = f"{person}, {title}"
        found.append((match.start(), person, label))
        found.append((match.start(), person.split()[-1], label))
    return found


def last_person(people: list[tuple[int, str, str]], position: int) -> Speaker | None:
    """The executive introduced last, shortly before `position` (whom "she said" refers to when nobody was quoted
    yet)."""
    before = [label for start, _, label in people if position - PRONOUN_REACH <= start < position]
    return Speaker(before[-1], "person") if before else None


PARENT_CUES = ("parent company", "parent firm", "maison mère", "maison-mère", "société mère", "empresa matriz",
               "mutterkonzern", "mutterunternehmen")

_PARENT_WORDS = r"(?:parent (?:company|firm)|maison[- ]mère|société mère|empresa matriz|Mutterkonzern|Mutterunternehmen)"
_PARENT = re.compile(
    rf"\b(?P<org>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+)?),\s+(?i:the|its|their|la|le|el|der|das)\s+(?:[^,.;]{{0,40}}?\s)?"
    rf"(?i:{_PARENT_WORDS})(?P<of>\s+(?:of|de|du|des|del|von)\s+[^,.;]{{2,60}})?|"
    rf"(?i:{_PARENT_WORDS})(?:\s+(?:of|de|du|des|del|von)\s+[^,.;]{{2,60}})?,\s+(?P<org2>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+)?)\b")


def with_parents(text: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The platform's names and its parent company's, when the text introduces it as such ("Acme, the parent company
    of Tunely", "la maison mère de Tunely, Acme"): its spokespeople and executives speak for the platform."""
    names_re = name_pattern(names)
    parents: list[str] = []
    for match in _PARENT.finditer(text):
        org = match.group("org") or match.group("org2")
        sentence_start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        sentence_end = min((at for at in (text.find(".", match.end()), text.find("\n", match.end())) if at >= 0),
                           default=len(text))
        if org.split()[0] in NOT_PEOPLE or names_re.fullmatch(org):
            continue
        if names_re.search(text, sentence_start, sentence_end) and org not in parents:
            parents.append(org)
    return names + tuple(parents)


# A role that ties a person to the platform as its owner, founder or chief ("X's owner", "propriétaire de X",
# "dueño de X", "X-Eigentümer"): whoever holds it speaks for the platform for the rest of the text.
_OWNER_ROLE = (r"(?:co-?)?owner|(?:co-?)?founder|boss|chief|CEO|chair(?:man|woman)?|executive chairman|"
               r"propri[ée]taire|patron(?:ne)?|(?:co)?fondat(?:eur|rice)|PDG|dirigeant(?:e)?|"
               r"propietari[oa]|due[ñn][oa]|(?:co)?fundador(?:a)?|jef[ea]|consejero delegado|"
               r"Eigent[üu]mer(?:in)?|Besitzer(?:in)?|(?:Mit)?[Gg]r[üu]nder(?:in)?|Chef(?:in)?|Inhaber(?:in)?|Boss")

# The platform named by a common noun: "the platform", "la red social", "den Dienst".
_PLATFORM_NOUN = (r"(?:the|this|la|le|l['’]|el|die|den|das|dem|der)\s*(?:[\w-]+\s+){0,2}?(?:platform|company|service|"
                  r"social (?:network|media (?:platform|site))|site|app|plateforme|r[ée]seau(?: social)?|soci[ée]t[ée]|"
                  r"entreprise|plataforma|red social|empresa|compañ[ií]a|servicio|[\w-]*[Pp]lattform|[\w-]*[Dd]ienst(?:es)?|"
                  r"Unternehmen|Netzwerk|Konzern)\b")

# Verbs of buying, founding or running a company.
_OWNING = (r"bought|acquired|purchased|owns|founded|co-?founded|runs|took over|took control of|gained (?:ownership|"
           r"control) of|since acquiring|after (?:buying|acquiring)|compr[óo]|adquiri[óo]|fund[óo]|posee|dirige|"
           r"tom[óo] (?:los mandos|el control) de|ha comprado|ha adquirido|a rachet[ée]|rach[eè]te|poss[eè]de|a fond[ée]|"
           r"a acquis|a pris le contrôle d[eu]|gekauft|übernommen|gegründet|besitzt|leitet|kaufte|übernahm")

_SOMEONE = r"(?P<person>(?-i:[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:\s+(?:de |van |von |da |le )?[A-ZÀ-Ý][a-zà-ÿ'’-]+){0,2}))"
_OWNER_CUES = ("owner", "founder", "boss", "chief", "ceo", "chair", "propri", "propie", "patron", "fondat", "pdg", "dirigeant",
               "dueñ", "duen", "fundador", "jef", "consejero", "eigentüm", "besitzer", "gründer", "chef", "inhaber",
               "bought", "acquir", "purchas", "owns", "took over", "compr", "adquir", "racha", "rachè", "rachet",
               "possè", "gekauft", "übernom", "übernahm", "kaufte", "ownership", "mandos", "gegründet", "leitet",
               "runs", "besitzt", "dirige", "posee", "fundó", "fondé",
               # "Jo Weber confirmed these changes", "Jo Weber kündigte an, … auf X": the pattern for it needs no title
               "confirm", "announc", "anunci", "annonc", "bestätigt", "kündigt")


@lru_cache(maxsize=64)
def _owner_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    core = "(?:" + ("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip()) or "(?!)") + ")"
    platform = rf"(?:(?<![\w@#/.-]){core}(?![\w-])|{_PLATFORM_NOUN})"
    of = r"(?:of|at|de|du|des|del|von|d['’]|chez)\s*(?:(?:la|el|the|le|l['’]|los|las)\s*)?(?:[\w-]+\s+){0,3}?"
    return tuple(re.compile(p, re.IGNORECASE) for p in (
        # "X's owner Elon Musk", "X owner Elon Musk", "X-Eigentümer Elon Musk", "Tech-Milliardär und X-Besitzer Jo Weber"
        rf"(?<![\w@#/.-]){core}(?:['’]s|-)?\s*(?:new\s+)?(?-i:{_OWNER_ROLE}),?\s+{_SOMEONE}",
        # "El propietario de X (antigua Twitter), Elon Musk", "le patron de la plateforme, Jo Weber"
        rf"\b(?:{_OWNER_ROLE})\s+{of}{platform}[^,.;:]{{0,40}}?,\s+{_SOMEONE}",
        # "Elon Musk, propietario de la ahora llamada red social X", "Jo Weber, le propriétaire de X", "Jo, X's owner"
        rf"{_SOMEONE},\s+(?:(?:the|le|la|el|der|die|its|su|son|sa|new|nouveau|nuevo|neue[rn]?)\s+)*(?:[\w-]+\s+)?"
        rf"(?:(?:{_OWNER_ROLE})\s+{of}{platform}|{core}(?:['’]s)?\s+(?:{_OWNER_ROLE}))",
        # "Musk, who bought the platform last year, …", "Musk, que compró la plataforma", "Weber, qui a racheté X"
        rf"{_SOMEONE},\s+(?:who|que|qui|der|die)\s+[^,.;:]{{0,50}}?\b(?:{_OWNING})\b\s*(?:[\w-]+\s+){{0,2}}?"
        rf"(?:{platform}|(?:it|la|lo|le|l['’]|ihn|sie|es)\b)",
        # "Musk … gained ownership of X", "changes Musk has made to the platform since acquiring it"
        rf"{_SOMEONE}\b[^.;:!?]{{0,80}}?\b(?:{_OWNING})\s+(?:{platform}|it\b)",
        # "Jo Weber confirmed these changes", "Jo Weber l'a confirmé : X va …", "Jo Weber kündigte an, … auf X …"
        rf"(?:^|(?<=[.!?]\s)|(?<=\n)){_SOMEONE}\s+(?:has\s+|a\s+|ha\s+|hat\s+)?(?:l['’]a\s+|lo\s+ha\s+)?(?-i:confirmed|"
        rf"announced|confirm[óo]|anunci[óo]|confirmado|anunciado|confirm[ée]|annonc[ée]|bestätigte|kündigte|angekündigt)\b"
        # "Search Engine Land a confirmé auprès de Microsoft": an outlet checking with someone, not its owner
        rf"(?!\s+(?:auprès d|with\b|con\b|bei\b))[^.!?]{{0,20}}?(?:(?:these|the) changes?|ces changements|estos cambios|"
        rf"diese Änderungen|[^.!?]{{0,140}}?{platform})",
        # "X, dem von Elon Musk übernommenen Dienst", "the platform bought by Jo Weber", "rachetée par Jo Weber"
        rf"{platform}[^.;:!?]{{0,40}}?\b(?:(?:acquired|bought|owned|founded|run|led)\s+by|(?:comprad|adquirid|fundad)[ao]s?\s+"
        rf"por|propiedad\s+de|(?:rachet|d[ée]tenu|fond|poss[ée]d)[ée]?e?s?\s+par|von)\s+{_SOMEONE}"
        rf"(?:\s+(?:übernommen|gekauft|gegründet|geführt)\w*)?",
    ))


def find_owners(text: str, names: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """People (or companies) the text ties to the platform as its owner, founder or chief, wherever it does so: they
    speak for the platform everywhere in the text ("Musk, who bought the platform last year, noted that …")."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _OWNER_CUES):
        return []
    names_re = name_pattern(names)
    found: list[tuple[int, str, str]] = []
    for number, pattern in enumerate(_owner_patterns(names)):
        for match in pattern.finditer(text):
            person = match.group("person").strip()
            words = person.split()
            while words and (words[0] in NOT_PEOPLE or words[0] in NOT_A_NAME_START or words[0].lower() in _OWNER_WORDS):
                words = words[1:]
            if not words or any(names_re.fullmatch(word) for word in words) or words[-1].lower() in _OWNER_WORDS:
                continue
            if number == 6 and not re.search(r"(?i)übernommen|gekauft|gegründet|geführt|by|por|par|de",
                                             text[match.start():match.end()]):
                continue
            person = " ".join(words)
            full = _full_name(text, person)
            found.append((match.start(), full, full))
            if full.split()[-1] != full:
                found.append((match.start(), full.split()[-1], full))
    return found


_OWNER_WORDS = frozenset("owner founder boss chief ceo chairman propriétaire patron fondateur pdg dirigeant propietario "
                         "dueño fundador jefe eigentümer besitzer gründer chef inhaber the la le el der die das los "
                         "las".split())


def _full_name(text: str, person: str) -> str:
    """"Musk" → "Elon Musk" when the text writes the whole name somewhere."""
    if " " in person:
        return person
    match = re.search(rf"\b(?-i:[A-ZÀ-Ý][a-zà-ÿ'’-]+)\s+{re.escape(person)}\b", text)
    if match and match.group(0).split()[0] not in NOT_PEOPLE and match.group(0).split()[0] not in NOT_A_NAME_START:
        return match.group(0)
    return person


# A company that bought the platform ("Songtradr, which acquired Bandcamp", "la Übernahme von Bandcamp durch
# Songtradr", "Bandcamp a été racheté par Songtradr"): its words are the platform's owner speaking.
_COMPANY = r"(?P<org>(?-i:[A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+)?))"
_DETERMINERS = r"(?:(?:the|la|le|l['’]|el|die|den|das|dem|der|des|its|sa|son|su)\s*)?"


@lru_cache(maxsize=64)
def _buyer_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    core = "(?:" + ("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n.strip()) or "(?!)") + ")"
    name = rf"(?<![\w@#/.-]){core}(?![\w-])"
    lead = r"(?:(?-i:[a-zà-ÿ][\w-]*|[A-Z]{2,}-[\w-]+)\s+){0,3}?"  # "an die Musiklizenzierungsplattform Songtradr"
    return tuple(re.compile(p, re.IGNORECASE) for p in (
        rf"{_COMPANY}(?:,\s+(?:which|que|qui|die|der|das)\b[^,.;]{{0,40}}?)?\s+(?:has\s+|had\s+)?(?:acquired|bought|"
        rf"purchased|took over|a rachet[ée]|rach[eè]te|a acquis|compr[óo]|adquiri[óo]|ha comprado|ha adquirido|"
        rf"übernahm|übernimmt|kaufte)\s+{_DETERMINERS}{name}",
        rf"{name}\s+(?:(?:was|has been|had been|is being|a été|fue|ha sido|wurde)\s+)?(?:[\w-]+\s+){{0,2}}?(?:acquired|bought|"
        rf"purchased|rachet[ée]e?|acquise?|adquirid[ao]|comprad[ao]|übernommen)\s+(?:by|par|por|durch|von)\s+{lead}{_COMPANY}",
        rf"{name}\s+(?:(?:was|has been|a été|fue|ha sido|wurde)\s+)(?:sold|vendue?|cédée?|vendid[ao])\s+(?:to|à|a)\s+"
        rf"{lead}{_COMPANY}",
        rf"{name}\s+(?:(?:wurde|ist)\s+)?(?:[\w-]+\s+){{0,2}}?an\s+{lead}{_COMPANY}\s+(?:[\w-]+\s+)?verkauft",
        rf"(?:acquisition|takeover|purchase|rachat|compra|adquisici[óo]n|Übernahme|Kauf)\s+(?:of\s+|de\s+|du\s+|del\s+|"
        rf"von\s+)?{name}s?\s+(?:by|par|por(?:\s+parte\s+de)?|durch)\s+{lead}{_COMPANY}",
        rf"{name}-(?:Übernahme|Kauf)\s+"
        rf"durch\s+{lead}{_COMPANY}",
        rf"{_COMPANY}(?:['’]s)?\s+(?:acquisition|purchase|takeover)\s+of\s+{name}",
        rf"\b(?:übernahm|kaufte)\s+{_COMPANY}\s+[^,.;]{{0,40}}?(?:{name}|\b(?:die|den|das)\s+[\w-]*(?:[Pp]lattform|[Dd]ienst))",
        rf"{name}(?:['’]s|-)?\s*(?:new\s+|neue[rn]?\s+|nouveau\s+|nuevo\s+)?(?:owner|parent|Eigentümer|Besitzer|"
        rf"propriétaire|dueño|propietario)\s+{_COMPANY}",
    ))


_BUYER_CUES = ("acqui", "bought", "purchas", "took over", "rachat", "rachet", "rachè", "compr", "adquir", "übernahm",
               "übernimmt", "übernommen", "übernahme", "kauf", "sold", "vend", "cédé", "owner", "eigentümer",
               "besitzer", "propriétaire", "dueño", "propietario")


def with_buyers(text: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The platform's names and those of a company the text says bought or owns it."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _BUYER_CUES):
        return names
    names_re = name_pattern(names)
    buyers: list[str] = []
    for pattern in _buyer_patterns(names):
        for match in pattern.finditer(text):
            org = match.group("org").strip()
            words = org.split()
            if words[0] in NOT_PEOPLE or words[0] in NOT_A_NAME_START or names_re.fullmatch(org):
                continue
            if org not in buyers and org not in names:
                buyers.append(org)
    return names + tuple(buyers)


_CAMEL = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$")


def with_case_variants(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names written with an inner capital ("LinkedIn", "TikTok") also as outlets often write them ("Linkedin",
    "Tiktok"): a capital, then lower case, is still the name and never an ordinary word."""
    variants = tuple(name.capitalize() for name in names if _CAMEL.match(name) and name.capitalize() not in names)
    return names + variants


def speakers_for(text: str, names: Sequence[str]) -> tuple[tuple[str, ...], dict[str, str], list[tuple[int, str, str]]]:
    """Who speaks for the platform called `names` in `text`: its names as the text may write them (with a parent
    company's and a buyer's), the people it introduces as the platform's (name or surname → "CEO Jane Doe"), and
    where each is introduced, in order."""
    lowered = text.lower()
    name_tuple = with_case_variants(tuple(n for n in names if n.strip()))
    if any(cue in lowered for cue in PARENT_CUES):
        name_tuple = with_parents(text, name_tuple)
    name_tuple = with_buyers(text, name_tuple)
    people_at = find_people(text, name_tuple) if any(cue in lowered for cue in TITLE_CUES) else []
    owners = find_owners(text, name_tuple)
    people = {name: label for _, name, label in people_at}
    for _, name, label in owners:  # an owner's title as the text gives it next to the name wins over the bare name
        people.setdefault(name, label)
    people_at = sorted(people_at + [(at, name, people[name]) for at, name, _ in owners])
    return name_tuple, people, people_at
