"""Is a fetched text the watched document at all? Interstitials (cookie and login walls, bot checks, error,
maintenance and geo-block pages) served with HTTP 200 are recognised from marker phrases backed by size and
overlap evidence, never from a bare word in a long document."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.text import fold

# Markers, as data: (what the page is, language, pattern on folded text: lower case, accents stripped).
# A marker alone never decides: the text must also be short (`NOTICE_MAX_CHARS`) and, when the previous
# version is known, share little of its vocabulary (`SAME_DOCUMENT_OVERLAP`).
MARKERS: tuple[tuple[str, str, str], ...] = (
    # bot checks and block pages, by vendor
    ("a Cloudflare block page", "*", r"sorry, you have been blocked|attention required!?(\s*\|\s*cloudflare)?"
                                     r"|checking if the site connection is secure|just a moment\.{0,3}|\bray id\b"
                                     r"|performance (&|and) security by cloudflare|enable javascript and cookies to continue"),
    ("a DataDome bot check", "*", r"captcha-delivery|\bdatadome\b"),
    ("a PerimeterX bot check", "*", r"press (&|and) hold|px-captcha|please verify you are a human|human verification"),
    ("an Akamai block page", "*", r"access denied.{0,200}reference #|you don.t have permission to access"),
    ("a bot check", "en", r"are you a robot|verify you are (a )?human|complete the captcha|unusual traffic"),
    ("a bot check", "fr", r"etes-vous un robot|verifiez que vous etes (un )?humain"),
    ("a bot check", "de", r"sind sie ein roboter|bestatigen sie, dass sie ein mensch sind"),
    ("a bot check", "es", r"eres un robot|verifica que eres (un )?humano"),
    # cookie-consent walls
    ("a cookie-consent wall", "en", r"(accept|allow) all( cookies)?\b|reject all\b|manage (cookie|privacy) "
                                    r"(settings|preferences)"
                                    r"|we (and our \d+ partners )?use cookies"),
    ("a cookie-consent wall", "fr", r"tout accepter|tout refuser|accepter (tous )?les cookies|nous utilisons des "
                                    r"(cookies|traceurs)"
                                    r"|parametres des cookies"),
    ("a cookie-consent wall", "de", r"alle (akzeptieren|ablehnen|cookies akzeptieren)|wir verwenden cookies"
                                    r"|cookie-einstellungen"),
    ("a cookie-consent wall", "es", r"aceptar (todo|todas)( las cookies)?|rechazar (todo|todas)|utilizamos cookies"
                                    r"|configuracion de cookies"),
    # login walls
    ("a login wall", "en", r"(sign|log) ?in to (continue|view|access)|please (sign|log) ?in\b|you must be (signed|logged) in"
                           r"|forgot (your )?password|^(sign|log) ?in$"),
    ("a login wall", "fr", r"connectez-vous pour (continuer|acceder)|mot de passe oublie|^(se connecter|connexion)$"),
    ("a login wall", "de", r"melden sie sich an|melde dich an|passwort vergessen|^anmelden$"),
    ("a login wall", "es", r"inicia sesion para (continuar|acceder)|olvidaste tu contrasena|^iniciar sesion$"),
    # maintenance
    ("a maintenance page", "en", r"(down|under) (for )?(scheduled )?maintenance|we.ll be back soon|temporarily unavailable"
                                 r"|service unavailable"),
    ("a maintenance page", "fr", r"en (cours de )?maintenance|de retour (tres )?bientot|temporairement indisponible"),
    ("a maintenance page", "de", r"wartungsarbeiten|vorubergehend nicht (verfugbar|erreichbar)"),
    ("a maintenance page", "es", r"en mantenimiento|volveremos pronto|temporalmente no disponible"),
    # error pages
    ("an error page", "en", r"\b404\b|page not found|(page|file|document) (could not be|was not) found|something went wrong"
                            r"|an error (has )?occurred|access denied"
                            r"|forbidden|too many requests|enable javascript"),
    ("an error page", "fr", r"page introuvable|page non trouvee|une erreur (est survenue|s.est produite)|acces refuse"),
    ("an error page", "de", r"seite nicht gefunden|ein fehler ist aufgetreten|zugriff verweigert"),
    ("an error page", "es", r"pagina no encontrada|se ha producido un error|ha ocurrido un error|acceso denegado"),
    # geo blocks
    ("a geo-block notice", "en", r"(is )?not available in your (country|region|location)|unavailable in your (country|region)"),
    ("a geo-block notice", "fr", r"n.est pas disponible dans votre (pays|region)|indisponible dans votre (pays|region)"),
    ("a geo-block notice", "de", r"(ist )?in ihrem land nicht verfugbar|in deinem land nicht verfugbar"
                                 r"|in ihrer region nicht verfugbar"),
    ("a geo-block notice", "es", r"no esta disponible en (tu|su) (pais|region)"),
)
_MARKER = tuple((what, language, re.compile(pattern, re.MULTILINE)) for what, language, pattern in MARKERS)
_VENDORS = frozenset({"a Cloudflare block page", "a DataDome bot check", "a PerimeterX bot check",
                      "an Akamai block page", "a bot check"})
_SECTION_NOTICES = frozenset({"a geo-block notice", "a cookie-consent wall", "a login wall", "a maintenance page"})

# Thresholds (see README "How it works"):
NOTICE_MAX_CHARS = 2_500  # a text this short that carries a marker is the notice (real terms run to 10-100 KB;
#                           the interstitials we have seen extract to 40-1,500 characters, cookie walls a bit more)
SHRUNK = 0.25  # without a marker: a new text under 25 % of the previous one's length …
SHARED = 0.20  # … holding under 20 % of its distinctive words is not the document (an excerpt of the real text
#                keeps most of its vocabulary, as vocabulary grows far slower than length)
FIRST_NOTICE_MAX_CHARS = 800  # a first fetch (no previous version) with a non-vendor marker must be this short
SAME_DOCUMENT_OVERLAP = 0.5  # holding half the previous words or more, it is the document whatever it says
SECTION_NOTICE_MAX_CHARS = 400  # a section's new text this short, with a notice marker, replacing its clauses
_WORD = re.compile(r"[^\W\d_]{4,}")
_STOPWORDS = frozenset(
    "that this with from your have will with they them their there these those what which when where about "
    "such other than into upon only also more most some each very dans pour avec vous votre nous sont cette "
    "aux des les sur par plus tout tous toutes sein oder und eine einer einem einen nicht sich sind wird werden "
    "ihre ihrer ihnen dass para como esta este estos estas sobre entre pero todo todos".split()
)
UNAVAILABLE = "document unavailable: "  # how a failure that is not the document starts (health notices read it)


def distinctive_words(text: str) -> frozenset[str]:
    """The words of at least four letters that are not function words, folded, each once."""
    return frozenset(word for word in _WORD.findall(fold(text)) if word not in _STOPWORDS)


def shared_share(new_text: str, previous: str | Iterable[str]) -> float:
    """Share of the previous version's distinctive words present in the new text (1.0 without any)."""
    before = distinctive_words(previous) if isinstance(previous, str) else frozenset(previous)
    if not before:
        return 1.0
    return len(before & distinctive_words(new_text)) / len(before)


