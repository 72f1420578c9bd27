"""News analysis benchmark: platform attribution + language + topics + story grouping of 20,000 synthetic feed
entries over 50 platforms, against feedparser parsing the same entries, measured in the same run.

The entries are written by code (seeded): 50 fictional platforms with aliases, events per platform (each with
its own date, figures, people, product name and topics) reported by several outlets over a few days in English,
French, Spanish and German, syndicated copies, updated articles carrying a spokesperson's statement, platform
newsroom posts, articles naming a platform only in passing, and general articles naming none. They are
rendered as RSS 2.0 feeds of 50 items: an HTML summary in <description>, and for half the outlets the whole
article (3–6 more paragraphs) in <content:encoded>, as real feeds have; `--summaries-only` drops the latter.

Measured in one process:
  (a) baseline: `feedparser.parse(bytes)` of every feed (best of `--rounds`, alternated with (b)'s rounds);
  (b) ours, on the entries as the pipeline reads them (`bot.sources.feed_parser.parse_feed`, not timed), in
      published order: `attribute` (aliases, ambiguity, salience), `detect_language`, `label_topics`,
      `article_item` + `StoryIndex.assign` (best of `--rounds`, each with a fresh index); with `--statements`,
      also `extract_statements` + `summarize` on entries whose platform is known (reported separately);
  (c) peak RSS of the process (ru_maxrss), and the index's size as plain data.
Targets: analysis time / feedparser time < 0.5; peak RSS < 300 MB.
Grouping quality on the synthetic truth (pairwise precision/recall against the generated events) is shown too.

Run from the repository root: python bench/news.py [--entries N] [--platforms P] [--rounds R] [--json]
"""

from __future__ import annotations

import argparse
import gc
import html
import itertools
import json
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
try:
    import bot  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO_ROOT))

import feedparser  # noqa: E402

from bot.core.config import Platform  # noqa: E402
from bot.core.language import detect_language  # noqa: E402
from bot.core.news.entries import FeedEntry  # noqa: E402
from bot.core.news.platforms import attribute  # noqa: E402
from bot.core.news.statements import extract_statements  # noqa: E402
from bot.core.news.stories import StoryIndex, article_item, names_by_platform  # noqa: E402
from bot.core.news.summaries import summarize  # noqa: E402
from bot.core.text import fold  # noqa: E402
from bot.core.topics import label_topics  # noqa: E402
from bot.sources.feed_parser import parse_feed  # noqa: E402

ENTRIES_PER_FEED = 50
ARTICLES_PER_EVENT = 30
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_DAYS = 180

# --- synthetic world -----------------------------------------------------------------------------------

_SYLLABLES = "ta lo mi ra ve no su ka pi ze do fa ri mo lu be ne xi co ga".split()
_FIRST = "Ada Bruno Chloe Dario Elif Farah Goran Hana Ivo Jonas Kemal Lina Mateo Nadia Omar Petra Rafael Sana".split()
_LAST = "Marsh Okafor Lindqvist Moreau Tanaka Herrera Novak Haddad Keller Rossi Duarte Varga Ibsen Costa".split()
_OUTLETS = ["The Circuit Ledger", "Creator Beat", "Sound & Policy Daily", "Morning Bytes", "Pixel Post",
            "Le Fil Numérique", "Écran Libre", "El Cable", "Netz Kurz", "Pressline Wire", "Stage Left",
            "The Upload", "Signal Desk", "Frame Rate", "Indie Wire Room", "Loop Review"]
