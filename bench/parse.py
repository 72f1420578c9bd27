"""Feed parsing benchmark: per-feed time of (a) a bare lxml bound (`lxml.etree.fromstring` plus XPath of each
item's title, link, guid, description and pubDate), (b) our `parse_feed`, (c) plain `feedparser.parse(bytes)` on a
subset (extrapolated per feed), on N synthetic, seeded, well-formed ~40 KB RSS 2.0 feeds generated in memory;
then whether each tests/fixtures/feeds/malformed* file yields the same result as the feedparser path.

Run from the repo root: python bench/parse.py [--feeds N] [--entries M] [--repeat R] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO_ROOT = Path(__file__).resolve().parent.parent
try:
    import bot  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO_ROOT))

import feedparser  # noqa: E402
from lxml import etree  # noqa: E402

from bot.core.news.entries import FeedParseError, ParsedFeed  # noqa: E402
from bot.sources.feed_parser import FastPathDeclined, parse_fast, parse_feed, parse_with_feedparser  # noqa: E402

FEED_BYTES = 40_000
FEED_URL = "https://bench.example/feed.xml"
MALFORMED_DIR = REPO_ROOT / "tests" / "fixtures" / "feeds"

_WORDS = (
    "platform terms creators monetisation policy update clause licence revenue share appeal notice payout "
    "threshold content moderation copyright claim takedown partner programme eligibility subscribers channel "
    "advertising disclosure sponsorship marketplace seller fees refund arbitration jurisdiction data training "
    "opt-out consent archive effective date section paragraph amendment summary review community guidelines"
).split()
_TOPICS = ("Video platform", "Marketplace", "Podcast host", "Newsletter service", "Photo community",
           "Streaming site", "Membership platform", "Music distributor")


# ----------------------------------------------------------------------------------------------------------------
# Synthetic feeds


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def _description_html(rng: random.Random, budget: int) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < budget:
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.5:
            link = f"https://bench.example/docs/{rng.randint(1, 999)}"
            sentences[0] = f'{sentences[0]} See <a href="{link}">the diff</a>.'
        if rng.random() < 0.4:
            sentences[-1] = f"<strong>{sentences[-1]}</strong> It&#8217;s effective 1&nbsp;April &amp; after."
        paragraph = "<p>" + " ".join(sentences) + "</p>"
        paragraphs.append(paragraph)
        size += len(paragraph)
    return "".join(paragraphs)


def synthetic_feed(seed: int, entries: int) -> bytes:
    """One deterministic, well-formed RSS 2.0 feed of about FEED_BYTES bytes."""
    rng = random.Random(seed)
    per_item = max(200, FEED_BYTES // max(entries, 1) - 660)  # the rest of an item is ~660 bytes
    items: list[str] = []
    for index in range(entries):
        day = 1 + (seed + index) % 28
        title = f"{rng.choice(_TOPICS)} changes its {rng.choice(_WORDS)} {rng.choice(_WORDS)} rules ({seed}-{index})"
        description = _description_html(rng, per_item)
        use_cdata = rng.random() < 0.5
        body = f"<![CDATA[{description}]]>" if use_cdata else escape(description)
        items.append(
            "    <item>\n"
            f"      <title>{escape(title)}</title>\n"
            f"      <link>https://bench.example/{seed}/{index}/</link>\n"
            f'      <guid isPermaLink="false">bench-{seed}-{index}</guid>\n'
            f"      <pubDate>{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day % 7]}, "
            f"{day:02d} Feb 2024 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 +0000</pubDate>\n"
            f"      <dc:creator>{rng.choice(('Mara Lindqvist', 'Jonas Achterberg', 'Priya Raman'))}</dc:creator>\n"
            f"      <category>{rng.choice(_WORDS)}</category>\n"
            f"      <description>{body}</description>\n"
            "    </item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "  <channel>\n"
        f"    <title>Bench feed {seed}</title>\n"
        f"    <link>https://bench.example/{seed}/</link>\n"
        f'    <atom:link href="{FEED_URL}" rel="self" type="application/rss+xml"/>\n'
        "    <description>Synthetic policy news for the parser benchmark.</description>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    ).encode("utf-8")


# ----------------------------------------------------------------------------------------------------------------
# The three contenders

_ITEMS = etree.XPath("/rss/channel/item")
_FIELDS = tuple(etree.XPath(f"string({name})") for name in ("title", "link", "guid", "description", "pubDate"))


def lxml_bound(body: bytes) -> list[tuple[Any, ...]]:
    """The floor: parse and pull the five raw item fields, no cleaning at all."""
    root = etree.fromstring(body)
    return [tuple(field(item) for field in _FIELDS) for item in _ITEMS(root)]


def ours(body: bytes) -> ParsedFeed:
    return parse_feed(body, FEED_URL)


def plain_feedparser(body: bytes) -> Any:
    return feedparser.parse(io.BytesIO(body))


def per_feed_seconds(contenders: dict[str, Callable[[bytes], object]], bodies: Sequence[bytes],
                     repeat: int) -> dict[str, float]:
    """Per-feed seconds of each contender: the best of `repeat` rounds over all bodies. Rounds are interleaved,
    so that every contender sees the same machine load (this box is shared)."""
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeat):
        for name, function in contenders.items():
            gc.collect()
            start = time.perf_counter()
            for body in bodies:
                function(body)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: seconds / len(bodies) for name, seconds in best.items()}


# ----------------------------------------------------------------------------------------------------------------
# Malformed corpus


def _outcome(function: Callable[[bytes, str], ParsedFeed], body: bytes) -> ParsedFeed | str:
    try:
        return dataclasses.replace(function(body, FEED_URL), parser="-")
    except FeedParseError as error:
        return f"FeedParseError: {error}"


def malformed_report() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(MALFORMED_DIR.glob("malformed*")):
        body = path.read_bytes()
        try:
            parse_fast(body, FEED_URL)
            declined = ""
        except FastPathDeclined as reason:
            declined = str(reason)
        try:
            parser = parse_feed(body, FEED_URL).parser
        except FeedParseError:
            parser = "FeedParseError"
        ours_result = _outcome(parse_feed, body)
        reference = _outcome(parse_with_feedparser, body)
        rows.append({
            "file": path.name,
            "parser": parser,
            "fast_path_declined": declined,
            "entries": len(ours_result.entries) if isinstance(ours_result, ParsedFeed) else 0,
            "same_as_feedparser": ours_result == reference,
        })
    return rows


# ----------------------------------------------------------------------------------------------------------------


def run(feeds: int, entries: int, repeat: int, seed: int, feedparser_sample: int) -> dict[str, Any]:
    bodies = [synthetic_feed(seed + index, entries) for index in range(feeds)]
    paths = {parse_feed(body, FEED_URL).parser for body in bodies}
    sample = bodies[: max(1, min(feedparser_sample, feeds))]
    timings = per_feed_seconds({"lxml_bound": lxml_bound, "parse_feed": ours}, bodies, repeat)
    bound, ours_time = timings["lxml_bound"], timings["parse_feed"]
    feedparser_time = per_feed_seconds({"feedparser": plain_feedparser}, sample, 1)["feedparser"]
    return {
        "feeds": feeds,
        "entries_per_feed": entries,
        "mean_feed_bytes": round(statistics.fmean(len(body) for body in bodies)),
        "repeat": repeat,
        "feedparser_sample": len(sample),
        "our_paths": sorted(paths),
        "per_feed_ms": {
            "lxml_bound": round(bound * 1e3, 3),
            "parse_feed": round(ours_time * 1e3, 3),
            "feedparser": round(feedparser_time * 1e3, 3),
        },
        "ratio_vs_lxml": {
            "parse_feed": round(ours_time / bound, 2),
            "feedparser": round(feedparser_time / bound, 2),
        },
        "malformed": malformed_report(),
    }


def print_table(report: dict[str, Any]) -> None:
    times, ratios = report["per_feed_ms"], report["ratio_vs_lxml"]
    print(f"{report['feeds']} synthetic RSS feeds, {report['entries_per_feed']} items, "
          f"~{report['mean_feed_bytes'] / 1000:.1f} KB each (best of {report['repeat']}; "
          f"feedparser on {report['feedparser_sample']} feeds); "
          f"parse_feed took path(s): {', '.join(report['our_paths'])}")
    print(f"{'':<14}{'ms/feed':>10}{'x lxml':>9}")
    print(f"{'lxml bound':<14}{times['lxml_bound']:>10.3f}{1:>9.2f}")
    print(f"{'parse_feed':<14}{times['parse_feed']:>10.3f}{ratios['parse_feed']:>9.2f}")
    print(f"{'feedparser':<14}{times['feedparser']:>10.3f}{ratios['feedparser']:>9.2f}")
    print()
    print(f"{'malformed fixture':<34}{'path':<16}{'entries':>8}  {'same as feedparser':<20}why the fast path declined")
    for row in report["malformed"]:
        same = "yes" if row["same_as_feedparser"] else "NO"
        print(f"{row['file']:<34}{row['parser']:<16}{row['entries']:>8}  {same:<20}{row['fast_path_declined'][:60]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=200, help="synthetic feeds to generate (default 200)")
    parser.add_argument("--entries", type=int, default=25, help="items per feed (default 25)")
    parser.add_argument("--repeat", type=int, default=5, help="timing rounds; the best counts (default 5)")
    parser.add_argument("--seed", type=int, default=20240214, help="generator seed")
    parser.add_argument("--feedparser-sample", type=int, default=20, help="feeds timed with plain feedparser")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.entries < 1 or args.repeat < 1:
        parser.error("--feeds, --entries and --repeat must be at least 1")
    report = run(args.feeds, args.entries, args.repeat, args.seed, args.feedparser_sample)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0 if all(row["same_as_feedparser"] for row in report["malformed"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
