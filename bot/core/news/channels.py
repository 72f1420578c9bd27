"""Where a statement was made: "emailed statement", "told The Verge", "blog post", "post on X", "press call".
"""

from __future__ import annotations

import re

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


def channel_of(text: str) -> str | None:
    for pattern, label in _CHANNELS:
        match = pattern.search(text)
        if match:
            groups = match.groupdict()
            where = groups.get("where") or groups.get("where2") or groups.get("where3")
            return label.format(where=where.strip()) if where else label
    return None
