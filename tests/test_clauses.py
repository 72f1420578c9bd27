"""Clause segmentation, alignment, severities and effective dates, over the terms corpus in tests/cases/terms."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.clauses import (
    ClauseChange,
    diff_clauses,
    effective_date,
    has_upcoming_and_current,
    segment,
    word_diff,
)
from bot.core.documents import normalize
from bot.core.topics import TOPICS

CASES_DIR = Path(__file__).parent / "cases" / "terms"


def _load() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["file"] = path.name
            cases.append(case)
    return cases


CASES = _load()
SUBSTANTIVE = [case for case in CASES if case["expect"]]
NO_ALERT = [case for case in CASES if not case["expect"]]


def _changes(case: dict[str, Any]) -> list[ClauseChange]:
    old, new = normalize(case["old"]), normalize(case["new"])
    if old.hash == new.hash:
        return []
    return diff_clauses(old.text, new.text)


def _matches(change: ClauseChange, expected: dict[str, Any]) -> bool:
    return (change.kind == expected["kind"] and expected["path"] in change.path
            and set(expected.get("topics") or ()) <= set(change.topics))


def test_corpus_is_big_enough_and_covers_every_topic() -> None:
    assert len(SUBSTANTIVE) >= 30 and len(NO_ALERT) >= 12
    covered = {topic for case in SUBSTANTIVE for item in case["expect"] for topic in item.get("topics") or ()}
    assert covered == set(TOPICS)
    kinds = {item["kind"] for case in SUBSTANTIVE for item in case["expect"]}
    assert kinds == {"added", "removed", "modified", "moved"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['file']}:{c['name']}")
def test_case(case: dict[str, Any]) -> None:
    changes = _changes(case)
    remaining = list(changes)
    for expected in case["expect"]:
        found = next((change for change in remaining if _matches(change, expected)), None)
        assert found is not None, f"missing {expected} in {changes}"
        remaining.remove(found)
    assert not remaining, f"unexpected changes: {remaining}"
    if "severity" in case:
        assert changes[0].severity == case["severity"], changes[0]
    if "inline" in case:
        assert changes[0].inline == case["inline"]
    raw_new = case["new"]
    if "effective_date" in case:
        assert effective_date(raw_new) == case["effective_date"]
    assert has_upcoming_and_current(raw_new) is bool(case.get("upcoming_and_current"))


def test_precision_and_recall_over_the_corpus() -> None:
    tp = fp = fn = tn = 0
    topic_tp = topic_fp = topic_fn = 0
    for case in CASES:
        changes = _changes(case)
        should, did = bool(case["expect"]), bool(changes)
        tp += should and did
        fp += did and not should
        fn += should and not did
        tn += not should and not did
        expected = {t for item in case["expect"] for t in item.get("topics") or ()}
        labelled = {t for change in changes for t in change.topics}
        topic_tp += len(expected & labelled)
        topic_fp += len(labelled - expected)
        topic_fn += len(expected - labelled)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    topic_precision = topic_tp / (topic_tp + topic_fp) if topic_tp + topic_fp else 1.0
    topic_recall = topic_tp / (topic_tp + topic_fn) if topic_tp + topic_fn else 1.0
    print(f"\nalerts: precision {precision:.3f} recall {recall:.3f} (tp={tp} fp={fp} fn={fn} tn={tn}); "
          f"topics: precision {topic_precision:.3f} recall {topic_recall:.3f}")
    assert fp == 0 and recall == 1.0 and precision == 1.0
    assert topic_recall == 1.0


def test_segment_builds_heading_and_number_paths() -> None:
    text = "\n".join([
        "# Terms", "Intro paragraph.", "## 4. Content", "4.1 You own it.", "4.2. We host it.", "(a) to show it;",
        "4.2.1 Backups.", "- a bullet", "### Notes", "Plain note.", "## 5. End", "1. First.",
    ])
    assert [(c.path, c.number, c.text) for c in segment(text)] == [
        ("Terms", None, "Intro paragraph."),
        ("Terms > 4. Content > 4.1", "4.1", "You own it."),
        ("Terms > 4. Content > 4.2.", "4.2.", "We host it."),
        ("Terms > 4. Content > 4.2. > (a)", "(a)", "to show it;"),
        ("Terms > 4. Content > 4.2. > 4.2.1", "4.2.1", "Backups."),
        ("Terms > 4. Content", None, "a bullet"),
        ("Terms > 4. Content > Notes", None, "Plain note."),
        ("Terms > 5. End > 1.", "1.", "First."),
    ]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("These changes are effective February 7, 2024.", "2024-02-07"),
        ("Effective date: 7 February 2024", "2024-02-07"),
        ("These terms take effect on March 1, 2024.", "2024-03-01"),
        ("The new terms will come into effect on 1st March 2024.", "2024-03-01"),
        ("As of 1 March 2024, fees change.", "2024-03-01"),
        ("Effective as of 2024-02-07.", "2024-02-07"),
        ("Les nouvelles conditions entrent en vigueur le 7 février 2024.", "2024-02-07"),
        ("Conditions applicables à compter du 1er mars 2024.", "2024-03-01"),
        ("En vigueur à partir du 15 août 2024.", "2024-08-15"),
        ("Effective Jan. 5, 2025; previously effective 2024-01-01.", "2025-01-05"),
        ("We changed the fees in 2024.", None),
        ("Posted 2024-02-07 by the team.", None),
    ],
)
def test_effective_date(text: str, iso: str | None) -> None:
    assert effective_date(text) == iso


@pytest.mark.parametrize(
    ("text", "both"),
    [
        ("# Upcoming changes to our terms\nEffective March 1, 2024.\n# Current terms\n1. Be kind.", True),
        ("# New terms\nThese updated terms will take effect on 1 March 2024.\nPrevious version\n1. Be kind.", True),
        ("# Nouvelles conditions applicables à compter du 1er mars 2024\n# Conditions actuelles\n1. Soyez courtois.", True),
        ("# Terms of Service\nEffective March 1, 2024.\n1. Be kind.", False),
        ("# Current terms\n1. Be kind.", False),
    ],
)
def test_has_upcoming_and_current(text: str, both: bool) -> None:
    assert has_upcoming_and_current(text) is both


def test_inline_diff_is_git_word_diff_style() -> None:
    inline, removed, added = word_diff("We may share data with partners.", "We will share your data with advertisers.")
    assert inline == "We [-may-]{+will+} share {+your+} data with [-partners-]{+advertisers+}."
    assert removed == ["may", "partners"] and added == ["will", "your", "advertisers"]
    assert word_diff("a b c", "b c")[0] == "[-a-] b c"


def _document(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ("content channel subscriber video payment service notice platform creator upload comment live "
             "stream feature report review community account region tax").split()
    lines: list[str] = []
    for section in range(1, count // 10 + 1):
        lines.append(f"## {section}. Section {section}")
        for clause in range(1, 11):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(12, 30)))
            lines.append(f"{section}.{clause} Clause {section}-{clause}: {body}.")
    return lines


def test_scale_few_changes_in_300_clauses_are_the_only_ones_reported() -> None:
    old = _document(300, seed=7)
    new = list(old)
    new[45] = new[45].replace("Clause", "Clause amended", 1)  # modified
    removed = new.pop(120)  # removed
    new.insert(200, "20.11 We may use your uploads to train our generative models.")  # added
    moved = new.pop(250)
    new.insert(30, moved)  # moved
    start = time.perf_counter()
    changes = diff_clauses(normalize("\n".join(old)).text, normalize("\n".join(new)).text)
    elapsed = time.perf_counter() - start
    assert sorted(c.kind for c in changes) == ["added", "modified", "moved", "removed"], changes
    assert next(c for c in changes if c.kind == "removed").old_text == removed.split(" ", 1)[1]
    assert next(c for c in changes if c.kind == "added").severity == "high"
    assert elapsed < 2.0


def test_renumbering_after_one_insert_reports_only_the_insert() -> None:
    old = _document(300, seed=3)
    new = list(old)
    new.insert(12, "2.1 Inserted clause about live streams.")
    for k in range(13, 21):  # renumber the rest of section 2
        number, text = new[k].split(" ", 1)
        section, clause = number.split(".")
        new[k] = f"{section}.{int(clause) + 1} {text}"
    changes = diff_clauses(normalize("\n".join(old)).text, normalize("\n".join(new)).text)
    assert [(c.kind, c.new_text) for c in changes] == [("added", "Inserted clause about live streams.")]