_LANGUAGE_OF = {"Le Fil Numérique": "fr", "Écran Libre": "fr", "El Cable": "es", "Netz Kurz": "de"}
_MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
}
_EVENTS = {  # topic → (English headline, French, Spanish, German) with {p} the platform and {x} the product
    "ai_training": ("{p} will train AI models on uploads from {x}",
                    "{p} va entraîner ses modèles d'intelligence artificielle sur les contenus de {x}",
                    "{p} entrenará sus modelos de inteligencia artificial con {x}",
                    "{p} will KI-Modelle mit Inhalten aus {x} trainieren"),
    "pricing": ("{p} raises the price of {x}", "{p} augmente le prix de {x}", "{p} sube el precio de {x}",
                "{p} erhöht den Preis von {x}"),
    "data_sharing": ("{p} to share user data from {x} with advertisers",
                     "{p} va partager les données de {x} avec des annonceurs",
                     "{p} compartirá datos de {x} con anunciantes", "{p} will Daten aus {x} mit Werbepartnern teilen"),
    "moderation": ("{p} changes content moderation rules for {x}",
                   "{p} modifie les règles de modération de {x}", "{p} cambia la moderación de {x}",
                   "{p} ändert die Moderation von {x}"),
    "content_licence": ("{p} asks for a perpetual licence to content in {x}",
                        "{p} réclame une licence perpétuelle sur le contenu de {x}",
                        "{p} pide una licencia perpetua sobre el contenido de {x}",
                        "{p} verlangt eine unbefristete Lizenz für Inhalte in {x}"),
}
# Sentences are put together from a subject, a verb and an object per language; {a} {b} {c} are words of the
# event's own vocabulary. Each event draws its own few combinations (its articles share them), so articles about
# different events share only common words, as real ones do.
_PARTS = {
    "en": (("Creators", "Several artists", "Musicians", "Illustrators", "Podcasters", "Independent labels",
            "Trade groups", "Critics", "Lawyers for creators", "Fan communities", "Analysts", "Photographers"),
           ("noticed", "questioned", "criticised", "welcomed", "compared", "discussed", "analysed", "shared",
            "documented", "challenged", "explained", "summarised"),
           ("the {a} change on {d}", "section {s} of the terms", "the {a} rules for {x}", "about {n} {b} accounts",
            "the {c} programme of {x}", "the {b} wording of section {s}", "the {a} clause", "the {c} plan of {who}",
            "archived copies of the {b} page", "the {a} notice sent on {d}", "how {x} handles {c} requests",
            "the {b} dashboard for {x}")),
    "fr": (("Les créateurs", "Plusieurs artistes", "Les musiciens", "Les illustrateurs", "Des juristes",
            "Les critiques", "Des collectifs"),
           ("ont remarqué", "contestent", "ont comparé", "analysent", "saluent", "documentent", "expliquent"),
           ("le changement {a} du {d}", "la section {s} des conditions", "les règles {b} de {x}",
            "environ {n} comptes {c}", "la clause {a}", "le projet {b} de {who}",
            "les copies archivées de la page {c}")),
    "es": (("Los creadores", "Varios artistas", "Los músicos", "Algunos abogados", "Los críticos"),
           ("notaron", "compararon", "cuestionan", "analizan", "explican"),
           ("el cambio {a} del {d}", "la sección {s} de los términos", "las reglas {b} de {x}",
            "unas {n} cuentas {c}", "la cláusula {a}")),
    "de": (("Kreative", "Mehrere Künstler", "Musiker", "Anwälte", "Kritiker"),
           ("bemerkten", "verglichen", "kritisieren", "analysieren", "erklären"),
           ("die Änderung {a} vom {d}", "Abschnitt {s} der Bedingungen", "die Regeln {b} von {x}",
            "rund {n} Konten {c}", "die Klausel {a}")),
}


def _sentence_frames(language: str, rng: random.Random, count: int) -> tuple[str, ...]:
    subjects, verbs, objects = _PARTS[language]
    return tuple(f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}." for _ in range(count))


_FULL_CONTENT_OUTLETS = frozenset(_OUTLETS[::2])  # half the outlets publish whole articles in their feeds
_GENERAL = ("Festival season starts early this year as ticket sales climb in most cities. Promoters expect record "
            "attendance and more outdoor stages. Smaller venues report steady bookings for the spring.")


@dataclass(frozen=True)
class Event:
    platform: Platform
    topic: str
    day: datetime
    product: str
    section: str
    figure: int
    person: str
    vocabulary: dict[str, tuple[str, ...]]  # language → the event's own words
    frames: dict[str, tuple[str, ...]]  # language → the event's own sentence frames


