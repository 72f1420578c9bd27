"""Attribution of text to configured platforms by their names and aliases, with the reason for each match.

Names that are also common words or single letters ("X", "Meta", "Medium") only count with context.
"""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.config import Platform
from bot.core.text import fold, lead_length, word_set, words

# Platform names that are also ordinary words (folded). Such a name counts only when written with the
# configured capitals and confirmed by context (another alias, "Meta Platforms", "a Meta spokesperson" …).
COMMON_WORD_NAMES: frozenset[str] = frozenset({
    "meta", "medium", "discord", "threads", "line", "signal", "snap", "vine", "path", "kick", "twitch", "notion",
    "slack", "zoom", "truth", "steam", "mix", "reels", "spaces", "stories",
})
SHORT_NAME = 2  # names of at most this many letters ("X") need stronger context than common words
EARLY_CHARS = 600  # a platform named twice, first within this many characters of the text, is what it is about
LEAD_CHARS = 280  # a platform named in the lead of the text (its first sentence) is what the text is about

_POSSESSIVE = r"(?:'s|’s|'|’)?"
_CORPORATE_SUFFIX = r"(?:Corp\b\.?|Corporation|Inc\b\.?|Platforms|Holdings|Ltd\b\.?|Group|Technologies|SAS|GmbH)"
_FORMERLY = (
    r"(?:formerly|previously|once|ex-|anciennement|auparavant|ex |anteriormente|antes|antiguo|antigua|ehemals|vormals|"
    r"früher|zuvor|fka|f\.k\.a\.)"
)
_DESCRIPTOR = (
    r"(?:social (?:network|media (?:platform|site|network|company|giant|app))|social platform|tech giant|"
    r"parent company|microblogging (?:site|platform|service)|messaging app|streaming (?:service|platform)|"
    r"blogging platform|r[ée]seau social|plateforme(?: de (?:m[ée]dias|r[ée]seaux) sociaux| de microblogging)?|"
    r"le groupe|la soci[ée]t[ée]|l['’]entreprise|le g[ée]ant|"
    r"red social|plataforma(?: de redes sociales| de microblogging)?|la empresa|la compa[ñn][íi]a|el gigante|la firma|el grupo|"
    r"soziale(?:n|s)? (?:netzwerk|medium|plattform)|plattform|(?:der|dem|den|des) (?:[\w-]+-)?konzerns?|"
    r"(?:das|dem) unternehmen|mutterkonzern|kurznachrichtendienst(?:es)?|onlinedienst(?:es)?|netzwerk|"
    r"the company)"
)
# Nouns that, before "de X" / "von X" / "chez X" … ("la inteligencia artificial de X", "die KI von Meta"), make a
# short or common-word name a company.
_OWNED = (
    r"(?:inteligencia artificial|intelligence artificielle|Intelligenz|IA|KI|AI|chatbot|algoritmo|algorithme|Algorithmus|"
    r"t[ée]rminos|condiciones|conditions|normas|r[èe]gles|reglas|pol[íi]tica|politique|usuarios|utilisateurs|Nutzer|"
    r"Nutzungsbedingungen|AGB|Datenschutzrichtlinie|due[ñn]o|propietario|propri[ée]taire|patron|Besitzer|Eigent[üu]mer|"
    r"Chef|jefe|directivos|dirigeants|portavoz|porte-parole|Sprecher(?:in)?|cambios|changements|[ÄA]nderungen|"
    r"anuncio|annonce|decisi[óo]n|d[ée]cision|Entscheidung|mod[eè]les?|modelos?|Modelle?)"
)
# German compounds that name the company: "X-Chef", "Meta-Konzern", "Zoom-Sprecher".
_COMPOUND_HEAD = (
    r"(?:Chef(?:in)?|Boss|CEO|Eigent[üu]mer(?:in)?|Besitzer(?:in)?|Konzern(?:s|chef)?|Mutterkonzern|Sprecher(?:in)?|"
    r"Nutzer(?:innen)?|Plattform|Management|Manager(?:in)?|KI|Dienst(?:es)?|Algorithmus|Account|Konto|Beitr[äa]ge?|"
    r"Posts?|Gr[üu]nder(?:in)?|Mitarbeiter(?:in|innen)?|AGB|Nutzungsbedingungen|Datenschutzrichtlinie)"
)
# Nouns after "X's" that make the one-letter name a company ("X's terms", "X's owner").
_OWNED_AFTER = (
    r"(?:terms|rules|policy|policies|privacy|owner|chatbot|AI|algorithm|users|subscribers|API|CEO|decision|move|"
    r"changes|new|updated|revised|platform|feed|moderation|safety|trust|lawyers|parent|app|website|board|staff|"
    r"engineering|legal|Grok|Premium|community)"
)
# Words before a name that make it an ordinary noun ("der Zoom der Kamera", "the Medium said").
_DETERMINERS = frozenset(
    "the a an this that these those der die das den dem des ein eine einen einem eines kein keinen keine "
    "optische optischen optischer digitale digitalen digitaler el la los las un una le les une ce cet cette "
    "du au".split()
)
_ROLE = (
    r"(?:spokes(?:person|woman|man)|representative|CEO|chief executive|executives?|owner|co-?founder|"
    r"head of [a-z]+|engineers?|policy team|press office|newsroom|porte-parole|PDG|portavoz|Sprecher(?:in)?)"
)
_ROLE_BEFORE = (
    r"(?:spokes(?:person|woman|man)|representative|CEO|chief executive|owner|porte-parole|PDG|patron|"
    r"portavoz|Sprecher(?:in)?)\s+(?:for|of|at|de|du|chez|von|bei)\s+"
)
_CORPORATE_VERB = (
    r"(?:said|says|told|announced|confirmed|denied|declined|plans|will|has (?:updated|changed|added|said)|updated|"
    r"updates|changed|changes|launched|launches|introduced|introduces|adds|removes|bans|banned|sues|sued|"
    r"(?:was |is )?fined|is rolling|a (?:annonc[ée]|d[ée]clar[ée]|indiqu[ée]|modifi[ée]|mis [àa] jour|"
    r"pr[ée]cis[ée]|chang[ée]|confirm[ée]|d[ée]menti|lanc[ée]|introduit|ajout[ée]|retir[ée]|supprim[ée]|d[ée]cid[ée]|"
    r"commenc[ée]|r[ée]agi|r[ée]pondu|publi[ée]|assur[ée]|expliqu[ée])|annonce|va|modifie|change|utilise|utilisera|"
    r"veut|pr[ée]voit|compte|affirme|assure|pr[ée]cise|explique|d[ée]ment|confirme|lance|entend|"
    r"uses|used|wants|trains|trained|collects|owns|is using|has been|(?:is|was|has|had) (?:[a-z]+ly )?[a-z]+(?:ing|ed)|"
    r"explained|explains|stated|states|"
    r"argued|argues|insisted|insists|paused|pauses|stopped|halted|delayed|activated|enabled|rolled out|relies|"
    r"behauptet|betont|betonte|schreibt|schrieb|"
    r"dijo|anunci[óo]|anuncia|ha (?:cambiado|actualizado|anunciado|modificado|dicho|confirmado|negado|lanzado|"
    r"introducido|explicado|asegurado|decidido|empezado|comenzado|publicado|respondido)|cambia|cambi[óo]|usa|usar[áa]|"
    r"utiliza|utilizar[áa]|permitir[áa]|planea|afirma|afirm[óo]|asegura|asegur[óo]|explic[óo]|declar[óo]|"
    r"señal[óo]|confirm[óo]|neg[óo]|actualiz[óo]|modific[óo]|lanz[óo]|"
    r"sagte|sagt|kündigte|kündigt|nutzt|nutzte|will|hat|plant|teilte|teilt|erklärte|erklärt|ändert|änderte|"
    r"verwendet|bestätigte|bestätigt|bestreitet|dementiert|führt|wird|setzt|reagiert|reagierte|veröffentlicht|"
    r"verteidigt|darf|erlaubt|trainiert)"
)


