"""What looks like the platform speaking but is no statement now: the wording of its terms quoted or reported
("you grant us a worldwide licence", "in its revised terms"), and words said years before the article.
"""

from __future__ import annotations

import re

from bot.core.news.speech import SPEECH, Found

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


def locates_terms(passage: str) -> bool:
    """Does the passage say the words are written in the terms or the policy ("in its revised terms")?"""
    lowered = passage.lower()
    return any(cue in lowered for cue in _TERMS_CUES) and _IN_TERMS.search(passage) is not None


def attribution_part(found: Found) -> str:
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


def is_terms_language(words: str) -> bool:
    lowered = words.lower()
    return any(cue in lowered for cue in _TERMS_LANGUAGE_CUES) and _TERMS_LANGUAGE.search(words) is not None


def is_terms_text(quote: str, clause: str) -> bool:
    """Is the quotation a terms clause ("you grant us a worldwide licence …") rather than the platform speaking?"""
    if is_terms_language(quote):
        return True
    grant = _GRANT.search(quote) is not None
    legal = len({m.group(0).lower() for m in _LEGAL.finditer(quote)})
    return (grant and legal >= 1) or ((grant or legal >= 1) and _TERMS_SPEAKER.search(clause) is not None)


YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PAST_YEAR = re.compile(
    r"\b(?:in|back in|as early as|en|au|dans|im Jahr|im|Anfang|Ende|Mitte|en el año|durante|"
    r"(?:early|late|mid|début|fin|principios de|finales de)(?: de)?)\s+((?:19|20)\d\d)\b|"
    r"\b(?:a|an|the|une?|el|la|einer?|einem)\s+((?:19|20)\d\d)\s+(?:interview|statement|post|blog post|memo|"
    r"entretien|entrevista|Interview)\b|\b((?:19|20)\d\d)\s+(?:hatte|hatten|sagte|erklärte)\b", re.IGNORECASE)


def before_verb(sentence: str) -> str:
    """The words of a reported sentence up to just after its speech verb ("In 2019 Tunely said", "Tunely said in
    2019"): where a date says when it was said, rather than what it is about."""
    verb = SPEECH.search(sentence)
    return sentence[:verb.end() + 9] if verb else sentence


def reference_year(text: str, published: str | None) -> int | None:
    """The year the article speaks from: its publication date, else the latest year it names."""
    if published and published[:4].isdigit():
        return int(published[:4])
    years = [int(y) for y in YEAR.findall(text)]
    return max(years) if years else None


def is_old(before: str, reference: int | None) -> bool:
    """Do the words before a quotation (or a reported sentence) date it to a year before the article's?"""
    if reference is None or not YEAR.search(before):
        return False
    for match in _PAST_YEAR.finditer(before):
        year = next(int(y) for y in match.groups() if y)
        if year < reference:
            return True
    return False


# Words said before the news: "Previously, Tunely stated …", "Tunely had promised …", "since Tunely announced …".
_EARLIER = re.compile(
    r"^(?:previously|earlier|in the past|auparavant|précédemment|par le passé|anteriormente|previamente|"
    r"en el pasado|zuvor|früher|bisher)\b|\b(?:had|avait|avaient|había|habían|hatte|hatten)\s+(?:\w+\s+)?"
    r"(?:said|stated|told|claimed|promised|assured|insisted|announced|pledged|d[ée]clar[ée]|assur[ée]|promis|"
    r"affirm[ée]|annonc[ée]|dicho|asegurado|prometido|afirmado|anunciado|gesagt|erklärt|versprochen|versichert|"
    r"angekündigt)\b|\b(?:ever since|since|depuis que|desde que|seit(?:dem)?)\b[^,.;]{0,80}$", re.IGNORECASE)


def is_earlier(before: str) -> bool:
    return _EARLIER.search(before.strip()) is not None