@dataclass(frozen=True)
class Synthetic:
    guid: str
    link: str
    title: str
    html: str
    published: datetime
    outlet: str
    platform: str | None  # own feed
    truth: str  # the event it reports ("general:…" for general articles), for the grouping quality figure
    content: str = ""  # the whole article (HTML) for outlets whose feeds carry it, else ""


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def make_platforms(count: int, rng: random.Random) -> list[Platform]:
    names: set[str] = set()
    platforms: list[Platform] = []
    while len(platforms) < count:
        name = _name(rng) + rng.choice(("ly", "io", "hub", "cast", "art", "tune", "gram", "loop"))
        if name in names:
            continue
        names.add(name)
        aliases = (name, f"{name} Studio") if rng.random() < 0.5 else (name,)
        platforms.append(Platform(name.lower(), name, aliases))
    return platforms


def _date_text(day: datetime, language: str) -> str:
    month = _MONTHS[language][day.month - 1]
    if language == "en":
        return f"{day.day} {month} {day.year}" if day.day % 2 else f"{month} {day.day}, {day.year}"
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def _article(event: Event, language: str, rng: random.Random, statement: bool) -> tuple[str, str, str]:
    """Title, summary (HTML) and whole article (HTML: the summary, more paragraphs, maybe a statement)."""
    headline = _EVENTS[event.topic][("en", "fr", "es", "de").index(language)]
    title = headline.format(p=event.platform.name, x=event.product)
    words = event.vocabulary[language]

    def sentences(count: int) -> str:
        frames = rng.sample(event.frames[language], k=min(len(event.frames[language]), count))
        return " ".join(frame.format(a=rng.choice(words), b=rng.choice(words), c=rng.choice(words), x=event.product,
                                     s=event.section, d=_date_text(event.day, language), who=event.person,
                                     n=f"{event.figure:,}" if language == "en" else f"{event.figure}")
                        for frame in frames)

    lead = f"{title}. " if rng.random() < 0.5 else ""
    summary = f"<p>{html.escape(lead + sentences(rng.randint(2, 3)))}</p>"
    paragraphs = [summary]
    for _ in range(rng.randint(3, 6)):
        background = _sentence_frames(language, rng, 2)  # sentences of the trade, not of this event
        words_now = (rng.choice(words), rng.choice(words), rng.choice(words))
        filler = " ".join(frame.format(a=words_now[0], b=words_now[1], c=words_now[2], x=event.product,
                                       s=event.section, d=_date_text(event.day, language), who=event.person,
                                       n=event.figure) for frame in background)
        paragraphs.append(f"<p>{html.escape(sentences(2) + ' ' + filler)}</p>")
    if statement:
        if language == "fr":
            quote = (f"« Nous ne vendons pas les données de {event.product} », a déclaré un porte-parole de "
                     f"{event.platform.name}.")
        else:
            quote = (f"Update, 2:22 p.m.: In an emailed statement, a {event.platform.name} spokesperson said the "
                     f"company does not sell data from {event.product} and that section {event.section} only "
                     "covers spam detection.")
        paragraphs.append(f"<p><em>{html.escape(quote)}</em></p>")
        summary += f"<p>{html.escape(quote)}</p>"
    if rng.random() < 0.3:
        paragraphs.append(f'<p>Read the <a href="https://{event.platform.id}.example/terms">terms</a>.</p>')
    return title, summary, "".join(paragraphs)


