"""Benchmark: clause-level diff of a ~120 KB terms document against `git diff --no-index --word-diff`.

Generates (deterministically) a terms document of ~300 clauses in the extractor's Markdown-like format and
a new version with a few modified, added, removed and moved clauses, then measures in one run:
(a) git's word diff of the two texts written to temporary files (process start included),
(b) ours: `normalize()` of both versions + `diff_clauses()` (clause extraction, alignment, word diffs of the
    modified clauses, topic labels and severities), with its tracemalloc peak,
(c) separately, `document_text.extract_text` on an HTML rendering of both versions, and
(d) separately, what the pipeline does per new version of a page (`read_document` + `document_change`): extract
    and normalize the new version, `diff_clauses` against the stored (normalized) old text, and the searches
    for an announced effective date and for "upcoming and current versions" on the whole new text.
(a) and (b) alternate round by round and each keeps its best round (the machine is shared; alternating
gives both the same conditions). Targets: (b)/(a) <= 1.0 and peak memory < 100 MB.
Usage: python bench/diff.py [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import gc
import html
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.terms.clauses import ClauseChange, diff_clauses  # noqa: E402
from bot.core.terms.dates import effective_date, has_upcoming_and_current  # noqa: E402
from bot.core.terms.documents import normalize  # noqa: E402
from bot.sources.document_text import extract_text  # noqa: E402

RUNS = 40
WORDS = ("you we content channel subscriber video payment service notice platform creator upload comment live "
         "stream feature report review community account region tax may must will not any all our your each "
         "time law rights licence data partner advertiser policy fee payout period days written request").split()


def generate(sections: int = 30, per_section: int = 10, seed: int = 2024) -> tuple[str, str, dict[str, int]]:
    """Old and new versions (~120 KB each) and the number of changes of each kind that were made."""
    rng = random.Random(seed)
    sentence = lambda n: " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."  # noqa: E731
    old: list[str] = ["# Terms of Service", "These terms govern your use of the service."]
    for s in range(1, sections + 1):
        old.append(f"## {s}. Section {s} {rng.choice(WORDS).title()}")
        for c in range(1, per_section + 1):
            old.append(f"{s}.{c} " + " ".join(sentence(rng.randint(10, 22)) for _ in range(rng.randint(3, 5))))
    new = list(old)
    made = {"modified": 0, "added": 0, "removed": 0, "moved": 0}
    for index in (40, 95, 170, 260):  # modified: a few words replaced in the middle of a clause
        words = new[index].split(" ")
        words[8:10] = ["perpetual", "irrevocable", "sublicensable"]
        new[index] = " ".join(words)
        made["modified"] += 1
    for index in (300, 150, 60):  # removed (from the end so indices stay valid)
        del new[index]
        made["removed"] += 1
    for index, text in ((20, "We may use your uploads to train our generative models."),
                        (120, "We may share usage data with advertising partners and other third parties."),
                        (250, "You must complete age verification before receiving payouts.")):
        new.insert(index, f"{index // 11}.99 {text}")
        made["added"] += 1
    for source, target in ((230, 70), (33, 200)):  # moved to another place (and section)
        new.insert(target, new.pop(source))
        made["moved"] += 1
    return "\n".join(old) + "\n", "\n".join(new) + "\n", made


def to_html(text: str) -> bytes:
    parts = ["<!doctype html><html><head><title>Terms</title></head><body><main>"]
    for line in text.splitlines():
        if line.startswith("## "):
            parts.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            parts.append(f"<h1>{html.escape(line[2:])}</h1>")
        else:
            parts.append(f"<p>{html.escape(line)}</p>")
    parts.append("</main></body></html>")
    return "".join(parts).encode("utf-8")


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """One timed call, with the garbage collector off as `timeit` does (a collection of objects that the
    benchmark itself made is not the work measured)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = function()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def best_of(function: Callable[[], object], runs: int = RUNS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        seconds, result = timed(function)
        best = min(best, seconds)
    return best, result


def git_command(directory: str, old: str, new: str) -> list[str] | None:
    git = shutil.which("git")
    if git is None:
        return None
    a, b = Path(directory, "old.md"), Path(directory, "new.md")
    a.write_text(old, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    return [git, "diff", "--no-index", "--no-color", "--word-diff", str(a), str(b)]


def ours(old: str, new: str) -> list[ClauseChange]:
    return diff_clauses(normalize(old), normalize(new))


def per_new_version(old_text: str, new_html: bytes) -> list[ClauseChange]:
    """What the pipeline does when a page has a new version: `read_document` (extract, normalize) and
    `document_change` (clause diff against the stored normalized text, effective date, upcoming + current)."""
    document = normalize(extract_text(new_html, content_type="text/html"))
    changes = diff_clauses(old_text, document)
    effective_date("\n".join((*document.metadata, document.text)))
    has_upcoming_and_current(document.text)
    return changes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"rounds of each measurement (default {RUNS})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    old, new, made = generate()
    git_rounds: list[float] = []
    our_rounds: list[float] = []
    changes: object = None
    with tempfile.TemporaryDirectory() as directory:
        command = git_command(directory, old, new)
        if command is not None:  # warm-up rounds, not timed (page cache; compiled patterns and topic screens)
            subprocess.run(command, capture_output=True, check=False)
        ours(old, new)
        for _ in range(args.runs):  # alternate: both sides see the same machine
            if command is not None:
                git_rounds.append(timed(lambda: subprocess.run(command, capture_output=True, check=False))[0])
            seconds, changes = timed(lambda: ours(old, new))
            our_rounds.append(seconds)
    git_seconds = min(git_rounds) if git_rounds else None
    our_seconds = min(our_rounds)
    normalize_seconds, documents = best_of(lambda: (normalize(old), normalize(new)), args.runs)
    old_document, new_document = documents  # type: ignore[misc]
    diff_seconds, _ = best_of(lambda: diff_clauses(old_document, new_document), args.runs)
    tracemalloc.start()
    ours(old, new)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    old_html, new_html = to_html(old), to_html(new)
    extract_seconds, _ = best_of(lambda: (extract_text(old_html, content_type="text/html"),
                                          extract_text(new_html, content_type="text/html")), args.runs)
    stored = normalize(extract_text(old_html, content_type="text/html")).text
    pipeline_seconds, pipeline_changes = best_of(lambda: per_new_version(stored, new_html), args.runs)
    assert isinstance(changes, list) and isinstance(pipeline_changes, list)
    found: dict[str, int] = {}
    for change in changes:
        found[change.kind] = found.get(change.kind, 0) + 1
    result = {
        "document_bytes": len(old.encode("utf-8")),
        "clauses": sum(1 for line in old.splitlines() if line[:1].isdigit()),
        "changes_made": made,
        "changes_found": found,
        "runs": args.runs,
        "git_word_diff_seconds": None if git_seconds is None else round(git_seconds, 5),
        "git_word_diff_median_seconds": round(statistics.median(git_rounds), 5) if git_rounds else None,
        "ours_seconds": round(our_seconds, 5),
        "ours_median_seconds": round(statistics.median(our_rounds), 5),
        "ours_normalize_seconds": round(normalize_seconds, 5),
        "ours_diff_clauses_seconds": round(diff_seconds, 5),
        "ratio_ours_to_git": None if not git_seconds else round(our_seconds / git_seconds, 3),
        "ratio_of_medians": None if not git_rounds
        else round(statistics.median(our_rounds) / statistics.median(git_rounds), 3),
        "ours_peak_mb": round(peak / 1e6, 2),
        "html_extract_both_seconds": round(extract_seconds, 5),
        "html_bytes": len(old_html),
        "pipeline_per_new_version_seconds": round(pipeline_seconds, 5),
        "ratio_pipeline_per_new_version_to_git": None if not git_seconds else round(pipeline_seconds / git_seconds, 3),
        "pipeline_changes": len(pipeline_changes),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"document: {result['document_bytes'] / 1000:.0f} KB, {result['clauses']} clauses; "
              f"made {made}, found {found}")
        print(f"git diff --word-diff: {result['git_word_diff_seconds']} s "
              f"(best of {args.runs}, median {result['git_word_diff_median_seconds']})")
        print(f"ours (normalize x2 + diff_clauses): {result['ours_seconds']} s "
              f"(median {result['ours_median_seconds']}), peak {result['ours_peak_mb']} MB")
        print(f"  of which normalize x2: {result['ours_normalize_seconds']} s, "
              f"diff_clauses (incl. topic labels): {result['ours_diff_clauses_seconds']} s")
        print(f"ratio ours/git: {result['ratio_ours_to_git']} (of medians {result['ratio_of_medians']}; "
              f"target <= 1.0); peak target < 100 MB")
        print(f"extract_text on HTML of both versions: {result['html_extract_both_seconds']} s")
        print(f"pipeline per new version (extract + normalize the new one, diff_clauses, effective date, "
              f"upcoming/current): {result['pipeline_per_new_version_seconds']} s "
              f"({result['ratio_pipeline_per_new_version_to_git']}x git; for information, no target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
