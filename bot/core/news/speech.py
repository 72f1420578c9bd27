"""The vocabulary of speech shared by the statement readers: verbs of saying (English, French, Spanish, German),
who speaks (`Speaker`) and a piece of speech found (`Found`), and the clean-up of scraped text and quoted pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.text import fold, words

MIN_QUOTE_WORDS = 4  # shorter reported pieces are fragments, not claims
SHORT_QUOTE_WORDS = 4  # quotations this short are setting names or terms ("“Allow AI training”"), not speech
PRONOUN_REACH = 400  # how far back "she said" looks for the executive it stands for
MAX_CLAUSE_CHARS = 240  # how far an attribution ("…,” a spokesperson said in a statement) is looked for
SPEECH_EN = (
    r"said|says|say|told|tells|added|adds|wrote|writes|stated|states|explained|explains|noted|notes|confirmed|"
    r"confirms|insisted|insists|denied|denies|argued|argues|acknowledged|acknowledges|clarified|clarifies|"
    r"stressed|stresses|emphasi[sz]ed|emphasi[sz]es|responded|replied|maintained|maintains|commented|"
    r"announced|pointed out|contended|assured|promised|pledged|posted|tweeted|claims|claimed|asserts|asserted|"
    r"revealed|mentioned|mentions|reiterated|reiterates|posits|posited|disclosed|discloses|continued|decries|decried|"
    r"expressed (?:its|their|his|her) (?:disappointment|regret|frustration|surprise|concerns?)|justifie[sd]?|"
    r"a justifi[ée]|justifie|justifica|justific[óo]|begründet|begründete|assures"
)

SPEECH_FR = (
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

SPEECH_OTHER = (
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

SPEECH = re.compile(rf"\b(?:{SPEECH_EN}|{SPEECH_FR}|{SPEECH_OTHER})\b", re.IGNORECASE)

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
    "defie", "defen", "stell", "gibt", "gab", "posit", "discl", "conti", "decri", "expre", "kundi", "justi", "begru",
    "citin", "invoq", "alega", "aduci", "ergan", "beteu", "raumt", "raum", "angab", "eigen", "sicht", "assur",
    "affir", "insis", "sayin", "stati", "addin", "arguin", "empha", "asegu", "afirm", "senal",
    "anoto", "apunt", "detal", "so", "merkt", "wisse", "verla", "erlau", "argum", "bekra", "prazi", "verte",
    "vergi", "acuer", "angab", "mitte", "dijer", "decia", "recal", "palab", "mensa",
))


def mentions_speech(text: str) -> bool:
    return not _SPEECH_STEMS.isdisjoint(word[:5] for word in words(fold(text)))


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said it, as the text names them ("a Tunely spokesperson", "CEO Jane Doe", "Tunely", "the company")."""

    text: str
    kind: str  # "role", "person", "platform", "generic", "pronoun"


@dataclass(slots=True)
class Found:
    """One quoted or reported piece of the platform's speech: where, the words, who, where it was said, the passage."""

    start: int
    quote: str
    speaker: Speaker
    channel: str | None
    passage: str
    direct: bool


@dataclass(slots=True)
class Reading:
    """One text read for the statements of one platform: its names (with a parent company's and a buyer's), the
    people who speak for it, its sentences and quotations, the year it speaks from; and what was found so far."""

    text: str
    names: tuple[str, ...]
    people: dict[str, str]  # a name or surname → how the text introduces the person ("CEO Jane Doe")
    people_at: list[tuple[int, str, str]]  # (where introduced, name, label), in order
    spans: list[tuple[int, int]]  # the sentences
    quotes: list[tuple[int, int]]  # the inside of each quotation
    reference: int | None  # the year the article speaks from
    found: list[Found] = field(default_factory=list)
    quoted_sentences: set[tuple[int, int]] = field(default_factory=set)  # sentences a quotation or the terms took
    terms_at: set[int] = field(default_factory=set)  # sentences where the platform "says" what its terms say

    def sentences_within(self, whole: tuple[int, int]) -> list[int]:
        """The numbers of the sentences that start inside `whole`."""
        return [number for number, span in enumerate(self.spans) if whole[0] <= span[0] < whole[1]]


def as_sentence(text: str) -> str:
    """A quoted or reported piece as a sentence: "…models," → "…models."."""
    text = text.strip().rstrip(",;:—– ").strip()
    if text and text[-1] not in ".!?…":
        text += "."
    return text


# Scraped text whose spaces were lost at a link or a tag: "X saidthat", "the change,X said", "report it.X said".
_GLUED_VERB = re.compile(
    r"\b(?P<verb>said|says|told|added|wrote|writes|explained|noted|claimed|stated|announced|confirmed|insisted|"
    r"dijo|afirm[óo]|asegur[óo]|explic[óo]|señal[óo]|declar[óo]|d[ée]clar[ée]|affirm[ée]|indiqu[ée]|pr[ée]cis[ée]|"
    r"sagte|erklärte|betonte)(?P<next>that|the|it|in|on|que|qu['’]|dass)\b")

_GLUED_PUNCTUATION = re.compile(r"(?<=[a-zà-ÿ]),(?=[A-ZÀ-Ý]|(?:dass|que|that)\b)|(?<=[a-zà-ÿ]{2})[.](?=[A-ZÀ-Ý][\w-]*\s)")


def unglue(text: str) -> str:
    """Spaces put back where scraping glued words ("saidthat" → "said that", ",X said" → ", X said")."""
    text = _GLUED_VERB.sub(r"\g<verb> \g<next>", text)
    return _GLUED_PUNCTUATION.sub(lambda m: m.group(0) + " ", text)


# "the statement read", "le communiqué précise", "el comunicado señala": the document its author issued.
DOCUMENT = re.compile(
    r"\b(?:the (?:statement|blog post|open letter|announcement)|le (?:communiqué|billet de blog|post de blog)|"
    r"la (?:lettre ouverte|déclaration|notification)|(?:el|un) (?:comunicado|anuncio|correo|mensaje|aviso)|la carta abierta|"
    r"(?:la|una) (?:notificaci[óo]n|publicaci[óo]n)|"
    r"die (?:Mitteilung|Stellungnahme|Erklärung|E-Mail|Nachricht|Benachrichtigung)|der (?:Blogbeitrag|offene Brief)|"
    r"the (?:e-?mail|notice|notification|message|pop-?up)|le (?:courriel|mail|e-mail|message|avis))\b", re.IGNORECASE)

# What a document "says": "the notice reads", "le message se lit", "el aviso reza", "die Nachricht lautet".
READS = re.compile(r"\b(?:reads|read as follows|se lit|reza|dec[íi]a|lautet|lautete)\b", re.IGNORECASE)
