"""The web view rendered from real stores: the offline demo's (its posts link to the pages), and one filled by the
pipeline with hostile feed and page text. Structure, links, escaping, headers and size of every page."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import aiohttp
import feedparser
import pytest
from lxml import html as lxml_html
from multidict import CIMultiDictProxy

from bot.app import WEB_HOST_ENV, App, ChatEnv, load_config, web_address
from tests.conftest import Remote


@dataclass
class Site:
    base: str
    session: aiohttp.ClientSession
    folder: Path

    async def get(self, path: str, method: str = "GET") -> tuple[int, str, CIMultiDictProxy[str]]:
        async with self.session.request(method, self.base + path, allow_redirects=False) as response:
            return response.status, await response.text(), response.headers


@pytest.fixture
async def demo_site(demo_folder: Path) -> AsyncIterator[Site]:
    async with serve(demo_folder / "feeds.yaml") as site:
        yield site


@contextlib.asynccontextmanager
async def serve(config: Path) -> AsyncIterator[Site]:
    """The web view of the storage of `config` (opened for reading only), on a free port."""
    async with App.open(load_config(config), read_only=True, chat_env=ChatEnv()) as app:
        base = await app.serve_web("127.0.0.1", 0)
        async with aiohttp.ClientSession() as session:
            yield Site(base, session, config.parent)


def posts(folder: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (folder / "posts.jsonl").read_text(encoding="utf-8").splitlines()]


def page(text: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(text)


def path_of(link: object) -> str:
    assert isinstance(link, str)
    return urlsplit(link).path


async def test_demo_posts_link_to_their_pages_and_the_links_work(demo_site: Site) -> None:
    records = posts(demo_site.folder)
    change = next(r for r in records if r["event"] == "terms_change")
    assert str(change["link"]).startswith("http://127.0.0.1:") and "/changes/" in str(change["link"])
    assert all("link" not in r for r in records if r["event"] in ("update", "statement", "source_failing"))
    status, text, headers = await demo_site.get(path_of(change["link"]))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Cloudtune: Terms of Service changed on 2024-02-14 17:00 UTC" in text


async def test_index_lists_each_platform_with_its_last_change(demo_site: Site) -> None:
    status, text, _ = await demo_site.get("/")
    tree = page(text)
    assert status == 200
    row = tree.xpath("//table[@class='overview']//tr[td]")[0]
    assert row.xpath("string(td[1])").strip() == "Cloudtune"
    assert row.xpath("td[1]/a/@href") == ["/platforms/cloudtune"]
    assert row.xpath("td[3]/a/@href")[0].startswith("/changes/terms%3Acloudtune")
    assert row.xpath("string(td[4])").strip() == "high" and "AI training" in row.xpath("string(td[5])")


async def test_platform_page_shows_health_ai_stance_timeline_changes_stories_and_statements(demo_site: Site) -> None:
    status, text, _ = await demo_site.get("/platforms/cloudtune")
    tree = page(text)
    assert status == 200
    document = tree.xpath("//article[@class='document']")[0]
    assert "Terms of Service" in document.xpath("string(h3)") and document.xpath("h3/span[contains(@class, 'health')]")
    stance = document.xpath(".//div[contains(@class, 'stance')]")[0]
    assert "granted" in stance.get("class") and "inform, train and develop" in stance.xpath("string(blockquote)")
    svg = tree.xpath("//*[local-name()='svg' and contains(@class, 'timeline')]")[0]
    dots = svg.xpath(".//*[local-name()='circle']")
    assert len(dots) == 1 and "severity-high" in dots[0].get("class")
    assert svg.xpath(".//*[local-name()='a']/@href")[0].startswith("/changes/")
    assert len(svg.xpath(".//*[local-name()='line' and @class='version']")) >= 2  # baseline, change, cosmetic
    assert "AI training" in svg.xpath("string(.//*[local-name()='text' and @class='label'])")
    assert tree.xpath("//table[@class='changes']//td[3]/span/text()") == ["high"]
    assert tree.xpath("//ul[@class='stories']/li/a/@href")[0].startswith("/stories/terms-")
    assert re.fullmatch(r"6 posts, last 2024-02-17 10:00 UTC", tree.xpath("string(//ul[@class='stories']/li/span)"))
    assert tree.xpath("//section[@class='stories']//article[@class='statement']")
    assert tree.xpath("//link[@rel='alternate']/@href") == ["/platforms/cloudtune/feed.atom"]
    versions = document.xpath(".//details[@class='versions']//li")
    assert len(versions) >= 2 and all(v.xpath("a[1]/@href")[0].startswith("/versions/") for v in versions)
    assert [v.xpath("string(a[2])") for v in versions if len(v.xpath("a")) == 2] == ["high change"]


async def test_change_page_side_by_side_and_inline_with_permalinks_and_raw_versions(demo_site: Site) -> None:
    change = next(r for r in posts(demo_site.folder) if r["event"] == "terms_change")
    status, text, _ = await demo_site.get(path_of(change["link"]))
    tree = page(text)
    assert status == 200
    row = tree.xpath("//tr[@id='clause-3.4']")[0]
    assert "clause-added" in row.get("class")
    assert "inform, train and develop" in row.xpath("string(td[contains(@class, 'new')]/ins)")
    assert row.xpath("string(td[contains(@class, 'old')])").strip() == ""
    assert row.xpath("td[1]/a[@class='permalink']/@href")[0].endswith("#clause-3.4")
    assert tree.xpath("//tr[@class='unchanged']")  # the unchanged clauses are collapsed
    inline_href = tree.xpath("//a[@id='to-inline']/@href")[0]
    status, inline, _ = await demo_site.get(inline_href)
    inline_tree = page(inline)
    assert status == 200 and inline_tree.xpath("//table[contains(@class, 'inline')]")
    assert inline_tree.xpath("//a[@id='to-side']")
    raw = tree.xpath("//dd/a[contains(@href, '/versions/')]/@href")
    assert len(raw) == 2
    status, old_text, headers = await demo_site.get(raw[0])
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    _, new_text, _ = await demo_site.get(raw[1])
    assert "inform, train and develop" in new_text and "inform, train and develop" not in old_text


async def test_story_page_is_the_thread_as_posted_with_statements_and_their_points(demo_site: Site) -> None:
    _, text, _ = await demo_site.get("/platforms/cloudtune")
    story = page(text).xpath("//ul[@class='stories']/li/a/@href")[0]
    status, text, _ = await demo_site.get(story)
    tree = page(text)
    assert status == 200
    events = [li.get("class").split()[1] for li in tree.xpath("//ol[@class='thread']/li")]
    assert events[0] == "post-terms_change" and "post-statement" in events and "post-update" in events
    assert tree.xpath("//li[contains(@class, 'post-terms_change')]//a[@class='diff-link']/@href")[0].startswith("/changes/")
    statements = tree.xpath("//article[@class='statement']")
    assert statements and all(s.xpath(".//li") for s in statements)  # each with its points


async def test_platform_atom_feed_reads_as_atom_with_links_to_the_pages(demo_site: Site) -> None:
    status, text, headers = await demo_site.get("/platforms/cloudtune/feed.atom")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(text.encode("utf-8"))
    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.title == "Clausewatch: Cloudtune"
    change = next(e for e in feed.entries if any(t.term == "terms_change" for t in e.tags))
    related = [link.href for link in change.links if link.rel == "related"]
    assert len(related) == 1 and "/changes/" in related[0]
    assert not [e for e in feed.entries if any(t.term == "source_failing" for t in e.tags)]


async def test_only_get_and_head_with_a_strict_policy_and_clear_not_found_pages(demo_site: Site) -> None:
    status, _, headers = await demo_site.get("/platforms/cloudtune", "POST")
    assert status == 405 and "GET" in headers["Allow"]
    status, body, headers = await demo_site.get("/platforms/cloudtune", "HEAD")
    assert status == 200 and body == ""
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "style-src 'self'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    for path in ("/platforms/nope", "/changes/nope", "/stories/nope", "/versions/999.txt", "/versions/x.txt", "/x"):
        status, text, headers = await demo_site.get(path)
        assert status == 404 and "Content-Security-Policy" in headers and "<h1>Not found</h1>" in text, path


HOSTILE = '<script>alert(1)</script> @everyone <!channel> **bold** <img src=x onerror=alert(2)>'


def hostile_terms(extra: str) -> str:
    return (f"<html><body><main><h1>Acme Terms</h1><h2>1. Content</h2><p>1.1 You keep the rights to what you "
            f"upload to Acme.</p>{extra}<h2>2. Law</h2><p>The law of Delaware governs these terms.</p></main></body></html>")


def hostile_feed(title: str, link: str) -> str:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Acme news</title><link>https://acme.test/</link>'
            f'<item><guid>acme-1</guid><title>{title}</title><link>{link}</link>'
            f"<description>Acme changed its terms of service to train AI. {title}</description>"
            f"<pubDate>Mon, 12 Feb 2024 10:00:00 GMT</pubDate></item></channel></rss>")


async def test_hostile_feed_and_page_text_is_shown_escaped_on_every_page(
    remote: Remote, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    remote.serve("/terms", hostile_terms(""), content_type="text/html; charset=utf-8")
    remote.serve("/news.xml", hostile_feed("Acme news", "https://news.test/a"))
    config = write_config("\n".join([
        f"storage: {tmp_path / 'storage'}", "poll: {interval: 1h, timeout: 5s}",
        "platforms:", "  acme:", "    name: Acme", "    documents:",
        f'      - {{type: Terms of Service, url: "{remote.url("/terms")}", select: main}}',
        "feeds:", f'  - {{id: news, url: "{remote.url("/news.xml")}"}}',
        "channels:", f"  - {{id: log, jsonl: {tmp_path / 'posts.jsonl'}}}",
        "web: {base_url: \"https://watch.example.org\"}",
    ]) + "\n")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        escaped = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        remote.serve("/terms", hostile_terms(f"<p>1.2 Acme may use your uploads to train artificial intelligence "
                                             f"models. {escaped}</p>"), content_type="text/html; charset=utf-8")
        remote.serve("/news.xml", hostile_feed(escaped, "javascript:alert(3)"))
        await app.poll_once()
    records = [json.loads(line) for line in (tmp_path / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    change = next(r for r in records if r["event"] == "terms_change")
    assert str(change["link"]).startswith("https://watch.example.org/changes/")
    async with serve(config) as site:
        stories = page((await site.get("/platforms/acme"))[1]).xpath("//ul[@class='stories']/li/a/@href")
        paths = ["/", "/platforms/acme", path_of(change["link"]), path_of(change["link"]) + "?view=inline",
                 *stories, "/platforms/acme/feed.atom"]
        shown = 0
        for path in paths:
            status, text, _ = await site.get(path)
            assert status == 200, path
            assert "<script" not in text and "<img" not in text, path
            shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in text
            if not path.endswith(".atom"):
                assert not page(text).xpath("//a[starts-with(@href, 'javascript:')]"), path
        assert shown >= 3  # the clause on the change pages and platform page, the article on its story page
        atom = feedparser.parse((await site.get("/platforms/acme/feed.atom"))[1].encode("utf-8"))
        assert not atom.bozo and any("<script>" in e.title for e in atom.entries)  # text, escaped in the XML


async def test_a_rewrite_of_hundreds_of_clauses_is_paged_and_every_page_stays_under_a_megabyte(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    terms = tmp_path / "terms.md"
    clauses = 700  # 4 pages of at most 200 changed clauses (bench/web.py measures 2,000)
    terms.write_text("# Big Terms\n" + "\n".join(
        f"{n}. Members shall follow rule {n} of the service and its annex {n * 3} at all times." for n in range(1, clauses + 1)))
    config = write_config("\n".join([
        f"storage: {tmp_path / 'storage'}", "poll: {interval: 1h}", "platforms:", "  big:", "    documents:",
        "      - {type: Terms of Service, path: terms.md}", "channels:", f"  - {{id: log, jsonl: {tmp_path / 'p.jsonl'}}}",
        "web:"]) + "\n")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
        await app.poll_once()
        terms.write_text(terms.read_text().replace("Members shall follow", "Members must follow"))
        await app.poll_once()
    async with serve(config) as site:
        _, index, _ = await site.get("/")
        change = page(index).xpath("//table[@class='overview']//td[3]/a/@href")[0]
        first = (await site.get(change))[1]
        pager = page(first).xpath("//nav[@class='pager']")[0]
        pages = [int(n) for n in re.findall(r"page=(\d+)", lxml_html.tostring(pager).decode())]
        assert max(pages) >= 2
        seen: set[str] = set()
        for number in range(1, max(pages) + 1):
            status, text, _ = await site.get(f"{change}?page={number}")
            assert status == 200 and len(text.encode("utf-8")) < 1_000_000
            seen.update(page(text).xpath("//tr[contains(@class, 'clause-modified')]/@id"))
        assert len(seen) == clauses and "clause-543" in seen


def test_the_web_view_listens_on_loopback_unless_told_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text("web:\n", encoding="utf-8")
    monkeypatch.delenv(WEB_HOST_ENV, raising=False)
    assert web_address(load_config(config)) == ("127.0.0.1", 8088)
    config.write_text("web: {port: 9000, host: 0.0.0.0}\n", encoding="utf-8")
    assert web_address(load_config(config)) == ("0.0.0.0", 9000)
    monkeypatch.setenv(WEB_HOST_ENV, "::")
    assert web_address(load_config(config)) == ("::", 9000)


def copy_of(demo_folder: Path, tmp_path: Path) -> Path:
    """A copy of the demo's folder whose store a test may damage."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_folder, folder)
    text = (folder / "feeds.yaml").read_text(encoding="utf-8").replace(str(demo_folder), str(folder))
    (folder / "feeds.yaml").write_text(text, encoding="utf-8")
    return folder / "feeds.yaml"


def change_key(config: Path) -> str:
    with sqlite3.connect(config.parent / "storage" / "clausewatch.db") as db:
        return str(db.execute("SELECT event_key FROM changes").fetchone()[0])


def damage(config: Path, sql: str) -> None:
    with sqlite3.connect(config.parent / "storage" / "clausewatch.db") as db:
        db.execute(sql)


async def test_a_change_whose_earlier_version_was_pruned_shows_the_clauses_as_posted(demo_folder: Path,
                                                                                    tmp_path: Path) -> None:
    config = copy_of(demo_folder, tmp_path)
    damage(config, "DELETE FROM snapshots WHERE id = (SELECT old_snapshot_id FROM changes)")
    async with serve(config) as site:
        status, text, _ = await site.get("/changes/" + quote(change_key(config), safe=""))
    tree = page(text)
    assert status == 200 and "the earlier version is no longer stored" in text
    assert [row.get("id") for row in tree.xpath("//tr[contains(@class, 'clause-')]")] == ["clause-3.4"]


async def test_damaged_data_is_a_plain_error_page_with_the_same_headers_and_no_traceback(
    demo_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = copy_of(demo_folder, tmp_path)
    damage(config, "UPDATE changes SET clauses = '{not json'")
    async with serve(config) as site:
        status, text, headers = await site.get("/changes/" + quote(change_key(config), safe=""))
        assert (await site.get("/versions/99999999999999999999999.txt"))[0] == 404  # no number the store chokes on
    assert status == 500 and "<h1>Internal error</h1>" in text and "Traceback" not in text and "json" not in text
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert any("internal error" in r.getMessage() and r.exc_info for r in caplog.records)  # logged for the operator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_serves_the_web_view_beside_polling_when_web_is_configured(demo_folder: Path, tmp_path: Path) -> None:
    config = copy_of(demo_folder, tmp_path)
    port = free_port()
    config.write_text(config.read_text(encoding="utf-8") + f"web: {{port: {port}}}\n", encoding="utf-8")
    async with App.open(load_config(config), stdout=io.StringIO(), chat_env=ChatEnv(), listen=True):
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/platforms/cloudtune") as answer:
            assert answer.status == 200 and "Terms of Service" in await answer.text()
    with socket.socket() as again:  # closed with the app: nothing listens there any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # (connections in TIME_WAIT do not count)
        again.bind(("127.0.0.1", port))
        again.listen()


async def test_a_new_baseline_after_edited_settings_is_noted_in_the_versions_list(
    remote: Remote, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    body = ("<html><body><main><h1>Terms</h1><p>1.1 You keep the rights to your uploads.</p>"
            "<aside class='promo'><p>Go Pro today and keep every cent of your payouts.</p></aside>"
            "</main></body></html>")
    remote.serve("/terms", body, content_type="text/html; charset=utf-8")

    def config(remove: str) -> Path:
        return write_config("\n".join([
            f"storage: {tmp_path / 'storage'}", "poll: {interval: 1h, timeout: 5s}",
            "platforms:", "  acme:", "    name: Acme", "    documents:",
            f'      - {{type: Terms of Service, url: "{remote.url("/terms")}", select: main{remove}}}',
            "channels:", f"  - {{id: log, jsonl: {tmp_path / 'posts.jsonl'}}}",
        ]) + "\n")

    for remove in ("", ", remove: ['aside.promo']"):
        async with App.open(load_config(config(remove)), stdout=io.StringIO(), chat_env=ChatEnv()) as app:
            await app.poll_once()
    async with serve(config(", remove: ['aside.promo']")) as site:
        status, text, _ = await site.get("/platforms/acme")
    assert status == 200
    items = [" ".join(li.text_content().split()) for li in page(text).xpath("//details[@class='versions']//li")]
    assert len(items) == 2
    assert items[0].endswith("· extraction settings changed (selector main → selector main, without aside.promo): "
                             "a new baseline")