@dataclass(frozen=True, slots=True)
class PlatformMatch:
    """Why a text is attributed to a platform.

    `phrase` is how the text first named it; `context` the phrase that made an ambiguous name count
    (None when the name is unambiguous); `salient` says the text is about the platform (named in the
    title, in the lead, at least twice, or published on its own feed) rather than mentioning it in passing.
    """

    platform: str
    mentions: int
    phrase: str
    context: str | None = None
    in_title: bool = False
    own_feed: bool = False
    salient: bool = False
    first: int = 0  # where the first mention starts (in the title, then the text)

    @property
    def why(self) -> str:
        """One line for humans: `named "SoundCloud's" in the title (3 mentions)`."""
        if self.own_feed and not self.mentions:
            return "published on the platform's own feed"
        parts = [f"named “{self.phrase}”"]
        if self.context:
            parts.append(f"confirmed by “{self.context}”")
        if self.in_title:
            parts.append("in the title")
        parts.append(f"({self.mentions} mention{'s' if self.mentions != 1 else ''})")
        if self.own_feed:
            parts.append("on its own feed")
        elif not self.salient:
            parts.append("in passing")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Alias:
    platform: str
    written: str
    folded: str
    first_word: str  # of the folded alias ("" when it has no word characters)
    pattern: re.Pattern[str] | None  # for ambiguous names, matched case-sensitively on the original text
    ambiguity: str | None  # None, "word" (a common word) or "short" (one or two letters)


