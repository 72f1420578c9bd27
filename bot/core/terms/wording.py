"""Wordings of one clause that say the same: its noise key (words without markup, numbering or e-mail forms),
text cleaning (HTML, link targets, screen-reader text, mojibake), leaked e-mail placeholders, glued UI labels,
spelling fixes and date-only edits.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from typing import Protocol

from bot.core.terms.documents import DATE_PHRASES, EMAIL_TOKEN
from bot.core.terms.segments import NOT_NUMBERED
from bot.core.text import MONTHS, fold, word_runs

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LEADING_NUMBER = re.compile(rf"^\W*{NOT_NUMBERED}(\d+(\.\d+)*\.?|\([a-z0-9]{{1,5}}\)|[a-z]\)|[ivx]{{1,5}}\.)\s+")


class Vocabulary(Protocol):
    """What the spelling rules ask of the two whole versions of a document (the verdict's context answers)."""

    def rare(self, broken: str, word: str, new_side: bool) -> bool:
        """Whether `broken` is a slip of the keyboard for `word` in that version (see the verdict's context)."""
        ...

    def spelling_fix(self, before: str, after: str) -> bool:
        """Whether a word pair that looks like a spelling fix may be one."""
        ...


def noise_key(text: str, emails: bool = True) -> str:
    """A clause's words in order, lower case, without a leading clause number; with `emails`, every e-mail
    address and protected-e-mail token as the one word "email". Two texts with the same key differ only in
    markup, punctuation, numbering (or, with `emails`, in how an address is written)."""
    folded = fold(text.replace(EMAIL_TOKEN, " email ") if emails else text)
    if emails and "@" in folded:
        folded = _EMAIL.sub(" email ", folded)
    runs = word_runs(_LEADING_NUMBER.sub("", folded, count=1))
    if "_" in folded:  # (an emphasis mark left at a word's edge, "ici_._", is markup; "utm_source" one word)
        runs = [run.strip("_") for run in runs if run.strip("_")]
    return " ".join(runs)


def _same_but_protected(old: str, new: str) -> bool:
    """Whether two clauses differ only where one shows an address and the other Cloudflare's protected token
    (a changed address, both shown, is a change)."""
    if noise_key(old, emails=False) == noise_key(new, emails=False):
        return True
    if noise_key(old) != noise_key(new):
        return False
    old_addresses = set(_EMAIL.findall(old.lower()))
    new_addresses = set(_EMAIL.findall(new.lower()))
    return (not (old_addresses - new_addresses) or EMAIL_TOKEN in new) and (
        not (new_addresses - old_addresses) or EMAIL_TOKEN in old)


# Folded away before two versions of a clause are compared: HTML tags and entities left in the text, link
# targets and paths written out (an address keeps its host: `_host_of`), screen-reader text glued to links,
# mojibake.
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,2000}>")
# A link target written out: with a scheme, a path of its own, or a host with a path ("www.example.com/terms/AI"; a
# host alone, "example.fr", stays a word)
_URL_TOKEN = re.compile(r"\S*://\S*|/\S*%[0-9A-Fa-f]{2}\S*|(?<![\w/])/[\w%.~-]+(?:/[\w%.~-]*)+\)?"
                        r"|\b[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,24}/[\w%.~/#?=&-]*")


def _host_of(match: re.Match[str]) -> str:
    """A written-out link target as its host alone ("https://www.example.com/a?utm=1" → "example.com"; a path of
    the same site → nothing): a new path or tracking parameter is no change, another site is."""
    target = match.group(0)
    if "://" in target:
        target = target.split("://", 1)[1]
    elif target.startswith("/"):
        return " "
    host = target.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rstrip(").,;:")
    return f" {host.removeprefix('www.')} "


_SCREEN_READER = re.compile(
    r"\(?(?:(?:this )?link )?(?:opens|will open) in (?:a )?new (?:tab|window)(?: or (?:tab|window))?"
    r"(?: of (?:your )?browser)?\)?"
    r"|\(?(?:(?:le )?lien )?s'ouvr(?:e|ira) dans (?:un|une) (?:nouvel onglet|nouvelle fen[eê]tre)"
    r"(?: ou (?:un|une) (?:nouvel onglet|nouvelle fen[eê]tre))?(?: de (?:votre )?navigateur)?\)?"
    r"|\(?(?:[öo]ffnet|wird) (?:sich )?in (?:einem )?neue[nm] (?:tab|fenster)(?: oder (?:tab|fenster))?"
    r"(?: ge[öo]ffnet)?\)?"
    r"|\(?se abre en (?:una )?nueva (?:pesta[ñn]a|ventana)(?: o (?:pesta[ñn]a|ventana))?(?: del navegador)?\)?",
    re.IGNORECASE)
