"""Page chrome: the lines of a terms page that are no clauses (link lines, labels, help widgets, offline
banners, exit dialogs; contact data is kept), and the runs of such lines at the edges of a document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from bot.core.terms.documents import EMAIL_TOKEN
from bot.core.terms.segments import HEADING, MARKED, NUMBER, clause_text
from bot.core.terms.wording import clean
from bot.core.text import WORDS, fold, word_runs

# A CLAUSE is a sentence of the terms: several words ending with sentence punctuation, or a long run of words
# that is not a list of capitalised labels. Other lines are labels: titles, menu entries, buttons, bylines.
_CLAUSE_MIN_WORDS = 3
_LONG_WORDS = 8  # lettered words
_CAPITALISED_SHARE = 0.6  # a long line with this share of capitalised words and no stop is a run of labels
_LINK_WORDS_MAX = 15  # a line that is only links (what `normalize` keeps of it: "[label] [label]") this short
LIST_ITEM = re.compile(rf"(?:[-*+][ \t]+|(?:{NUMBER})[ \t]+)")  # a bullet or a clause number, and blanks
_LINK_LINE = re.compile(r"(?:!?\[[^\[\]\n]*\][ \t]*)+")
_TABLE_ROW = re.compile(r"\|.*\|")
_RELATIVE_TIME = re.compile(
    r"\b(?:\d+|an?|one|a few|over \d+|about \d+)\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
    r"\s+ago\b|\bil y a (?:\d+|une?|plus de \d+|environ \d+)\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)\b"
    r"|\bvor (?:\d+|einem|einer|uber \d+|etwa \d+)\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|"
    r"jahr(?:en)?)\b|\bhace (?:\d+|una?|mas de \d+)\s+(?:segundos?|minutos?|horas?|dias?|semanas?|mes(?:es)?|anos?)\b"
)
# Vendor banners over a page: a cached copy served while the site is offline
_OFFLINE_BANNER = re.compile(r"\b(?:is|are) (?:currently )?offline\b.{0,300}\b(?:snapshot|cached (?:copy|version)|"
                             r"archived (?:copy|version))\b")
_BANNER_WORDS_MAX = 80
_SENTENCE_END = ".;:?"
_EXCLAIMED = re.compile(r"\w[ \t]?!(?:\s|$)")
_EXCLAIMED_MAX = 25
_TRAILING = " *_\"')]»"


def is_clause(text: str) -> bool:
    words = word_runs(text)
    if "!" in text and len(words) <= _EXCLAIMED_MAX and _EXCLAIMED.search(text):
        return False  # a short exclamation is a promotion or a call to action, not a clause
    if len(words) >= _CLAUSE_MIN_WORDS and text.rstrip(_TRAILING)[-1:] in _SENTENCE_END:
        return True
    lettered = [word for word in words if word[0].isalpha()]
    if len(lettered) < _LONG_WORDS:
        return False
    capitalised = sum(1 for word in lettered if word[0].isupper())
    return capitalised < _CAPITALISED_SHARE * len(lettered)


# Contact data that is no sentence but says who the terms are with: an e-mail address, or a number beside words
# (a street address, a postcode and town, a phone number)
_CONTACT_DATA = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+"  # an e-mail address
    r"|\b(?:\d+\w?\s+)?(?i:street|st|avenue|ave|road|rd|boulevard|blvd|suite|ste|floor|rue|avenida|calle|via|"
    r"place|plaza|platz|strasse|straße|str|weg|gasse|allee|chemin|quai)\b\.?\s*(?:\d|#)"  # "Market St 10", "rue 12"
    r"|\b\d+\w?,?\s+(?:[A-Z][\w.-]*\s+){0,3}(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|way|drive|dr)\b"
    r"|\b\d+\w?,?\s+(?i:rue|avenue|avenida|calle|via|viale|piazza|corso|boulevard|bd|chemin|impasse|all[e\u00e9]e|quai|"
    r"place)\s+\w"  # "18 rue des Lilas", "5 calle Mayor"
    r"|\w(?:strasse|straße|str\.|weg|gasse|allee|platz|avenue|laan|straat|plein|vej|gatan|gade)\s*\d"  # "Minervastrasse 3"
    r"|\b[A-Z]{1,2}-\d{4,5}\b|\b\d{5}\b|\+\d[\d\s().-]{7,}"  # "CH-8050", "94114", "+33 1 23 45 67 89"
)

# A copyright notice: "©" or "Copyright" and a year, then a holder and perhaps "All rights reserved"
_COPYRIGHT = re.compile(r"[*_\s]*(?:copyright\s*)?(?:©|copyright)\s*\d{4}(?:\s*[-–]\s*\d{4})?[^!?\n]{0,80}",
                        re.IGNORECASE)
_COPYRIGHT_MAX = 160
# A label of one to four words followed by a separator glyph: the links of a footer or menu ("Privacy ·")
_SEPARATED_LABEL = re.compile(r"(?:[-*+]\s+)?[^\s·|•/]+(?:\s+[^\s·|•/]+){0,3}\s*[·|•/]")


# A figure with a currency sign or a percent sign: an amount, whatever else a line holds
_AMOUNT = re.compile(r"[$€£¥₹]\s?\d|\d\s?(?:[$€£¥₹%]|‰)")


def is_chrome(text: str, listed: bool) -> bool:
    """Page chrome, not a clause: a line without words (a stray period), a protected-address placeholder alone,
    a line of links with short labels (navigation, a table of contents, a language picker), an offline banner,
    or a line that is no clause and is a label (not a list item, not a table row) or carries a relative time
    ("2 weeks ago": a widget, a byline)."""
    stripped = text.strip()
    if not WORDS.search(stripped.replace(EMAIL_TOKEN, " ")):
        return True
    if _AMOUNT.search(stripped) and not any(char.isalpha() for char in stripped):
        return False  # "€9.99", "15 %": a price or a rate alone in a table cell, a term that can change
    if _LINK_LINE.fullmatch(stripped) and stripped != EMAIL_TOKEN:
        return stripped.count("[") > 1 or len(word_runs(stripped)) <= _LINK_WORDS_MAX
    if len(stripped) <= _BANNER_WORDS_MAX * 8 and "offline" in stripped and _OFFLINE_BANNER.search(fold(stripped)):
        return True
    if len(stripped) <= _COPYRIGHT_MAX and _COPYRIGHT.fullmatch(stripped):
        return True  # "© 2020 Acme Inc. All rights reserved.": the footer's notice, its year bumped every January
    if _SEPARATED_LABEL.fullmatch(stripped):
        return True  # "Privacy ·", "Terms |": a footer link with its separator, list item or not
    if "](" in stripped and _LINK_TAIL.fullmatch(stripped):
        return True  # the end of a link whose label spans lines: a card or teaser ("… Read our tips.](/news/…)")
    if _is_widget(stripped):
        return True
    if len(stripped) <= _BANNER_WORDS_MAX * 8 and _LEAVING.match(fold(stripped)):
        return True  # "You are leaving example.com. …": the dialog before a link to another site
    if is_clause(clean(stripped)):
        return False
    if "ago" in stripped or not stripped.isascii() or "vor " in stripped:
        if _RELATIVE_TIME.search(fold(stripped)):
            return True
    if _CONTACT_DATA.search(stripped):
        return False  # an address, a phone number, an e-mail of a controller: who the contract is with
    return not listed and not _TABLE_ROW.fullmatch(stripped)


# The tail of a link whose label began lines before (a news card, a teaser: "[![](img)", "#### Title", then
# "Teaser text.](https://…)"), with what starts the next card after it
_LINK_TAIL = re.compile(r"[^\[\]\n]*\]\([^()\s]*\)[\s!\[\]]*")
# Help widgets of a web page (folded: lower case, no accents), in English, French, German and Spanish: how many
# found the page helpful, "was this helpful?", and call-outs to the help desk ("can't find your answer? contact
# us"). A line that is such phrases and at most `_WIDGET_LEFTOVER` other words is chrome, unless it carries an
# e-mail address or a phone number (a contact point of the terms).
_WIDGET = re.compile(
    r"(?:\b(?:\d+ )?(?:out )?of \d+ (?:people |users |customers |members )?)?\b(?:found|find) (?:this|it) "
    r"(?:article |page |answer |post |information )?(?:helpful|useful)"
    r"|\b(?:was|is|did) (?:this|the) (?:article |page |answer |post |information |content |guide )?"
    r"(?:helpful|useful|help(?: you)?|answer your questions?)"
    r"|\bdid you find (?:this|what you (?:were|are) looking for)(?: (?:article|page|answer))?(?: helpful| useful)?"
    r"|\bhow (?:helpful|useful) (?:was|is) (?:this|the) (?:article|page|answer)"
    r"|\bthanks? (?:you )?for (?:your )?feedback"
    r"|\b(?:can't|cannot|can not|couldn't|didn't|did not|unable to) find (?:what you(?:'re| are| were) looking for|"
    r"(?:the |your |an )?answers?(?: you(?:'re| are| were)? (?:looking for|need))?|the information you need)"
    r"|\b(?:still )?(?:have|got) (?:more |any |other |further )?questions"
    r"|\b(?:need|want|looking for) (?:more |further |additional |some )?(?:help|support|assistance)"
    r"|\b(?:contact|reach|ask) (?:us|our (?:support|customer|help)\w*(?: (?:team|service|center|centre|desk))?|"
    r"support|customer (?:service|support|care))"
    r"|\bget in touch(?: with us)?|\bvisit (?:our|the) help (?:center|centre|desk|page)"
    r"|\bwe(?:'re| are) here to help"
    r"|\bno (?:results|matches) (?:were )?found|\btry (?:a )?(?:different|another) (?:search|keyword)(?: terms?)?"
    r"|\b(?:submit|clear) (?:search|text)|\bauto-?suggestions? (?:will )?appear(?: below(?: the)?(?: search)? field)?"
    r"|\bsearch\b|\baucun resultat(?: trouve)?|\bkeine (?:ergebnisse|treffer)(?: gefunden)?"
    r"|\bno se (?:encontraron|han encontrado) resultados"
    r"|(?:\b\d+ )?\b(?:sur|personnes? sur) \d+(?: personnes?)? (?:ont|a) trouve (?:cet article |cette page |cette reponse |"
    r"ceci |cela |ce contenu )?utile"
    r"|\b(?:cet article|cette page|cette reponse|ces informations|ce contenu) (?:vous )?(?:a|ont)[- ]t[- ]"
    r"(?:il|elle|ils|elles) ete utiles?"
    r"|\bavez[- ]vous trouve (?:cet article|cette page|cette reponse|ceci|cela|ce que vous cherchiez)(?: utile)?"
    r"|\bvous ne trouvez pas (?:votre reponse|la reponse|ce que vous cherchez|l'information|les informations)"
    r"|\b(?:vous avez |encore |d'autres |une autre |des )(?:des )?questions|\bbesoin d'(?:aide|assistance)"
    r"|\bcontactez[- ]nous|\bnous contacter|\bmerci (?:pour|de) (?:votre|vos) (?:avis|retours?|commentaires?)"
    r"|(?:\b\d+ )?\bvon \d+ (?:personen |nutzern |kunden )?fanden (?:dies|das|diesen artikel|diese seite|diese antwort)"
    r" hilfreich"
    r"|\b(?:war|ist|waren) (?:dieser artikel|diese seite|diese antwort|diese information(?:en)?|das|dies) hilfreich"
    r"|\bfanden sie (?:diesen artikel|diese seite|diese antwort|das|dies) hilfreich"
    r"|\b(?:sie )?(?:haben|noch) (?:sie )?(?:noch |weitere |andere )?fragen"
    r"|\b(?:nicht gefunden, wonach sie suchen|keine antwort gefunden|nicht das richtige gefunden)"
    r"|\b(?:brauchen|benotigen) sie (?:weitere |mehr )?(?:hilfe|unterstutzung)"
    r"|\bkontaktieren sie uns|\bkontakt aufnehmen|\bdanke fur ihr feedback"
    r"|\ba (?:\d+ )?de \d+ (?:personas |usuarios )?les (?:parecio|resulto) util"
    r"|(?:\b\d+ )?\bde \d+ (?:personas |usuarios )?(?:encontraron|consideraron) (?:esto |este articulo )?util"
    r"|\b(?:te|le|les) (?:ha )?(?:resultado|resulto|parecio|sirvio)(?: util)? (?:este articulo|esta pagina|"
    r"esta respuesta|esta informacion)"
    r"|\b(?:fue|es|ha sido) util (?:este articulo|esta pagina|esta respuesta|esta informacion)"
    r"|\b(?:este articulo|esta pagina|esta respuesta|esta informacion) (?:te |le )?(?:fue|ha sido|resulto) util"
    r"|\bno encuentras? (?:tu respuesta|la respuesta|lo que buscas|la informacion)"
    r"|\b(?:tienes|tiene|tienen) (?:mas |alguna |otras )?preguntas|\bnecesitas? (?:mas )?ayuda"
    r"|\bcontacta(?:nos| con nosotros)|\bponte en contacto con nosotros|\bgracias por (?:tu|su) (?:opinion|comentario)"
)
_WIDGET_HINTS = ("search", "result", "resultat", "ergebnis", "treffer", "resultado", "help", "useful", "question",
                 "find", "contact", "touch", "feedback", "utile", "aide", "trouve",
                 "hilfreich", "fragen", "gefunden", "kontakt", "util", "ayuda", "preguntas", "encuentra")
# The dialog a site shows before a link to another site (en, fr, de, es)
_LEAVING = re.compile(r"\W*(?:you are (?:now )?(?:leaving|about to leave)|vous (?:etes sur le point de |allez )?quitte[rz]"
                      r"|sie verlassen (?:jetzt |nun )?|(?:esta|estas|usted esta) (?:saliendo|abandonando|a punto de "
                      r"(?:salir|abandonar)))\b.{0,200}\b(?:site|website|web|page|pagina|seite|webseite|sitio)(?:s|n)?\b")
_WIDGET_FILLER = frozenset("yes no oui non ja nein si please svp bitte por favor here ici hier aqui the us".split())
_WIDGET_LEFTOVER = 2
_WIDGET_WORDS_MAX = 30
_PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")


def _is_widget(text: str) -> bool:
    """A helpfulness counter or vote ("12 out of 40 found this helpful", "Cet article vous a-t-il été utile ?") or
    a call-out to the help desk ("Still have questions? Contact us"), with no address or phone number in it."""
    folded = fold(text).replace("\u2019", "'")
    if not any(hint in folded for hint in _WIDGET_HINTS) or len(word_runs(folded)) > _WIDGET_WORDS_MAX:
        return False
    rest = _WIDGET.sub(" ", folded)
    if rest == folded or "@" in folded or EMAIL_TOKEN.lower() in folded or _PHONE.search(rest):
        return False
    return sum(1 for word in word_runs(rest) if word not in _WIDGET_FILLER) <= _WIDGET_LEFTOVER


# A RUN of page chrome at an edge of the document: the lines of a version that the other lacks, before the first
# clause both versions share (the header: site menus, sidebars, a tagline) or after the last one (the footer),
# going on over shared lines that are neither clauses nor headings. A run of at least `_RUN_MIN_LINES` lines
# (headings aside) with at least `_RUN_CHROME_SHARE` of them chrome is chrome as a whole, its few sentences too
# (a tagline, a marketing line), unless one of them has a topic. A clause between shared clauses always counts.
_RUN_MIN_LINES = 3
_RUN_CHROME_SHARE = 2 / 3
_LABEL_WORDS_MAX = 10  # lettered words of a list item read as a label in the header ("Jazz Week (Jun 28, 2024)")


class Runs:
    """The edge runs of one version: which of them are chrome (`chrome`), and the runs each changed line's
    clause text sits in (`of_text`)."""

    __slots__ = ("chrome", "of_text")

    def __init__(self, lines: Sequence[str], other: frozenset[str]) -> None:
        self.chrome: list[bool] = []
        self.of_text: dict[str, list[int]] = defaultdict(list)
        first = next((k for k, line in enumerate(lines) if line in other and _line_kind(line)[0] == "clause"), None)
        if first is None:  # no clause in common: no edges to speak of
            return
        last = next(k for k in range(len(lines) - 1, first - 1, -1)
                    if lines[k] in other and _line_kind(lines[k])[0] == "clause")
        self._read(lines, other, range(first), header=True)
        self._read(lines, other, range(last + 1, len(lines)), header=False)

    def _read(self, lines: Sequence[str], other: frozenset[str], span: range, header: bool) -> None:
        counted = chrome = figures = 0
        texts: list[str] = []
        for k in [*span, None]:
            line = lines[k] if k is not None else None
            if line is not None and line in other:
                if not line.startswith("#") or not HEADING.match(line):
                    continue  # a shared line that is not a heading: the run goes on
            elif line is not None:
                if line.startswith("#") and HEADING.match(line):
                    continue  # a heading of this version alone: not counted, the run goes on
                kind, text = _line_kind(line)
                counted += 1
                lettered = any(c.isalpha() for c in text)
                chrome += kind == "chrome" or (kind == "label" and (header or not lettered))
                figures += kind == "label" and not lettered
                texts.append(text)
                continue
            if texts:  # the run ends (a shared heading, or the edge's end)
                run = len(self.chrome)
                # (figures alone before the first clause or after the last: a ticker, a counter, however short)
                self.chrome.append((counted >= _RUN_MIN_LINES or figures == counted)
                                   and chrome >= _RUN_CHROME_SHARE * counted)
                for text in texts:
                    self.of_text[text].append(run)
            counted = chrome = figures = 0
            texts = []


def _line_kind(line: str) -> tuple[str, str]:
    """("chrome" | "clause" | "label" | "other", the clause text) of a line: a list item that is no clause and
    whose words are mostly capitalised, or has no letters, is a "label"."""
    marked = MARKED.match(line)
    text = line if marked is None else marked.group(3) if marked.group(3) is not None else marked.group(2)
    listed = marked is not None
    if is_chrome(text, listed):
        return "chrome", text
    if is_clause(clean(text)):
        return "clause", text
    if not any(char.isalpha() for char in text):
        return "label", text  # an amount alone: a cell of a table, or of a price ticker above the page
    if listed:
        lettered = [word for word in word_runs(text) if word[0].isalpha()]
        if len(lettered) <= _LABEL_WORDS_MAX and 2 * sum(word[0].isupper() for word in lettered) >= len(lettered):
            return "label", text
    return "other", text


_LINK_SPAN_MAX = 8  # lines of a link label that spans lines


def link_labels(lines: Sequence[str]) -> frozenset[str]:
    """The texts of the lines inside link labels that span lines: from a line that opens a bracket it does not
    close to the next line that closes one into a link target ("](…)"), at most `_LINK_SPAN_MAX` lines."""
    found: set[str] = set()
    opened: int | None = None
    for k, line in enumerate(lines):
        if "[" not in line and "]" not in line:
            continue
        if opened is not None and "](" in line and line.count("]") > line.count("["):
            if k - opened < _LINK_SPAN_MAX:
                for inside in lines[opened:k + 1]:
                    found.add(inside.strip())
                    found.add(clause_text(inside).strip())
            opened = None
        if line.count("[") > line.count("]"):
            opened = k
    return frozenset(found)
