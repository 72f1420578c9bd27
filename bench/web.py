"""Benchmark: the web view's change page for a 2,000-clause terms document, over HTTP from a real store.

What it measures
    A temporary store is filled by the real pipeline (`App.poll_once`, a local `path:` document polled twice):
    a terms document of 2,000 numbered clauses under 40 headings (~300 KB) and a new version of it. Two
    scenarios, each its own store:

    rewrite     every clause reworded (2,000 modified clauses, 10 pages of 200);
    revision    a realistic revision: 120 clauses modified, 40 added, 40 removed, 20 moved, the rest as is.

    The web view is served by `App.serve_web` on 127.0.0.1 and requested with an aiohttp client, as a browser
    would. For each run (default 5):
    cold    the change page's first page on a freshly started web view (the change is laid out clause by clause:
            diff, order, anchors; then page 1 is rendered);
    warm    another page of the same change on that web view (the layout is kept: only the page is rendered);
    raw     the baseline, measured in the same run on the same server: the new version's raw text
            (`/versions/<n>.txt`, one store read and the whole document sent back).
    Reported: min / median milliseconds of each, the ratio cold / raw of the minimums and of the medians, and
    the size of the largest page.

Target: the cold page under 200 ms (min of the runs; the median beside it), every page under 1 MB.
Run: python bench/web.py [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import App, ChatEnv, load_config  # noqa: E402

CLAUSES = 2000
SECTIONS = 40
LIMIT_MS = 200.0
WORDS = ("member account content upload licence platform service notice payment creator channel report review "
         "community partner advertiser policy period written request data right feature region law fee").split()


def document(seed: int = 7) -> list[list[str]]:
    """SECTIONS sections of CLAUSES / SECTIONS clause texts (without numbers)."""
    rng = random.Random(seed)
    per = CLAUSES // SECTIONS
    return [[" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 24))).capitalize() + f" (rule {s}-{c})."
             for c in range(per)] for s in range(SECTIONS)]


def render(sections: list[list[str]]) -> str:
    lines = ["# Terms of Service"]
    for s, clauses in enumerate(sections, 1):
        lines.append(f"## {s}. Section {s}")
        lines.extend(f"{s}.{c} {text}" for c, text in enumerate(clauses, 1))
    return "\n".join(lines) + "\n"


def rewrite(sections: list[list[str]]) -> list[list[str]]:
    return [[text.replace(" ", " always ", 1) for text in clauses] for clauses in sections]


def revision(sections: list[list[str]], seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    new = [list(clauses) for clauses in sections]
    spots = [(s, c) for s in range(len(new)) for c in range(len(new[s]))]
    rng.shuffle(spots)
    for s, c in spots[:120]:
        words = new[s][c].split()
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        new[s][c] = " ".join(words)
    for s, c in sorted(spots[120:160], reverse=True):  # removed
        del new[s][c]
    for s, _ in spots[160:200]:  # added
        new[s].insert(rng.randrange(len(new[s]) + 1), "The platform may " + " ".join(rng.sample(WORDS, 12)) + ".")
    for s, _ in spots[200:220]:  # moved to another section
        if new[s]:
            moved = new[s].pop(0)
            new[(s + 7) % len(new)].append(moved)
    return new


async def fill(folder: Path, old: str, new: str) -> Path:
    terms = folder / "terms.md"
    terms.write_text(old, encoding="utf-8")
    config = folder / "feeds.yaml"
    config.write_text("storage: ./storage\npoll: {interval: 1h}\nplatforms:\n  big:\n    name: Big\n    documents:\n"
                      "      - {type: Terms of Service, path: terms.md}\nchannels:\n  - {id: log, jsonl: posts.jsonl}\n"
                      "web:\n", encoding="utf-8")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        terms.write_text(new, encoding="utf-8")
        await app.poll_once()
    return config


async def timed_get(session: aiohttp.ClientSession, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    async with session.get(url) as response:
        text = await response.text()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - started) * 1000, text


async def one_run(config: Path) -> dict[str, Any]:
    """A fresh web view: the cold change page, a warm page of it and the raw text, in milliseconds."""
    async with App.open(load_config(config), read_only=True, chat_env=ChatEnv()) as app:
        base = await app.serve_web("127.0.0.1", 0)
        async with aiohttp.ClientSession() as session:
            _, index = await timed_get(session, base + "/")
            change = re.search(r'href="(/changes/[^"]+)"', index)
            assert change is not None, "no change recorded"
            cold, first = await timed_get(session, base + change.group(1))
            pages = max([1, *(int(n) for n in re.findall(r"page=(\d+)", first))])
            warm, last = await timed_get(session, f"{base}{change.group(1)}?page={pages}")
            raw_link = re.findall(r'href="(/versions/\d+\.txt)"', first)[-1]
            raw, _ = await timed_get(session, base + raw_link)
            rows = len(re.findall(r'<tr id="clause-', first))
    return {"cold_ms": cold, "warm_ms": warm, "raw_ms": raw, "pages": pages, "rows_on_page_1": rows,
            "largest_page_bytes": max(len(first.encode()), len(last.encode()))}


def summary(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    def stats(key: str) -> dict[str, float]:
        values = [run[key] for run in runs]
        return {"min": round(min(values), 1), "median": round(statistics.median(values), 1),
                "all": [round(v, 1) for v in values]}

    cold, raw = stats("cold_ms"), stats("raw_ms")
    return {
        "scenario": name, "cold_ms": cold, "warm_ms": stats("warm_ms"), "raw_ms": raw,
        "cold_over_raw": {"min": round(cold["min"] / raw["min"], 1), "median": round(cold["median"] / raw["median"], 1)},
        "pages": runs[0]["pages"], "rows_on_page_1": runs[0]["rows_on_page_1"],
        "largest_page_bytes": max(run["largest_page_bytes"] for run in runs),
        "result": "PASS" if cold["min"] < LIMIT_MS and all(r["largest_page_bytes"] < 1_000_000 for r in runs) else "FAIL",
    }


async def measure(runs: int) -> list[dict[str, Any]]:
    sections = document()
    results = []
    for name, changed in (("rewrite", rewrite(sections)), ("revision", revision(sections))):
        with tempfile.TemporaryDirectory(prefix="clausewatch-web-") as scratch:
            config = await fill(Path(scratch), render(sections), render(changed))
            results.append(summary(name, [await one_run(config) for _ in range(runs)]))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh web views per scenario (default 5, at least 3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    results = asyncio.run(measure(max(3, args.runs)))
    if args.json:
        print(json.dumps({"benchmark": "bench/web.py", "clauses": CLAUSES, "limit_ms": LIMIT_MS, "scenarios": results},
                         indent=2))
        return 0
    print(f"Clausewatch web view: change page of a {CLAUSES}-clause document, {max(3, args.runs)} fresh web views")
    for row in results:
        print(f"\n{row['scenario']}: {row['pages']} page(s), {row['rows_on_page_1']} changed clauses on page 1, "
              f"largest page {row['largest_page_bytes'] / 1000:.0f} KB")
        for key, label in (("cold_ms", "cold change page"), ("warm_ms", "warm other page"), ("raw_ms", "raw text (baseline)")):
            print(f"  {label:<20} min {row[key]['min']:7.1f} ms, median {row[key]['median']:7.1f} ms   {row[key]['all']}")
        print(f"  cold / raw: min {row['cold_over_raw']['min']}x, median {row['cold_over_raw']['median']}x")
        print(f"  {row['result']}: cold page < {LIMIT_MS:.0f} ms and every page < 1 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