_SCREEN_READER_HINTS = ("new tab", "new window", "nouvel onglet", "nouvelle fen", "neuen tab", "neuen fenster",
                        "neuem tab", "neuem fenster",
                        "nueva pesta", "nueva ventana")
# Mojibake: UTF-8 read as Windows-1252 ("Ã©" for "é", "ï¿½" for a replacement character)
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}")


def _repair(match: re.Match[str]) -> str:
    run = match.group(0)
    for encoding in ("cp1252", "latin-1"):
        try:
            return run.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return run


def clean(text: str) -> str:
    """A clause without HTML entities and tags, link targets, screen-reader text and mojibake."""
    if any(hint in text.lower() for hint in _SCREEN_READER_HINTS):
        text = _SCREEN_READER.sub(" ", text)
    if "&" in text and ";" in text:
        text = html.unescape(text)
    if "<" in text and ">" in text:
        text = _HTML_TAG.sub(" ", text)
    if "/" in text or "%" in text:
        text = _URL_TOKEN.sub(_host_of, text)
    if not text.isascii():
        text = _MOJIBAKE.sub(_repair, text)
    return text


# Cloudflare's placeholder with the fragments of the address that leak around it ("[su [email protected]]( …)",
# "in [email protected]"): one "email" word.
_PLACEHOLDERS = re.escape(EMAIL_TOKEN) + r"(?:[\])(]*" + re.escape(EMAIL_TOKEN) + r")*\S*"
_PLACEHOLDER_RUN = re.compile(r"(?:\[?\b[\w.+-]{1,20} ?)?" + _PLACEHOLDERS)
_PLACEHOLDER = re.compile(_PLACEHOLDERS)
_REPEATED_WORD = re.compile(r"\b(\w+)(?:\W+\1\b)+")


def same_meaning(old: str, new: str, context: Vocabulary | None = None) -> bool:
    """Two versions of a clause that say the same: the same words once markup, e-mail forms, link targets and
    encoding are folded; or one-word spelling fixes and date-only edits (`_minor_words`; spelling fixes only
    with the `context` of the two versions, which tells a fix from another word)."""
    old, new = clean(old), clean(new)
    if _same_but_protected(old, new):
        return True
    if EMAIL_TOKEN in old or EMAIL_TOKEN in new:
        runs = [noise_key(_PLACEHOLDER_RUN.sub(" email ", text), emails=False) for text in (old, new)]
        plain = [noise_key(_PLACEHOLDER.sub(" email ", text), emails=False) for text in (old, new)]
        if runs[0] == runs[1] or runs[0] == plain[1] or plain[0] == runs[1]:
            return True  # fragments of the address leaked around the placeholder
        if (_REPEATED_WORD.sub(r"\1", noise_key(_PLACEHOLDER.sub(" ", old), emails=False))
                == _REPEATED_WORD.sub(r"\1", noise_key(_PLACEHOLDER.sub(" ", new), emails=False))):
            return True  # the placeholder stripped ("at  at"): nothing was shown of the address anyway
    return _minor_words(old, new, context) or _glued_labels(old, new) or _glued_labels(new, old)


_GLUED_LABELS_MAX = 6  # words of UI labels glued before or after a clause ("Chat Now No Chat Available …")


def _glued_labels(shorter: str, longer: str) -> bool:
    """Whether `longer` is `shorter` with a run of capitalised labels (at least two words, no punctuation, no
    digit) glued before or after it: widget text pulled into the paragraph by the extraction."""
    shorter, longer = shorter.strip(), longer.strip()
    if not shorter or len(longer) <= len(shorter):
        return False
    if longer.endswith(shorter):
        extra = longer[: -len(shorter)]
    elif longer.startswith(shorter):
        extra = longer[len(shorter):]
    else:
        return False
    words = extra.split()
    return (2 <= len(words) <= _GLUED_LABELS_MAX and all(word.isalpha() and word[0].isupper() for word in words))


WORD_TOKEN = re.compile(r"[\w\ufffd]+")
_MINOR_MAX = 3  # word pairs a spelling fix may touch
_KEEP = frozenset(  # words whose change is never a spelling fix: negations, modals, quantities
    "not no nor never none neither may might must shall should will would can cannot could only except unless "
    "without ne pas plus jamais aucun aucune sans peut peuvent doit doivent sauf nicht kein keine keinen keiner "
    "keines nie niemals nur ohne darf durfen muss mussen kann konnen soll sollen nunca ningun ninguna sin solo "
    "puede pueden debe deben salvo all any every each some tous toutes alle todos todas".split())
