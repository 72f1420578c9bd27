"""Reported speech in one sentence: "the company said it does not …", "according to Tunely, …", "…, Meta said",
German inversion, participles ("assurant que"), source phrases ("laut Tunely") and documents ("the statement adds").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.news.channels import channel_of
from bot.core.news.exclusions import (
    attribution_part,
    before_verb,
    is_earlier,
    is_old,
    is_terms_language,
    is_terms_text,
    locates_terms,
)
from bot.core.news.speakers import (
    ACCORDING,
    name_pattern,
    nearest_actor,
    next_to_verb,
    pronoun_of,
    resolve_speaker,
    someone_else,
    subject_speaker,
)
from bot.core.news.speech import (
    DOCUMENT,
    MIN_QUOTE_WORDS,
    SPEECH,
    SPEECH_EN,
    SPEECH_FR,
    SPEECH_OTHER,
    Found,
    Reading,
    Speaker,
    as_sentence,
    mentions_speech,
)
from bot.core.text import letter_runs

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

_REPORTED = re.compile(
    rf"^(?P<subject>.{{0,160}}?)\b(?P<verb>(?i:{SPEECH_EN}|{SPEECH_FR}|{SPEECH_OTHER}))\b"
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
    rf"(?P<attribution>[^,]{{0,80}}?\b(?i:{SPEECH_EN}|{SPEECH_FR}|{SPEECH_OTHER})\b"
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

_ZU_INFINITIVE = re.compile(r"\bzu \w+(?:en|ern|eln)\b[^,]*[.!]?$")

# "X claims this change is intended to …": a clause (a pronoun or "this …" and a finite verb), not a plain object.
_CLAUSE_OBJECT = re.compile(r"(?:it|this|these|they|the (?:change|update|company|platform|move|feature|decision)|"
                            r"this (?:change|update|move|feature|decision))\s+(?:\w+\s+)?(?:is|are|was|were|will|would|"
                            r"has|have|does|do|did|can|could|never|only)\b", re.IGNORECASE)

# Sentences with no subject of their own ("Asimismo, aclara que …"), or the saying as an aside ("…, dice, …").
_QUOTE_CUES_RE = re.compile(r"[“”«»„\"]")
_CONNECTIVES = frozenset(
    "asimismo además también luego finalmente igualmente incluso aussi ensuite enfin également zudem außerdem "
    "ferner auch also further furthermore moreover additionally y e et und and".split())

_ASIDE = re.compile(r",\s+(?P<verb>dice|dijo|afirma|asegura|explica|añade|señala|insiste|subraya|says|said|adds|"
                    r"insists|explains|ajoute-t-(?:il|elle)|précise-t-(?:il|elle)|assure-t-(?:il|elle)|explique-t-(?:il|elle))"
                    r"\s*,\s+")


@dataclass(slots=True)
class _Sentence:
    """One sentence read for reported speech, with what is needed to tell who speaks in it."""

    text: str  # as cut from the article
    stripped: str
    names: tuple[str, ...]
    people: dict[str, str]
    found: list[Found]  # statements found before it (whom "he said" can stand for)
    context: str  # the sentence before it

    def found_at(self, content: str, where: str, speaker: Speaker, passage: str | None = None) -> Found:
        """The reported piece `content`, its channel read in `where`; the passage is the stripped sentence."""
        return Found(0, as_sentence(content), speaker, channel_of(where), self.stripped if passage is None else passage,
                     False)


def reported_in(sentence: str, names: tuple[str, ...], people: dict[str, str], found: list[Found],
                context: str = "") -> Found | None:
    """Reported speech of the platform in one sentence: "In a statement, the company said it does not …"."""
    read = _Sentence(sentence, sentence.strip(), names, people, found, context)
    for reader in (_according_first, _impersonal, _sourced, _inverted, _back_reference, _aside, _verb_of_saying):
        result = reader(read)
        if result is not None:
            return result
    return None


def _according_first(read: _Sentence) -> Found | None:
    """"According to a Tunely spokesperson, …", "Según Jo Diaz, responsable de …, …" opening the sentence."""
    sentence = read.text
    according = ACCORDING.search(sentence)
    if according and according.start() < 40:
        speaker = resolve_speaker(according.group("who"), read.names, read.people, needs_verb=False)
        content = sentence[according.end():].strip()
        if speaker is not None and ", " in speaker.text:  # "Según Jo Diaz, responsable de …, las …": the title goes
            title = speaker.text.split(", ", 1)[1]
            if content.startswith(title):
                content = content[len(title):].lstrip(" ,")
        if speaker is not None and speaker.kind != "pronoun" and len(content.split()) >= MIN_QUOTE_WORDS:
            return read.found_at(content, sentence, speaker)
    return None


def _impersonal(read: _Sentence) -> Found | None:
    """"A través de un comunicado, se detalló que …": the statement of the platform named around it."""
    stripped, names, people, context = read.stripped, read.names, read.people, read.context
    impersonal = _IMPERSONAL.match(stripped)
    if impersonal is not None and len(impersonal.group("content").split()) >= MIN_QUOTE_WORDS:
        speaker = nearest_actor(context, names, people) or resolve_speaker(stripped, names, people, needs_verb=False)
        if speaker is None and read.found:
            speaker = read.found[-1].speaker
        if speaker is None and context and name_pattern(names).search(context):
            speaker = Speaker(names[0], "platform")
        if speaker is not None and speaker.kind != "pronoun":
            return read.found_at(impersonal.group("content"), stripped, speaker)
    return None


def _inverted(read: _Sentence) -> Found | None:
    """"The change rolls out next week, Meta said on Thursday."."""
    stripped, names, people, context = read.stripped, read.names, read.people, read.context
    inverted = _INVERTED.match(stripped)
    if inverted:
        speaker = resolve_speaker(inverted.group("attribution"), names, people)
        if speaker is not None and speaker.kind == "pronoun":
            speaker = read.found[-1].speaker if read.found else nearest_actor(
                context, names, people, pronoun_of(inverted.group("attribution")))
        elif speaker is None and DOCUMENT.search(inverted.group("attribution")):
            speaker = nearest_actor(context, names, people)
        content = inverted.group("content")
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS - 1:
            return read.found_at(content, stripped, speaker)
    return None


def _back_reference(read: _Sentence) -> Found | None:
    """"Das teilte Tunely mit.", "C'est ce qu'a annoncé Tunely.": the sentence before is what was said."""
    stripped, context = read.stripped, read.context
    back = _BACK_REFERENCE.match(stripped) if context else None
    if back is not None and len(stripped.split()) <= 16:
        speaker = resolve_speaker(stripped, read.names, read.people)
        if speaker is not None and speaker.kind != "pronoun" and len(context.split()) >= MIN_QUOTE_WORDS \
                and not _QUOTE_CUES_RE.search(context):
            return read.found_at(context, stripped, speaker, f"{context} {stripped}")
    return None


def _aside(read: _Sentence) -> Found | None:
    """"…, dice, …": the saying as an aside, by the actor of the sentence before."""
    stripped = read.stripped
    aside = _ASIDE.search(stripped) if ", " in stripped else None
    if aside is not None and resolve_speaker(stripped[:aside.start()], read.names, read.people) is None:
        speaker = nearest_actor(read.context, read.names, read.people) if not SPEECH.search(stripped[:aside.start()]) \
            else None
        content = stripped[:aside.start()] + " " + stripped[aside.end():]
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS:
            return read.found_at(content, stripped, speaker)
    return None


def _verb_of_saying(read: _Sentence) -> Found | None:
    """A subject, a verb of saying and what was said: "In a statement, the company said it does not …"."""
    stripped = read.stripped
    match = _REPORTED.match(stripped)
    if not match:
        return None
    if _GERMAN_VERB.fullmatch(match.group("verb")) and \
            resolve_speaker(stripped[:match.end("verb")], read.names, read.people) is None:
        german = _german_inversion(read, match)
        if german is not None:
            return german
    if not _reports_speech(stripped, match):
        return None
    speaker = _subject_of(read, match)
    if speaker is None:
        return None
    content = _reported_content(match)
    if len(content.split()) < MIN_QUOTE_WORDS - 1 or content.lower().startswith(("to comment", "de commenter")):
        return None
    if content.rstrip(" *_").endswith(":"):
        return None  # "This is what Tunely says in its terms:": what follows is the quotation, judged on its own
    return read.found_at(content, read.text, speaker)


def _german_inversion(read: _Sentence, match: re.Match[str]) -> Found | None:
    """German inversion: "In einem Blogbeitrag schreibt Tunely, …", "Gegenüber X sagte ein Sprecher, …"."""
    inverted_subject = _AFTER_VERB_SUBJECT.match(match.group("content"))
    if inverted_subject is not None:
        speaker = subject_speaker(_LEADING_ADVERB.sub("", inverted_subject.group("who")), read.names, read.people)
        content = inverted_subject.group("content")
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS - 1:
            return read.found_at(content, read.text, speaker)
    return None


def _reports_speech(stripped: str, match: re.Match[str]) -> bool:
    """Whether the verb reports speech: a verb that also takes a plain object ("added section 6.4") only with
    "that", a colon, a German infinitive clause or a clause for object."""
    if not _NEEDS_THAT.fullmatch(match.group("verb")):
        return True
    head = stripped[:match.start("content")]
    return bool(re.search(r"(?:\bthat|\bque|\bqu['’]|\bdass|:)\s*$", head) or (
        # "Tunely gab bekannt, Inhalte künftig zu kennzeichnen": what it will do, as an infinitive
        head.rstrip().endswith(",") and _ZU_INFINITIVE.search(match.group("content"))
    ) or _CLAUSE_OBJECT.match(match.group("content")))


def _subject_of(read: _Sentence, match: re.Match[str]) -> Speaker | None:
    """Who says it: the platform's side named as the subject (or after "desde"), the actor of the sentence before
    for a document ("The statement adds that …") or a sentence with no subject ("Asimismo, aclara que …"), the
    speaker a pronoun stands for; None when it is someone else."""
    stripped, names, people, context = read.stripped, read.names, read.people, read.context
    from_where = (match.group("object") or "").lstrip().lower().startswith("desde")
    speaker = resolve_speaker(stripped[:match.end("object" if from_where else "verb")], names, people)
    if speaker is None:
        subject = match.group("subject")
        document = DOCUMENT.search(subject)
        if document and next_to_verb(subject + match.group("verb"), document.start(), document.end(),
                                     [(len(subject), len(subject) + len(match.group("verb")))]):
            speaker = nearest_actor(context, names, people)  # "The statement adds that …"
        elif all(word in _CONNECTIVES for word in letter_runs(subject.lower())) and \
                match.group("verb")[:1].islower() is not None and _subjectless(match.group("verb")):
            speaker = nearest_actor(context, names, people)  # "Asimismo, aclara que …"
        if speaker is None:
            return None
    if speaker.kind == "pronoun":
        pronoun = pronoun_of(stripped[:match.end("verb")])
        nearest = nearest_actor(context, names, people, pronoun)
        if nearest is None and pronoun in ("he", "she", "er", "sie", "il", "elle") and someone_else(context, names, people):
            return None  # "Tracy Chou built an app. She stresses that …": the person named just before
        return read.found[-1].speaker if read.found else nearest
    return speaker


def _reported_content(match: re.Match[str]) -> str:
    """What was said, with the verb kept where it is part of it ("expressed its disappointment", "denies …")."""
    verb = match.group("verb").lower()
    content = match.group("content").strip()
    if verb.startswith(("expressed ", "a exprim", "expresó ", "expreso ")):
        content = f"{match.group('verb')} {content}"
    if verb.startswith(("denied", "denies")) and re.match(r"\w+ing\b", content):
        content = f"denies {content}"
    elif verb.startswith(("dément", "dement", "a démenti", "a dementi")):
        content = f"dément {content}"
    return content


_GERMAN_VERB = re.compile(r"(?i:sagte|sagt|erkl[äa]rte|erkl[äa]rt|betonte|betont|schreibt|schrieb|versicherte|"
                          r"best[äa]tigte|beteuerte?|beteuert|versichert|ergänzte|ergänzt|bekr[äa]ftigte?|"
                          r"pr[äa]zisierte|erläuterte|argumentiert(?:e)?)")

# after an inverted verb: the subject (and a short adjunct), a comma or colon, then what was said
_AFTER_VERB_SUBJECT = re.compile(r"^(?P<who>[^,:;.«»“”\"„]{2,90}?)\s*[,:]\s*(?:dass\s+)?(?P<content>.+)$", re.DOTALL)
_LEADING_ADVERB = re.compile(r"^(?!(?:der|die|das|den|dem|des|ein|eine|einem)\s)(?:(?-i:[a-zäöü]+)\s+){1,2}"
                             r"(?=(?-i:[A-Z])|(?:der|die|das|ein|eine)\s)")

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
    r"\b(?:according to|selon|d['’]apr[èe]s|seg[úu]n|laut|zufolge|de acuerdo con|en palabras de|nach Angaben(?: von)?)"
    r"\s+(?P<who>(?:(?:the|its|la|le|l['’]|el|su|ses|son|sa|"
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


def _sourced(read: _Sentence) -> Found | None:
    """Reported speech marked by a source phrase or a participle rather than a verb of saying with its subject."""
    lowered = read.stripped.lower()
    for cues, reader in _SOURCE_READERS:
        if any(cue in lowered for cue in cues):
            result = reader(read)
            if result is not None:
                return result
    return None


def _according_inline(read: _Sentence) -> Found | None:
    """"… sind laut Meta ausgeschlossen", "… according to the company": the source named after the phrase."""
    sentence = read.stripped
    for match in _ACCORDING_INLINE.finditer(sentence):
        if match.start() < 40 and ACCORDING.match(sentence, match.start()):
            continue  # the sentence-initial form, handled with its comma
        speaker = resolve_speaker(match.group("who"), read.names, read.people, needs_verb=False)
        if speaker is None or speaker.kind == "pronoun":
            continue
        content = (sentence[:match.start()] + sentence[match.end():]).strip(" ,")
        if len(content.split()) >= MIN_QUOTE_WORDS:
            return read.found_at(content, sentence, speaker)
    return None


def _own_account(read: _Sentence) -> Found | None:
    """"nach eigenen Angaben", "by its own account": the subject of the sentence is the source."""
    sentence = read.stripped
    own = _OWN_ACCOUNT.search(sentence)
    if own is not None:
        speaker = subject_speaker(sentence[:own.start()], read.names, read.people)
        if speaker is not None:
            return read.found_at((sentence[:own.start()] + sentence[own.end():]).strip(" ,"), sentence, speaker)
    return None


def _as_said(read: _Sentence) -> Found | None:
    """"Wie Tunely mitteilte, …", "Como explicó la empresa, …": a source clause."""
    sentence = read.stripped
    as_said = _AS_SAID.search(sentence)
    if as_said is not None:
        speaker = subject_speaker(as_said.group("who") or as_said.group("who2"), read.names, read.people)
        content = (sentence[:as_said.start()] + sentence[as_said.end():]).strip(" ,")
        if speaker is not None and len(content.split()) >= MIN_QUOTE_WORDS:
            return read.found_at(content, sentence, speaker)
    return None


def _view_of(read: _Sentence) -> Found | None:
    """"aus Sicht von Tunely", "aus Tunelys Sicht": the platform's view, as "laut Tunely"."""
    sentence = read.stripped
    view = _VIEW_OF.search(sentence)
    if view is not None:
        speaker = resolve_speaker(view.group("who") or view.group("who2"), read.names, read.people, needs_verb=False)
        content = (sentence[:view.start()] + sentence[view.end():]).strip(" ,")
        if speaker is not None and speaker.kind != "pronoun" and len(content.split()) >= MIN_QUOTE_WORDS:
            return read.found_at(content, sentence, speaker)
    return None