def _first_word(folded: str) -> str:
    """The alias's first word as `words` cuts it ("" when the alias does not start with one)."""
    found = words(folded)
    return found[0] if found and folded.startswith(found[0]) else ""


@dataclass(frozen=True, slots=True)
class _Matcher:
    by_first_word: dict[str, tuple[_Alias, ...]]  # distinctive aliases by their first word
    wordless: tuple[_Alias, ...]  # distinctive aliases that do not start with a word ("@handle")
    ambiguous: tuple[tuple[str, tuple[_Alias, ...]], ...]  # (platform id, its ambiguous names)


def ambiguity_of(name: str) -> str | None:
    """None for a distinctive name, "short" for one or two letters ("X"), "word" for a common word ("Meta")."""
    letters = re.sub(r"[\W_]", "", name)
    if len(letters) <= SHORT_NAME and name.strip().isalnum():
        return "short"
    if fold(name.strip()) in COMMON_WORD_NAMES:
        return "word"
    return None


@lru_cache(maxsize=1024)
def _ambiguous_pattern(written: str, ambiguity: str = "short") -> re.Pattern[str]:
    # Case-sensitive on the original text: "Meta" but not "meta description"; never inside "X-ray" or "@X", but
    # German compounds that name the company count ("X-Chef", "Meta-Konzern"), and so does a German genitive
    # of a common-word name ("Metas KI").
    genitive = r"|s(?=\s+[A-ZÄÖÜ])" if ambiguity == "word" else ""
    return re.compile(r"(?<![\w\-@#/.])" + re.escape(written) + rf"(?:'s|’s|'|’{genitive})?"
                      + rf"(?:(?=-{_COMPOUND_HEAD}\b)|(?![\w\-]|\.\w))")