_DATE_CONTEXT = re.compile(rf"(?:{DATE_PHRASES})|\b(?:updated|amended|revised|modified|appl(?:y|ies|icable) "
                           r"(?:from|as of|since|until)|s'appliquent? (?:a partir|depuis)|mis a jour)\b", re.IGNORECASE)
_DATE_TOKEN = re.compile(r"\d{1,4}(?:st|nd|rd|th|er|e)?|\d{4}-\d\d-\d\dt[\d:z+]*|\d\dz?")
_MONTH_WORDS = frozenset(MONTHS)


def _word_tokens(text: str) -> list[str]:
    folded = text.replace(EMAIL_TOKEN, " email ").casefold()
    tokens = WORD_TOKEN.findall(_LEADING_NUMBER.sub("", folded, count=1))
    if "_" in folded:  # (as in `noise_key`: underscores at a word's edge are emphasis marks)
        tokens = [token.strip("_") for token in tokens if token.strip("_")]
    return tokens


def _minor_words(old: str, new: str, context: Vocabulary | None = None) -> bool:
    """Whether the words of two clause versions differ only by spelling fixes (each word pair a small edit,
    no digit, no negation or modal: "recognise" → "recognize", "ex-aboné" → "ex-abonné"), by letters lost to
    or repaired from bad encoding ("t��léphone"), or, in a clause that dates the document ("last updated on",
    "applies from", "effective as of"), by the date alone. A spelling fix needs the `context` of the two
    versions and must pass its `spelling_fix` check."""
    a, b = _word_tokens(old), _word_tokens(new)
    if _plainly_different(a, b):
        return False
    dated: bool | None = None
    changed = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        if (op == "replace" and i1 and a[i1 - 1] in _REFERENCE_WORDS and len(olds) == len(news) == 1
                and olds[0].isdigit() and news[0].isdigit()):
            changed += 1  # a cross-reference renumbered ("as set forth in Section 17" → "16"): the clause it points
            if changed > _MINOR_MAX:  # at is unchanged, wherever it now stands
                return False
            continue
        if all(_is_date_word(word) for word in olds + news):
            if dated is None:
                dated = bool(_DATE_CONTEXT.search(fold(new))) and bool(_DATE_CONTEXT.search(fold(old)))
            if dated and _in_a_date(a, i1, i2) and _in_a_date(b, j1, j2):
                continue
            return False
        lone = fold((olds or news)[0]) if op in ("insert", "delete") and len(olds) + len(news) == 1 else None
        stray = lone is not None and len(lone) == 1 and lone.isalpha() and max(i2, j2) == max(len(a), len(b))
        if lone is not None and (lone in _GLUE_WORDS or stray):
            changed += 1  # a missing article or pronoun put in ("… to the extent it relates …"): grammar; or a
            # stray letter at the end of a clause ("… our chatbot; y")
            if changed > _MINOR_MAX:
                return False
            continue
        if op != "replace" or len(olds) != len(news):
            return False
        for before, after in zip(olds, news, strict=True):
            same = _spelling_variant(before, after)
            if not same and context is not None and _first_letter(before, after):
                (shorter, longer), new_side = ((before, after), False) if len(before) < len(after) else ((after, before), True)
                if context.rare(shorter, longer, new_side):  # "alid" → "valid": a word broken once, nowhere else
                    changed += 1
                    if changed > _MINOR_MAX:
                        return False
                    continue
            if not same:
                return False
            if same is not _ENCODING and before != after:
                if context is None or not context.spelling_fix(before, after):
                    return False
                changed += 1
                if changed > _MINOR_MAX:
                    return False
    return True


# Words before the number of a cross-reference to another part of the document
_REFERENCE_WORDS = frozenset(
    "section sections article articles clause clauses paragraph paragraphs chapter schedule annex appendix part "
    "art sec para chapitre paragraphe annexe alinea artikel abschnitt ziffer absatz kapitel anhang articulo "
    "seccion clausula apartado capitulo anexo".split())


def _plainly_different(a: list[str], b: list[str]) -> bool:
    """More words differ than `_minor_words` could forgive, counted without aligning the texts: each word of one
    side missing from the other (date words aside, and words compared by their ASCII letters, so that encoding
    variants cancel out) costs at least half an edit, and more than `_MINOR_MAX` edits are too many. (Aligning
    two long texts with many repeated words costs seconds, as when every clause of a large section is compared
    at once.)"""
    counts = Counter(_encoding_key(word) for word in a if not _is_date_word(word))
    counts.subtract(_encoding_key(word) for word in b if not _is_date_word(word))
    return sum(abs(n) for n in counts.values()) > 2 * _MINOR_MAX