def _participles(read: _Sentence) -> Found | None:
    """A document or a speaker, then a participle of saying: "… issued a statement saying that …", "An email from
    Tunely, …, asserting that …", "Tunely a réagi, assurant que …", "…, citing the need to …"."""
    sentence, names, people = read.stripped, read.names, read.people
    document = _DOCUMENT_PARTICIPLE.match(sentence)
    if document is not None and len(document.group("content").split()) >= MIN_QUOTE_WORDS:
        speaker = subject_speaker(document.group("subject"), names, people)
        if speaker is not None:
            return read.found_at(document.group("content"), sentence, speaker)
    document = _DOCUMENT_FROM.match(sentence)
    if document is not None and len(document.group("content").split()) >= MIN_QUOTE_WORDS:
        speaker = resolve_speaker(document.group("who"), names, people, needs_verb=False)
        if speaker is not None and speaker.kind != "pronoun":
            return read.found_at(document.group("content"), sentence, speaker)
    participle = _PARTICIPLE.match(sentence)
    if participle is None:
        return None
    if participle.group("subject") is None:
        subject, content = participle.group("subject2"), participle.group("content2")
    else:
        subject, content = participle.group("subject"), participle.group("content")
    if len(content.split()) >= MIN_QUOTE_WORDS:
        speaker = subject_speaker(subject, names, people)
        pronoun = re.match(r"(?i:he|she|they|il|elle|ils|elles|er|sie)\b", subject)
        if speaker is None and pronoun is not None:  # "Il a voulu rassurer en affirmant que …"
            speaker = nearest_actor(read.context, names, people, pronoun.group(0))
        if speaker is not None:
            return read.found_at(content, sentence, speaker)
    return None


