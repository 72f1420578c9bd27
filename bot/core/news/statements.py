"""Statements by a platform found in news text: quoted or reported speech of the platform, its spokespeople
and executives (English and French wordings), appended "Update …" passages, and own-feed posts as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.core.news.language import detect_language
from bot.core.text import fold, quotations, words
from bot.core.text import sentence_spans as text_sentence_spans

MIN_QUOTE_WORDS = 4  # shorter reported pieces are fragments, not claims
SHORT_QUOTE_WORDS = 4  # quotations this short are setting names or terms ("“Allow AI training”"), not speech
PRONOUN_REACH = 400  # how far back "she said" looks for the executive it stands for
MAX_CLAUSE_CHARS = 240  # how far an attribution ("…,” a spokesperson said in a statement) is looked for

# --- sentences ---------------------------------------------------------------------------------------------

def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (`bot.core.text.sentence_spans`), never ending inside a quotation, even one
    a cut-off excerpt leaves open."""
    return text_sentence_spans(text, _quotes(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped (as `sentence_spans` cuts them)."""
    return [text[s:e] for s, e in sentence_spans(text)]


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
    r"revealed|mentioned|mentions|reiterated|reiterates|posits|posited|disclosed|discloses|continued|decries|decried|"
    r"expressed (?:its|their|his|her) (?:disappointment|regret|frustration|surprise|concerns?)|justifie[sd]?|"
    r"a justifi[ée]|justifie|justifica|justific[óo]|begründet|begründete|assures"
)
_SPEECH_FR = (
    r"a (?:d[ée]clar[ée]|indiqu[ée]|pr[ée]cis[ée]|affirm[ée]|assur[ée]|expliqu[ée]|ajout[ée]|soulign[ée]|"
    r"confi[ée]|r[ée]pondu|d[ée]menti|reconnu|[ée]crit|martel[ée]|insist[ée]|promis|annonc[ée])|"
    r"d[ée]clare|indique|pr[ée]cise|affirme|assure|explique|ajoute|souligne|r[ée]pond|d[ée]ment|"
    r"reconna[iî]t|[ée]crit|martèle|insiste|promet|"
    r"(?:a-t-(?:il|elle)|ont-ils|ont-elles) (?:d[ée]clar[ée]|ajout[ée]|pr[ée]cis[ée]|expliqu[ée]|indiqu[ée]|"
    r"assur[ée]|affirm[ée]|soulign[ée]|insist[ée]|poursuivi)|"
    r"(?:d[ée]clare|ajoute|pr[ée]cise|explique|indique|assure|affirme|souligne|poursuit|insiste)-t-(?:il|elle)|"
    r"ont (?:d[ée]clar[ée]s?|indiqu[ée]s?|pr[ée]cis[ée]s?|affirm[ée]s?|expliqu[ée]s?|assur[ée]s?)|"
    r"a exprim[ée] (?:sa|son) (?:d[ée]ception|regret|frustration|surprise)|"
    r"(?:l['’])?a confirm[ée]|confirme|a not[ée]"
)
_SPEECH_OTHER = (
    r"dijo|dice|afirm[óo]|afirma|asegur[óo]|asegura|explic[óo]|explica|señal[óo]|señala|declar[óo]|indic[óo]|"
    r"indica|añadi[óo]|agreg[óo]|sostuvo|subray[óo]|precis[óo]|neg[óo]|confirm[óo]|coment[óo]|escribi[óo]|"
    r"ha (?:dicho|afirmado|asegurado|explicado|señalado|declarado|indicado|confirmado|negado|añadido|aclarado|"
    r"informado|comunicado|anunciado)|inform[óo]|informa|comunic[óo]|comunica|anunci[óo]|anuncia|aclar[óo]|aclara|"
    r"escribe|reconoce|reconoci[óo]|insisti[óo]|insiste|sostiene|defiende|defendi[óo]|"
    r"sagte|sagt|erkl[äa]rte|erkl[äa]rt|betonte|betont|schreibt|schrieb|versicherte|best[äa]tigte|bestritt|"
    r"dementierte|teilte\b[^,.;:]{0,80}?\bmit|teilt\b[^,.;:]{0,80}?\bmit|hei(?:ß|ss)t es|hie(?:ß|ss) es|"
    r"stellte?\b[^,.;:]{0,60}?\bklar|gibt\b[^,.;:]{0,60}?\ban(?=,|\s+dass\b|$)|gab\b[^,.;:]{0,60}?\ban(?=,|\s+dass\b|$)|"
    r"gibt\b[^,.;:]{0,40}?\bbekannt|gab\b[^,.;:]{0,40}?\bbekannt|ergänzte|ergänzt|beteuerte?|versichert|"
    r"räumte?\b[^,.;:]{0,40}?\bein(?=,|\s+dass\b|$)|(?:(?<=,\s)|(?<=^))so(?=\s+(?-i:[A-ZÄÖÜ]|(?:das|der|die|ein|eine)\s))|"
    r"kündigte?\b[^,.;:]{0,60}?\ban(?=,|\s+dass\b|$)|bekr[äa]ftigte?|pr[äa]zisierte|verteidigte|vergewisserte|"
    r"expres[óo] su (?:decepci[óo]n|pesar|malestar)|anot[óo]|apunt[óo]|detall[óo]|ha detallado|"
    r"dijeron|afirmaron|aseguraron|explicaron|señalaron|declararon|indicaron|informaron|comunicaron|anunciaron|"
    r"aclararon|añadieron|agregaron|precisaron|subrayaron|detallaron|confirmaron|sostuvieron|recalc[óo]|"
    r"afirman|aseguran|explican|señalan|indican|sostienen|insisten|dec[íi]a|"
    r"han (?:dicho|afirmado|asegurado|explicado|señalado|indicado|informado|anunciado|confirmado|aclarado|declarado)|"
    r"ha (?:precisado|subrayado|recalcado|insistido|reconocido|sostenido)|"
    r"merkte\b[^,.;:]{0,60}?\ban(?=,| dass)|(?:wissen|verlauten) lie(?:ß|ss)|erläuterte|argumentiert(?:e)?"
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
    "defie", "defen", "stell", "gibt", "gab", "posit", "discl", "conti", "decri", "expre", "kundi", "justi", "begru", "citin", "invoq", "alega", "aduci", "ergan", "beteu", "raumt", "raum", "angab", "eigen", "sicht", "assur",
    "affir", "insis", "sayin", "stati", "addin", "arguin", "empha", "asegu", "afirm", "senal",
    "anoto", "apunt", "detal", "so", "merkt", "wisse", "verla", "erlau", "argum", "bekra", "prazi", "verte",
    "vergi", "acuer", "angab", "mitte", "dijer", "decia", "recal", "palab", "mensa",
))


def _mentions_speech(text: str) -> bool:
    return not _SPEECH_STEMS.isdisjoint(word[:5] for word in words(fold(text)))


# Every executive's title the speaker patterns know contains one of these (lower-cased) strings.
_TITLE_CUES = ("ceo", "chief", "founder", "president", "head of", "director", "counsel", "vp", "lead", "pdg",
               "directeur", "directrice", "présid", "fondat", "responsable", "ejecutiv", "consejer", "fundador",
               "jefe", "jefa", "chef", "gründer", "vorstand", "geschäftsführer", "manager", "employ", "empleado",
               "empleada", "salarié", "mitarbeiter", "liaison", "communica", "comunica", "kommunikation", "officer",
               "spokes", "portavoz", "porte-parole", "sprecher", "leiter", "engineer", "ingénieur", "ingeniero")
_ACCORDING = re.compile(
    r"\b(?:according to|selon|d'après|d’après|según|laut|de acuerdo con|en palabras de|nach Angaben(?: von)?)\s+(?P<who>[^,:«“\"]{2,80}?)\s*[,:]", re.IGNORECASE
)
_ROLE_WORD = (r"spokes(?:person|woman|man)|representative|press officer|porte-parole|portavoz|"
              r"(?:Unternehmens|Konzern|Firmen|Presse)?[Ss]precher(?:in)?|"
              r"représentante?|representante")
_TITLE_EN = (
    r"(?:(?:Senior |Executive )?(?:[Vv]ice[- ]president|VP) and )?general counsel|"
    r"(?:Firmen|Konzern|Unternehmens)(?:chef|gründer|mitgründer)(?:in)?|(?:co-?)?founder(?: and (?:CEO|chief executive))?|CEO|chief executive(?: officer)?|president|"
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
_TITLE_DE = r"(?:[A-Z][\w]*-)?Chef(?:in)?|Gründer(?:in)?|Mitgründer(?:in)?|Vorstandschef(?:in)?|Geschäftsführer(?:in)?"
_PERSON = r"(?P<person>[A-Z][a-zà-ÿ'’-]+(?:\s+(?:de |van |von |da |le )?[A-Z][a-zà-ÿ'’-]+){1,2})"
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
        (rf"(?P<name>{core})-(?P<role>Sprecher(?:in)?)(?:\s+{_PERSON})?", "role"),
        # "der Tunely-Chef", "des Tunely-Gründers", "el fundador de Tunely", "el director ejecutivo de la compañía":
        # the executive named by role only
        (rf"(?i:\b(?:der|die|den|dem|des)\s+)(?P<name>{core})-(?P<role>(?:Mit)?[Gg]ründer(?:in|s)?|Chef(?:in|s)?)\b"
         rf"(?!\s+(?-i:[A-Z]))", "role"),
        (rf"(?i:\b(?:el|la|al|del)\s+)(?P<role>(?i:(?:co)?fundador(?:a)?|director(?:a)? ejecutiv[oa]|"
         rf"consejer[oa] delegad[oa]))\s+(?i:de|del)\s+(?:(?P<name>{name})|(?i:la (?:compañía|empresa|plataforma)))"
         rf"(?!\s*,\s*(?-i:[A-Z]))", "role"),
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
    rf",?\s+{_PERSON}")


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
_APPOSITION = re.compile(rf"{_PERSON},\s+(?P<title>[^,.;:()«»“”\"„\n]{{3,90}}?),\s")
_APPOSITION_CUES = re.compile(
    r"(?i:responsable|head\b|director|directeur|directrice|chief|officer|president|présid|presid|spokes|"
    r"porte-parole|portavoz|sprecher|manager|employee|empleado|empleada|salarié|employé|mitarbeiter|engineer|"
    r"ingénieur|ingeniero|\blead\b|jef[ea]\b|\bchef|leiter|\bceo\b|\bcto\b|\bcoo\b|\bcfo\b|\bcpo\b|\bpdg\b|founder|"
    r"fondat|fundador|gründer|liaison|communication|comunicaci|kommunikation|counsel|\bsvp\b|\bvp\b)")
_LAST_ORG = re.compile(r"\b(?:at|of|for|with|chez|de|du|des|del|de la|bei|von|der|des)\s+(?:the\s+|la\s+|le\s+|l['’])?"
                       r"(?P<org>[^\s,]+(?:\s+[^\s,]+)*)$")
_SOMEWHERE = re.compile(r"\b(?:at|of|for|with|chez|de|del|bei|von) (?:a|an|une?|una|einer?|einem)\b", re.IGNORECASE)
_NOT_A_NAME_START = frozenset("Según Segun Selon Laut According Para Pour For Mais Pero But Aber Et Y Und And Ante "
                              "Face Comme As Como Wie".split())


def _appositions(text: str, names_re: re.Pattern[str]) -> list[tuple[int, str, str]]:
    """People introduced with a lower-case title in apposition, where the title names the platform or no one."""
    found: list[tuple[int, str, str]] = []
    for match in _APPOSITION.finditer(text):
        title = match.group("title").strip()
        if not _APPOSITION_CUES.search(title) or len(title.split()) > 12:
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
        if first in _NOT_A_NAME_START or first in _NOT_PEOPLE:
            if " " not in rest:
                continue
            person = rest
        label = f"{person}, {title}"
        found.append((match.start(), person, label))
        found.append((match.start(), person.split()[-1], label))
    return found


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
    for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}\b",
                             _OWNER_PHRASE.sub(r"\g<owned>", _OUTLET_PHRASE.sub("", clause))):
        words = match.group(0).split()
        if not names_re.search(match.group(0)) and words[0] not in _NOT_PEOPLE and words[-1] not in _PLACES:
            return None  # a named person who is not introduced as the platform's: someone else
    for match in names_re.finditer(clause):
        if needs_verb and _PLACE_BEFORE.search(clause, 0, match.start()):
            continue  # "Auf Tunely heißt es", "On Tunely, it says": where the words are, not who says them
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


def _next_to_verb(clause: str, start: int, end: int, verbs: list[tuple[int, int]]) -> bool:
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
        words = re.findall(r"[^\W\d_]+", between.lower())
        if len(words) <= 5 and all(word in _FILLER for word in words):
            return True
    return False


# Where the words went ("told The Circuit Ledger", "in a statement to Morning Bytes"): not a person speaking.
_OUTLET_PHRASE = re.compile(r"\b(?:to|told|with|à|au|a)\s+(?:The |Le |La |El |Les |L['’])?[A-ZÀ-Ý][\w&’'-]*"
                            r"(?:\s+[A-ZÀ-Ý][\w&’'-]*){0,3}")
# Capitalised names of pages and places ("Privacy Center", "Help Centre"), not of people.
_PLACES = frozenset("Center Centre Blog Hub Store Help Policy Terms Service Services Settings Newsroom Page "
                    "Forum Community".split())
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


def _quotes(text: str) -> list[tuple[int, int]]:
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
_CAPTION = re.compile(r"[”\"»]?[ \t,.]*\n[ \t]*(?:(?i:mensaje|comunicado|aviso|nota|message|statement|communiqué|"
                      r"Mitteilung|Nachricht)\s+(?i:de|del|from|du|de la|von))\s+(?P<who>[^\n]{2,80})")
# ",” said X CEO Jo Weber", "», a déclaré …", "“, dijo …": a short quotation its speaker closes is speech, not a name.
_SAID_RIGHT_AFTER = re.compile(rf"[”\"»“]?\s*,?\s*[”\"»“]?\s*(?:{_SPEECH.pattern})", re.IGNORECASE)


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
    r"in an? (?:e-?mail|notice|notification|message) (?:sent )?to (?:its |their )?(?:users|customers|subscribers)|(?:hat|haben) (?:uns )?(?:eine|folgende|die) (?:\w+ )?(?:Nachricht|"
    r"Stellungnahme|Mitteilung|Erklärung)\b(?: \w+)? (?:geschickt|übermittelt|veröffentlicht|zukommen lassen))\b",
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
    if "\n" in stripped:  # headings and list items run into the intro where no full stop parts them: its own line
        stripped = stripped.rsplit("\n", 1)[-1].strip()
    source = _STATEMENT_FROM.search(stripped)
    if source:
        speaker = _resolve_speaker(source.group("who"), names, people, needs_verb=False)
        if speaker is not None and speaker.kind != "pronoun":
            return speaker
    speaker = _resolve_speaker(stripped, names, people)
    if speaker is None and _STATEMENT_WORD.search(stripped):  # "Tunely sent us a statement:", "emitió un comunicado:"
        speaker = _subject_speaker(stripped, names, people)
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


# The wording of terms or of a settings page, whoever is said to say it: "your content may be used to …", "you agree
# that …", "as part of providing the services", "we may use your posts", "vos contenus peuvent être utilisés",
# „Ihre Inhalte dürfen … verwendet werden“, "su contenido puede ser utilizado".
_TERMS_LANGUAGE = re.compile(
    r"\b(?:(?:your|user|users['’]?|uploaded|the|such|any) (?:content|posts|data|uploads|files|works?)(?: \w+){0,3} "
    r"(?:may|can|shall) (?:also )?be (?:used|utili[sz]ed|processed|shared|accessed|analy[sz]ed)|"
    r"you (?:hereby |explicitly |expressly )?(?:agree|grant|give us|acknowledge|consent)|"
    r"as part of (?:and for )?providing the services?|"
    r"we may (?:also )?(?:use|utili[sz]e|access|analy[sz]e|share|sublicense|process|view)\b[^.]{0,40}?\byour|"
    r"may (?:include|involve) (?:automatically |manually )?(?:scanning|accessing|reviewing|analy[sz]ing) "
    r"(?:your|user|users['’]?) content|"
    r"(?:vos|votre|les) (?:contenus?|publications|données|fichiers)(?: \w+){0,3} (?:peu(?:ven)?t|pourr(?:a|ont)) "
    r"(?:également |aussi )?être (?:utilisée?s?|exploitée?s?|partagée?s?)|"
    r"vous (?:nous )?(?:accordez|conc[ée]dez|acceptez que)|nous pouvons (?:utiliser|accéder|exploiter)|"
    r"(?:su|tu|sus|tus) (?:contenidos?|publicaciones|datos)(?: \w+){0,3} (?:puede|pueden|podr[áa]n?) ser "
    r"(?:utilizad|usad|compartid)[oa]s?|(?:usted|tú) (?:nos )?(?:otorga|concede|acepta)s?|"
    r"podemos (?:utilizar|usar|acceder)|"
    r"(?:Ihre|deine) (?:Inhalte|Daten|Beiträge)\b[^.]{0,60}?\b(?:dürfen|können)\b[^.]{0,60}?\b(?:verwendet|genutzt|"
    r"verarbeitet) werden|(?:dürfen|können) wir (?:Ihre|deine)|Sie (?:räumen|gewähren|erteilen) uns)", re.IGNORECASE)
_TERMS_LANGUAGE_CUES = ("agree", "grant", "give us", "acknowledge", "consent", "providing the service", "may", "can ",
                        "shall", "peu", "pourr", "accordez", "concédez", "concedez", "acceptez",
                        "pouvons", "puede", "pueden", "podr", "otorga", "concede", "acepta", "podemos", "dürfen",
                        "können", "räumen", "gewähren", "erteilen")


def _is_terms_language(words: str) -> bool:
    lowered = words.lower()
    return any(cue in lowered for cue in _TERMS_LANGUAGE_CUES) and _TERMS_LANGUAGE.search(words) is not None


def _is_terms_text(quote: str, clause: str) -> bool:
    """Is the quotation a terms clause ("you grant us a worldwide licence …") rather than the platform speaking?"""
    if _is_terms_language(quote):
        return True
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


# "– Jo Diaz, directrice technique de Tunely" or "— Tunely team" on its own line under a block quote or a paragraph.
_BYLINE = re.compile(r"^[ \t]*[–—][ \t]*(?P<who>[^\n–—]{2,120}?)[ \t]*$", re.MULTILINE)
# A line ending with a colon ("Tunely sent us a message:"), then a paragraph that is not a quotation nor a list.
_INTRO_LINE = re.compile(r"^(?P<intro>[^\n]{8,300}?:)[ \t*_]*\n\s*(?P<body>[^\n]{20,3000})", re.MULTILINE)
_NOT_BODY = tuple("-•*·–—>#[(0123456789“\"«„»‘")


# The company's voice: "our customers", "nos utilisateurs", "nuestros usuarios", "unsere Kunden".
_CORPORATE_WE = re.compile(r"\b(?:our (?:customers|users|members|community|creators|platform|services?)|nos (?:clients|"
                           r"utilisateurs|abonnés|membres)|notre (?:communauté|plateforme|service)|nuestr[oa]s? (?:clientes|"
                           r"usuarios|comunidad|plataforma|servicio)|unsere[nr]? (?:Kunden|Nutzer\w*|Community|Plattform|"
                           r"Dienst\w*))\b", re.IGNORECASE)
# "A través de un comunicado, se detalló que …", "In a statement, it was explained that …", "Dans un communiqué, il
# est précisé que …", "In einer Mitteilung wird erklärt, dass …": the statement of the platform named around it.
_IMPERSONAL = re.compile(
    r"^(?:[\w]+\s+){0,2}?(?:a trav[ée]s de|mediante|por medio de|en|in|through|via|dans|par|in einer?)\s+(?:un|una|a|an|its|su|"
    r"son|sa|der|einer|le|el|the)?\s*(?:comunicado|statement|communiqué|mitteilung|stellungnahme|erklärung|"
    r"announcement|anuncio|annonce|blog ?post|publicaci[óo]n|message|mensaje|e-?mail|courriel|correo)\b[^,]{0,60},\s*"
    r"(?:se|it (?:was|is|has been)|il (?:est|a été)|wird|wurde)\s+(?:\w+\s+){0,2}?(?:detall[óo]|explic[óo]|inform[óo]|"
    r"indic[óo]|precis[óo]|aclar[óo]|señal[óo]|anunci[óo]|explained|detailed|stated|announced|noted|clarified|"
    r"pr[ée]cis[ée]|expliqu[ée]|indiqu[ée]|annonc[ée]|erklärt|mitgeteilt|betont|erläutert)\s*,?\s*"
    r"(?:que|that|qu['’]|dass)\s+(?P<content>.+)$", re.IGNORECASE | re.DOTALL)


def _framed(text: str, names: tuple[str, ...], people: dict[str, str], found: list[_Found],
            reference: int | None) -> list[_Found]:
    """Statements set apart with no quotation marks or no attribution of their own: a paragraph under a line that
    introduces it ("Tunely sent us this message:"), a quotation or paragraph signed by a byline below it."""
    taken = [(f.start, f.start + len(f.passage)) for f in found]
    framed: list[_Found] = []

    def free(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in taken)

    for match in _BYLINE.finditer(text):
        who = match.group("who").strip()
        if "@" in who or len(who.split()) > 14:
            continue
        speaker = _resolve_speaker(who, names, people, needs_verb=False)
        signed = re.match(rf"{_PERSON},\s+(?P<title>.+)$", who)
        if speaker is None and signed and _APPOSITION_CUES.search(signed.group("title")) and \
                _name_pattern(names).search(signed.group("title")):
            speaker = _Speaker(who, "person")  # "– Jo Diaz, Directrice technique de Tunely"
        if speaker is None or speaker.kind == "pronoun":
            continue
        before = text[:match.start()].rstrip()
        start = before.rfind("\n") + 1
        line = before[start:]
        quote = _clean_quote(line)
        if (len(quote.split()) <= MIN_QUOTE_WORDS + 1 or not free(start, match.start()) or line.rstrip().endswith(":")
                or _is_terms_text(quote, "") or _is_old(line, reference)):
            continue
        framed.append(_Found(start, quote, speaker, None, f"{line} {match.group(0).strip()}", True))
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
        speaker = _introduced_by(intro, names, people)
        if speaker is None or _locates_terms(intro) or _is_old(intro, reference):
            continue
        start = match.start("body")
        quote = _clean_quote(body)
        if not free(match.start(), match.end()) or _is_terms_text(quote, intro):
            continue
        framed.append(_Found(start, quote, speaker, _channel(intro), f"{intro.strip()} {body}", True))
        taken.append((match.start(), match.end()))
    return framed


# A post embedded from a social network, signed under (or after) its text: "— Tunely (@tunely) December 15, 2023".
_EMBED_SIGNATURE = re.compile(r"(?:^|(?<=\s))[–—][ \t]*(?P<who>[^\n()–—]{1,60}?)[ \t]*\(@(?P<handle>\w{1,30})\)"
                              r"[ \t]*(?P<date>[^\n]{0,40})$", re.MULTILINE)
_LINKS = re.compile(r"\s*(?:https?://\S+|pic\.twitter\.com/\S+|\S+\.\S+/\S+…?)")


def _embedded_posts(text: str, names: tuple[str, ...], people: dict[str, str], reference: int | None) -> list[_Found]:
    """Posts embedded in the article and signed by the platform's account or by one of its people (its owner, an
    executive the text introduces): their text is what they said. A critic's or a user's post is signed by someone
    else and is left alone."""
    names_re = _name_pattern(names)
    handles = {re.sub(r"\W", "", name).lower() for name in names}
    found: list[_Found] = []
    for match in _EMBED_SIGNATURE.finditer(text):
        who = match.group("who").strip()
        if names_re.fullmatch(who) or match.group("handle").lower() in handles:
            speaker = _Speaker(who, "platform")
        elif who in people or (" " in who and who.split()[-1] in people and who.split()[-1] != who):
            speaker = _Speaker(people.get(who) or people[who.split()[-1]], "person")
        else:
            continue
        year = _YEAR.search(match.group("date"))
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
        quote = _clean_quote(_LINKS.sub("", body).strip(" …"))
        if len(quote.split()) <= MIN_QUOTE_WORDS or _is_terms_text(quote, ""):
            continue
        found.append(_Found(start, quote, speaker, "embedded post", f"{body} {match.group(0).strip()}", True))
    return found


_PARENT_CUES = ("parent company", "parent firm", "maison mère", "maison-mère", "société mère", "empresa matriz",
                "mutterkonzern", "mutterunternehmen")
_PARENT_WORDS = r"(?:parent (?:company|firm)|maison[- ]mère|société mère|empresa matriz|Mutterkonzern|Mutterunternehmen)"
_PARENT = re.compile(
    rf"\b(?P<org>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+)?),\s+(?i:the|its|their|la|le|el|der|das)\s+(?:[^,.;]{{0,40}}?\s)?"
    rf"(?i:{_PARENT_WORDS})(?P<of>\s+(?:of|de|du|des|del|von)\s+[^,.;]{{2,60}})?|"
    rf"(?i:{_PARENT_WORDS})(?:\s+(?:of|de|du|des|del|von)\s+[^,.;]{{2,60}})?,\s+(?P<org2>[A-Z][\w&.-]+(?: [A-Z][\w&.-]+)?)\b")


def _with_parents(text: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The platform's names and its parent company's, when the text introduces it as such ("Acme, the parent company
    of Tunely", "la maison mère de Tunely, Acme"): its spokespeople and executives speak for the platform."""
    names_re = _name_pattern(names)
    parents: list[str] = []
    for match in _PARENT.finditer(text):
        org = match.group("org") or match.group("org2")
        sentence_start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        sentence_end = min((at for at in (text.find(".", match.end()), text.find("\n", match.end())) if at >= 0),
                           default=len(text))
        if org.split()[0] in _NOT_PEOPLE or names_re.fullmatch(org):
            continue
        if names_re.search(text, sentence_start, sentence_end) and org not in parents:
            parents.append(org)
    return names + tuple(parents)


# --- who else speaks for the platform: its owner, founder or chief named by role, and a company that bought it ----

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
        rf"(?!\s+(?:auprès d|with\b|con\b|bei\b))[^.!?]{{0,20}}?(?:(?:these|the) changes?|ces changements|estos cambios|diese Änderungen|[^.!?]{{0,140}}?{platform})",
        # "X, dem von Elon Musk übernommenen Dienst", "the platform bought by Jo Weber", "rachetée par Jo Weber"
        rf"{platform}[^.;:!?]{{0,40}}?\b(?:(?:acquired|bought|owned|founded|run|led)\s+by|(?:comprad|adquirid|fundad)[ao]s?\s+"
        rf"por|propiedad\s+de|(?:rachet|d[ée]tenu|fond|poss[ée]d)[ée]?e?s?\s+par|von)\s+{_SOMEONE}"
        rf"(?:\s+(?:übernommen|gekauft|gegründet|geführt)\w*)?",
    ))