def notice_marker(text: str) -> str | None:
    """What kind of notice a (short) text's markers say it is ("a Cloudflare block page" …), else None."""
    folded = fold(text)
    for what, _, pattern in _MARKER:
        if pattern.search(folded):
            return what
    return None


def not_the_document(new_text: str, previous: str | None) -> str | None:
    """A reason when `new_text` (extracted text) is not the watched document, else None.

    Only a short text, or one that shrank under SHRUNK of the previous version, is examined (a long text is the
    document whatever words it holds). One that keeps at least SAME_DOCUMENT_OVERLAP of the previous version's
    distinctive words is the document. Otherwise a marker makes it that notice: up to NOTICE_MAX_CHARS when the
    previous version is known or the marker names a bot-check vendor, up to FIRST_NOTICE_MAX_CHARS for the other
    markers on a first fetch (a short page with no history may be a short real document). Without a marker, a
    text under SHRUNK of the previous length holding under SHARED of its distinctive words is not it either, nor
    is a capture that lost a tenth of the page or more and stops inside a paragraph the previous version goes on
    with (`_cut_mid_paragraph`)."""
    stripped = new_text.strip()
    if not stripped:
        return "the page (or the selected part of it) is empty"
    before = previous.strip() if previous is not None else ""
    shrunk = bool(before) and len(stripped) < SHRUNK * len(before)
    if before and len(stripped) < CUT_SHORTER * len(before) and _cut_mid_paragraph(stripped, before):
        return (f"the page was cut short: it stops inside a paragraph that the previous version goes on with "
                f"({len(stripped)} of {len(before)} characters)")
    if len(stripped) > NOTICE_MAX_CHARS and not shrunk:
        return None
    share = shared_share(stripped, before) if before else None
    if share is not None and share >= SAME_DOCUMENT_OVERLAP:
        return None
    if len(stripped) <= NOTICE_MAX_CHARS:
        what = notice_marker(stripped)
        if what is not None and (before or what in _VENDORS or len(stripped) <= FIRST_NOTICE_MAX_CHARS):
            return f"the page looks like {what} ({len(stripped)} characters)"
    if shrunk and share is not None and share < SHARED:
        return (f"the page shares almost nothing with the previous version ({len(stripped)} characters, "
                f"{share:.0%} of its distinctive words)")
    if shrunk and _cut_short(stripped, before):
        return f"the page was cut short: the start of the previous version, ending mid-sentence ({len(stripped)} characters)"
    return None


