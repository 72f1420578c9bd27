"""Real-material benchmark: terms changes and news coverage the project never wrote, judged by the code paths
the pipeline posts from, scored against our own labels in bench/realworld/{terms,news}.yaml.

Run from the repository root after building the cache (see bench/realworld/README.md):
  python bench/realworld.py terms [--json] [--show-misses]
  python bench/realworld.py news [--json] [--show-misses]

terms: every labelled pair of consecutive versions (Open Terms Archive histories) goes through the pipeline's
  judgement of a new version (`bot.core.terms.verdict.judge_version`: not-the-document checks, noise folding,
  clause diff). An alert is a verdict of kind "change" (what becomes a `terms_change` post). Reported: recall on
  substantive pairs, false alerts on noise pairs, per noise class and per language.
news: every labelled article (stored public pages) is fed, in published order, to the pipeline's StoryDesk as a
  new entry of a feed named after its outlet (platform attribution, statements, story grouping). Reported:
  attribution precision/recall, pairwise grouping precision/recall, threads per story, statement
  precision/recall, per language.
Targets (issue 11): terms recall >= 0.98, false alerts <= 2 % of noise; attribution P >= 0.97, R >= 0.95;
grouping P >= 0.95, R >= 0.85; <= 1.15 threads per story; statements P >= 0.9, R >= 0.9.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.config import Config, parse_config  # noqa: E402
from bot.core.language import detect_language  # noqa: E402
from bot.core.news.entries import FeedEntry  # noqa: E402
from bot.sources.document_text import ExtractionError  # noqa: E402

HERE = ROOT / "bench" / "realworld"
CACHE = HERE / ".cache"
TARGETS = {
    "terms_recall": (">=", 0.98), "false_alert_rate": ("<=", 0.02),
    "attribution_precision": (">=", 0.97), "attribution_recall": (">=", 0.95),
    "grouping_precision": (">=", 0.95), "grouping_recall": (">=", 0.85), "threads_per_story": ("<=", 1.15),
    "statement_precision": (">=", 0.9), "statement_recall": (">=", 0.9),
}


def in_split(key: str, split: str) -> bool:
    """`dev` and `holdout` halves of a corpus, by a stable hash of `key` (a news event, a terms service), so that
    rules tuned on `dev` are checked on material they were not tuned on; `all` is both."""
    if split == "all":
        return True
    half = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 2
    return half == (0 if split == "dev" else 1)


def ratio(good: int, total: int) -> float | None:
    return round(good / total, 3) if total else None


def verdict_of(value: float | None, name: str) -> str:
    if value is None or name not in TARGETS:
        return ""
    op, bound = TARGETS[name]
    ok = value >= bound if op == ">=" else value <= bound
    return f"  (target {op} {bound}: {'met' if ok else 'NOT met'})"


# --- terms ---------------------------------------------------------------------------------------------------


def read_version(path: Path) -> str:
    """A cached version as the pipeline reads a Markdown document: through `extract_text` with a `.md` name."""
    from bot.sources.document_text import extract_text

    return extract_text(path.read_bytes(), content_type="text/markdown", name=path.name)


def judge_pair(old_text: str, new_text: str, earlier: Sequence[str], doc_type: str | None = None
               ) -> tuple[str, str, tuple[str, ...]]:
    """(kind, reason, topics) of the new version after the old one, as the pipeline judges it: a text it stored
    before (any earlier version of the document: a flip-flop between variants) is recorded, never posted
    (`Poller._process_document`'s `seen_before`); otherwise the verdict decides. The topics are the posted
    message's: the clauses' and the document type's (`clause_change_message`)."""
    from bot.core.terms.clause_topics import change_topics
    from bot.core.terms.documents import normalize
    from bot.core.terms.verdict import judge_version

    verdict = judge_version(old_text, new_text)
    if verdict.kind == "change":
        stored = {normalize(text).hash for text in earlier}
        if normalize(new_text).hash in stored:
            return "noise", "a text stored before (an earlier version recurs)", ()
        return verdict.kind, verdict.reason, change_topics(verdict.changes, doc_type)
    return verdict.kind, verdict.reason, tuple(verdict.topics)


def document_type(path: str) -> str:
    """The terms type of an archive path, "<Service>/<Terms type>.md"."""
    return path.rsplit("/", 1)[-1].removesuffix(".md")


def earlier_versions(pair_id: str, cache: Path = CACHE) -> list[str]:
    folder = cache / "terms" / f"{pair_id}.earlier"
    return [read_version(path) for path in sorted(folder.glob("*.md"))] if folder.is_dir() else []


def blind_files(kind: str, blind: int) -> tuple[Path, Path]:
    """The manifest and cache folder of a corpus: the development one (0) or blind corpus 1 to 7 (3 to 7: terms
    only)."""
    if not blind:
        return HERE / f"{kind}.yaml", CACHE
    suffix = "" if blind == 1 else str(blind)
    return HERE / f"{kind}-blind{suffix}.yaml", CACHE / f"blind{suffix}"


def run_terms(show: bool, split: str = "all", blind: int = 0) -> dict[str, Any]:
    manifest, cache = blind_files("terms", blind)
    pairs = yaml.safe_load(manifest.read_text(encoding="utf-8"))["pairs"]
    pairs = [p for p in pairs if in_split(f"{p['repo']}/{p['path'].split('/', 1)[0]}", split)]
    missing = [p["id"] for p in pairs if not (cache / "terms" / f"{p['id']}.new.md").exists()]
    if missing:
        raise SystemExit(f"{len(missing)} pairs are not cached (first: {missing[0]}): "
                         "run python bench/realworld/corpus.py terms")
    by_class: dict[str, list[bool]] = defaultdict(list)
    by_language: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    topic_hits = topic_total = 0
    posted = labelled = both = 0  # topics posted, topics labelled, and those in both (alerted labelled pairs)
    misses: list[str] = []
    for pair in pairs:
        old = read_version(cache / "terms" / f"{pair['id']}.old.md")
        try:
            new = read_version(cache / "terms" / f"{pair['id']}.new.md")
        except ExtractionError as error:  # the poller records a source problem, keeps its baseline, posts nothing
            new, (kind, reason, topics) = "", ("not_document", f"extraction refused: {error}", ())
        else:
            kind, reason, topics = judge_pair(old, new, earlier_versions(pair["id"], cache), document_type(pair["path"]))
        alert = kind == "change"
        language = detect_language(new[:4000] or old[:4000])
        if pair["label"] == "substantive":
            by_class["substantive"].append(alert)
            by_language[language]["substantive"].append(alert)
            wanted = set(pair.get("topics") or ())
            if wanted and alert:
                topic_total += 1
                topic_hits += bool(wanted & set(topics))
                posted, labelled, both = posted + len(set(topics)), labelled + len(wanted), both + len(wanted & set(topics))
            if not alert:
                misses.append(f"MISS  {pair['id']} {pair['path']} ({kind}: {reason}) — {pair.get('why', '')}")
        else:
            by_class[pair["class"]].append(alert)
            by_language[language]["noise"].append(alert)
            if alert:
                misses.append(f"FALSE {pair['id']} [{pair['class']}] {pair['path']} ({reason}) — {pair.get('why', '')}")
    substantive = by_class.pop("substantive", [])
    noise = [alert for alerts in by_class.values() for alert in alerts]
    report = {
        "pairs": len(pairs), "substantive": len(substantive), "noise": len(noise),
        "terms_recall": ratio(sum(substantive), len(substantive)),
        "false_alert_rate": ratio(sum(noise), len(noise)),
        "false_alerts": sum(noise),
        "topic_agreement": ratio(topic_hits, topic_total),
        "topic_precision": ratio(both, posted),
        "topic_recall": ratio(both, labelled),
        "noise_classes": {name: {"pairs": len(alerts), "false_alerts": sum(alerts)}
                          for name, alerts in sorted(by_class.items())},
        "languages": {lang: {"substantive": len(v["substantive"]), "recall": ratio(sum(v["substantive"]), len(v["substantive"])),
                             "noise": len(v["noise"]), "false_alerts": sum(v["noise"])}
                      for lang, v in sorted(by_language.items())},
    }
    if show:
        report["misses"] = misses
    return report


def print_terms(report: dict[str, Any]) -> None:
    print(f"[{report['split']}] Terms: {report['pairs']} real version pairs "
          f"({report['substantive']} substantive, {report['noise']} noise)")
    print(f"  recall on substantive changes: {report['terms_recall']}{verdict_of(report['terms_recall'], 'terms_recall')}")
    print(f"  false alerts on noise: {report['false_alerts']} of {report['noise']} = {report['false_alert_rate']}"
          f"{verdict_of(report['false_alert_rate'], 'false_alert_rate')}")
    print(f"  topic agreement (an expected topic among those labelled, alerted substantive pairs with topics): "
          f"{report['topic_agreement']}; posted topics: precision {report['topic_precision']}, "
          f"recall {report['topic_recall']}")
    print("  per noise class:")
    for name, row in report["noise_classes"].items():
        print(f"    {name:<18} {row['pairs']:>4} pairs  {row['false_alerts']:>3} false alerts")
    print("  per language:")
    for lang, row in report["languages"].items():
        print(f"    {lang:<4} substantive {row['substantive']:>4} recall {row['recall']}   noise {row['noise']:>4} "
              f"false alerts {row['false_alerts']}")
    for line in report.get("misses", []):
        print("  " + line)


# --- news ----------------------------------------------------------------------------------------------------


def outlet_of(url: str) -> str:
    host = urlsplit(url).hostname or "unknown"
    return host.removeprefix("www.")


def news_config(manifest: dict[str, Any], outlets: Iterable[str]) -> Config:
    """The repository's platforms (names and aliases only) plus the manifest's, and one feed per outlet."""
    seed = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    platforms: dict[str, Any] = {}
    # A platform the manifest declares (Meta) takes its names away from the repository's (Facebook's alias
    # "Meta"), as a user watching both would configure them.
    claimed = {name.casefold() for spec in (manifest.get("platforms") or {}).values()
               for name in (spec.get("name", ""), *(spec.get("aliases") or ()))}
    for pid, spec in (seed.get("platforms") or {}).items():
        aliases = [a for a in spec.get("aliases") or () if a.casefold() not in claimed]
        platforms[pid] = {"name": spec.get("name", pid), **({"aliases": aliases} if aliases else {})}
    for pid, spec in (manifest.get("platforms") or {}).items():
        platforms[pid] = {"name": spec.get("name", pid), **({"aliases": spec["aliases"]} if spec.get("aliases") else {})}
    feeds = [{"id": f"outlet-{n}", "url": f"https://{host}/feed.xml"} for n, host in enumerate(outlets)]
    # A platform's newsroom posts come from its own feed, as a user configures it (`platforms.<id>.feeds`)
    for article in manifest["articles"]:
        if article.get("source") == "newsroom" and article.get("platform") in platforms:
            own = platforms[article["platform"]].setdefault("feeds", [])
            url = f"https://{outlet_of(article['url'])}/newsroom.xml"
            if {"url": url} not in own:
                own.append({"url": url})
    text = yaml.safe_dump({"storage": str(CACHE / "unused-storage"), "platforms": platforms, "feeds": feeds,
                           "channels": [{"id": "console", "console": True}]}, allow_unicode=True, sort_keys=False)
    return parse_config(text, HERE / "news-config.yaml")


@dataclass
class Outcome:
    article: dict[str, Any]
    platform: str | None
    thread: str
    statements: int
    note: str | None
    messages: list[str] = field(default_factory=list)


def published(article: dict[str, Any]) -> datetime:
    value = str(article.get("published") or "2000-01-01")
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(hour=12, tzinfo=UTC)


async def place_all(config: Config, articles: Sequence[dict[str, Any]], outlets: dict[str, str]) -> list[Outcome]:
    from bot.pipeline.story_desk import StoryDesk

    desk = StoryDesk(config)
    specs = {spec.url: spec for spec in config.sources() if spec.kind == "feed"}
    outcomes = []
    for article in sorted(articles, key=lambda a: (published(a), a["id"])):
        host = outlet_of(article["url"])
        own = f"https://{host}/newsroom.xml"
        spec = specs[own] if article.get("source") == "newsroom" and own in specs else specs[f"https://{host}/feed.xml"]
        when = published(article)
        entry = FeedEntry(guid=article["url"], link=article["url"], title=article.get("title") or "",
                          summary=article.get("text") or "", published=when.isoformat())
        placement = await desk.place_entry(spec, host, entry, None, True, when.isoformat(), when)
        outcomes.append(Outcome(article, placement.platform, placement.thread, len(placement.statements),
                                placement.note, [m.event for m in placement.messages]))
    return outcomes


def pairwise(groups_true: dict[str, str], groups_pred: dict[str, str]) -> tuple[float | None, float | None]:
    ids = sorted(groups_true)
    true_pairs = {(a, b) for a, b in combinations(ids, 2) if groups_true[a] == groups_true[b]}
    pred_pairs = {(a, b) for a, b in combinations(ids, 2) if groups_pred[a] == groups_pred[b]}
    both = len(true_pairs & pred_pairs)
    return ratio(both, len(pred_pairs)), ratio(both, len(true_pairs))


def wave_labels(articles: Sequence[dict[str, Any]], window_seconds: float) -> dict[str, str]:
    """Article id → "<event>#<wave>": an event's articles in date order, a new wave after a gap over the window."""
    labels: dict[str, str] = {}
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for article in articles:
        by_event[article["event"]].append(article)
    for event, group in by_event.items():
        wave, last = 0, None
        for article in sorted(group, key=published):
            moment = published(article)
            if last is not None and (moment - last).total_seconds() > window_seconds:
                wave += 1
            labels[article["id"]] = f"{event}#{wave}"
            last = moment
    return labels


def grouping_ceiling(blind: int = 0, days: Sequence[int] = (14, 30, 60)) -> dict[str, Any]:
    """What story grouping can reach at best, from the manifest alone (dates and event labels, no text): with a
    story window of N days, an event whose coverage pauses longer than N days is two stories by design, so a
    perfect grouper would score this pairwise recall and this many threads per story."""
    manifest_path, _ = blind_files("news", blind)
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    known = set(news_config(manifest, sorted({outlet_of(a["url"]) for a in manifest["articles"]})).platforms)
    evented = [a for a in manifest["articles"] if a.get("event") and a.get("platform") in known]
    truth = {a["id"]: a["event"] for a in evented}
    ceiling: dict[str, Any] = {"articles": len(evented), "events": len(set(truth.values())), "windows": {}}
    for n in days:
        waves = wave_labels(evented, n * 86400)
        _, recall = pairwise(truth, waves)
        ceiling["windows"][f"{n}d"] = {"grouping_recall": recall,
                                       "threads_per_story": round(len(set(waves.values())) / len(set(truth.values())), 2)}
    return ceiling


def run_news(show: bool, split: str = "all", blind: int = 0) -> dict[str, Any]:
    manifest_path, cache = blind_files("news", blind)
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    articles = []
    missing = []
    for entry in manifest["articles"]:
        if not in_split(str(entry.get("event") or entry["id"]), split):
            continue
        cached = cache / "news" / f"{entry['id']}.json"
        if not cached.exists():
            missing.append(entry["id"])
            continue
        data = json.loads(cached.read_text(encoding="utf-8"))
        articles.append({**entry, "title": data.get("title") or "", "text": data.get("text") or ""})
    if missing:
        print(f"warning: {len(missing)} articles are not cached (first: {missing[0]})", file=sys.stderr)
    outlets = sorted({outlet_of(a["url"]) for a in articles})
    config = news_config(manifest, outlets)
    outcomes = asyncio.run(place_all(config, articles, {}))
    known = set(config.platforms)
    lines: list[str] = []

    def scores(subset: list[Outcome]) -> dict[str, Any]:
        labelled = [o for o in subset if o.article.get("platform") in known]
        predicted = [o for o in subset if o.platform is not None]
        right = [o for o in predicted if o.platform == o.article.get("platform")]
        recalled = [o for o in labelled if o.platform == o.article.get("platform")]
        evented = [o for o in subset if o.article.get("event") and o.article.get("platform") in known]
        truth = {o.article["id"]: o.article["event"] for o in evented}
        threads = {o.article["id"]: o.thread for o in evented}
        precision, recall = pairwise(truth, threads)
        per_event: dict[str, set[str]] = defaultdict(set)
        for o in evented:
            per_event[o.article["event"]].add(o.thread)
        # The same truth cut where an event's coverage pauses longer than the story window (a second wave weeks
        # later): by design (`stories.window`) such waves are two stories, so this is what grouping can reach.
        waves = wave_labels([o.article for o in evented], config.story_window)
        wave_precision, wave_recall = pairwise(waves, threads)
        per_wave: dict[str, set[str]] = defaultdict(set)
        for o in evented:
            per_wave[waves[o.article["id"]]].add(o.thread)
        with_statement = [o for o in subset if (o.article.get("statement") or {}).get("fresh")
                          and o.article.get("platform") in known]
        found = [o for o in subset if o.statements]
        found_right = [o for o in found if (o.article.get("statement") or {}).get("fresh")]
        found_recalled = [o for o in with_statement if o.statements]
        return {
            "articles": len(subset),
            "attribution_precision": ratio(len(right), len(predicted)),
            "attribution_recall": ratio(len(recalled), len(labelled)),
            "grouping_precision": precision, "grouping_recall": recall,
            "events": len(per_event),
            "threads_per_story": round(sum(map(len, per_event.values())) / len(per_event), 3) if per_event else None,
            "waves": len(per_wave), "wave_grouping_recall": wave_recall,
            "wave_threads_per_story": round(sum(map(len, per_wave.values())) / len(per_wave), 3) if per_wave else None,
            "statement_precision": ratio(len(found_right), len(found)),
            "statement_recall": ratio(len(found_recalled), len(with_statement)),
            "statements_labelled": len(with_statement), "statements_found": len(found),
        }

    report = scores(outcomes)
    report["platforms"] = len({o.article.get("platform") for o in outcomes if o.article.get("platform")})
    report["languages"] = {}
    for language in sorted({o.article.get("language", "und") for o in outcomes}):
        report["languages"][language] = scores([o for o in outcomes if o.article.get("language") == language])
    if show:
        for o in outcomes:
            label = o.article.get("platform")
            if o.platform != label and (label in known or o.platform is not None):
                lines.append(f"ATTR  {o.article['id']} [{o.article.get('language')}] labelled {label}, got {o.platform}"
                             f" ({o.note or ''}) {o.article['url']}")
            fresh = bool((o.article.get("statement") or {}).get("fresh"))
            if fresh != bool(o.statements) and (label in known):
                lines.append(f"STMT  {o.article['id']} [{o.article.get('language')}] labelled {fresh}, found "
                             f"{o.statements} {o.article['url']}")
        per_event: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            if o.article.get("event") and o.article.get("platform") in known:
                per_event[o.article["event"]].append(o)
        for event, group in sorted(per_event.items()):
            threads = defaultdict(list)
            for o in group:
                threads[o.thread].append(o.article["id"])
            if len(threads) > 1:
                lines.append(f"SPLIT {event}: " + " | ".join(",".join(ids) for ids in threads.values()))
        by_thread: dict[str, set[str]] = defaultdict(set)
        for o in outcomes:
            if o.article.get("event"):
                by_thread[o.thread].add(o.article["event"])
        for thread, events in by_thread.items():
            if len(events) > 1:
                lines.append(f"MERGE {thread}: {sorted(events)}")
        report["misses"] = lines
    return report


def print_news(report: dict[str, Any]) -> None:
    print(f"[{report['split']}] News: {report['articles']} real articles, {report['events']} events, "
          f"{report['platforms']} platforms")
    for name in ("attribution_precision", "attribution_recall", "grouping_precision", "grouping_recall",
                 "threads_per_story", "statement_precision", "statement_recall"):
        print(f"  {name.replace('_', ' ')}: {report[name]}{verdict_of(report[name], name)}")
    print(f"  (statements: {report['statements_labelled']} articles carry a fresh one; found in {report['statements_found']})")
    print(f"  within the story window: the {report['events']} events are {report['waves']} waves of coverage (a pause "
          f"longer than the window starts a new story by design): grouping recall {report['wave_grouping_recall']}, "
          f"threads per wave {report['wave_threads_per_story']}")
    print("  per language:")
    for language, row in report["languages"].items():
        print(f"    {language:<3} {row['articles']:>4} articles  attribution P {row['attribution_precision']} "
              f"R {row['attribution_recall']}  grouping P {row['grouping_precision']} R {row['grouping_recall']}  "
              f"statements P {row['statement_precision']} R {row['statement_recall']}")
    for line in report.get("misses", []):
        print("  " + line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=("terms", "news"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show-misses", action="store_true", help="list every miss, false alert, split and merge")
    parser.add_argument("--split", choices=("all", "dev", "holdout"), default="all",
                        help="half of the corpus (news by event, terms by service): tune on dev, check on holdout")
    parser.add_argument("--blind", type=int, nargs="?", const=1, default=0, choices=(1, 2, 3, 4, 5, 6, 7),
                        help="a blind corpus (1: terms-blind.yaml / news-blind.yaml in .cache/blind/; 2: the -blind2 "
                             "files in .cache/blind2/; 3 to 7: terms-blind<N>.yaml in .cache/blind<N>/, terms only): labelled "
                             "without looking at the system's output")
    parser.add_argument("--ceiling", action="store_true",
                        help="news only: the best grouping a story window of 14, 30 or 60 days allows, from the "
                             "manifest's dates and events alone (no cache needed)")
    args = parser.parse_args(argv)
    if args.ceiling:
        print(json.dumps(grouping_ceiling(args.blind), indent=2))
        return 0
    report = (run_terms(args.show_misses, args.split, args.blind) if args.corpus == "terms"
              else run_news(args.show_misses, args.split, args.blind))
    report["split"] = f"blind {args.blind}" if args.blind else args.split
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    elif args.corpus == "terms":
        print_terms(report)
    else:
        print_news(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