def _owners(text: str, names: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """People (or companies) the text ties to the platform as its owner, founder or chief, wherever it does so: they
    speak for the platform everywhere in the text ("Musk, who bought the platform last year, noted that …")."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _OWNER_CUES):
        return []
    names_re = _name_pattern(names)
    found: list[tuple[int, str, str]] = []
    for number, pattern in enumerate(_owner_patterns(names)):
        for match in pattern.finditer(text):
            person = match.group("person").strip()
            words = person.split()
            while words and (words[0] in _NOT_PEOPLE or words[0] in _NOT_A_NAME_START or words[0].lower() in _OWNER_WORDS):
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
    if match and match.group(0).split()[0] not in _NOT_PEOPLE and match.group(0).split()[0] not in _NOT_A_NAME_START:
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


def _with_buyers(text: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The platform's names and those of a company the text says bought or owns it."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _BUYER_CUES):
        return names
    names_re = _name_pattern(names)
    buyers: list[str] = []
    for pattern in _buyer_patterns(names):
        for match in pattern.finditer(text):
            org = match.group("org").strip()
            words = org.split()
            if words[0] in _NOT_PEOPLE or words[0] in _NOT_A_NAME_START or names_re.fullmatch(org):
                continue
            if org not in buyers and org not in names:
                buyers.append(org)
    return names + tuple(buyers)


_CAMEL = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$")


def _with_case_variants(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names written with an inner capital ("LinkedIn", "TikTok") also as outlets often write them ("Linkedin",
    "Tiktok"): a capital, then lower case, is still the name and never an ordinary word."""
    variants = tuple(name.capitalize() for name in names if _CAMEL.match(name) and name.capitalize() not in names)
    return names + variants


# Scraped text whose spaces were lost at a link or a tag: "X saidthat", "the change,X said", "report it.X said".
_GLUED_VERB = re.compile(
    r"\b(?P<verb>said|says|told|added|wrote|writes|explained|noted|claimed|stated|announced|confirmed|insisted|"
    r"dijo|afirm[óo]|asegur[óo]|explic[óo]|señal[óo]|declar[óo]|d[ée]clar[ée]|affirm[ée]|indiqu[ée]|pr[ée]cis[ée]|"
    r"sagte|erklärte|betonte)(?P<next>that|the|it|in|on|que|qu['’]|dass)\b")
_GLUED_PUNCTUATION = re.compile(r"(?<=[a-zà-ÿ]),(?=[A-ZÀ-Ý]|(?:dass|que|that)\b)|(?<=[a-zà-ÿ]{2})[.](?=[A-ZÀ-Ý][\w-]*\s)")


def _unglue(text: str) -> str:
    """Spaces put back where scraping glued words ("saidthat" → "said that", ",X said" → ", X said")."""
    text = _GLUED_VERB.sub(r"\g<verb> \g<next>", text)
    return _GLUED_PUNCTUATION.sub(lambda m: m.group(0) + " ", text)


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
    text = _unglue(text)
    if not _mentions_speech(text) and not any(cue in text for cue in ("\n–", "\n—", ":\n")):
        return []  # nobody is quoted or reported as saying anything: no regex scans
    lowered = text.lower()
    language = language or detect_language(f"{title}\n{text}")
    name_tuple = _with_case_variants(tuple(n for n in names if n.strip()))
    if any(cue in lowered for cue in _PARENT_CUES):
        name_tuple = _with_parents(text, name_tuple)
    name_tuple = _with_buyers(text, name_tuple)
    people_at = _find_people(text, name_tuple) if any(cue in lowered for cue in _TITLE_CUES) else []
    owners = _owners(text, name_tuple)
    people = {name: label for _, name, label in people_at}
    for _, name, label in owners:  # an owner's title as the text gives it next to the name wins over the bare name
        people.setdefault(name, label)
    people_at = sorted(people_at + [(at, name, people[name]) for at, name, _ in owners])
    spans = sentence_spans(text)
    quotes = _quotes(text)
    found: list[_Found] = []
    quoted_sentences: set[tuple[int, int]] = set()
    previous: _Found | None = None
    previous_sentence_end = -1
    reference = _reference_year(text, published)
    terms_at: set[int] = set()  # sentences where the platform "says" what its terms say
    for start, end in quotes:
        quote = _clean_quote(text[start:end])
        index = _sentence_index(spans, start)
        sentence = spans[index] if index >= 0 else (start, end)
        last = spans[_sentence_index(spans, end - 1)] if index >= 0 else sentence
        whole = (sentence[0], max(sentence[1], last[1]))  # a quotation may run over several paragraphs
        words = len(quote.split())
        if words <= SHORT_QUOTE_WORDS:
            # too short to be a statement, but the quotation that follows it continues its speaker ("“High time,”
            # said CEO Jo Weber. “The block will …”")
            if words >= 3 and _SAID_RIGHT_AFTER.match(text, end):
                short = _resolve_speaker(text[end:min(whole[1], end + MAX_CLAUSE_CHARS)], name_tuple, people)
                if short is not None and short.kind != "pronoun":
                    previous = _Found(start, quote, short, None, text[whole[0]:whole[1]], True)
                    previous_sentence_end = whole[1]
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
        caption = _CAPTION.match(text, end) if speaker is None else None
        if caption is not None:
            # «…»,\nMensaje de Tunely: a caption under the quotation says whose words they are
            speaker = _resolve_speaker(caption.group("who"), name_tuple, people, needs_verb=False)
            speaker = speaker if speaker is not None and speaker.kind != "pronoun" else None
            clause = caption.group(0) if speaker is not None else clause
        document = clause or (before if before.rstrip(_MARKS).endswith(":") else "")  # "The notice reads:" then it
        if speaker is None and document and _DOCUMENT.search(document) and (_SPEECH.search(document)
                                                                            or _READS.search(document)):
            # "«…», indique le courriel", "the notice reads": the platform's own message, when it was named just before
            named = _name_pattern(name_tuple).search(text, max(0, whole[0] - 600), whole[0])
            if named is not None and _document_speaks(document):
                speaker = _Speaker(_platform_name(named.group(0), name_tuple), "platform")
        if speaker is None and not clause.strip(_MARKS + ".,;:—–-") and words >= 12 and _CORPORATE_WE.search(quote) \
                and not before.strip(_MARKS) and not after.strip(_MARKS + "."):
            # a paragraph that is one quotation, in the company's voice ("our customers"), about the platform
            named = _name_pattern(name_tuple).search(text, max(0, whole[0] - 1500), whole[1])
            if named is not None:
                speaker = _Speaker(re.sub(r"(?:'s|’s)$", "", named.group(0)), "platform")
        pronoun = speaker is not None and speaker.kind == "pronoun"
        if pronoun:
            speaker = previous.speaker if previous is not None else _last_person(people_at, start)
        if speaker is None and pronoun and (_is_terms_text(quote, clause) or _is_terms_language(before + quote)):
            terms_at.update(number for number, span in enumerate(spans) if whole[0] <= span[0] < whole[1])
        if speaker is None and previous is not None and not clause.strip(_MARKS + ".,;:—–-"):
            # A quotation that follows an attributed one with no attribution of its own continues it.
            if sentence[0] <= previous_sentence_end + 3:
                speaker = previous.speaker
        if speaker is not None and (_is_terms_text(quote, clause) or _is_terms_language(before + quote)
                                    or _is_old(text[whole[0]:start], reference)
                                    or _locates_terms(clause)):
            # the terms quoted, or words said years before the article: not a statement now, nor reported speech
            quoted_sentences.update(span for span in spans if whole[0] <= span[0] < whole[1])
            if speaker.kind in ("platform", "generic", "pronoun"):
                terms_at.update(number for number, span in enumerate(spans) if whole[0] <= span[0] < whole[1])
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
    if ":\n" in text or "–" in text or "—" in text:
        for item in _framed(text, name_tuple, people, found, reference):
            found.append(item)
            quoted_sentences.update(span for span in spans if item.start <= span[0] < item.start + len(item.passage))
    for number, sentence in enumerate(spans):
        if sentence in quoted_sentences:
            continue
        if not _mentions_speech(text[sentence[0]:sentence[1]]):
            continue
        earlier = [item for item in found if item.start < sentence[0]]  # whom "he said" can stand for
        context = text[spans[number - 1][0]:spans[number - 1][1]] if number > 0 else ""
        reported = _reported(text[sentence[0]:sentence[1]], name_tuple, people, earlier, context)
        if reported is None or _is_old(_before_verb(reported.passage), reference) or _is_earlier(
                _before_verb(reported.passage)):
            continue
        if (_is_terms_text(reported.quote, reported.passage) or _is_terms_language(reported.quote)
                or _locates_terms(_attribution_part(reported))
                or (number - 1 in terms_at and reported.speaker.kind in ("platform", "generic"))):
            # the terms, or the next sentence about them ("Et l'entreprise ajoute que …"): not the platform speaking
            if reported.speaker.kind in ("platform", "generic"):
                terms_at.add(number)
            continue
        reported.start = sentence[0]
        found.append(reported)
    found.sort(key=lambda f: f.start)
    return _merge(found, text, language, platform, published)


_REPORTED = re.compile(
    rf"^(?P<subject>.{{0,160}}?)\b(?P<verb>(?i:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER}))\b"
    r"(?P<object>(?:(?<=told)|(?<=tells))\s+"
    r"(?:(?:The |Le |La |Les |L['’])?[A-Z][\w&’'-]*(?:\s+[A-Z][\w&’'-]*){0,3}|reporters|journalists)|"
    r"\s+à\s+(?:[^,]{2,40}?)(?=\s*,|\s+que\b|\s+qu['’])|"
    r"\s+(?:a|al)\s+(?:El |La |Los |Las )?[A-Z][\w&’'-]*(?:\s+[A-Z][\w&’'-]*){0,3}(?=\s*,|\s+que\b)|"
    # "explicaron desde la compañía que …": where the words come from, after the verb
    r"\s+desde\s+[^,]{2,40}?(?=\s*,|\s+que\b))?"
    r"(?P<channel>\s+(?:in|on|during|dans|par|lors|en|a trav[ée]s de|mediante|por medio de)\s+[^,]{1,60}?"
    r"(?=\s*,|\s+that\b|\s+que\b|\s+qu['’]))?"
    r"\s*[,:]?\s*(?:that\s+|que\s+|qu['’]|dass\s+|daß\s+)?(?P<content>.+)$",
    re.DOTALL,
)


_INVERTED = re.compile(
    rf"^(?P<content>(?:[^“”«»\"]|[«“\"][^“”«»\"]{{1,60}}[»”\"]){{12,}}?),\s+"
    rf"(?P<attribution>[^,]{{0,80}}?\b(?i:{_SPEECH_EN}|{_SPEECH_FR}|{_SPEECH_OTHER})\b"
    # after the verb, only a short adjunct ("on Thursday", "told The Verge"): a longer tail is what was said
    r"(?:\s+[^\s,]+){0,4}?(?:\s+(?i:en|in) (?i:un|una|einer|einem) [^\s,]+|"
    # "…, afirmó el representante de la plataforma": the speaker's title after the verb
    r"\s+(?i:el|la) [^\s,]+ (?i:de|del) (?i:la|el) [^\s,]+)?)[.!]?$",
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
    r"reconoci[óo]|defiende|defendi[óo]|asserts|asserted|ha (?:informado|comunicado|anunciado)|mentions|posits|posited|"
    r"disclosed|discloses|continued|decries|decried|anot[óo]|apunt[óo]|detall[óo]|ha detallado|a not[ée]|confirme|"
    r"gibt\b[^,.;:]{0,40}?\bbekannt|gab\b[^,.;:]{0,40}?\bbekannt|verteidigte|vergewisserte|informaron|comunicaron|"
    r"anunciaron|añadieron|agregaron|detallaron|confirmaron|han (?:informado|anunciado|confirmado))"
)


_PLURAL_PEOPLE = re.compile(
    r"\b(?:users|artists|creators|musicians|photographers|critics|people|customers|members|developers|writers|"
    r"utilisateurs|utilisatrices|artistes|créateurs|musiciens|internautes|usuarios|artistas|creadores|músicos|"
    r"Nutzer(?:innen)?|Künstler(?:innen)?|Kreative[n]?|Musiker(?:innen)?)\b", re.IGNORECASE)
_SINGULAR_HUMAN = frozenset(("he", "she", "er"))


_ZU_INFINITIVE = re.compile(r"\bzu \w+(?:en|ern|eln)\b[^,]*[.!]?$")
# "X claims this change is intended to …": a clause (a pronoun or "this …" and a finite verb), not a plain object.
_CLAUSE_OBJECT = re.compile(r"(?:it|this|these|they|the (?:change|update|company|platform|move|feature|decision)|"
                            r"this (?:change|update|move|feature|decision))\s+(?:\w+\s+)?(?:is|are|was|were|will|would|"
                            r"has|have|does|do|did|can|could|never|only)\b", re.IGNORECASE)


def _nearest_actor(context: str, names: tuple[str, ...], people: dict[str, str],
                   pronoun: str = "") -> _Speaker | None:
    """Whom a pronoun or a missing subject stands for: the actor named last in the sentence before, when it is the
    platform, its spokesperson or an executive ("Tunely addressed the issue. It said …"); None when the last one
    named is someone else, or when people such as users are named after it ("they" may be them)."""
    if not context:
        return None
    names_re = _name_pattern(names)
    mentions: list[tuple[int, _Speaker | None]] = []
    for match in names_re.finditer(context):
        mentions.append((match.end(), _Speaker(re.sub(r"(?:'s|’s)$", "", match.group(0)), "platform")))
    for generic_re in (_GENERIC_EN, _GENERIC_FR, _GENERIC_OTHER):
        for match in generic_re.finditer(context):
            mentions.append((match.end(), _Speaker(match.group(0), "generic")))
    for pattern, kind in _speaker_patterns(names):
        for match in pattern.finditer(context):
            org = match.groupdict().get("org")
            if org is not None and names_re.search(org) is None:
                mentions.append((match.end(), None))
            elif kind == "role":
                mentions.append((match.end(), _Speaker(match.group(0).strip(" ,.;"), "role")))
    for person, label in people.items():
        for match in re.finditer(rf"\b{re.escape(person)}\b", context):
            mentions.append((match.end(), _Speaker(label, "person")))
    known = [m for m in mentions if m[1] is not None]
    for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+){1,2}\b", _OUTLET_PHRASE.sub("", context)):
        words = match.group(0).split()
        if words[0] in _NOT_PEOPLE or words[0] in _NOT_A_NAME_START or names_re.search(match.group(0)):
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


def _platform_name(mention: str, names: tuple[str, ...]) -> str:
    """The name as written ("Tunely's" → "Tunely"), or the platform's own for a descriptive alias ("formerly …")."""
    mention = re.sub(r"(?:'s|’s)$", "", mention)
    return names[0] if mention[:1].islower() and names else mention


def _someone_else(context: str, names: tuple[str, ...], people: dict[str, str]) -> bool:
    """Does the sentence name a person who is not the platform's (a critic, a researcher)?"""
    names_re = _name_pattern(names)
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b(?-i:[A-Z][a-zà-ÿ'’-]+\s+[A-Z][a-zà-ÿ'’-]+)\b(?!\s+[A-Z])", context):
        first, last = match.group(0).split()
        if first in _NOT_PEOPLE or first in _NOT_A_NAME_START or names_re.search(match.group(0)):
            continue
        if first in people or last in people or last in _PLACES:
            continue
        return True
    return False


# Sentences with no subject of their own ("Asimismo, aclara que …"), or the saying as an aside ("…, dice, …").
_QUOTE_CUES_RE = re.compile(r"[“”«»„\"]")
_CONNECTIVES = frozenset(
    "asimismo además también luego finalmente igualmente incluso aussi ensuite enfin également zudem außerdem "
    "ferner auch also further furthermore moreover additionally y e et und and".split())