CUT_MIN_WORDS = 50  # words a cut-short page must keep for its start to be recognised as the previous version's
_TOKEN = re.compile(r"\w+")


def _cut_short(text: str, previous: str) -> bool:
    """Whether `text` is the beginning of `previous` broken off mid-sentence (a transfer or extraction that stopped
    early: its last word may be cut in two), not a version that ends where a sentence or a section does."""
    if text[-1] in ".!?:;)]\"'»”":
        return False
    words, before = _TOKEN.findall(fold(text)), _TOKEN.findall(fold(previous))
    kept = len(words) - 1  # (the last word may be a part of one)
    return kept >= CUT_MIN_WORDS and len(before) > kept and words[:kept] == before[:kept]


CUT_SHORTER = 0.9  # a capture cut short lost at least a tenth of the page
_CUT_PARAGRAPH_WORDS = 6  # words the broken-off paragraph must keep to be recognised
_TRAILING_MARKUP = " \t*_~`"


def _cut_mid_paragraph(text: str, previous: str) -> bool:
    """Whether `text` stops inside a paragraph: its last line ends without a sentence's end, and a line of
    `previous` starts with the same words (the last one perhaps cut in two) and goes on. A capture or transfer
    that broke off, wherever the rest of the page changed; a version that ends on a heading or a finished
    sentence is not one."""
    last = text.rsplit("\n", 1)[-1].rstrip(_TRAILING_MARKUP)
    if not last or last[-1] in ".!?:;)]\"'»”":
        return False
    words = _TOKEN.findall(fold(last))[:-1]  # (the last word may be a part of one)
    if len(words) < _CUT_PARAGRAPH_WORDS:
        return False
    head = words[0]
    for line in fold(previous).split("\n"):
        if head in line:
            found = _TOKEN.findall(line)
            if len(found) > len(words) + 1 and found[:len(words)] == words:
                return True
    return False


def section_notice(added: Iterable[str], removed: int) -> str | None:
    """The notice that replaced a section's clauses: the section lost `removed` clauses and gained only the
    short `added` texts, and they carry a geo-block, cookie, login or maintenance marker."""
    texts = list(added)
    joined = "\n".join(texts)
    if removed == 0 or not texts or len(joined) > SECTION_NOTICE_MAX_CHARS:
        return None
    what = notice_marker(joined)
    return what if what in _SECTION_NOTICES else None
