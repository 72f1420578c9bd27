"""A replay, in our own words, of the shape of the February 2024 SoundCloud story: the terms gain an AI-training
clause with a carve-out, an English and a French outlet report it in the same poll, and the next poll the
English article gains an appended statement. One thread, one opener, every later item a reply."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import App, ChatEnv, load_config
from bot.core.config import Config
from bot.pipeline.reports import status_report
from tests.conftest import Remote

TERMS_BEFORE = """<html><body><main>
<h1>Echowave Terms of Use</h1>
<p>Last Amended: 3 March 2023</p>
<h2>1. Your account</h2>
<p>1.1 You must be at least 16 years old to open an Echowave account.</p>
<p>1.2 You are responsible for keeping your password secret.</p>
<h2>2. Your content</h2>
<p>2.1 You keep ownership of the tracks and other content you upload to Echowave.</p>
<p>2.2 You grant Echowave a worldwide, non-exclusive licence to host, stream and display your content on the service.</p>
<h2>3. Ending the agreement</h2>
<p>3.1 You may close your account at any time from the settings page.</p>
</main></body></html>"""

TERMS_AFTER = TERMS_BEFORE.replace("Last Amended: 3 March 2023", "Last Amended: 7 February 2024").replace(
    "on the service.</p>",
    "on the service.</p>\n<p>2.3 Unless a separate agreement with Echowave says otherwise, you explicitly agree that "
    "your content may be used to inform, train, develop or serve as input to artificial intelligence or machine "
    "intelligence technologies or services as part of and for providing the services.</p>",
)

# Like real coverage, the articles share almost no fact with the terms change or with each other: no clause
# number, no exact date, one language each; what they share is the platform, the subject and the week.
EN_FIRST = (
    "Musicians are angry after noticing that Echowave changed its terms of use earlier this month. The platform now "
    "says uploaded content may be used “to inform, train, develop or serve as input to artificial intelligence or "
    "machine intelligence technologies”. Nobody was notified, artists say, and there is no obvious way to opt out."
)
EN_UPDATE = (
    "News update at 2:40 p.m. Pacific: We have received an emailed statement from Echowave, which reads in full:\n\n"
    "“_Echowave has never used the music of its artists to train AI models, and we do not let third parties scrape "
    "tracks from the platform for that purpose._\n\n"
    "“_The February update was meant to describe how AI helps inside our own service, for recommendations, "
    "playlists and fraud detection. We will add a clear opt-out before any other use._”"
)
FR_ARTICLE = (
    "La plateforme musicale Echowave a changé ses conditions d'utilisation en février. Les contenus mis en ligne "
    "peuvent désormais servir à entraîner des technologies d'intelligence artificielle, ce qui inquiète de "
    "nombreux artistes."
)


def rss(title: str, items: list[tuple[str, str, str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>"
        f"<pubDate>{date}</pubDate><description><![CDATA[{text}]]></description></item>"
        for guid, t, link, date, text in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'


class Stages:
    """What the local server plays at each stage: 0 baseline, 1 the change and its coverage, 2 the update."""

    def __init__(self) -> None:
        self.stage = 0

    def terms(self) -> str:
        return TERMS_BEFORE if self.stage == 0 else TERMS_AFTER

    def english(self) -> str:
        older = ("en-1", "Streaming payouts rise for indie labels", "https://news.example/payouts",
                 "Mon, 05 Feb 2024 09:00:00 GMT", "Indie labels saw payouts rise this quarter on several services.")
        items = [older]
        if self.stage >= 1:
            text = EN_FIRST if self.stage == 1 else EN_FIRST + "\n\n" + EN_UPDATE
            items.insert(0, ("en-2", "Echowave's new terms let it train AI on your uploads",
                             "https://news.example/echowave-ai-terms", "Wed, 14 Feb 2024 16:30:00 GMT", text))
        return rss("Sound Policy Daily", items)

    def french(self) -> str:
        older = ("fr-1", "Les labels indépendants et le streaming", "https://actu.example/labels",
                 "Mon, 05 Feb 2024 08:00:00 GMT", "Les labels indépendants voient leurs revenus progresser ce trimestre.")
        items = [older]
        if self.stage >= 1:
            items.insert(0, ("fr-2", "Echowave s'autorise à entraîner l'IA sur vos morceaux",
                             "https://actu.example/echowave-ia", "Wed, 14 Feb 2024 18:00:00 GMT", FR_ARTICLE))
        return rss("Le Fil Musique", items)


TIMES = (datetime(2024, 2, 10, 9, tzinfo=UTC), datetime(2024, 2, 14, 19, tzinfo=UTC),
         datetime(2024, 2, 15, 8, tzinfo=UTC))


def serve(remote: Remote, path: str, body: Callable[[], str], content_type: str) -> str:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=body(), content_type=content_type)

    return remote.route(path, handler)


def replay_config(remote: Remote, write_config: Callable[..., Path], tmp_path: Path, stages: Stages,
                  terms: Callable[[], str]) -> Config:
    """Echowave's terms page (as `terms` gives it), the stages' English and French feeds, a JSONL channel."""
    url = serve(remote, "/echowave/terms", terms, "text/html")
    english = serve(remote, "/en/feed.xml", stages.english, "application/rss+xml")
    french = serve(remote, "/fr/feed.xml", stages.french, "application/rss+xml")
    return load_config(write_config(f"""
        storage: {tmp_path / 'storage'}
        poll: {{interval: 1h, concurrency: 1, timeout: 5s}}
        platforms:
          echowave:
            name: Echowave
            documents:
              - {{type: Terms of Service, url: "{url}", select: main}}
        feeds:
          - {{id: sound-policy, url: "{english}"}}
          - {{id: le-fil, url: "{french}"}}
        channels:
          - {{id: archive, jsonl: {tmp_path / 'posts.jsonl'}}}
        """))


async def test_a_story_of_the_soundcloud_shape_is_one_thread_with_replies(
        remote: Remote, write_config: Callable[..., Path], tmp_path: Path) -> None:
    stages = Stages()
    config = replay_config(remote, write_config, tmp_path, stages, stages.terms)
    jsonl = tmp_path / "posts.jsonl"
    async with App.open(config, stdout=io.StringIO(), chat_env=ChatEnv(), clock=lambda: TIMES[stages.stage]) as app:
        for stage in range(3):
            stages.stage = stage
            await app.poll_once()
        status = await status_report(config, app.store, "echowave")
    posts: list[dict[str, Any]] = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    story_posts = [p for p in posts if p["platform"] == "echowave"]

    # One thread, one opener: every other post replies in it.
    assert {p["thread"] for p in story_posts} == {story_posts[0]["thread"]}, [(p["event"], p["thread"]) for p in story_posts]
    openers = [p for p in story_posts if p["reply_to"] is None]
    assert len(openers) == 1, [(p["event"], p["title"]) for p in openers]
    events = [p["event"] for p in story_posts]
    assert events.count("terms_change") == 1, events
    assert {p["event"] for p in story_posts if p["reply_to"] is None} <= {"story", "terms_change"}

    # The updated article is a reply carrying only the added passage, never a second opener.
    updates = [p for p in story_posts if p["event"] == "update" and "2:40 p.m. Pacific" in p["text"]]
    assert len(updates) == 1, events
    assert "Musicians are angry" not in updates[0]["text"]

    # The appended statement is a statement reply whose points keep the denial.
    statements = [p for p in story_posts if p["event"] == "statement"]
    assert statements, events
    appended = [s for s in statements if "https://news.example/echowave-ai-terms" == s["url"]]
    assert any("never" in s["text"].lower() for s in appended), [s["text"] for s in statements]
    # The terms' own words quoted by an article are not the platform speaking.
    assert not any("inform, train, develop" in s["text"] for s in statements), [s["text"] for s in statements]

    # status: the carve-out is quoted as an exception, and the page's date line is read.
    document = status["documents"][0]
    assert document["ai_training"]["granted"] is True
    assert document["ai_training"]["exceptions"] and "separate agreement" in document["ai_training"]["exceptions"]
    assert "2024-02-07" in (document.get("last_updated"), document.get("effective_date"))


async def test_a_terms_change_seen_after_its_coverage_joins_the_story_the_coverage_opened(
        remote: Remote, write_config: Callable[..., Path], tmp_path: Path) -> None:
    """Whichever comes first: here the articles open the story and the terms change, seen a poll later, replies."""
    stages = Stages()
    config = replay_config(remote, write_config, tmp_path, stages,
                           lambda: TERMS_BEFORE if stages.stage < 2 else TERMS_AFTER)
    jsonl = tmp_path / "posts.jsonl"
    async with App.open(config, stdout=io.StringIO(), chat_env=ChatEnv(), clock=lambda: TIMES[stages.stage]) as app:
        for stage in range(3):
            stages.stage = stage
            await app.poll_once()
    posts = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    story_posts = [p for p in posts if p["platform"] == "echowave"]
    assert {p["thread"] for p in story_posts} == {story_posts[0]["thread"]}
    assert story_posts[0]["event"] == "story" and story_posts[0]["reply_to"] is None
    changes = [p for p in story_posts if p["event"] == "terms_change"]
    assert len(changes) == 1 and changes[0]["reply_to"] == story_posts[0]["thread"]