class _Matchers:
    """Compiled aliases per set of platform objects, at most `size` sets (a running bot has one, tests a few).
    The platform objects are kept with their matcher, so that their ids are not reused while cached."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._by_ids: dict[tuple[int, ...], tuple[tuple[Platform, ...], _Matcher]] = {}
        self._last: tuple[tuple[Platform, ...], _Matcher] | None = None  # the set asked for last (most calls)
        self._lock = threading.Lock()

    def get(self, platforms: Mapping[str, Platform]) -> _Matcher:
        values = tuple(platforms.values())
        last = self._last
        if last is not None and all(map(operator.is_, values, last[0])) and len(values) == len(last[0]):
            return last[1]
        key = tuple(map(id, values))
        cached = self._by_ids.get(key)
        if cached is None:
            cached = (values, _compile(values))
            with self._lock:  # (analysis also runs in worker threads)
                if len(self._by_ids) >= self._size:
                    self._by_ids.pop(next(iter(self._by_ids)))
                self._by_ids[key] = cached
        self._last = cached
        return cached[1]


_MATCHERS = _Matchers(8)


def _matcher(platforms: Mapping[str, Platform]) -> _Matcher:
    """The compiled aliases of `platforms`, rebuilt only when the platforms themselves change."""
    return _MATCHERS.get(platforms)


def _compile(platforms: tuple[Platform, ...]) -> _Matcher:
    plain: list[_Alias] = []
    ambiguous: dict[str, list[_Alias]] = {}
    for platform in platforms:
        seen: set[tuple[str, str]] = set()
        for name in (platform.name, *platform.aliases):
            written = name.strip()
            folded = fold(written)
            if not written or (folded, written) in seen:
                continue
            seen.add((folded, written))
            ambiguity = ambiguity_of(written)
            if ambiguity is None:
                plain.append(_Alias(platform.id, written, folded, _first_word(folded), None, None))
            else:
                alias = _Alias(platform.id, written, folded, _first_word(folded),
                               _ambiguous_pattern(written, ambiguity), ambiguity)
                ambiguous.setdefault(platform.id, []).append(alias)
    by_first_word: dict[str, list[_Alias]] = {}
    for alias in plain:
        if alias.first_word:
            by_first_word.setdefault(alias.first_word, []).append(alias)
    return _Matcher({word: tuple(aliases) for word, aliases in by_first_word.items()},
                    tuple(alias for alias in plain if not alias.first_word),
                    tuple((pid, tuple(aliases)) for pid, aliases in ambiguous.items()))


@lru_cache(maxsize=1024)
def _context_patterns(written: str, ambiguity: str) -> tuple[tuple[re.Pattern[str], bool], ...]:
    """(pattern, leads) pairs: `leads` when the hit starts with the name, which then must not follow an article
    ("der Zoom hat …", "the Medium said …" are ordinary nouns)."""
    name = re.escape(written)
    bare = rf"(?<![\w\-@#/.])(?<!Gen )(?<!Generation )(?<!Model )(?<!Malcolm )(?<!Planet )(?<!Racer ){name}"
    patterns: list[tuple[str, bool]] = [
        (rf"{bare}{_POSSESSIVE}\s+{_CORPORATE_SUFFIX}", False),
        (rf"{bare}\s*(?:\(|,|—|–|-)\s*{_FORMERLY}\s*(?:known as\s+|called\s+|conocid[ao] como\s+)?[\w.]*\)?", False),
        (rf"(?i:{_DESCRIPTOR})\s+(?:called\s+|named\s+|llamad[ao]\s+)?{name}(?![\w\-])", False),
        (rf"{bare}{_POSSESSIVE}\s+(?i:{_ROLE})\b", False),
        (rf"(?i:{_ROLE_BEFORE}){name}(?![\w\-])", False),
        (rf"{bare}-{_COMPOUND_HEAD}\b", False),  # "X-Chef Musk", "Meta-Konzern"
        (rf"\b{_OWNED}\s+(?:de|del|d['’]|du|von|of)\s+{name}(?![\w\-])", False),  # "la IA de X", "die KI von Meta"
        (rf"\b[A-Z][\w-]+(?:'s|’s|s)\s+{name}(?![\w\-]|\s*-)", False),  # "Elon Musk's X", "Musks X"
        (rf"{bare}(?:'s|’s)\s+{_OWNED_AFTER}\b", True),  # "X's terms", "X’s owner"
        (rf"{bare}\s+(?:users|subscribers|accounts)\b", True),  # "X users' data"
    ]
    if ambiguity == "word":
        # A common word written as a name and used as a company: "Meta's", "Meta said", "Medium will", "de Meta".
        patterns.append((rf"{bare}(?:'s|’s)\s+\w+", True))
        patterns.append((rf"{bare}\s+(?:[a-z]+ly\s+)?{_CORPORATE_VERB}(?![\w\-])", True))
        patterns.append((rf"{bare}s\s+[A-ZÄÖÜ]\w+", True))  # German genitive: "Metas KI", "Zooms Nutzungsbedingungen"
        patterns.append((rf"(?<![\w\-])(?:de|del|chez|von|bei|par|por|pour|para|contre|contra|gegen|avec|con|sur|"
                         rf"sobre|[àa]|al)\s+{name}(?![\w\-])", False))
    return tuple((re.compile(p), leads) for p, leads in patterns)


def _after_article(text: str, start: int) -> bool:
    """Does the word just before `start` make the name an ordinary noun ("der Zoom", "the Medium")?"""
    head = text[max(0, start - 14):start].split()
    return bool(head) and head[-1].lower() in _DETERMINERS


def _ambiguous_spans(text: str, aliases: Sequence[_Alias]) -> tuple[list[tuple[int, int, str]], str | None]:
    """Mentions of ambiguous names in `text` and the context phrase that confirms them (None: not confirmed)."""
    spans: list[tuple[int, int, str]] = []
    context: str | None = None
    for alias in aliases:
        if alias.written not in text:
            continue
        assert alias.pattern is not None
        found = [(m.start(), m.end(), alias.written) for m in alias.pattern.finditer(text)]
        if not found:
            continue
        spans.extend(found)
        if context is None:
            context = _context(text, alias)
    return spans, context


def _context(text: str, alias: _Alias) -> str | None:
    """The first phrase of `text` that confirms `alias` names the platform."""
    for pattern, leads in _context_patterns(alias.written, alias.ambiguity or "short"):
        for hit in pattern.finditer(text):
            if leads and _after_article(text, hit.start()):
                continue
            return hit.group(0).strip()
    if alias.ambiguity == "short":
        # A one-letter name acting as a company twice ("X recently activated …", "X states: …"): once could be a
        # variable or a placeholder, twice in one text is the company.
        hits = [hit for hit in _short_acting(alias.written).finditer(text)
                if not _after_article(text, hit.start()) and not _after_name(text, hit.start())]
        if len(hits) >= 2:
            return hits[0].group(0).strip()
    return None


@lru_cache(maxsize=256)
def _short_acting(written: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w\-@#/.]){re.escape(written)}\s+(?:[a-z]+ly\s+)?{_CORPORATE_VERB}(?![\w\-])")


def _after_name(text: str, start: int) -> bool:
    """Is the word just before `start` capitalised ("Company X said", "Project X will"), making the letter part
    of another name?"""
    head = text[max(0, start - 20):start]
    words = head.split()
    return bool(words) and head[-1:].isspace() and words[-1][:1].isupper() and words[-1][-1:].isalpha()


def _occurrences(folded: str, alias: _Alias) -> list[tuple[int, int, str]]:
    """Where `alias` occurs in `folded` as whole words (a possessive "'s" included): found with `str.find`, the
    boundaries checked by hand (a regex would scan the whole text once per alias)."""
    found: list[tuple[int, int, str]] = []
    needle = alias.folded
    size = len(needle)
    length = len(folded)
    start = folded.find(needle)
    while start >= 0:
        end = start + size
        before = folded[start - 1] if start else " "
        if not (before.isalnum() or before == "_"):  # (a word character: alphanumeric or "_")
            after = folded[end + 2] if end + 2 < length else " "
            if folded.startswith(("'s", "’s"), end) and not (after.isalnum() or after == "_"):
                found.append((start, end + 2, alias.written))
            else:
                after = folded[end] if end < length else " "
                if not (after.isalnum() or after == "_"):
                    found.append((start, end, alias.written))
        start = folded.find(needle, start + 1)
    return found


def _longest_first(span: tuple[int, int, str]) -> tuple[int, int]:
    return span[0], -(span[1] - span[0])


def _match_order(match: PlatformMatch) -> tuple[bool, bool, int, int, str]:
    return not match.own_feed, not match.salient, -match.mentions, match.first, match.platform


CLOSE_MENTIONS = 0.75  # two platforms in one headline named about as often: the one the headline names first leads


def _headline_first(matches: list[PlatformMatch]) -> None:
    """"Tumblr and WordPress to sell data": when the two leading platforms are both in the title and named about
    as often, the one the title names first is the subject."""
    if len(matches) < 2:
        return
    top, second = matches[0], matches[1]
    if (top.in_title and second.in_title and second.salient and not top.own_feed
            and second.first < top.first and second.mentions >= CLOSE_MENTIONS * top.mentions):
        matches[0], matches[1] = second, top


def _non_overlapping(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest mention first at each place: "X Corp, formerly Twitter" is two mentions, not four."""
    kept: list[tuple[int, int, str]] = []
    end = -1
    for start, stop, written in sorted(spans, key=_longest_first):
        if start >= end:
            kept.append((start, stop, written))
            end = stop
    return kept


def attribute(
    text: str,
    platforms: Mapping[str, Platform],
    title: str = "",
    own_platform: str | None = None,
    folded: str | None = None,
) -> tuple[PlatformMatch, ...]:
    """Every platform `title` and `text` name, with why; `own_platform` is the platform whose feed published it.
    Pass `folded` when `fold(f"{title}\n{text}")` is already known.

    Order: the own-feed platform first, then salient platforms, then by mentions (most first), then id.
    """
    if not platforms and own_platform is None:
        return ()
    whole = f"{title}\n{text}"
    title_end = len(title)
    lead_end = -1  # where the lead ends, found when needed
    folded = fold(whole) if folded is None else folded
    same_length = len(folded) == len(whole)
    matcher = _matcher(platforms)
    by_platform: dict[str, list[tuple[int, int, str]]] = {}
    # Only aliases whose first word is among the text's words (one set intersection for all aliases) are looked
    # for, with `str.find` and word-boundary checks. (The distinct words are remembered: topics and stories read
    # them too.)
    by_first_word = matcher.by_first_word
    present = by_first_word.keys() & word_set(folded)
    candidates = [alias for word in present for alias in by_first_word[word]]
    if matcher.wordless:
        candidates.extend(alias for alias in matcher.wordless if alias.folded in folded)
    for alias in candidates:
        found = _occurrences(folded, alias)
        if found:
            by_platform.setdefault(alias.platform, []).extend(found)
    contexts: dict[str, str] = {}
    for platform_id, aliases in matcher.ambiguous:
        spans, context = _ambiguous_spans(whole, aliases)
        if not spans:
            continue
        plain = by_platform.get(platform_id)
        if context is None and plain:
            first = min(plain)
            context = whole[first[0]:first[1]] if same_length else first[2]
        if context is None and own_platform == platform_id:
            context = "the platform's own feed"
        if context is not None:
            by_platform.setdefault(platform_id, []).extend(spans)
            contexts[platform_id] = context
    matches: list[PlatformMatch] = []
    for platform_id, spans in by_platform.items():
        if not spans:
            continue
        kept = _non_overlapping(spans)
        start, stop, written = kept[0]
        phrase = whole[start:stop] if same_length or platform_id in contexts else written
        in_title = start < title_end
        own = platform_id == own_platform
        if not (own or in_title or len(kept) >= 2) and lead_end < 0:
            lead_end = title_end + 1 + lead_length(text, LEAD_CHARS)
        salient = own or in_title or start <= lead_end or _salient_in_body(whole, kept, title_end)
        matches.append(PlatformMatch(platform_id, len(kept), phrase.strip(), contexts.get(platform_id), in_title,
                                     own, salient, start))
    if own_platform is not None and own_platform not in by_platform:
        matches.append(PlatformMatch(own_platform, 0, "", None, False, True, True))
    if len(matches) > 1:
        matches.sort(key=_match_order)
        _headline_first(matches)
    return tuple(matches)