# Each source reader with the strings (lower-cased) without one of which a sentence cannot hold what it reads.
_SOURCE_READERS: tuple[tuple[tuple[str, ...], Callable[[_Sentence], Found | None]], ...] = (
    (("laut ", "zufolge", "according to", "selon ", "d'apr", "d’apr", "según ", "segun ", "de acuerdo con ",
      "nach angaben ", "en palabras de "), _according_inline),
    (("eigenen angaben", "own account", "own words", "selon ses", "propre aveu", "sus palabras", "sus propias",
      "sicht de", "sicht der", "company's", "company’s"), _own_account),
    (("wie ", "como "), _as_said),
    (("sicht",), _view_of),
    (("ant ", "ing ", "ndo "), _participles),
)


def find_reported(reading: Reading) -> None:
    """Reported speech of the platform's side in the sentences no quotation took, in order; joins
    `reading.found`. Words said before the article's time, and the terms reported, are left out."""
    text, spans = reading.text, reading.spans
    for number, sentence in enumerate(spans):
        if sentence in reading.quoted_sentences or not mentions_speech(text[sentence[0]:sentence[1]]):
            continue
        earlier = [item for item in reading.found if item.start < sentence[0]]  # whom "he said" can stand for
        context = text[spans[number - 1][0]:spans[number - 1][1]] if number > 0 else ""
        reported = reported_in(text[sentence[0]:sentence[1]], reading.names, reading.people, earlier, context)
        if reported is None or is_old(before_verb(reported.passage), reading.reference) or is_earlier(
                before_verb(reported.passage)):
            continue
        if (is_terms_text(reported.quote, reported.passage) or is_terms_language(reported.quote)
                or locates_terms(attribution_part(reported))
                or (number - 1 in reading.terms_at and reported.speaker.kind in ("platform", "generic"))):
            # the terms, or the next sentence about them ("Et l'entreprise ajoute que …"): not the platform speaking
            if reported.speaker.kind in ("platform", "generic"):
                reading.terms_at.add(number)
            continue
        reported.start = sentence[0]
        reading.found.append(reported)