def make_entries(count: int, platforms: Sequence[Platform], seed: int, full_content: bool = True) -> list[Synthetic]:
    """`count` entries: ~80% about platform events (about ARTICLES_PER_EVENT each), the rest passing mentions
    and general news."""
    rng = random.Random(seed)
    events: list[Event] = []
    per_platform = max(1, round(count * 0.8 / len(platforms) / ARTICLES_PER_EVENT))
    for platform in platforms:
        for _ in range(per_platform):
            day = START + timedelta(days=rng.randrange(SPAN_DAYS), hours=rng.randrange(24))
            vocabulary = {language: tuple(_name(rng).lower() + rng.choice(("ment", "ing", "tion", "ity", "er"))
                                          for _ in range(12)) for language in _PARTS}
            frames = {language: _sentence_frames(language, rng, 8) for language in _PARTS}
            events.append(Event(platform, rng.choice(list(_EVENTS)), day,
                                f"{_name(rng)} {rng.choice(('Pro', 'Plus', 'Live', 'Studio', 'Go'))}",
                                f"{rng.randint(2, 14)}.{rng.randint(1, 9)}", rng.randint(1_000, 90_000),
                                f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", vocabulary, frames))
    entries: list[Synthetic] = []
    serial = itertools.count()
    while len(entries) < count:
        roll = rng.random()
        number = next(serial)
        if roll < 0.8:
            event = rng.choice(events)
            outlet = rng.choice(_OUTLETS)
            language = _LANGUAGE_OF.get(outlet, "en")
            published = event.day + timedelta(hours=rng.randrange(1, 96))
            title, summary, full = _article(event, language, rng, statement=rng.random() < 0.1)
            own = rng.random() < 0.05
            content = full if full_content and outlet in _FULL_CONTENT_OUTLETS else ""
            entries.append(Synthetic(f"n{number}", f"https://{outlet.lower().replace(' ', '')}.example/{number}",
                                     title, summary, published, outlet, event.platform.id if own else None,
                                     f"{event.platform.id}:{event.day.isoformat()}", content))
            if rng.random() < 0.05:  # syndicated copy
                entries.append(Synthetic(f"s{number}", f"https://pressline.example/{number}", title, summary,
                                         published + timedelta(hours=2), "Pressline Wire", None,
                                         f"{event.platform.id}:{event.day.isoformat()}", content))
        elif roll < 0.9:
            platform = rng.choice(platforms)
            published = START + timedelta(days=rng.randrange(SPAN_DAYS), hours=rng.randrange(24))
            body = f"<p>{html.escape(_GENERAL)} One promoter sells tickets through {platform.name}.</p>"
            entries.append(Synthetic(f"m{number}", f"https://stageleft.example/{number}", "Festival season starts early",
                                     body, published, "Stage Left", None, f"general:{number}"))
        else:
            published = START + timedelta(days=rng.randrange(SPAN_DAYS), hours=rng.randrange(24))
            entries.append(Synthetic(f"g{number}", f"https://morningbytes.example/{number}", "Morning Bytes",
                                     f"<p>{html.escape(_GENERAL)}</p>", published, "Morning Bytes", None,
                                     f"general:{number}"))
    return entries[:count]


def render_feeds(entries: Sequence[Synthetic]) -> list[tuple[bytes, str, str | None]]:
    """RSS 2.0 feeds of ENTRIES_PER_FEED items: (bytes, outlet, own platform)."""
    feeds: list[tuple[bytes, str, str | None]] = []
    groups: dict[tuple[str, str | None], list[Synthetic]] = {}
    for entry in entries:
        groups.setdefault((entry.outlet, entry.platform), []).append(entry)
    for (outlet, platform), items in groups.items():
        for start in range(0, len(items), ENTRIES_PER_FEED):
            parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                     'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
                     f"<title>{html.escape(outlet)}</title><link>https://feeds.example/</link>"
                     "<description>synthetic</description>"]
            for item in items[start:start + ENTRIES_PER_FEED]:
                parts.append(
                    f"<item><title>{html.escape(item.title)}</title><link>{item.link}</link>"
                    f'<guid isPermaLink="false">{item.guid}</guid><pubDate>{format_datetime(item.published)}</pubDate>'
                    f"<description>{html.escape(item.html)}</description>"
                    + (f"<content:encoded>{html.escape(item.content)}</content:encoded>" if item.content else "")
                    + "</item>"
                )
            parts.append("</channel></rss>")
            feeds.append(("".join(parts).encode("utf-8"), outlet, platform))
    return feeds


# --- measurement ---------------------------------------------------------------------------------------


def best_of(rounds: int, function: Callable[[], Any]) -> tuple[float, list[float], Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def interleaved(rounds: int, baseline: Callable[[], Any], ours: Callable[[], Any]
                ) -> tuple[tuple[float, list[float], Any], tuple[float, list[float], Any]]:
    """Best of `rounds` of each side, the rounds alternated (baseline, ours, baseline, …): a slow spell of a
    shared machine then slows both sides rather than one."""
    base_times: list[float] = []
    our_times: list[float] = []
    base_result: Any = None
    our_result: Any = None
    for _ in range(rounds):
        for times, function in ((base_times, baseline), (our_times, ours)):
            gc.collect()
            start = time.perf_counter()
            value = function()
            times.append(time.perf_counter() - start)
            if function is baseline:
                base_result = value
            else:
                our_result = value
    return (min(base_times), base_times, base_result), (min(our_times), our_times, our_result)


def parse_with_feedparser(feeds: Sequence[tuple[bytes, str, str | None]]) -> int:
    return sum(len(feedparser.parse(body).entries) for body, _, _ in feeds)


@dataclass(frozen=True)
class Parsed:
    entry: FeedEntry
    outlet: str
    own: str | None
    published: datetime


def parsed_entries(feeds: Sequence[tuple[bytes, str, str | None]]) -> list[Parsed]:
    found: list[Parsed] = []
    for body, outlet, own in feeds:
        for entry in parse_feed(body, "https://feeds.example/feed.xml").entries:
            published = datetime.fromisoformat(entry.published) if entry.published else START
            found.append(Parsed(entry, outlet, own, published))
    found.sort(key=lambda p: p.published)
    return found


def analyse(entries: Sequence[Parsed], platforms: dict[str, Platform]) -> tuple[StoryIndex, list[str]]:
    """The timed work: attribution, language, topics and story grouping of every entry, in published order."""
    index = StoryIndex(platform_names=names_by_platform(platforms.values()))
    stories: list[str] = []
    for parsed in entries:
        entry = parsed.entry
        text = entry.text[:20_000]
        head = f"{entry.title}\n{text}"
        folded = fold(head)  # once, for attribution, language and topics
        matches = attribute(text, platforms, title=entry.title, own_platform=parsed.own, folded=folded)
        salient = [m.platform for m in matches if m.salient]
        language = detect_language(head, folded)
        topics = label_topics(head, folded)
        item = article_item(entry.identity, entry.title, text, parsed.published, salient, link=entry.link,
                            source=parsed.outlet, outlet=parsed.outlet, language=language, topics=topics,
                            own_feed=parsed.own is not None)
        stories.append(index.assign(item).story)
    return index, stories


def statements_pass(entries: Sequence[Parsed], platforms: dict[str, Platform]) -> int:
    found = 0
    for parsed in entries:
        entry = parsed.entry
        matches = attribute(entry.text, platforms, title=entry.title, own_platform=parsed.own)
        if not matches:
            continue
        main = platforms[matches[0].platform]
        names = [main.name, *main.aliases]
        for statement in extract_statements(entry.text, names, title=entry.title, own_feed=parsed.own is not None):
            summarize(statement)
            found += 1
    return found


def grouping_quality(entries: Sequence[Parsed], stories: Sequence[str], truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision/recall of the stories against the generated events (platform entries only)."""
    by_story: dict[str, list[str]] = {}
    by_truth: dict[str, list[str]] = {}
    for parsed, story in zip(entries, stories, strict=True):
        label = truth.get(parsed.entry.identity, "")
        if label.startswith("general:") or not label:
            continue
        by_story.setdefault(story, []).append(label)
        by_truth.setdefault(label, []).append(story)
    pairs = lambda n: n * (n - 1) // 2  # noqa: E731
    predicted = sum(pairs(len(labels)) for labels in by_story.values())
    true_pairs = sum(pairs(len(members)) for members in by_truth.values())
    agreeing = 0
    for labels in by_story.values():
        counts: dict[str, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        agreeing += sum(pairs(c) for c in counts.values())
    return (agreeing / predicted if predicted else 1.0, agreeing / true_pairs if true_pairs else 1.0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    platform_list = make_platforms(args.platforms, rng)
    platforms = {p.id: p for p in platform_list}
    synthetic = make_entries(args.entries, platform_list, args.seed, full_content=not args.summaries_only)
    truth = {s.guid: s.truth for s in synthetic}
    feeds = render_feeds(synthetic)
    feed_bytes = sum(len(body) for body, _, _ in feeds)
    entries = parsed_entries(feeds)
    rss_before = peak_rss_mb()
    (parse_best, parse_times, parsed_count), (ours_best, ours_times, (index, stories)) = interleaved(
        args.rounds, lambda: parse_with_feedparser(feeds), lambda: analyse(entries, platforms))
    precision, recall = grouping_quality(entries, stories, truth)
    plain = json.dumps(index.to_dict())
    result: dict[str, Any] = {
        "entries": len(entries),
        "whole_articles": not args.summaries_only,
        "average_text_chars": round(sum(len(p.entry.text) for p in entries) / len(entries)),
        "platforms": len(platforms),
        "feeds": len(feeds),
        "feed_megabytes": round(feed_bytes / 1e6, 1),
        "feedparser_seconds": round(parse_best, 3),
        "feedparser_entries_per_second": round(parsed_count / parse_best),
        "analysis_seconds": round(ours_best, 3),
        "analysis_entries_per_second": round(len(entries) / ours_best),
        "analysis_microseconds_per_entry": round(ours_best / len(entries) * 1e6, 1),
        "ratio_analysis_to_parse": round(ours_best / parse_best, 3),
        "ratio_target": 0.5,
        "rounds": {"feedparser": [round(t, 3) for t in parse_times], "analysis": [round(t, 3) for t in ours_times]},
        "stories": len(index.stories),
        "events_generated": len({t for t in truth.values() if not t.startswith("general:")}),
        "grouping_precision_vs_generated": round(precision, 3),
        "grouping_recall_vs_generated": round(recall, 3),
        "index_json_megabytes": round(len(plain) / 1e6, 1),
        "peak_rss_mb_before_timing": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_target_mb": 300,
    }
    if args.statements:
        seconds, _, found = best_of(1, lambda: statements_pass(entries, platforms))
        result["statements_found"] = found
        result["statements_seconds"] = round(seconds, 3)
        result["ratio_with_statements"] = round((ours_best + seconds) / parse_best, 3)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=20_000, help="entries (default 20000)")
    parser.add_argument("--platforms", type=int, default=50, help="platforms (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each side; the best is kept (default 3)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--statements", action="store_true", help="also time statement extraction + summaries")
    parser.add_argument("--summaries-only", action="store_true", help="no whole articles in the feeds")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    result = run(args)
    ok = result["ratio_analysis_to_parse"] < 0.5 and result["peak_rss_mb"] < 300
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['entries']} entries, {result['platforms']} platforms, {result['feeds']} feeds "
              f"({result['feed_megabytes']} MB of RSS; text {result['average_text_chars']} characters on average, "
              f"{'half with whole articles' if result['whole_articles'] else 'summaries only'})")
        print(f"feedparser.parse:  {result['feedparser_seconds']} s  "
              f"({result['feedparser_entries_per_second']} entries/s)   rounds {result['rounds']['feedparser']}")
        print(f"analysis:          {result['analysis_seconds']} s  ({result['analysis_entries_per_second']} entries/s, "
              f"{result['analysis_microseconds_per_entry']} µs/entry)   rounds {result['rounds']['analysis']}")
        print(f"ratio analysis/parse: {result['ratio_analysis_to_parse']} (target < 0.5)")
        print(f"stories: {result['stories']} for {result['events_generated']} generated events; grouping vs generated: "
              f"precision {result['grouping_precision_vs_generated']}, recall {result['grouping_recall_vs_generated']}")
        print(f"index as JSON: {result['index_json_megabytes']} MB")
        print(f"peak RSS: {result['peak_rss_mb']} MB (target < 300 MB; {result['peak_rss_mb_before_timing']} MB "
              "before timing)")
        if args.statements:
            print(f"statements: {result['statements_found']} found in {result['statements_seconds']} s; ratio with "
                  f"statements {result['ratio_with_statements']}")
        print("targets met" if ok else "TARGET MISSED")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