def _salient_in_body(whole: str, kept: list[tuple[int, int, str]], title_end: int) -> bool:
    """Is a platform the title and the lead do not name what the text is about? Named at least twice, and either
    early (in the first third of the text, or its first EARLY_CHARS characters) or at least three times across
    paragraphs; a platform named only further down, in one paragraph or twice, is an example the text gives in
    passing."""
    if len(kept) < 2:
        return False
    start = kept[0][0]
    if start - title_end <= max(EARLY_CHARS, (len(whole) - title_end) / 3):
        return True
    return len(kept) >= 3 and "\n" in whole[start:kept[-1][0]]


def salient_platforms(
    text: str, platforms: Mapping[str, Platform], title: str = "", own_platform: str | None = None
) -> tuple[str, ...]:
    """Ids of the platforms a text is about (not those it mentions in passing), own-feed platform first."""
    return tuple(m.platform for m in attribute(text, platforms, title, own_platform) if m.salient)


def match_platforms(text: str, platforms: Mapping[str, Platform]) -> tuple[str, ...]:
    """Ids of platforms named in `text`, most mentioned first (in passing or not).

    A one-letter or common-word name ("X", "Meta") counts only with context: another alias of the platform
    ("Twitter", "X Corp", "formerly Twitter") or a phrase such as "Meta Platforms" or "a Meta spokesperson".
    """
    if not platforms:
        return ()
    matches = attribute(text, platforms)
    return tuple(m.platform for m in sorted(matches, key=lambda m: (-m.mentions, m.platform)))