_ASIDE = re.compile(r",\s+(?P<verb>dice|dijo|afirma|asegura|explica|añade|señala|insiste|subraya|says|said|adds|"
                    r"insists|explains|ajoute-t-(?:il|elle)|précise-t-(?:il|elle)|assure-t-(?:il|elle)|explique-t-(?:il|elle))"
                    r"\s*,\s+")
# "the statement read", "le communiqué précise", "el comunicado señala": the document its author issued.
_DOCUMENT = re.compile(
    r"\b(?:the (?:statement|blog post|open letter|announcement)|le (?:communiqué|billet de blog|post de blog)|"
    r"la (?:lettre ouverte|déclaration|notification)|(?:el|un) (?:comunicado|anuncio|correo|mensaje|aviso)|la carta abierta|"
    r"(?:la|una) (?:notificaci[óo]n|publicaci[óo]n)|"
    r"die (?:Mitteilung|Stellungnahme|Erklärung|E-Mail|Nachricht|Benachrichtigung)|der (?:Blogbeitrag|offene Brief)|"
    r"the (?:e-?mail|notice|notification|message|pop-?up)|le (?:courriel|mail|e-mail|message|avis))\b", re.IGNORECASE)


def _document_speaks(clause: str) -> bool:
    """Is the document the one saying it? "«…», decía un mensaje en la aplicación" is; in "Google elogió a Reddit en un
    comunicado, y subrayó que …" a document is only where someone else spoke. An indefinite one ("un mensaje") must be
    the subject of the verb; a definite one ("the statement", "le communiqué") refers back to the platform's."""
    verbs = [(m.start(), m.end()) for m in _SPEECH.finditer(clause)] + [(m.start(), m.end()) for m in _READS.finditer(clause)]
    for match in _DOCUMENT.finditer(clause):
        if not re.match(r"(?i:un|una)\s", match.group(0)) or _next_to_verb(clause, match.start(), match.end(), verbs):
            return True
    return False


# What a document "says": "the notice reads", "le message se lit", "el aviso reza", "die Nachricht lautet".
_READS = re.compile(r"\b(?:reads|read as follows|se lit|reza|dec[íi]a|lautet|lautete)\b", re.IGNORECASE)


# Words said before the news: "Previously, Tunely stated …", "Tunely had promised …", "since Tunely announced …".
_EARLIER = re.compile(
    r"^(?:previously|earlier|in the past|auparavant|précédemment|par le passé|anteriormente|previamente|"
    r"en el pasado|zuvor|früher|bisher)\b|\b(?:had|avait|avaient|había|habían|hatte|hatten)\s+(?:\w+\s+)?"
    r"(?:said|stated|told|claimed|promised|assured|insisted|announced|pledged|d[ée]clar[ée]|assur[ée]|promis|"
    r"affirm[ée]|annonc[ée]|dicho|asegurado|prometido|afirmado|anunciado|gesagt|erklärt|versprochen|versichert|"
    r"angekündigt)\b|\b(?:ever since|since|depuis que|desde que|seit(?:dem)?)\b[^,.;]{0,80}$", re.IGNORECASE)


def _is_earlier(before: str) -> bool:
    return _EARLIER.search(before.strip()) is not None


def _reported(sentence: str, names: tuple[str, ...], people: dict[str, str], found: list[_Found],
              context: str = "") -> _Found | None:
    """Reported speech of the platform in one sentence: "In a statement, the company said it does not …"."""
    according = _ACCORDING.search(sentence)
    if according and according.start() < 40:
        speaker = _resolve_speaker(according.group("who"), names, people, needs_verb=False)
        content = sentence[according.end():].strip()
        if speaker is not None and ", " in speaker.text:  # "Según Jo Diaz, responsable de …, las …": the title goes
            title = speaker.text.split(", ", 1)[1]
            if content.startswith(title):
                content = content[len(title):].lstrip(" ,")
        if speaker is not None and speaker.kind != "pronoun" and len(content.split()) >= MIN_QUOTE_WORDS:
            return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence.strip(), False)
    stripped = sentence.strip()
    impersonal = _IMPERSONAL.match(stripped)
    if impersonal is not None and len(impersonal.group("content").split()) >= MIN_QUOTE_WORDS:
        speaker = _nearest_actor(context, names, people) or _resolve_speaker(stripped, names, people, needs_verb=False)
        if speaker is None and found:
            speaker = found[-1].speaker
        if speaker is None and context and _name_pattern(names).search(context):
            speaker = _Speaker(names[0], "platform")
        if speaker is not None and speaker.kind != "pronoun":
            return _Found(0, _clean_content(impersonal.group("content")), speaker, _channel(stripped), stripped, False)
    sourced = _sourced(stripped, names, people, context)
    if sourced is not None:
        return sourced
    inverted = _INVERTED.match(stripped)
    if inverted:  # "The change rolls out next week, Meta said on Thursday."
        speaker = _resolve_speaker(inverted.group("attribution"), names, people)
        if speaker is not None and speaker.kind == "pronoun":
            speaker = found[-1].speaker if found else _nearest_actor(
                context, names, people, _pronoun_of(inverted.group("attribution")))
        elif speaker is None and _DOCUMENT.search(inverted.group("attribution")):
            speaker = _nearest_actor(context, names, people)
        content = inverted.group("content")
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS - 1:
            return _Found(0, _clean_content(content), speaker, _channel(stripped), stripped, False)
    back = _BACK_REFERENCE.match(stripped) if context else None
    if back is not None and len(stripped.split()) <= 16:
        speaker = _resolve_speaker(stripped, names, people)
        if speaker is not None and speaker.kind != "pronoun" and len(context.split()) >= MIN_QUOTE_WORDS \
                and not _QUOTE_CUES_RE.search(context):
            return _Found(0, _clean_content(context), speaker, _channel(stripped), f"{context} {stripped}", False)
    aside = _ASIDE.search(stripped) if ", " in stripped else None
    if aside is not None and _resolve_speaker(stripped[:aside.start()], names, people) is None:
        speaker = _nearest_actor(context, names, people) if not _SPEECH.search(stripped[:aside.start()]) else None
        content = stripped[:aside.start()] + " " + stripped[aside.end():]
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS:
            return _Found(0, _clean_content(content), speaker, _channel(stripped), stripped, False)
    match = _REPORTED.match(stripped)
    if not match:
        return None
    verb = match.group("verb").lower()
    if _GERMAN_VERB.fullmatch(match.group("verb")) and _resolve_speaker(stripped[:match.end("verb")], names, people) is None:
        # German inversion: "In einem Blogbeitrag schreibt Tunely, …", "Gegenüber X sagte ein Sprecher, …"
        inverted_subject = _AFTER_VERB_SUBJECT.match(match.group("content"))
        if inverted_subject is not None:
            speaker = _subject_speaker(_LEADING_ADVERB.sub("", inverted_subject.group("who")), names, people)
            content = inverted_subject.group("content")
            if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS - 1:
                return _Found(0, _clean_content(content), speaker, _channel(sentence), stripped, False)
    if _NEEDS_THAT.fullmatch(match.group("verb")) and not re.search(
            r"(?:\bthat|\bque|\bqu['’]|\bdass|:)\s*$", stripped[:match.start("content")]) and not (
            # "Tunely gab bekannt, Inhalte künftig zu kennzeichnen": what it will do, as an infinitive
            stripped[:match.start("content")].rstrip().endswith(",") and _ZU_INFINITIVE.search(match.group("content"))
    ) and not _CLAUSE_OBJECT.match(match.group("content")):
        return None
    from_where = (match.group("object") or "").lstrip().lower().startswith("desde")
    speaker = _resolve_speaker(stripped[:match.end("object" if from_where else "verb")], names, people)
    if speaker is None:
        subject = match.group("subject")
        if _DOCUMENT.search(subject) and _next_to_verb(subject + match.group("verb"), _DOCUMENT.search(subject).start(),
                                                       _DOCUMENT.search(subject).end(),
                                                       [(len(subject), len(subject) + len(match.group("verb")))]):
            speaker = _nearest_actor(context, names, people)  # "The statement adds that …"
        elif all(word in _CONNECTIVES for word in re.findall(r"[^\W\d_]+", subject.lower())) and \
                match.group("verb")[:1].islower() is not None and _subjectless(match.group("verb")):
            speaker = _nearest_actor(context, names, people)  # "Asimismo, aclara que …"
        if speaker is None:
            return None
    if speaker.kind == "pronoun":
        pronoun = _pronoun_of(stripped[:match.end("verb")])
        nearest = _nearest_actor(context, names, people, pronoun)
        if nearest is None and pronoun in ("he", "she", "er", "sie", "il", "elle") and _someone_else(context, names, people):
            return None  # "Tracy Chou built an app. She stresses that …": the person named just before
        speaker = found[-1].speaker if found else nearest
        if speaker is None:
            return None
    content = match.group("content").strip()
    if verb.startswith(("expressed ", "a exprim", "expresó ", "expreso ")):
        content = f"{match.group('verb')} {content}"
    if verb.startswith(("denied", "denies")) and re.match(r"\w+ing\b", content):
        content = f"denies {content}"
    elif verb.startswith(("dément", "dement", "a démenti", "a dementi")):
        content = f"dément {content}"
    if len(content.split()) < MIN_QUOTE_WORDS - 1 or content.lower().startswith(("to comment", "de commenter")):
        return None
    if content.rstrip(" *_").endswith(":"):
        return None  # "This is what Tunely says in its terms:": what follows is the quotation, judged on its own
    return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence.strip(), False)


_GERMAN_VERB = re.compile(r"(?i:sagte|sagt|erkl[äa]rte|erkl[äa]rt|betonte|betont|schreibt|schrieb|versicherte|"
                          r"best[äa]tigte|beteuerte?|beteuert|versichert|ergänzte|ergänzt|bekr[äa]ftigte?|"
                          r"pr[äa]zisierte|erläuterte|argumentiert(?:e)?)")
# after an inverted verb: the subject (and a short adjunct), a comma or colon, then what was said
_AFTER_VERB_SUBJECT = re.compile(r"^(?P<who>[^,:;.«»“”\"„]{2,90}?)\s*[,:]\s*(?:dass\s+)?(?P<content>.+)$", re.DOTALL)
_LEADING_ADVERB = re.compile(r"^(?!(?:der|die|das|den|dem|des|ein|eine|einem)\s)(?:(?-i:[a-zäöü]+)\s+){1,2}(?=(?-i:[A-Z])|(?:der|die|das|ein|eine)\s)")


def _pronoun_of(clause: str) -> str:
    match = _PRONOUN.search(clause)
    return match.group(0).lower().removeprefix("-t-") if match else ""


# Finite verbs that carry their subject in their ending (Spanish): "aclara que", "explicó que".
_SUBJECTLESS = re.compile(r"(?i:dice|dijo|afirm[óa]|asegur[óa]|explic[óa]|señal[óa]|declar[óa]|indic[óa]|añadi[óo]|"
                          r"añade|agreg[óa]|sostuvo|sostiene|subray[óa]|precis[óa]|neg[óo]|confirm[óa]|coment[óa]|"
                          r"aclar[óa]|insisti[óo]|insiste|reconoce|reconoci[óo]|defiende|defendi[óo]|recuerda|anot[óo]|apunt[óo]|detall[óo]|"
                          r"ha (?:dicho|afirmado|asegurado|explicado|señalado|declarado|indicado|confirmado|aclarado)|"
                          r"dijeron|afirmaron|aseguraron|explicaron|señalaron|declararon|indicaron|informaron|"
                          r"comunicaron|anunciaron|aclararon|añadieron|agregaron|precisaron|subrayaron|detallaron|"
                          r"confirmaron|sostuvieron|"
                          r"han (?:dicho|afirmado|asegurado|explicado|señalado|indicado|informado|anunciado|confirmado|"
                          r"aclarado|declarado))")


def _subjectless(verb: str) -> bool:
    return _SUBJECTLESS.fullmatch(verb) is not None


# "… sind laut Meta ausgeschlossen", "according to the company", "selon la plateforme", "según la compañía": the
# source named right after the phrase, anywhere in the sentence.
_ACCORDING_INLINE = re.compile(
    r"\b(?:according to|selon|d['’]apr[èe]s|seg[úu]n|laut|zufolge|de acuerdo con|en palabras de|nach Angaben(?: von)?)\s+(?P<who>(?:(?:the|its|la|le|l['’]|el|su|ses|son|sa|"
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
    r"^(?P<subject>.{3,200}?)(?:,\s+(?:en\s+)?|\s+en\s+)(?P<verb>(?i:assurant|affirmant|expliquant|pr[ée]cisant|soulignant|"
    r"indiquant|arguant|insistant sur le fait|asegurando|afirmando|explicando|señalando|insistiendo en|"
    r"subrayando|indicando|insisting|saying|stating|adding|arguing|claiming|explaining|noting|stressing|"
    r"emphasi[sz]ing|maintaining|[ée]crivant|ajoutant|d[ée]clarant|rappelant|writing|declaring|escribiendo|"
    r"declarando|añadiendo|recordando))\s+(?:que\s+|qu['’]|that\s+|dass\s+)(?P<content>.+)$|"
    # "…, citing the need to …", "…, invoquant la nécessité de …": the reason it gave
    r"^(?P<subject2>.{3,200}?),\s+(?P<verb2>(?i:citing|invoquant|alegando|aduciendo))\s+(?P<content2>.+)$", re.DOTALL)
# "An email from Tunely's support team, shared by a user, justified the ban by asserting that …"
_DOCUMENT_FROM = re.compile(
    r"^(?i:an?|the|une?|el|la|le)\s+(?:[\w-]+\s+)?(?i:e-?mail|letter|statement|message|note|courriel|lettre|"
    r"communiqué|correo|carta|comunicado|mensaje)\s+(?i:from|de|du|del|von)\s+(?P<who>[^,]{2,80}?)"
    r"(?:,[^,]{0,60},)?\s.{0,120}?\b(?i:asserting|saying|stating|explaining|insisting|affirmant|expliquant|"
    r"afirmando|explicando|asegurando)\s+(?i:that|que|qu['’])\s*(?P<content>.+)$", re.DOTALL)
# "… a publié une lettre ouverte affirmant que …", "… issued a statement saying that …": the document carries it.
_DOCUMENT_PARTICIPLE = re.compile(
    r"^(?P<subject>.{3,200}?)\s(?i:an?|une?|la|le|el|una|its|sa|son|su)\s+(?:[\w-]+\s+){0,2}?"
    r"(?i:statement|letter|blog post|post|message|note|lettre|communiqué|billet|courriel|carta|comunicado|correo|"
    r"mensaje|nota)(?:\s+[\w-]+){0,2}?,?\s+(?:by\s+|en\s+)?(?i:saying|stating|affirming|explaining|insisting|"
    r"assuring|affirmant|assurant|expliquant|pr[ée]cisant|indiquant|soulignant|afirmando|asegurando|explicando|"
    r"señalando|indicando|argumentando|alegando|sosteniendo|aclarando|claiming|arguing|argumentant)\s+"
    r"(?:que\s+|qu['’]|that\s+)?(?P<content>.+)$", re.DOTALL)
_CLAUSE_START = re.compile(r"(?:^|[,;:]\s+|\b(?:mais|pero|but|and|et|y|und|aber)\s+)$", re.IGNORECASE)


# "Wie Tunely mitteilte, …", "…, wie der Konzern bestätigt.", "Como explicó la empresa, …": a source clause.
_AS_SAID = re.compile(
    r"(?:^|,\s+)(?:(?-i:W)|w)ie\s+(?P<who>[^,]{2,70}?)\s+(?:mitteilte|mitteilt|mitgeteilt hat|erkl[äa]rte|erkl[äa]rt|"
    r"best[äa]tigte|best[äa]tigt|sagte|sagt|schreibt|schrieb|betonte|betont|ankündigte|bekannt ?gab|angab|angibt|"
    r"versicherte|versichert)\b[^,]{0,40}?(?=,|[.!]?$)|"
    r"(?:^|,\s+)(?:(?-i:C)|c)omo\s+(?:lo\s+)?(?:explic[óo]|indic[óo]|señal[óo]|anunci[óo]|confirm[óo]|asegur[óo]|"
    r"inform[óo]|detall[óo]|ha (?:explicado|indicado|señalado|anunciado|confirmado|informado))\s+(?P<who2>[^,]{2,70}?)"
    r"(?=,|[.!]?$)")
# "aus Sicht von Tunely", "aus Tunelys Sicht": the platform's view, as "laut Tunely".
_VIEW_OF = re.compile(r"\baus\s+(?:der\s+)?Sicht\s+(?:von\s+)?(?P<who>[A-Z][\w&.’'-]+)|"
                      r"\baus\s+(?P<who2>[A-Z][\w&.’'-]+?)s\s+Sicht\b")
# "Das teilte Tunely mit.", "C'est ce qu'a annoncé Tunely.", "Así lo explicó Tunely.", "This was announced by Tunely.":
# the sentence before is what was said.
_BACK_REFERENCE = re.compile(
    r"^(?:(?:Das|Dies)\s+(?:teilte|gab|erklärte|bestätigte|schrieb|sagte|kündigte)\b|(?:This|That) (?:was|is what) "
    r"(?:\w+ )?(?:announced|said|confirmed|stated|explained)\b|C['’]est ce qu['’](?:a|ont) (?:annoncé|indiqué|précisé|"
    r"expliqué|affirmé|confirmé)|Así lo (?:anunció|explicó|indicó|confirmó|aseguró|afirmó|comunicó))")


def _sourced(sentence: str, names: tuple[str, ...], people: dict[str, str], context: str = "") -> _Found | None:
    """Reported speech marked by a source phrase or a participle rather than a verb of saying with its subject."""
    lowered = sentence.lower()
    if any(cue in lowered for cue in ("laut ", "zufolge", "according to", "selon ", "d'apr", "d’apr", "según ",
                                      "segun ", "de acuerdo con ", "nach angaben ", "en palabras de ")):
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
    if "wie " in lowered or "como " in lowered:
        as_said = _AS_SAID.search(sentence)
        if as_said is not None:
            speaker = _subject_speaker(as_said.group("who") or as_said.group("who2"), names, people)
            content = (sentence[:as_said.start()] + sentence[as_said.end():]).strip(" ,")
            if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS:
                return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence, False)
    if "sicht" in lowered:
        view = _VIEW_OF.search(sentence)
        if view is not None:
            speaker = _resolve_speaker(view.group("who") or view.group("who2"), names, people, needs_verb=False)
            content = (sentence[:view.start()] + sentence[view.end():]).strip(" ,")
            if speaker is not None and speaker.kind != "pronoun" and len(content.split()) >= MIN_QUOTE_WORDS:
                return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence, False)
    if "ant " in lowered or "ing " in lowered or "ndo " in lowered:
        document = _DOCUMENT_PARTICIPLE.match(sentence)
        if document is not None and len(document.group("content").split()) >= MIN_QUOTE_WORDS:
            speaker = _subject_speaker(document.group("subject"), names, people)
            if speaker is not None:
                return _Found(0, _clean_content(document.group("content")), speaker, _channel(sentence), sentence,
                              False)
        document = _DOCUMENT_FROM.match(sentence)
        if document is not None and len(document.group("content").split()) >= MIN_QUOTE_WORDS:
            speaker = _resolve_speaker(document.group("who"), names, people, needs_verb=False)
            if speaker is not None and speaker.kind != "pronoun":
                return _Found(0, _clean_content(document.group("content")), speaker, _channel(sentence), sentence,
                              False)
        participle = _PARTICIPLE.match(sentence)
        if participle is not None and participle.group("subject") is None:
            subject, content = participle.group("subject2"), participle.group("content2")
        else:
            subject, content = (participle.group("subject"), participle.group("content")) if participle else ("", "")
        if participle is not None and len(content.split()) >= MIN_QUOTE_WORDS:
            speaker = _subject_speaker(subject, names, people)
            pronoun = re.match(r"(?i:he|she|they|il|elle|ils|elles|er|sie)\b", subject)
            if speaker is None and pronoun is not None:  # "Il a voulu rassurer en affirmant que …"
                speaker = _nearest_actor(context, names, people, pronoun.group(0))
            if speaker is not None:
                return _Found(0, _clean_content(content), speaker, _channel(sentence), sentence, False)
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
    head = re.sub(r"^\s*[\[(][^\])]{0,40}[\])]\s*", "", clause[:at])  # "[14 May] Tunely sent us …"
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