def _encoding_key(word: str) -> str:
    """A word as `_spelling_variant` compares encoding variants: a Latin word by its ASCII letters alone."""
    return word if word.isascii() or not _latin_only(word) else "".join(filter(str.isascii, word))


# Words whose insertion or removal alone only mends grammar: articles, pronouns, "to", "of" (never a negation, a
# modal, a quantifier or a preposition that changes who or what: those are not in this list)
_GLUE_WORDS = frozenset(
    "a an the it its this that these those to of is are be le la les l un une du des der die das den dem des ein "
    "eine el los las lo una".split()
)


_YEAR = re.compile(r"(?:19|20)\d\d")


def _in_a_date(words: list[str], start: int, end: int) -> bool:
    """Whether words `start`:`end` (figures or month names) are part of a date: a month's name or a year among them
    or next to them ("1 March 2024", "17.12.2021"), not a figure of a sentence that also dates something ("at least
    130 days" in a clause that says when it takes effect)."""
    near = words[max(start - 2, 0):end + 2]
    return any(word in _MONTH_WORDS or fold(word) in _MONTH_WORDS or _YEAR.fullmatch(word) for word in near)


def _is_date_word(word: str) -> bool:
    return word in _MONTH_WORDS or fold(word) in _MONTH_WORDS or bool(_DATE_TOKEN.fullmatch(word))


def _latin_only(word: str) -> bool:
    return all(char.isascii() or "\u00c0" <= char <= "\u017f" or char == "\ufffd" for char in word)


_ENCODING = 2  # (true: what `_spelling_variant` returns for words that differ in their encoding only)


def _spelling_variant(before: str, after: str) -> bool | int:
    if before == after:
        return True
    if any(char.isdigit() for char in before + after):
        return False
    if not (before.isascii() and after.isascii()) and _latin_only(before) and _latin_only(after):
        if "".join(filter(str.isascii, before)) == "".join(filter(str.isascii, after)):
            return _ENCODING  # only accented letters or replacement characters differ (encoding)
    plain_before, plain_after = fold(before), fold(after)
    if plain_before in _KEEP or plain_after in _KEEP:
        return False
    shortest = min(len(plain_before), len(plain_after))
    if shortest >= 5 and (plain_before == plain_after[1:] or plain_after == plain_before[1:]):
        return True  # a first letter lost or put back ("ervices" → "services")
    if shortest >= 5 and _inflected(plain_before, plain_after):
        return True  # an ending put right ("all/select boards" → "all/selected boards")
    if (shortest >= _LONG_WORD and len(plain_before) == len(plain_after) and plain_before[1:] == plain_after[1:]
            and plain_before[-1] == plain_after[-1]):
        return True  # a long word's first letter put right ("imbedded" → "embedded", "inquiry" → "enquiry")
    if shortest < 4 or plain_before[0] != plain_after[0] or plain_before[-1] != plain_after[-1]:
        return False
    return _distance(plain_before, plain_after, 1 if max(len(plain_before), len(plain_after)) <= 7 else 2)


_ENDINGS = ("s", "d", "ed", "es")


def _inflected(a: str, b: str) -> bool:
    """Whether one word is the other with a plural or past ending added."""
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return longer.startswith(shorter) and longer[len(shorter):] in _ENDINGS


_FIRST_LETTER_MIN = 4  # letters left of a word that lost its first one ("alid"), when that broken word is rare
_LONG_WORD = 7  # letters from which a word whose first letter alone differs is the same word misspelt


def _first_letter(a: str, b: str) -> bool:
    """Whether one word is the other without its first letter (four letters left at least, or a one-letter stub of a
    two-letter word: "f you" for "if you"; no digit)."""
    a, b = fold(a), fold(b)
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return ((len(shorter) >= _FIRST_LETTER_MIN or len(longer) == 2) and longer[1:] == shorter and shorter.isalpha()
            and shorter not in _KEEP and longer not in _KEEP and shorter not in _SHORT_WORDS)


# Words of four or five letters that are words of their own once a first letter goes ("yours" → "ours",
# "close" → "lose", "price" → "rice"): a change between them is another word, never a slip
_SHORT_WORDS = frozenset(
    "ours here ever else over ends sent able lose ease earn rent lone hare lace rice rate ring arts ally mail "
    "hose hall just once aged oral ages eight elle vous nous sont leur eine sind ihre alle esta este otro".split())


def _distance(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance (with transpositions) of `a` and `b` is at most `limit`."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit
