"""Stories through the whole pipeline: coverage from several outlets and languages in one thread, copies
recorded not posted, passing mentions kept out of platform channels, statements as replies, and the story
index surviving restarts (journal replay)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App, ChatEnv, load_config
from bot.core.news.entries import FeedEntry
from bot.core.news.stories import StoryIndex, article_item
from bot.pipeline.reports import stories_report, why_report
from bot.pipeline.story_desk import StoryDesk
from bot.store.database import Outcome, Store
from tests.conftest import Remote

NOW = datetime(2024, 2, 15, 12, tzinfo=UTC)


def feed(title: str, *items: tuple[str, str, str, str]) -> str:
    """RSS of (guid, date, title, description) items; links are https://<feed title>.test/<guid>."""
    host = title.lower().replace(" ", "-")
    body = "".join(
        f"<item><guid>{guid}</guid><title>{t}</title><link>https://{host}.test/{guid}</link>"
        f"<pubDate>{date}</pubDate><description>{d}</description></item>"
        for guid, date, t, d in items
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{body}</channel></rss>"


EN = ("en1", "Wed, 14 Feb 2024 09:00:00 GMT", "Tunely's new terms let it train AI on uploads",
      "Tunely added section 6.4 to its terms on 7 February 2024. The clause lets the company use uploaded tracks "
      "to train artificial intelligence models. Artists found no way to opt out.")
FR = ("fr1", "Wed, 14 Feb 2024 15:00:00 GMT", "Tunely peut entraîner l'IA sur les morceaux des artistes",
      "Tunely a ajouté le 7 février 2024 une section 6.4 à ses conditions d'utilisation. La clause permet "
      "d'utiliser les morceaux mis en ligne pour entraîner des modèles d'intelligence artificielle.")
OTHER = ("x1", "Thu, 15 Feb 2024 08:00:00 GMT", "Tunely raises the price of its Pro plan",
         "Tunely will charge 12 dollars a month for Pro from 1 March, up from 9 dollars.")
PASSING = ("p1", "Thu, 15 Feb 2024 09:00:00 GMT", "Royalty rates across streaming services",
           "A survey of royalty rates found wide gaps between services across Europe. Independent labels asked "
           "for a common rate card. Smaller services such as Tunely were not part of the sample.")


def config_text(tmp: Path, remote: Remote) -> str:
    return f"""
storage: {tmp / 'storage'}
poll: {{interval: 1h, timeout: 3s}}
platforms:
  tunely: {{name: Tunely}}
  spotify: {{name: Spotify}}
feeds:
  - {{id: wire, url: "{remote.url('/wire.xml')}"}}
  - {{id: actu, url: "{remote.url('/actu.xml')}"}}
  - {{id: syndic, url: "{remote.url('/syndic.xml')}"}}
channels:
  - {{id: all, jsonl: {tmp / 'out' / 'all.jsonl'}}}
  - {{id: tunely, jsonl: {tmp / 'out' / 'tunely.jsonl'}, platforms: [tunely]}}
"""


def posts(tmp: Path, name: str) -> list[dict[str, object]]:
    path = tmp / "out" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@asynccontextmanager
async def running(path: Path) -> AsyncIterator[App]:
    async with App.open(load_config(path), stdout=io.StringIO(), chat_env=ChatEnv(), clock=lambda: NOW) as app:
        yield app


def serve(remote: Remote, wire: list[tuple[str, str, str, str]], actu: list[tuple[str, str, str, str]] = (),
          syndic: list[tuple[str, str, str, str]] = ()) -> None:
    remote.serve("/wire.xml", feed("Policy Wire", *wire))
    remote.serve("/actu.xml", feed("Le Fil", *actu))
    remote.serve("/syndic.xml", feed("Syndicate", *syndic))


async def test_coverage_in_two_languages_one_thread_copies_and_passing_mentions(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_config(config_text(tmp_path, remote))
    serve(remote, [])
    async with running(path) as app:
        await app.poll_once()  # baseline: empty feeds
        serve(remote, [EN], [FR], [("s1", EN[1], EN[2], EN[3])])  # the syndicate carries the wire's text
        await app.poll_once()
        serve(remote, [OTHER, EN], [PASSING, FR], [("s1", EN[1], EN[2], EN[3])])
        await app.poll_once()
        stories = await stories_report(app.config, app.store, "tunely")
        copy = await why_report(app.config, app.store, "https://syndicate.test/s1")
        passing = await why_report(app.config, app.store, "https://le-fil.test/p1")
        english = await why_report(app.config, app.store, "https://policy-wire.test/en1")
        french = await why_report(app.config, app.store, "https://le-fil.test/fr1")
        price_why = await why_report(app.config, app.store, "https://policy-wire.test/x1")
    tunely = posts(tmp_path, "tunely.jsonl")
    ai_story = [p for p in tunely if p["thread"] == tunely[0]["thread"]]
    assert [p["event"] for p in ai_story] == ["story", "update"] and ai_story[1]["title"] == "Also reported by Le Fil"
    assert ai_story[1]["reply_to"] == ai_story[0]["thread"]
    price = [p for p in tunely if p["title"] == OTHER[2]]
    assert len(price) == 1 and price[0]["event"] == "story" and price[0]["thread"] != ai_story[0]["thread"]
    assert len(tunely) == 3  # the copy is recorded, not posted; the passing mention is not Tunely news
    assert [p["title"] for p in posts(tmp_path, "all.jsonl") if p["platform"] is None] == [PASSING[2]]
    by_title = {s["title"]: s for s in stories["stories"]}
    assert by_title[EN[2]]["languages"] == ["en", "fr"] and by_title[EN[2]]["entries"] == 3
    assert copy["entries"][0]["reason"].startswith("a copy of") and copy["entries"][0]["posts"] == []
    assert passing["entries"][0]["platform"] is None and "Tunely" in passing["entries"][0]["attribution"]
    assert "in the title" in english["entries"][0]["attribution"]
    # `why` says why an article joined a thread, and for a new thread which story was nearest and what was missing.
    assert french["entries"][0]["thread_reason"].startswith("joined story")
    opened = price_why["entries"][0]["thread_reason"]
    assert opened.startswith("opened a new thread; nearest stories:") and "missing: a topic in common" in opened
    assert "this item: pricing" in opened
    assert english["entries"][0]["thread_reason"].startswith("opened a new thread: no story of tunely")


async def test_a_story_continues_across_restarts(remote: Remote, write_config: Callable[..., Path], tmp_path: Path) -> None:
    path = write_config(config_text(tmp_path, remote))
    serve(remote, [])
    async with running(path) as app:
        await app.poll_once()
        serve(remote, [EN])
        await app.poll_once()
    async with running(path) as app:  # a new process: the index comes back from the store
        serve(remote, [EN], [FR])
        await app.poll_once()
    first, second = posts(tmp_path, "tunely.jsonl")
    assert second["thread"] == first["thread"] and second["reply_to"] == first["thread"]


async def test_items_placed_but_not_yet_saved_are_replayed_from_the_journal(tmp_path: Path, write_config: Callable[..., Path],
                                                                            remote: Remote) -> None:
    """A crash after a source's outcome is committed but before the index is saved loses no placement."""
    config = load_config(write_config(config_text(tmp_path, remote)))
    store = await Store.connect(config.storage, os.environ.get("CLAUSEWATCH_DATABASE_URL"))
    try:
        desk = StoryDesk(config)
        await desk.load(store)
        spec = next(s for s in config.sources() if s.id == "wire")
        entry = FeedEntry(guid="en1", link="https://policy-wire.test/en1", title=EN[2], summary=EN[3],
                          published="2024-02-14T09:00:00+00:00")
        placement = await desk.place_entry(spec, "Policy Wire", entry, None, True, NOW.isoformat(), NOW)
        assert placement.story_item is not None
        await store.commit(Outcome("wire", {}, story_items=[placement.story_item]), NOW.isoformat())
        # ... and the process dies here, before desk.save().
        again = StoryDesk(config)
        await again.load(store)
        assert again.index.story_of(f"wire:{entry.identity}") == placement.thread
    finally:
        await store.close()


# --- grouping real-shaped coverage (StoryIndex alone) ---------------------------------------------------------

def _day(day: int) -> datetime:
    return datetime(2025, 5, 1, 9, tzinfo=UTC) + timedelta(days=day - 1)


def _place(index: StoryIndex, key: str, title: str, text: str, day: int, platform: str = "tunely") -> str:
    return index.assign(article_item(key, title, text, _day(day), [platform], link=f"https://{key}.example/a")).story


# One backlash, as real coverage reports it: discovery, coverage abroad, the company's answer, a revision, over
# ten days (four days between some), in three languages, with no date, figure, name or quote in common (each outlet
# words it its own way).
BACKLASH = [
    ("en-discovery", "Artists fume as Tunely quietly lets AI train on their uploads",
     "Musicians noticed this week that Tunely rewrote its terms of use so that uploaded tracks can be used to "
     "train artificial intelligence models. Nobody was told, and there is no obvious way to opt out.", 1),
    ("fr-coverage", "Tunely autorise l'entraînement de l'IA sur les morceaux de ses utilisateurs",
     "La plateforme musicale a modifié ses conditions d'utilisation : les contenus mis en ligne peuvent servir à "
     "entraîner des intelligences artificielles. Les artistes dénoncent un changement passé sous silence.", 5),
    ("de-coverage", "Tunely: KI-Training mit Musik der Nutzer erlaubt",
     "Die Musikplattform hat ihre Nutzungsbedingungen geändert. Hochgeladene Inhalte dürfen nun zum Training "
     "künstlicher Intelligenz verwendet werden, kritisieren Künstlerinnen und Künstler.", 6),
    ("en-answer", "Tunely says it has never trained AI on artists' music",
     "After days of criticism, the company insisted the change to its terms was about recommendations and fraud "
     "detection, and that it has not used uploads to train generative AI.", 7),
    ("fr-revision", "Tunely fait marche arrière sur l'IA",
     "Face à la polémique, la plateforme revoit la clause sur l'intelligence artificielle : aucun morceau ne "
     "servira à entraîner une IA générative sans l'accord explicite de l'artiste.", 11),
]


def test_one_backlash_over_ten_days_in_three_languages_is_one_story() -> None:
    index = StoryIndex(platform_names={"tunely": ("Tunely",)})
    stories = [_place(index, key, title, text, day) for key, title, text, day in BACKLASH]
    assert len(set(stories)) == 1, stories


def test_two_events_of_one_platform_three_weeks_apart_stay_apart() -> None:
    index = StoryIndex(platform_names={"tunely": ("Tunely",)})
    first = [_place(index, key, title, text, day) for key, title, text, day in BACKLASH[:3]]
    later = _place(index, "en-age", "Tunely will ask users to prove their age",
                   "From next month Tunely requires every account to verify the age of its holder with an ID "
                   "document or a face scan; accounts of minors lose access to explicit tracks.", 5 + 21)
    assert len(set(first)) == 1 and later not in first


def test_same_platform_same_week_another_subject_is_another_story() -> None:
    index = StoryIndex(platform_names={"tunely": ("Tunely",)})
    ai = [_place(index, key, title, text, day) for key, title, text, day in BACKLASH[:2]]
    price = index.assign(article_item(
        "en-price", "Tunely raises the price of its subscription",
        "Tunely will charge more for its premium plan from next month, the second price increase in a year; "
        "subscribers can cancel before the new price applies.", _day(3), ["tunely"], link="https://price.example/a"))
    assert price.opened and price.story not in ai
    assert "nearest stories" in price.placement
    joined = index.assign(article_item(*BACKLASH[2][:3], _day(4), ["tunely"], link="https://de.example/b"))
    assert joined.story == ai[0] and "same platform" in joined.placement


# One change reported the same day in four languages, each outlet in its own words: no date, figure, name, quote
# or link in common, and the topic labeller may find no topic. What they share is what the change is about
# (blocking, what blocked accounts see), named in each language: concepts.
BLOCKING = [
    ("en-block", "Chirpy changes how blocking works",
     "Blocked accounts will soon be able to see your public posts on Chirpy, though they still cannot reply "
     "to them. The blocking feature now only stops interaction.", 1),
    ("es-block", "Chirpy cambia la función de bloquear",
     "Las cuentas bloqueadas podrán ver las publicaciones públicas de los usuarios que las bloquearon. "
     "El bloqueo solo impedirá responder.", 1),
    ("de-block", "Chirpy ändert die Blockierfunktion",
     "Blockierte Konten sollen künftig öffentliche Beiträge sehen können. Antworten bleibt ihnen verwehrt, "
     "sagen Kritiker.", 1),
    ("fr-block", "Chirpy modifie le blocage des comptes",
     "Les comptes bloqués pourront bientôt voir vos publications publiques, sans pouvoir y répondre. "
     "Une fonction de blocage vidée de son sens.", 1),
]


def test_one_change_the_same_day_in_four_languages_joins_by_concepts() -> None:
    index = StoryIndex(platform_names={"chirpy": ("Chirpy",)})
    placed = [index.assign(article_item(key, title, text, _day(day), ["chirpy"], link=f"https://{key}.example/a"))
              for key, title, text, day in BLOCKING]
    assert len({p.story for p in placed}) == 1, [p.placement for p in placed]
    assert any("c:block" in p.evidence for p in placed[1:])


def test_two_changes_of_one_platform_the_same_week_with_other_concepts_stay_apart() -> None:
    index = StoryIndex(platform_names={"chirpy": ("Chirpy",)})
    block = [_place(index, key, title, text, day, "chirpy") for key, title, text, day in BLOCKING[:2]]
    layoffs = index.assign(article_item(
        "fr-layoffs", "Chirpy supprime la moitié de ses postes",
        "La plateforme annonce des licenciements : la moitié des employés quittent l'entreprise, selon un "
        "syndicat qui dénonce la brutalité du plan.", _day(3), ["chirpy"], link="https://layoffs.example/a"))
    assert layoffs.opened and layoffs.story not in block
    assert "c:block" not in layoffs.placement
    age = index.assign(article_item(
        "de-age", "Chirpy führt Altersverifikation ein",
        "Wer Chirpy nutzen will, muss künftig per Gesichtsscan oder Ausweis nachweisen, dass er volljährig ist.",
        _day(4), ["chirpy"], link="https://age.example/a"))
    assert age.opened and age.story not in block and age.story != layoffs.story


# --- what an item names (names, concepts) and how concepts weigh ------------------------------------------------

def test_a_name_that_is_the_platforms_possessive_is_no_evidence() -> None:
    from bot.core.news.evidence import names_a_platform, names_in

    platforms = frozenset({"chirpy", "chirpy music"})
    assert names_a_platform("chirpy's ai", platforms) and names_a_platform("chirpy music's studio", platforms)
    assert not names_a_platform("dylan field", platforms)
    assert not any(name.startswith("chirpy") for name in names_in("Users say Chirpy's AI Studio copies apps.", platforms))


def test_phrases_match_with_the_typographic_apostrophe() -> None:
    from bot.core.news.stories import concepts_in
    from bot.core.text import fold

    assert "age_verification" in concepts_in(fold("la vérification de l’âge devient obligatoire chez Chirpy"))
    assert concepts_in(fold("vérification de l’âge")) == concepts_in(fold("vérification de l'âge"))


def test_what_blocked_accounts_see_is_named_in_every_language() -> None:
    from bot.core.news.stories import concepts_in
    from bot.core.text import fold

    for text in ("If your posts are set to public, accounts you've blocked can see your posts.",
                 "Blockierte Nutzer können öffentliche Beiträge weiterhin einsehen.",
                 "Los usuarios bloqueados podrán seguir viendo tus publicaciones.",
                 "Les comptes bloqués pourront voir vos publications."):
        assert {"block", "visibility"} <= concepts_in(fold(text)), text


def test_topics_that_differ_do_not_part_an_event_that_several_concepts_name() -> None:
    index = StoryIndex(platform_names={"chirpy": ("Chirpy",)})
    first = index.assign(article_item(
        "en-privacy", "Chirpy changes what blocked accounts can see",
        "Blocked accounts will see your public posts, a change critics say helps harassment.", _day(1), ["chirpy"],
        link="https://privacy.example/a", language="en", topics=["privacy"]))
    later = index.assign(article_item(
        "en-moderation", "Chirpy's block button no longer hides you",
        "After the change, harassment victims fear that blocked users can read their public posts again.",
        _day(2), ["chirpy"], link="https://moderation.example/a", language="en", topics=["moderation"]))
    assert not later.opened and later.story == first.story, later.placement
    assert "no topic in common, but concepts" in later.placement


def test_two_events_of_one_platform_with_several_concepts_but_none_in_common_stay_apart() -> None:
    index = StoryIndex(platform_names={"chirpy": ("Chirpy",)})
    training = index.assign(article_item(
        "en-training", "Chirpy will train AI on users' content",
        "Chirpy's new terms let it use uploads to train AI models; users can opt out in the settings, and "
        "personal data may be shared with partners.", _day(1), ["chirpy"], link="https://training.example/a",
        language="en", topics=["ai_training"]))
    pulled = index.assign(article_item(
        "en-pulled", "Chirpy pulls its AI design tool",
        "The company suspended the AI tool after critics showed it copied existing apps, and removed the feature "
        "from the paid subscription.",
        _day(4), ["chirpy"], link="https://pulled.example/a", language="en", topics=["ai_training"]))
    assert pulled.opened and pulled.story != training.story, pulled.placement
    assert "no common concept" in pulled.placement


async def test_an_article_changed_after_its_story_was_forgotten_is_an_update_in_its_thread(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    """Stories idle for two windows are forgotten; an article of such a story that changes later still has its
    thread, with its opening post: the change is an `update` reply there, never a second `story` opener."""
    moment = [NOW]
    path = write_config(config_text(tmp_path, remote))
    serve(remote, [])
    async with App.open(load_config(path), stdout=io.StringIO(), chat_env=ChatEnv(), clock=lambda: moment[0]) as app:
        await app.poll_once()
        serve(remote, [EN])
        await app.poll_once()
        moment[0] = NOW + timedelta(days=90)  # the index's timeline moves on: its story is forgotten at the save
        later = ("x2", "Wed, 15 May 2024 08:00:00 GMT", OTHER[2], OTHER[3])
        serve(remote, [later, EN])
        await app.poll_once()
        changed = (EN[0], EN[1], EN[2], EN[3] + " Update: Tunely said on Friday that it will add an opt-out.")
        serve(remote, [later, changed])
        await app.poll_once()
    thread = [post for post in posts(tmp_path, "tunely.jsonl") if post["title"] in (EN[2], f"Updated: {EN[2]}")]
    assert [post["event"] for post in thread] == ["story", "update"]
    assert thread[1]["reply_to"] == thread[0]["thread"] and "opt-out" in str(thread[1]["text"])
