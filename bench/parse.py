"""Feed parsing benchmark: what `parse_feed` costs per feed next to feedparser, and what it makes of the
malformed fixtures.

`parse_feed` is feedparser (sanitizing and URI rewriting of embedded HTML turned off, since only the text of
that HTML is kept) plus the mapping of its result to plain-text entries (`html_to_text` of every HTML field).
Timed per feed, best of --repeat rounds, on the ~40 KB, 20-item synthetic feeds of the poll benchmarks:

    feedparser            feedparser.parse(stream) with its defaults: what a plain script does
    feedparser (ours)     feedparser.parse with the options parse_feed passes
    parse_feed            the above plus the mapping to FeedEntry

No target: the cost that counts is the whole cycle's (`cycle.py`). Then, for each tests/fixtures/feeds/malformed*
file, the entries parse_feed yields or the error it raises; the exit status is 1 when a malformed fixture that is
a feed yields no entries.

Run from the repository root: python bench/parse.py [--feeds N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if importlib.util.find_spec("bot") is None:
    sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402
from synthetic_feeds import TEMPLATES, feed_body, feed_template  # noqa: E402

from bot.core.news.entries import FeedParseError  # noqa: E402
from bot.sources.feed_parser import parse_feed  # noqa: E402

FEED_URL = "https://bench.example/feed.xml"
MALFORMED_DIR = ROOT / "tests" / "fixtures" / "feeds"
NOT_FEEDS = {"malformed_empty.xml", "malformed_html_page.html", "malformed_not_xml.json"}

CONTENDERS: dict[str, Callable[[bytes], object]] = {
    "feedparser": lambda body: feedparser.parse(io.BytesIO(body)),
    "feedparser (ours)": lambda body: feedparser.parse(io.BytesIO(body), sanitize_html=False,
                                                       resolve_relative_uris=False),
    "parse_feed": lambda body: parse_feed(body, FEED_URL),
}


def per_feed_seconds(bodies: Sequence[bytes], repeat: int) -> dict[str, float]:
    """Per-feed seconds of each contender: the best of `repeat` rounds over all bodies, rounds interleaved so
    that every contender sees the same machine load."""
    best = dict.fromkeys(CONTENDERS, float("inf"))
    for _ in range(repeat):
        for name, function in CONTENDERS.items():
            gc.collect()
            started = time.perf_counter()
            for body in bodies:
                function(body)
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: seconds / len(bodies) for name, seconds in best.items()}


def malformed_report() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(MALFORMED_DIR.glob("malformed*")):
        try:
            outcome, entries = "entries", len(parse_feed(path.read_bytes(), FEED_URL).entries)
        except FeedParseError as error:
            outcome, entries = f"FeedParseError: {error}", 0
        expected = "FeedParseError" if path.name in NOT_FEEDS else "entries"
        rows.append({"file": path.name, "outcome": outcome, "entries": entries,
                     "as_expected": outcome.startswith(expected) and (expected != "entries" or entries > 0)})
    return rows


def run(feeds: int, repeat: int) -> dict[str, Any]:
    bodies = [feed_body(feed_template(index % TEMPLATES, 1, 2), index) for index in range(feeds)]
    timings = per_feed_seconds(bodies, repeat)
    return {
        "feeds": feeds,
        "mean_feed_bytes": round(sum(map(len, bodies)) / len(bodies)),
        "repeat": repeat,
        "per_feed_ms": {name: round(seconds * 1e3, 3) for name, seconds in timings.items()},
        "parse_feed_over_feedparser": round(timings["parse_feed"] / timings["feedparser"], 2),
        "malformed": malformed_report(),
    }


def print_table(report: dict[str, Any]) -> None:
    print(f"{report['feeds']} synthetic RSS feeds of ~{report['mean_feed_bytes'] / 1000:.1f} KB, 20 items each "
          f"(best of {report['repeat']})")
    print(f"{'':<20}{'ms/feed':>10}")
    for name, milliseconds in report["per_feed_ms"].items():
        print(f"{name:<20}{milliseconds:>10.3f}")
    print(f"parse_feed / feedparser with its defaults: {report['parse_feed_over_feedparser']}")
    print()
    print(f"{'malformed fixture':<34}{'entries':>8}  outcome")
    for row in report["malformed"]:
        flag = "" if row["as_expected"] else "   <- UNEXPECTED"
        print(f"{row['file']:<34}{row['entries']:>8}  {row['outcome'][:70]}{flag}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=100, help="synthetic feeds (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="timing rounds; the best counts (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.repeat < 1:
        parser.error("--feeds and --repeat must be at least 1")
    report = run(args.feeds, args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0 if all(row["as_expected"] for row in report["malformed"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
