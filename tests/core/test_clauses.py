"""Clause segmentation, alignment, severities and effective dates, over the terms corpus in tests/cases/terms."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.terms.clauses import ClauseChange, diff_clauses, word_diff
from bot.core.terms.dates import effective_date, has_upcoming_and_current
from bot.core.terms.documents import normalize
from bot.core.terms.segments import segment
from bot.core.topics import TOPICS, label_topics, required_literals

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "terms"


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
    changes = diff_clauses(normalize("\n".join(old)).text, normalize("\n".join(new)).text)
    assert sorted(c.kind for c in changes) == ["added", "modified", "moved", "removed"], changes
    assert next(c for c in changes if c.kind == "removed").old_text == removed.split(" ", 1)[1]
    assert next(c for c in changes if c.kind == "added").severity == "high"
    # (how fast: bench/diff.py)


def test_thousands_of_repeated_lines_under_a_renamed_heading_give_only_the_real_change() -> None:
    # 8,000 identical lines, half of them under a heading that was renamed: each is paired within its own
    # section, without looking through every copy for every copy (that took seconds at 1,000 lines each).
    old = ["# Terms", "## 1. Old name", *["- None."] * 4000, "## 2. Other", *["- None."] * 4000]
    new = ["# Terms", "## 1. New name", *["- None."] * 4000, "## 2. Other", *["- None."] * 4000, "- Extra line."]
    changes = diff_clauses("\n".join(old), "\n".join(new))
    assert [(c.kind, c.path, c.new_text) for c in changes] == [("added", "Terms > 2. Other", "Extra line.")]


def test_random_edits_of_a_document_are_reported_exactly() -> None:
    # A generated document (sections of numbered clauses, distinct wordings) gets one to four edits: a few
    # words of a clause changed, a clause inserted, one removed, one moved to another section (at most one
    # move: two clauses leaving one section look like a renamed heading). The diff must report exactly
    # those edits, whatever the renumbering they cause.
    rng = random.Random(17)
    vocabulary = [f"w{n}" for n in range(5000)]

    def render(sections: list[list[str]]) -> str:
        lines = ["# Terms"]
        for number, texts in enumerate(sections, 1):
            lines.append(f"## {number}. Part {number}")
            lines += [f"{number}.{k} {text}" for k, text in enumerate(texts, 1)]
        return "\n".join(lines)

    for case in range(300):
        old = [[" ".join(rng.sample(vocabulary, rng.randint(10, 25))) for _ in range(rng.randint(2, 8))]
               for _ in range(rng.randint(2, 6))]
        new = [list(texts) for texts in old]
        expected: list[tuple[str, str]] = []
        touched: set[str] = set()
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(["modified", "added", "removed"] + ([] if any(k == "moved" for k, _ in expected)
                                                                  else ["moved"]))
            spots = [(s, k) for s, texts in enumerate(new) for k, text in enumerate(texts) if text not in touched]
            if not spots:
                break
            s, k = rng.choice(spots)
            text = new[s][k]
            if kind == "modified":
                words = text.split()
                words[len(words) // 2] += "x"
                new[s][k] = " ".join(words)
            elif kind == "added":
                new[s].insert(k, " ".join(rng.sample(vocabulary, 15)) + " fresh")
            elif kind == "removed":
                del new[s][k]
            else:
                target = (s + 1 + rng.randrange(len(new) - 1)) % len(new)
                new[target].append(new[s].pop(k))
            changed = new[s][k] if kind in ("modified", "added") else text
            touched.add(changed)
            expected.append((kind, changed))
        changes = diff_clauses(normalize(render(old)), normalize(render(new)))
        found = sorted((c.kind, (c.old_text if c.kind == "removed" else c.new_text) or "") for c in changes)
        assert found == sorted(expected), (case, render(old), render(new))


def test_a_repeated_line_is_paired_within_its_own_section() -> None:
    # "- None." under three headings; the one under Payouts moves to the end of Data. Pairing each copy with
    # the first free copy anywhere would also report "3.1" as moved (out of order), which it is not.
    old = ("# Terms\n## 1. Uploads\n- None.\n1.1 You keep your rights.\n## 2. Payouts\n- None.\n2.1 We pay monthly."
           "\n## 3. Data\n- None.\n3.1 We keep logs.")
    new = ("# Terms\n## 1. Uploads\n- None.\n1.1 You keep your rights.\n## 2. Payouts\n2.1 We pay monthly."
           "\n## 3. Data\n- None.\n3.1 We keep logs.\n- None.")
    changes = diff_clauses(old, new)
    assert [(c.kind, c.old_path, c.path, c.new_text) for c in changes] == [
        ("moved", "Terms > 2. Payouts", "Terms > 3. Data", "None.")]


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


# --- the fast paths give the answers of the plain algorithms ------------------------------------------------


def _reference_segment(text: str) -> list[tuple[str, str | None, str]]:
    """Segmentation as first written, line by line on the stripped line (the oracle of `segment`)."""
    heading_re = re.compile(r"^(#{1,6})\s+(.*)$|^(#{2,6})(?=[^\s#])(.*)$")  # ("##4.2": hashes glued to a title)
    number_re = re.compile(r"^(?:(\d+(?:\.\d+)*\.?)|(\([A-Za-z0-9]{1,5}\))|([A-Za-z]\)|[ivxIVX]{1,5}\.))\s+(.*)$")
    bullet_re = re.compile(r"^[-*+]\s+(.*)$")
    headings: list[tuple[int, str]] = []
    numbered: list[str] = []
    clauses: list[tuple[str, str | None, str]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        heading = heading_re.match(line)
        if heading:
            hashes, title = heading.group(1, 2) if heading.group(1) else heading.group(3, 4)
            level = len(hashes)
            while headings and headings[-1][0] >= level:
                headings.pop()
            title = title.strip().rstrip("#").strip()
            if title:
                headings.append((level, title))
            numbered = []
            continue
        number: str | None = None
        body = line
        match = number_re.match(line)
        if match:
            number, body = match.group(1) or match.group(2) or match.group(3), match.group(4).strip()
        elif bullet_re.match(line):
            body = bullet_re.match(line).group(1).strip()  # type: ignore[union-attr]
        if not body:
            continue
        parts = [title for _, title in headings]
        if number is not None:
            if number[0].isdigit():
                key = number.rstrip(".")
                numbered = [n for n in numbered if key.startswith(n.rstrip(".") + ".")]
                parts.extend(numbered)
                numbered.append(number)
            else:
                parts.extend(numbered[-1:])
            parts.append(number)
        clauses.append((" > ".join(parts), number, body))
    return clauses


def test_segment_reads_odd_lines_as_the_line_by_line_reference_does() -> None:
    from bot.core.terms.segments import NUMBER_ONLY, Segments

    blanks = [" ", "  ", "\t", "\r", "\x0b", "\x1f", "\u2003", "\xa0", ""]
    pieces = ["#", "##", "#######", "1", "1.", "4.2", "4.2.", "4.2.1", "(a)", "(12345)", "(123456)", "a)", "iv.",
              "vvvvvv.", "-", "*", "+", "•", "text", "é", "٣", ">", " > ", "A > 4.", "#x", "1.x", "\u2028"]
    rng = random.Random(11)
    for _ in range(3000):
        lines = ["".join(rng.choice(pieces) + rng.choice(blanks) for _ in range(rng.randint(0, 4)))
                 for _ in range(rng.randint(0, 10))]
        text = "\n".join(rng.choice(blanks) + line + rng.choice(blanks) for line in lines)
        expected = _reference_segment(text)
        assert [(c.path, c.number, c.text) for c in segment(text)] == expected, repr(text)
        sections = []
        for path, number, _ in expected:  # `_section` as first written
            parts = path.split(" > ") if path else []
            while parts and number is not None and NUMBER_ONLY.fullmatch(parts[-1]):
                parts.pop()
            sections.append(" > ".join(parts))
        segments = Segments(text)
        assert [segments.section(k) for k in range(len(segments))] == sections, repr(text)


def test_screened_topic_labels_are_those_of_the_plain_regex_search() -> None:
    from bot.core.topics import _lexicon, fold

    lexicon = _lexicon()
    vocabulary = sorted({word for pattern in lexicon.values() for word in re.findall(r"[a-z]+", pattern.pattern)})
    vocabulary += ["a.i.", "royalty-free", "third-party", "opt-in", "l'age", "under 13", "the", "données", "\n"]
    texts = [case[side] for case in CASES for side in ("old", "new")]
    rng = random.Random(5)
    texts += [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 14))) for _ in range(6000)]
    for text in texts:
        folded = fold(text)
        assert label_topics(text) == tuple(t for t, pattern in lexicon.items() if pattern.search(folded)), text


def test_required_literals_are_read_off_the_pattern() -> None:
    assert required_literals(r"\b(licen[cs]e|sublicen[cs]\w*)\b.{0,80}\b(content|uploads?)\b") == [
        frozenset({"licen", "sublicen"}), frozenset({"content", "upload"})]
    assert required_literals(r"\bopt[- ]?(out|in)\b") == [frozenset({"opt"}), frozenset({"out", "in"})]
    assert required_literals(r"(a|)bc") == [frozenset({"bc"})]  # an empty branch needs nothing
    assert required_literals(r"(ab)\1") is None  # back-references are not followed
    assert required_literals(r"(?i)abc") is None  # nor case-insensitive patterns


def test_upcoming_and_current_screened_search_agrees_with_the_regexes() -> None:
    from bot.core.terms.dates import _CURRENT, _UPCOMING
    from bot.core.topics import fold

    samples = [case["new"] for case in CASES] + [
        "The new terms will take effect soon.", "NEW TERMS: they will apply", "renew terms", "Current version",
        "the currentversion", "conditions en vigueur", "prochaine version", "news terms", "new  terms",
    ]
    for text in samples:
        folded = fold(text)
        expected = bool(_UPCOMING.search(folded)) and bool(_CURRENT.search(folded))
        assert has_upcoming_and_current(text) is expected, text


def test_normalize_fast_paths() -> None:
    from bot.core.terms.documents import _AT_HINT, _has_at_hint

    assert normalize("• one\n  * two\n+ three\n- four").text == "- one\n- two\n- three\n- four"
    assert normalize("a  b\t c").text == "a b c"
    assert normalize("Last updated: 1 March 2024\n" + "x" * 100).metadata == ("Last updated: 1 March 2024",)
    assert normalize("--- " * 30 + "Last updated 2024").metadata == ("--- " * 30 + "Last updated 2024",)
    assert normalize("Write to legal (at) example [dot] com").text == "Write to legal@example.com"
    for text in ["(at)", "[ AT ]", "< arobase >", "{At}", "at)", "(format)", "(a t)", "(at", "x (at ) y", "(\tat\t]"]:
        assert _has_at_hint(text) == bool(_AT_HINT.search(text)), text


def test_word_diff_sets_aside_common_ends_and_keeps_the_spacing() -> None:
    assert word_diff("We may share data.", "We may share data.") == ("We may share data.", [], [])
    assert word_diff("", "Added words.") == ("{+Added words.+}", [], ["Added", "words", "."])
    assert word_diff("Removed words.", "") == ("[-Removed words.-]", ["Removed", "words", "."], [])
    assert word_diff("a fee applies", "a fees applies") == ("a [-fee-]{+fees+} applies", ["fee"], ["fees"])
    assert word_diff("x  y z", "x  y  w") == ("x  y [-z-]{+w+}", ["z"], ["w"])  # a change keeps the old blank
    assert word_diff("x y  z", "x  y z") == ("x  y z", [], [])  # only blanks differ: the new text, no change


def test_effective_date_looks_near_years_only_and_agrees_with_a_scan_of_the_whole_text() -> None:
    from bot.core.terms.dates import _FILLER_MAX, _TRIGGER, _iso
    from bot.core.text import DATE as _DATE
    from bot.core.text import fold

    def whole_scan(text: str) -> str | None:
        folded = fold(text)
        for trigger in _TRIGGER.finditer(folded):
            window = folded[trigger.end(): trigger.end() + _FILLER_MAX + 20]
            date = _DATE.search(window)
            if date and date.start() <= _FILLER_MAX and "\n" not in window[: date.start()].strip(" :\n"):
                iso = _iso(date)
                if iso:
                    return iso
        return None

    pieces = ["effective", "Effective date", "will take effect", "will\ntake into force", "in effect", "As\tof",
              "entrent en vigueur", "à compter du", "dès le", "ineffective", "has of", "2024-02-07", "7 February 2024",
              "February 7, 2024", "1st March 2024", "Jan. 5, 2025", "0000-13-40", "12024-02-07", "٢٠٢٤-٠٢-٠٧",
              "1 jan 1899", "2201-01-01", "20245", "2024", "the", ":", "\n", ".", "x" * 30, "(a)", "œuvre", " "]
    rng = random.Random(3)
    found = 0
    for _ in range(4000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 20)))
        if rng.random() < 0.3:
            text = "lorem ipsum " * rng.randint(1, 20) + text + " dolor" * rng.randint(0, 20)
        expected = whole_scan(text)
        assert effective_date(text) == expected, repr(text)
        found += expected is not None
    assert found > 1000
