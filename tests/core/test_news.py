"""News intelligence on a corpus written for Clausewatch (tests/cases/news/): platform attribution, topics,
language, statements and their summaries, story grouping and near-duplicates, run in published order through
the real functions; plus precision/recall figures (printed with `pytest -s`, or `python tests/core/test_news.py`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.config import Platform
from bot.core.language import detect_language
from bot.core.news.platforms import attribute, match_platforms
from bot.core.news.statements import Statement, extract_statements, find_updates, split_sentences
from bot.core.news.stories import (
    Assignment,
    StoryIndex,
    article_item,
    dates_in,
    names_by_platform,
    numbers_in,
    terms_item,
)
from bot.core.news.summaries import (
    MAX_POINT_WORDS,
    MAX_POINTS,
    ExtractiveSummarizer,
    Summarizers,
    summarize,
)
from bot.core.topics import fold

CORPUS = Path(__file__).resolve().parents[1] / "cases" / "news"


@dataclass
class Outcome:
    """What the real functions made of one corpus entry."""

    entry: dict[str, Any]
    platforms: list[str]
    topics: list[str]
    language: str
    statements: list[Statement]
    points: list[list[str]]
    assignment: Assignment
    why: list[str] = field(default_factory=list)


def _sources() -> tuple[dict[str, Platform], dict[str, dict[str, Any]]]:
    raw = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    platforms = {pid: Platform(pid, data["name"], tuple(data["aliases"])) for pid, data in raw["platforms"].items()}
    return platforms, raw["feeds"]


def _entries() -> list[dict[str, Any]]:
    entries = [entry for path in sorted(CORPUS.glob("*.yaml")) if path.name != "sources.yaml"
               for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return sorted(entries, key=lambda e: datetime.fromisoformat(e["published"]))


ENTRIES = _entries()


def _analyse(entry: dict[str, Any], platforms: dict[str, Platform], feeds: dict[str, dict[str, Any]],
             index: StoryIndex) -> Outcome:
    feed = feeds[entry["feed"]]
    own = feed.get("platform")
    published = datetime.fromisoformat(entry["published"])
    if "clauses" in entry:
        item = terms_item(f"{entry['feed']}:{entry['id']}", own, feed["document"], entry["clauses"], published,
                          source=entry["feed"])
        return Outcome(entry, [own], list(item.topics), item.language, [], [], index.assign(item))
    title, text = entry["title"], entry["text"]
    matches = attribute(text, platforms, title=title, own_platform=own)
    salient = [m.platform for m in matches if m.salient]
    names = [name for m in matches for name in (platforms[m.platform].name, *platforms[m.platform].aliases)]
    statements = extract_statements(text, names, title=title, own_feed=own is not None,
                                    platform=salient[0] if salient else None, published=entry["published"])
    item = article_item(entry.get("guid") or entry["link"], title, text, published, salient, link=entry["link"],
                        source=entry["feed"], outlet=feed["title"], statements=statements, own_feed=own is not None)
    return Outcome(entry, salient, list(item.topics), item.language, statements,
                   [summarize(s) for s in statements], index.assign(item), [m.why for m in matches])


@lru_cache(maxsize=1)
def run_corpus() -> dict[str, Outcome]:
    """Every entry, in published order, through attribution, statements, summaries and one StoryIndex."""
    platforms, feeds = _sources()
    index = StoryIndex(platform_names=names_by_platform(platforms.values()))
    return {entry["id"]: _analyse(entry, platforms, feeds, index) for entry in ENTRIES}


def test_the_corpus_covers_the_quality_bar() -> None:
    expected = [e["expected"] for e in ENTRIES]
    stories: dict[str, set[str]] = {}
    for entry in ENTRIES:
        stories.setdefault(entry["expected"]["story"], set()).add(entry["expected"]["language"])
    assert len(ENTRIES) >= 40
    assert any(len(languages) >= 2 for languages in stories.values())  # one story in several languages
    assert sum(1 for e in expected if e.get("duplicate")) >= 2  # syndicated copy, same text from two feeds
    assert sum(1 for e in expected if e["statement"]) >= 10
    assert sum(1 for e in ENTRIES if "clauses" in e) >= 2  # terms changes, opening and joining stories
    assert any("Update" in e.get("text", "") for e in ENTRIES)
    assert sum(1 for e in expected if not e["platforms"]) >= 5  # passing mentions, ambiguous names, none
    assert all(1 <= len(e["statement"]["points"]) <= 4 for e in expected if e["statement"])  # as the issue asks


def test_a_statement_of_many_claims_is_cut_to_four_short_points() -> None:
    quote = ("We do not sell listener data to advertisers. The new clause only covers spam detection and search "
             "ranking. We have never trained generative models on uploaded tracks. Artists can opt out in their "
             "settings at any time. We will publish a plain-language summary of the terms next week. Our royalty "
             "rates stay the same for every plan, including the free tier that most independent artists use to "
             "share demos with their fans across the world today.")
    points = summarize(Statement(quote, "SoundCloud", "emailed statement", "en", quote))
    assert len(points) == MAX_POINTS
    assert points[0] == "denies selling listener data to advertisers"
    assert all(len(point.split()) <= MAX_POINT_WORDS for point in points)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_platforms_topics_and_language(entry: dict[str, Any]) -> None:
    outcome = run_corpus()[entry["id"]]
    expected = entry["expected"]
    assert sorted(outcome.platforms) == sorted(expected["platforms"]), outcome.why
    assert sorted(outcome.topics) == sorted(expected["topics"])
    assert outcome.language == expected["language"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_statements_and_their_points(entry: dict[str, Any]) -> None:
    outcome = run_corpus()[entry["id"]]
    wanted = entry["expected"]["statement"]
    if wanted is None:
        assert outcome.statements == [], [(s.speaker, s.quote) for s in outcome.statements]
        return
    assert len(outcome.statements) == 1, [(s.speaker, s.quote) for s in outcome.statements]
    statement = outcome.statements[0]
    assert statement.speaker == wanted["speaker"]
    assert statement.channel == wanted.get("channel", statement.channel)
    assert statement.update == wanted.get("update")
    assert statement.language == entry["expected"]["language"]
    assert outcome.points[0] == wanted["points"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_story_assignment(entry: dict[str, Any]) -> None:
    outcomes = run_corpus()
    outcome = outcomes[entry["id"]]
    expected = entry["expected"]
    assignment = outcome.assignment
    first_of_story = next(e["id"] for e in ENTRIES if e["expected"]["story"] == expected["story"])
    assert assignment.opened == (entry["id"] == first_of_story)
    assert (assignment.duplicate_of is not None) == bool(expected.get("duplicate")), assignment
    assert assignment.post == (not expected.get("duplicate"))
    if "news" in expected:
        assert list(assignment.news) == expected["news"], assignment
    if "passage" in expected:
        assert assignment.passage == " ".join(expected["passage"].split())
    if "statement" in assignment.news:
        assert assignment.statements and assignment.statements[0].speaker == expected["statement"]["speaker"]


def _pairs(labels: dict[str, str]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for a, b in itertools.combinations(sorted(labels), 2) if labels[a] == labels[b]}


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def corpus_figures() -> dict[str, tuple[float, float]]:
    """Precision and recall of platform matching (entry, platform pairs), story grouping (pairs of entries in
    one story) and statement extraction (entries with a statement by the right speaker)."""
    outcomes = run_corpus()
    tp = fp = fn = 0
    for outcome in outcomes.values():
        got, want = set(outcome.platforms), set(outcome.entry["expected"]["platforms"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    platforms = (_ratio(tp, tp + fp), _ratio(tp, tp + fn))
    predicted = _pairs({key: o.assignment.story for key, o in outcomes.items()})
    truth = _pairs({key: o.entry["expected"]["story"] for key, o in outcomes.items()})
    stories = (_ratio(len(predicted & truth), len(predicted)), _ratio(len(predicted & truth), len(truth)))
    tp = fp = fn = 0
    for outcome in outcomes.values():
        wanted = outcome.entry["expected"]["statement"]
        speakers = {s.speaker for s in outcome.statements}
        if wanted and wanted["speaker"] in speakers:
            tp += 1
            fp += len(speakers) - 1
        else:
            fn += 1 if wanted else 0
            fp += len(speakers)
    statements = (_ratio(tp, tp + fp), _ratio(tp, tp + fn))
    topic_tp = topic_fp = topic_fn = 0
    for outcome in outcomes.values():
        got, want = set(outcome.topics), set(outcome.entry["expected"]["topics"])
        topic_tp, topic_fp, topic_fn = topic_tp + len(got & want), topic_fp + len(got - want), topic_fn + len(want - got)
    topics = (_ratio(topic_tp, topic_tp + topic_fp), _ratio(topic_tp, topic_tp + topic_fn))
    return {"platform matching": platforms, "story grouping (pairwise)": stories,
            "statement extraction": statements, "topic labels": topics}


def figures_report() -> str:
    stories = {o.entry["expected"]["story"] for o in run_corpus().values()}
    lines = [f"news corpus: {len(ENTRIES)} entries, {len(stories)} stories"]
    for name, (precision, recall) in corpus_figures().items():
        lines.append(f"  {name}: precision {precision:.2f}, recall {recall:.2f}")
    return "\n".join(lines)


def test_precision_and_recall_on_the_corpus() -> None:
    print("\n" + figures_report())
    for name, (precision, recall) in corpus_figures().items():
        assert (precision, recall) == (1.0, 1.0), f"{name}: precision {precision:.2f}, recall {recall:.2f}"


# --- focused behaviour ---------------------------------------------------------------------------------

PLATFORMS = {
    "x": Platform("x", "X", ("X Corp", "Twitter", "formerly Twitter")),
    "facebook": Platform("facebook", "Facebook", ("Facebook", "Meta", "Meta Platforms")),
    "soundcloud": Platform("soundcloud", "SoundCloud", ("SoundCloud",)),
}


@pytest.mark.parametrize(("text", "platforms"), [
    ("X changed its rules for creators.", []),
    ("On X, fans posted clips all week.", []),
    ("X (formerly Twitter) changed its rules.", ["x"]),
    ("Le réseau social X change ses règles.", ["x"]),
    ("a spokesperson for X said the rules stay", ["x"]),
    ("How to write a meta description that works", []),
    ("Meta Description Tips For Bands", []),
    ("Meta's new AI policy worries artists", ["facebook"]),
    ("A Meta spokesperson said it was a test.", ["facebook"]),
    ("An X-ray of SoundCloud’s terms", ["soundcloud"]),
    ("Tesla Model X owners and Gen X fans", []),
])
def test_ambiguous_names_need_context(text: str, platforms: list[str]) -> None:
    assert list(match_platforms(text, PLATFORMS)) == platforms


def test_attribution_says_why() -> None:
    (match,) = attribute("X, formerly known as Twitter, changed its rules.", PLATFORMS, title="X updates rules")
    assert match.platform == "x" and match.in_title and match.salient
    assert match.phrase == "X" and match.context is not None and "formerly" in match.context
    assert "confirmed by" in match.why and "in the title" in match.why
    (own,) = attribute("We updated our terms.", PLATFORMS, own_platform="soundcloud")
    assert own.own_feed and own.why == "published on the platform's own feed"
    passing = attribute("Labels met in Paris. The deal also covers SoundCloud.", PLATFORMS)
    assert [(m.platform, m.salient) for m in passing] == [("soundcloud", False)] and "in passing" in passing[0].why


@pytest.mark.parametrize(("text", "language"), [
    ("The company said it will not use your uploads to train its models.", "en"),
    ("La plateforme a indiqué qu'elle ne vendait pas les données des utilisateurs.", "fr"),
    ("La empresa dijo que no vende los datos de los usuarios a los anunciantes.", "es"),
    ("Das Unternehmen sagte, dass es die Daten der Nutzer nicht verkauft.", "de"),
    ("SoundCloud 6.4", "und"),
    ("", "und"),
])
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_dates_and_numbers_are_language_independent() -> None:
    english = fold("Effective February 7, 2024, section 6.4 covers 10,000 tracks at $4.99 (20%).")
    french = fold("En vigueur le 7 février 2024, la section 6,4 couvre 10 000 morceaux à 4,99 € (20 %).")
    assert dates_in(english) == dates_in(french) == {"02-07"}
    assert numbers_in(english) == numbers_in(french) == {"6.4", "10000", "4.99", "20%"}


def test_update_markers_and_sentences() -> None:
    text = "He said “We do not sell data. Never.” Then Mr. Doe left. Update, 2:22 p.m.: The company said so."
    assert split_sentences(text) == ["He said “We do not sell data. Never.”", "Then Mr. Doe left.",
                                     "Update, 2:22 p.m.: The company said so."]
    (update,) = find_updates(text)
    assert update.marker == "Update, 2:22 p.m." and text[update.start:].startswith("The company")
    (french,) = find_updates("Rien. Mise à jour, 18 h 05 : la plateforme a répondu.")
    assert french.marker == "Mise à jour, 18 h 05"


@pytest.mark.parametrize("text", [
    "“I'm leaving SoundCloud for good,” said producer Mara Lin.",
    "“This deal is good for musicians,” said Tom Rey, a spokesperson for the Musicians' Union.",
    "SoundCloud's critics said the clause goes too far.",
    "SoundCloud did not respond to a request for comment. The company declined to comment.",
    "Artists said SoundCloud should add an opt-out.",
])
def test_words_of_others_are_not_statements_of_the_platform(text: str) -> None:
    assert extract_statements(text, ["SoundCloud"]) == []


def test_statement_keeps_quote_speaker_channel_and_when() -> None:
    text = ("“We do not sell listener data,” a SoundCloud spokesperson told The Circuit Ledger. "
            "“The clause only covers spam detection,” the spokesperson added.")
    (statement,) = extract_statements(text, ["SoundCloud"], published="2024-02-15T10:00:00+00:00")
    assert statement.speaker == "a SoundCloud spokesperson" and statement.channel == "told The Circuit Ledger"
    assert statement.parts == ("We do not sell listener data.", "The clause only covers spam detection.")
    assert statement.direct and statement.when == "2024-02-15T10:00:00+00:00" and statement.language == "en"
    assert summarize(statement) == ["denies selling listener data", "says the clause only covers spam detection"]


def test_summarizers_are_registered_by_kind() -> None:
    class Upper:
        def summarize(self, statement: Statement) -> list[str]:
            return [statement.quote.upper()]

    summarizers = Summarizers()
    summarizers.register("test-upper", Upper)
    statement = Statement("we never sell data.", "SoundCloud", "newsroom post", "en", "we never sell data.")
    assert summarizers.summarize(statement, kind="test-upper") == ["WE NEVER SELL DATA."]
    assert isinstance(summarizers.get(), ExtractiveSummarizer)
    with pytest.raises(KeyError, match="extractive"):
        summarizers.get("nope")


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2024, 2, day, hour, tzinfo=UTC)


def test_story_index_round_trips_through_plain_data() -> None:
    import json

    index = StoryIndex(platform_names={"soundcloud": ("SoundCloud",)})
    first = index.assign(article_item("a", "SoundCloud adds AI clause 6.4", "Section 6.4 lets SoundCloud train AI "
                                      "models on uploads from 7 February 2024.", _at(14), ["soundcloud"],
                                      link="https://a.example/1"))
    restored = StoryIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    later = article_item("b", "SoundCloud's clause 6.4 explained", "The 7 February 2024 clause 6.4 allows AI "
                         "training on uploads.", _at(15), ["soundcloud"], link="https://b.example/2")
    assert restored.assign(later).story == index.assign(later).story == first.story
    assert restored.to_dict() == index.to_dict()


def test_an_update_appended_to_a_long_article_is_the_passage() -> None:
    index = StoryIndex()
    body = " ".join(f"Paragraph {n} explains how SoundCloud section 6.4 affects artists." for n in range(80))
    first = index.assign(article_item("a", "SoundCloud AI clause", body, _at(14), ["soundcloud"],
                                      link="https://a.example/1"))
    update = "Update, 2:22 p.m.: In an emailed statement, the company said it never trained AI on uploads."
    later = index.assign(article_item("a", "SoundCloud AI clause", f"{body} {update}", _at(15), ["soundcloud"],
                                      link="https://a.example/1"))
    assert later.story == first.story and later.news == ("passage",) and later.passage == update
    again = index.assign(article_item("a", "SoundCloud AI clause", f"{body} {update}", _at(15), ["soundcloud"],
                                      link="https://a.example/1"))
    assert again.duplicate_of == "a" and not again.post
    edited = index.assign(article_item("a", "SoundCloud AI clause", f"{body} {update}".replace("Paragraph 70", "Part 70"),
                                       _at(16), ["soundcloud"], link="https://a.example/1"))
    assert edited.news == ("edit",) and edited.passage == ""


def test_story_window_and_forgetting() -> None:
    index = StoryIndex(window=timedelta(days=14))
    text = "SoundCloud section 6.4 lets it train AI models on uploads since 7 February 2024."
    first = index.assign(article_item("a", "AI clause", text, _at(1), ["soundcloud"], link="https://a.example/1"))
    follow_up = "Artists still debate SoundCloud's AI clause 6.4 of 7 February 2024 and its training terms."
    late = index.assign(article_item("b", "AI clause", follow_up, _at(1) + timedelta(days=30), ["soundcloud"],
                                     link="https://b.example/2"))
    assert late.opened and late.story != first.story
    soon = index.assign(article_item("c", "AI clause", follow_up.replace("still debate", "argue about"), _at(3),
                                     ["soundcloud"], link="https://c.example/3"))
    assert soon.story == first.story and not soon.opened
    assert index.forget_before(_at(1) + timedelta(days=10)) == 1 and index.story_of("a") is None



def test_a_story_that_never_goes_idle_remembers_only_its_latest_items() -> None:
    # Coverage that never stops (a big story, or a feed re-posting the same event) must not grow the index
    # without bound: the oldest items are forgotten, the story goes on, and copies of recent items are
    # still recognised.
    from bot.core.news.stories import MAX_STORY_ITEMS

    index = StoryIndex(platform_names={"soundcloud": ("SoundCloud",)})
    extra = 200
    text = ("SoundCloud section 6.4 of 7 February 2024 lets it train AI models on uploads. Outlet {n} asked "
            "artists in city {n} what they make of the clause; reader {n} wrote in about it.")
    placed = [index.assign(article_item(f"k{n}", f"SoundCloud AI clause 6.4, take {n}", text.format(n=n),
                                        _at(14) + timedelta(minutes=n), ["soundcloud"], outlet=f"outlet{n}",
                                        link=f"https://outlet{n}.example/clause"))
              for n in range(MAX_STORY_ITEMS + extra)]
    assert len({p.story for p in placed}) == 1
    plain = index.to_dict()
    assert len(plain["items"]) == MAX_STORY_ITEMS and "k0" not in plain["items"]
    assert len(plain["links"]) <= MAX_STORY_ITEMS * 5 // 4  # forgotten items' lookups are cleaned too
    last = MAX_STORY_ITEMS + extra - 1
    copy = index.assign(article_item("copy", f"SoundCloud AI clause 6.4, take {last}", text.format(n=last),
                                     _at(16), ["soundcloud"], outlet="syndicator", link="https://copies.example/1"))
    assert copy.duplicate_of == f"k{last}"
    again = index.assign(article_item("k0", "SoundCloud AI clause 6.4, take 0", text.format(n=0), _at(16),
                                      ["soundcloud"], outlet="outlet0", link="https://outlet0.example/clause"))
    assert again.story == placed[0].story and again.duplicate_of is None  # forgotten: placed again, as new

if __name__ == "__main__":
    print(figures_report())
