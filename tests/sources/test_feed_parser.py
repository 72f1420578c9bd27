"""Feed parsing: feedparser reads every fixture, malformed ones included, and its result becomes plain-text
entries with the field rules of `bot.sources.feed_parser`; bytes that are not a feed raise FeedParseError."""

from __future__ import annotations

import datetime as dt
import random
import resource
import tracemalloc
from pathlib import Path

import pytest

from bot.core.news.entries import FeedEntry, FeedParseError, ParsedFeed
from bot.sources.feed_parser import INLINE_LIMIT, parse_feed, parse_feed_async

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
WELL_FORMED = sorted(path for path in FIXTURES.iterdir() if not path.name.startswith("malformed"))
MALFORMED = sorted(FIXTURES.glob("malformed*"))
NOT_FEEDS = {"malformed_empty.xml", "malformed_html_page.html", "malformed_not_xml.json"}
FEED_URL = "https://feeds.example/clausewatch/feed.xml"


def _ids(path: Path) -> str:
    return path.name


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def assert_entry_contract(feed: ParsedFeed) -> None:
    """What every parsed feed promises (FeedEntry's docstring): single-spaced plain text, web links or None,
    ISO 8601 UTC dates or None, stripped guids and authors."""
    assert feed.title == " ".join(feed.title.split())
    assert feed.link is None or feed.link.startswith(("http://", "https://"))
    for entry in feed.entries:
        for text in (entry.title, entry.summary, entry.content):
            assert text == " ".join(text.split()), entry
        assert entry.link is None or entry.link.startswith(("http://", "https://")), entry
        for date in (entry.published, entry.updated):
            assert date is None or dt.datetime.fromisoformat(date).utcoffset() == dt.timedelta(0), entry
            assert date is None or date.endswith("+00:00"), entry
        assert entry.guid is None or entry.guid == entry.guid.strip() != "", entry
        assert entry.author is None or entry.author == " ".join(entry.author.split()) != "", entry


# ------------------------------------------------------------------------------------------------------------
# Every fixture


def test_the_fixture_corpus_is_there() -> None:
    assert len(WELL_FORMED) >= 6
    assert len(MALFORMED) >= 8


@pytest.mark.parametrize("path", WELL_FORMED, ids=_ids)
def test_every_well_formed_fixture_gives_a_titled_feed_with_entries(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), FEED_URL)
    assert feed.title
    assert feed.entries
    assert_entry_contract(feed)


@pytest.mark.parametrize("path", [path for path in MALFORMED if path.name not in NOT_FEEDS], ids=_ids)
def test_every_malformed_fixture_still_yields_feedparsers_entries(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), FEED_URL)
    assert feed.entries
    assert_entry_contract(feed)


@pytest.mark.parametrize("name", sorted(NOT_FEEDS))
def test_not_a_feed_raises(name: str) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(_fixture(name), FEED_URL)


async def test_parse_feed_async_reads_small_bodies_on_the_loop_and_large_ones_in_a_thread() -> None:
    small = _fixture("rss2_content_encoded.xml")
    item = b"<item><title>Padding</title><description>" + b"x" * 1000 + b"</description></item>"
    large = small.replace(b"</channel>", item * (INLINE_LIMIT // len(item) + 1) + b"</channel>")
    assert len(small) <= INLINE_LIMIT < len(large)
    for body in (small, large):
        assert await parse_feed_async(body, FEED_URL) == parse_feed(body, FEED_URL)
    with pytest.raises(FeedParseError):
        await parse_feed_async(_fixture("malformed_html_page.html"), FEED_URL)


# ------------------------------------------------------------------------------------------------------------
# What a reader would notice: well-formed fixtures


def test_rss2_fields_are_plain_text_with_utc_dates() -> None:
    feed = parse_feed(_fixture("rss2_content_encoded.xml"), FEED_URL)
    assert (feed.title, feed.link) == ("Creator Policy Monitor", "https://policy-monitor.example/")
    first, second, third, fourth = feed.entries
    assert first == FeedEntry(
        guid="https://policy-monitor.example/?p=4102",
        link="https://policy-monitor.example/2024/02/reused-content-rule/",
        title="Video platform narrows its \u201creused content\u201d rule",
        summary="The revised rule now names compilations and reaction clips explicitly. Channels have 30 days to "
                "appeal.",
        content="What changed The monetisation policy for reused content was rewritten on 13 February. The new "
                "text lists compilations, reaction clips and \u201clightly edited\u201d uploads as examples. "
                "Appeals window: 30 days Effective: 1 March 2024 Read the annotated diff.",
        published="2024-02-14T10:00:00+00:00",
        updated=None,
        author="Mara Lindqvist",
    )
    assert second.title == 'Marketplace fees: a second look at the "offsite ads" clause'
    assert second.link == "https://policy-monitor.example/2024/02/offsite-ads/?utm_source=rss&utm_medium=feed"
    assert second.published == "2024-02-12T15:45:10+00:00"  # +0200
    assert second.author == "Jonas Achterberg"  # "editor@policy-monitor.example (Jonas Achterberg)"
    assert second.summary == ("Sellers above the revenue threshold cannot opt out. We compared the 2023 and 2024 "
                              "wording \u2014 line by line.")
    assert (third.guid, third.published) == ("pm-4093", "2024-02-09T14:15:00+00:00")  # EST
    assert third.summary == "Shows created before 2022 are opted in by default."
    assert (fourth.summary, fourth.content[:28]) == ("", "Creators who relied on weekl")


def test_rss1_reads_rdf_about_and_dc_date() -> None:
    feed = parse_feed(_fixture("rss1_rdf.xml"), FEED_URL)
    assert feed.title == "Terms Digest (RSS 1.0)"
    first, second, third = feed.entries
    assert first.guid == "https://terms-digest.example/notes/118"
    assert first.published == first.updated == "2024-01-22T13:05:00+00:00"  # dc:date, +01:00
    assert first.author == "A. Okafor"
    assert second.title == "Streaming site: clip ownership rules updated"
    assert second.summary == "Clips made by viewers now belong to the channel, not the clipper. Existing clips are " \
                             "unaffected."
    assert second.content == "Clips made by viewers now belong to the channel. Clips are a derivative work of the " \
                             "broadcast."
    assert third.title == "Newsletter platform drops its referral bonus"  # whitespace runs collapsed
    assert third.published is None  # "not a date"


def test_atom_resolves_xml_base_and_reads_each_text_type() -> None:
    feed = parse_feed(_fixture("atom_xml_base.xml"), FEED_URL)
    assert (feed.title, feed.link) == ("Clause Watchers", "https://clause-watchers.example/blog/")
    voice, thresholds, terms, note = feed.entries
    assert voice.link == "https://clause-watchers.example/blog/2024/03/ai-voice-clause"
    assert voice.title == "Streaming service adds AI voice clause & a new dispute process"
    assert voice.summary == "Section 7.2 now covers synthetic voices trained on a creator\u2019s recordings."
    assert voice.content == ("Section 7.2 now covers synthetic voices. Disputes go to arbitration first (opt-out "
                             "within 30 days).")
    assert "trackRead" not in voice.content
    assert (voice.published, voice.updated) == ("2024-03-04T17:20:00+00:00", "2024-03-05T07:00:00+00:00")
    assert voice.author == "Tom\u00e1s Ferreira"
    assert thresholds.link == "https://clause-watchers.example/archive/2024/payout-thresholds.html"
    assert thresholds.title == "Plain text title with a literal <tag> and 5 < 7"  # type="text" stays literal
    assert thresholds.published is None  # Atom: <updated> does not stand in for <published>
    assert terms.link == terms.guid == "https://clause-watchers.example/blog/notes/terms-v9"  # id serves as link
    assert (note.guid, note.link) == ("urn:uuid:5f0c2b7e-8d7a-4f0e-9a55-3c1f2a9e7b11", None)


def test_html_descriptions_lose_scripts_and_keep_words_apart() -> None:
    entries = parse_feed(_fixture("rss2_html_descriptions.xml"), FEED_URL).entries
    by_link = {entry.link.rsplit("/", 1)[-1]: entry for entry in entries if entry.link}
    assert by_link["entities"].title == "Entities everywhere: \u2014 \u2019 and \u00e9"
    assert by_link["entities"].summary == (
        "The update \u2014 effective 1 April \u2014 changes how \u201coriginal work\u201d is defined. "
        "Caf\u00e9 owners\u2019 listings aren't affected.")
    assert by_link["script"].summary == "Only this sentence is visible. And this one."
    assert by_link["structure"].summary == ("Fee changes Plan Before After Basic 5% 8% Notice: 14 days Appeal: by "
                                            "e-mail or form Signed, the policyteam")
    assert by_link["sloppy"].summary == "Unclosed paragraph bold both italic? Second & third 5 < 6 > 4 done"
    assert by_link["guessed"].title == "A bold title that feedparser guesses to be HTML"
    assert by_link["plain"].title == "Title with 5 < 6 and AT&T but no HTML"


def test_declared_iso_8859_1_is_decoded() -> None:
    feed = parse_feed(_fixture("rss2_iso8859_1.xml"), FEED_URL)
    assert feed.title == "K\u00fcnstlerrecht aktuell"
    first, second = feed.entries
    assert first.title == "Plattform \u00e4ndert Verg\u00fctung f\u00fcr Urheber: Geb\u00fchr steigt auf 12 %"
    assert first.author == "J\u00fcrgen Wei\u00df"
    assert second.summary.endswith("9,99 EUR / mois ; \u00a9 2024.")


def test_entries_without_guid_or_link_still_have_an_identity() -> None:
    entries = parse_feed(_fixture("rss2_missing_guid_link.xml"), FEED_URL).entries
    relative, permalink, no_link, neither, empty_link, script_link, untitled = entries
    assert (relative.guid, relative.link) == (None, "https://feeds.example/news/2024/relative-link.html")
    assert relative.identity == relative.link
    assert permalink.link == permalink.guid == "https://patchy.example/news/2024/guid-as-link"
    assert (no_link.guid, no_link.link) == ("patchy-2024-0042", None)
    assert (neither.guid, neither.link) == (None, None)
    assert neither.identity.startswith("sha256:")
    assert empty_link.link is None
    assert script_link.link is None  # javascript: links are dropped
    assert (untitled.title, untitled.summary) == ("", "An item with no title at all, only this description.")


# ------------------------------------------------------------------------------------------------------------
# What a reader would notice: malformed fixtures


def test_bare_ampersand_keeps_the_text_around_it() -> None:
    feed = parse_feed(_fixture("malformed_bare_ampersand.xml"), FEED_URL)
    assert feed.title == "Music & Money"
    rock, qa = feed.entries
    assert rock.title == "Rock & Roll labels sign the new streaming deal"
    assert rock.link == "https://music-money.example/deal?id=12&src=rss"
    assert rock.summary == "Artists & songwriters get 2% more; back-catalogue terms unchanged."
    assert qa.title == "Q&A: what the deal means for independents"


def test_undeclared_html_entities_are_decoded() -> None:
    feed = parse_feed(_fixture("malformed_undeclared_entity.xml"), FEED_URL)
    assert feed.title == "Terms Tracker"
    assert feed.entries[0].title == "Caf\u00e9 platform revises \u201ccreator fund\u201d rules"
    assert feed.entries[0].summary == "Payments \u2014 now quarterly \u2014 require 1,000 followers."


def test_windows_1252_bytes_declared_as_utf8_are_read_as_windows_1252() -> None:
    entry = parse_feed(_fixture("malformed_wrong_encoding.xml"), FEED_URL).entries[0]
    assert entry.title == "\u201cSmart quotes\u201d and an em dash \u2014 from a Windows editor"
    assert entry.summary == "Les r\u00e8gles de r\u00e9mun\u00e9ration changent \u00e0 partir d\u2019avril\u2026 " \
                            "5 \u20ac par mois."


def test_utf8_byte_order_mark_is_dropped() -> None:
    feed = parse_feed(_fixture("rss2_utf8_bom.xml"), FEED_URL)
    assert (feed.title, feed.link) == ("Byte Order Mark Weekly", "https://bom.example/")
    assert feed.entries == (FeedEntry(
        guid="https://bom.example/sync-licence",
        link="https://bom.example/sync-licence",
        title="Stock-music library changes its \u201csync licence\u201d terms",
        summary="Sync licences bought before 2024 remain perpetual \u2014 new ones expire after 5 years.",
        published="2024-01-17T13:00:00+00:00",
    ),)


def test_bom_and_blank_line_before_the_declaration() -> None:
    feed = parse_feed(_fixture("malformed_utf8_bom.xml"), FEED_URL)
    assert feed.title == "Blank Line Before The Declaration"
    assert [entry.title for entry in feed.entries] == ["Marketplace adds a \u201chandmade\u201d verification step"]


def test_unclosed_tags_still_give_the_first_entry() -> None:
    feed = parse_feed(_fixture("malformed_unclosed_tags.xml"), FEED_URL)
    first = feed.entries[0]
    assert first.title == "Video app updates its branded-content disclosure rule"
    assert first.guid == "https://half-closed.example/branded-content"


def test_billion_laughs_is_neither_expanded_nor_expensive() -> None:
    body = _fixture("malformed_billion_laughs.xml")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        feed = parse_feed(body, FEED_URL)
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert python_peak < 20 * 1024 * 1024
    assert rss_growth_kib < 100 * 1024  # a billion "lol"s would be gigabytes
    texts = [feed.title] + [value for entry in feed.entries for value in (entry.title, entry.summary, entry.content)]
    assert all("lollol" not in text for text in texts)
    assert sum(map(len, texts)) < 500
    assert feed.entries[0].title == "Harmless title &lol9;"


def test_html_page_is_reported_as_not_a_feed() -> None:
    with pytest.raises(FeedParseError, match="not a feed: the body is an HTML page"):
        parse_feed(_fixture("malformed_html_page.html"), FEED_URL)


@pytest.mark.parametrize("body", [b"", b"   \n\t "], ids=["empty", "whitespace"])
def test_empty_body_raises(body: bytes) -> None:
    with pytest.raises(FeedParseError, match="empty body"):
        parse_feed(body, FEED_URL)


def test_garbage_is_reported_as_not_a_feed() -> None:
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(_fixture("malformed_not_xml.json"), FEED_URL)


def test_feedparser_never_gets_something_it_could_open() -> None:
    # feedparser.parse(bytes) would read a file named by the bytes; we hand it a stream.
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(str(FIXTURES / "rss1_rdf.xml").encode(), FEED_URL)


# ------------------------------------------------------------------------------------------------------------
# Field rules, one element at a time (what feedparser makes of it, then our mapping)


def _rss(item: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>T</title><item>{item}</item></channel></rss>").encode()


def _atom(entry: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            f"<entry>{entry}</entry></feed>").encode()


def _only_entry(body: bytes) -> FeedEntry:
    (entry,) = parse_feed(body, FEED_URL).entries
    return entry


# (element text as written in the XML, RSS <title>, RSS <description> and <content:encoded>, Atom type="text")
TEXTS = [
    ("Plain words", "Plain words", "Plain words", "Plain words"),
    ("  spaced \n words ", "spaced words", "spaced words", "spaced words"),
    ("Rock &amp; Roll", "Rock & Roll", "Rock & Roll", "Rock & Roll"),
    ("AT&amp;T &amp;amp; Q&amp;A", "AT&T & Q&A", "AT&T & Q&A", "AT&T &amp; Q&A"),
    ("&lt;b&gt;bold&lt;/b&gt; title", "bold title", "bold title", "<b>bold</b> title"),  # RSS: guessed HTML
    ("&lt;p&gt;one&lt;/p&gt;&lt;p&gt;two&lt;/p&gt;", "one two", "one two", "<p>one</p><p>two</p>"),
    ("5 &lt; 6 &gt; 4", "5 < 6 > 4", "5 < 6 > 4", "5 < 6 > 4"),
    ("&amp;eacute;t&amp;eacute;", "\u00e9t\u00e9", "\u00e9t\u00e9", "&eacute;t&eacute;"),
    ("&amp;bogus; x", "&bogus; x", "&bogus; x", "&bogus; x"),
    ("<![CDATA[<p>cdata <b>html</b> &amp; more</p>]]>", "cdata html & more", "cdata html & more",
     "<p>cdata <b>html</b> &amp; more</p>"),
    ("<![CDATA[a & b < c]]>", "a & b < c", "a & b < c", "a & b < c"),
    ("A<!-- note -->B", "AB", "AB", "AB"),
    ("Caf\u00e9 \u2014 dash", "Caf\u00e9 \u2014 dash", "Caf\u00e9 \u2014 dash", "Caf\u00e9 \u2014 dash"),
    ("\u00c3\u00a9t\u00c3\u00a9", "\u00e9t\u00e9", "\u00e9t\u00e9", "\u00e9t\u00e9"),  # UTF-8 read as Latin-1
    ("C1 \u0085 \u0093quoted\u0094", "C1 \u2026 \u201cquoted\u201d", "C1 \u2026 \u201cquoted\u201d",
     "C1 \u2026 \u201cquoted\u201d"),  # C1 controls read as Windows-1252
    ("", "", "", ""),
    ("&#8220;quoted&#8221;", "\u201cquoted\u201d", "\u201cquoted\u201d", "\u201cquoted\u201d"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;visible", "<script>alert(1)</script>visible", "visible",
     "<script>alert(1)</script>visible"),  # an RSS title is HTML only when feedparser guesses so
    ("&lt;unknowntag&gt;x&lt;/unknowntag&gt;", "<unknowntag>x</unknowntag>", "x", "<unknowntag>x</unknowntag>"),
    ("&amp;nbsp;x&amp;nbsp; y", "x y", "x y", "&nbsp;x&nbsp; y"),
    ("&lt;table&gt;&lt;tr&gt;&lt;td&gt;cell&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;after", "cell after", "cell after",
     "<table><tr><td>cell</td></tr></table>after"),
]


@pytest.mark.parametrize("written, rss_title, rss_html, atom_text", TEXTS)
def test_text_fields(written: str, rss_title: str, rss_html: str, atom_text: str) -> None:
    rss = _only_entry(_rss(f"<title>{written}</title><description>{written}</description>"
                           f"<content:encoded>{written}</content:encoded>"))
    assert (rss.title, rss.summary, rss.content) == (rss_title, rss_html, rss_html)
    assert _only_entry(_rss(f"<dc:title>{written}</dc:title>")).title == rss_title
    atom = _only_entry(_atom(f'<title>{written}</title><summary type="html">{written}</summary>'
                             f'<content type="text">{written}</content>'))
    assert (atom.title, atom.summary, atom.content) == (atom_text, rss_html, atom_text)


# (as written, RSS <link>, RSS <guid> as (guid, link), Atom <link href> and <id> as (link, guid))
URLS = [
    ("https://a.example/x", "https://a.example/x", ("https://a.example/x",) * 2, ("https://a.example/x",) * 2),
    ("/rel/path", "https://feeds.example/rel/path", ("/rel/path", "https://feeds.example/rel/path"),
     ("https://feeds.example/rel/path", "/rel/path")),
    ("rel/path?a=1&amp;b=2", "https://feeds.example/clausewatch/rel/path?a=1&b=2",
     ("rel/path?a=1&b=2", "https://feeds.example/clausewatch/rel/path?a=1&b=2"),
     ("https://feeds.example/clausewatch/rel/path?a=1&b=2", "rel/path?a=1&b=2")),
    ("  https://a.example/spaced  ", "https://a.example/spaced", ("https://a.example/spaced",) * 2,
     ("https://a.example/spaced",) * 2),
    ("", None, (None, None), (None, None)),
    ("javascript:alert(1)", None, ("javascript:alert(1)", None), (None, "javascript:alert(1)")),
    ("https://a.example/q?x=1&amp;amp;y=2", "https://a.example/q?x=1&y=2", ("https://a.example/q?x=1&amp;y=2",) * 2,
     ("https://a.example/q?x=1&amp;y=2",) * 2),
    ("tag:a.example,2024:1", None, ("tag:a.example,2024:1", None), (None, "tag:a.example,2024:1")),
    ("urn:uuid:1234", None, ("urn:uuid:1234", None), (None, "urn:uuid:1234")),
    ("abc123", "https://feeds.example/clausewatch/abc123", ("abc123", "https://feeds.example/clausewatch/abc123"),
     ("https://feeds.example/clausewatch/abc123", "abc123")),
    ("http:///triple.example/", "http://triple.example/", ("http://triple.example/",) * 2,
     ("http://triple.example/",) * 2),
]


@pytest.mark.parametrize("written, rss_link, rss_guid, atom", URLS)
def test_links_and_guids(written: str, rss_link: str | None, rss_guid: tuple[str | None, str | None],
                         atom: tuple[str | None, str | None]) -> None:
    assert _only_entry(_rss(f"<title>x</title><link>{written}</link>")).link == rss_link
    entry = _only_entry(_rss(f"<title>x</title><guid>{written}</guid>"))
    assert (entry.guid, entry.link) == rss_guid  # a permalink guid serves as the link
    entry = _only_entry(_rss(f'<title>x</title><guid isPermaLink="false">{written}</guid>'))
    assert entry.link is None and (entry.guid is None) == (rss_guid[0] is None)  # and the guid is not resolved
    entry = _only_entry(_atom(f'<title>x</title><link href="{written}"/><id>{written}</id>'))
    assert (entry.link, entry.guid) == atom


# (as written, RSS <pubDate> -> published; RSS <dc:date> and Atom <updated> -> updated)
DATES = [
    ("Wed, 14 Feb 2024 10:00:00 +0000", "2024-02-14T10:00:00+00:00"),
    ("Wed, 14 Feb 2024 10:00:00 GMT", "2024-02-14T10:00:00+00:00"),
    ("2024-02-14T10:00:00Z", "2024-02-14T10:00:00+00:00"),
    ("2024-02-14", "2024-02-14T00:00:00+00:00"),
    ("garbage", None),
    ("", None),
    ("2024-02-14T10:00:00+05:30", "2024-02-14T04:30:00+00:00"),
    ("Tue, 30 Feb 2024 10:00:00 +0000", None),
    ("Sun, 06 Nov 1994 08:49:37 EST", "1994-11-06T13:49:37+00:00"),
]


@pytest.mark.parametrize("written, iso", DATES)
def test_dates_are_iso_utc(written: str, iso: str | None) -> None:
    assert _only_entry(_rss(f"<title>x</title><pubDate>{written}</pubDate>")).published == iso
    entry = _only_entry(_rss(f"<title>x</title><dc:date>{written}</dc:date>"))
    assert (entry.published, entry.updated) == (iso, iso)  # RSS: dc:date stands in for pubDate
    entry = _only_entry(_atom(f"<title>x</title><updated>{written}</updated>"))
    assert (entry.published, entry.updated) == (None, iso)  # Atom: it does not


@pytest.mark.parametrize("written, name", [
    ("Jane Doe", "Jane Doe"),
    ("jane@news.example (Jane Doe)", "Jane Doe"),
    ("Jane Doe (jane@a.org)", "Jane Doe"),
    ("jane@a.org", None),
    ("(Jane)", "(Jane)"),
    ("  Jane\n Doe ", "Jane Doe"),
])
def test_authors_are_names_without_addresses(written: str, name: str | None) -> None:
    assert _only_entry(_rss(f"<title>x</title><author>{written}</author>")).author == name
    assert _only_entry(_rss(f"<title>x</title><dc:creator>{written}</dc:creator>")).author == name


# ------------------------------------------------------------------------------------------------------------
# Generated variations: whatever the mix, every item becomes an entry that keeps the contract

_TEXTS = (
    "Plain words", "  spaced \n words ", "Rock &amp; Roll", "AT&amp;T &amp;amp; Q&amp;A",
    "&lt;b&gt;bold&lt;/b&gt; title",
    "&lt;p&gt;one&lt;/p&gt;&lt;p&gt;two&lt;/p&gt;", "5 &lt; 6 &gt; 4", "&amp;eacute;t&amp;eacute;", "&amp;bogus; x",
    "<![CDATA[<p>cdata <b>html</b> &amp; more</p>]]>", "<![CDATA[a & b < c]]>", "A<!-- note -->B",
    "Caf\u00e9 \u2014 dash",
    "\u00c3\u00a9t\u00c3\u00a9", "C1 \u0085 \u0093quoted\u0094", "", "&#8220;quoted&#8221;",
    "&lt;script&gt;alert(1)&lt;/script&gt;visible", "&lt;unknowntag&gt;x&lt;/unknowntag&gt;", "&amp;nbsp;x&amp;nbsp; y",
    "&lt;table&gt;&lt;tr&gt;&lt;td&gt;cell&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;after",
)
_URLS = (
    "https://a.example/x", "/rel/path", "rel/path?a=1&amp;b=2", "  https://a.example/spaced  ", "",
    "javascript:alert(1)", "https://a.example/q?x=1&amp;amp;y=2", "tag:a.example,2024:1", "urn:uuid:1234", "abc123",
    "http:///triple.example/",
)
_DATES = (
    "Wed, 14 Feb 2024 10:00:00 +0000", "Wed, 14 Feb 2024 10:00:00 GMT", "2024-02-14T10:00:00Z", "2024-02-14",
    "garbage", "", "2024-02-14T10:00:00+05:30", "Tue, 30 Feb 2024 10:00:00 +0000", "Sun, 06 Nov 1994 08:49:37 EST",
)
_AUTHORS = (
    "Jane Doe", "jane@news.example (Jane Doe)", "Jane Doe (jane@a.org)", "jane@a.org", "(Jane)", "  Jane\n Doe ",
)


def _element(rng: random.Random, tag: str, values: tuple[str, ...], attributes: str = "") -> str:
    return f"<{tag}{attributes}>{rng.choice(values)}</{tag}>"


def _variant_rss(rng: random.Random) -> str:
    items = []
    for _ in range(rng.randint(1, 4)):
        parts = [
            _element(rng, rng.choice(("title", "dc:title")), _TEXTS),
            _element(rng, "link", _URLS),
            _element(rng, "guid", _URLS, rng.choice(("", ' isPermaLink="false"', ' isPermaLink="True"'))),
            _element(rng, "description", _TEXTS, rng.choice(("", ' type="text"'))),
            _element(rng, rng.choice(("pubDate", "dc:date")), _DATES),
            _element(rng, rng.choice(("author", "dc:creator")), _AUTHORS),
        ]
        if rng.random() < 0.4:
            parts.append(_element(rng, "content:encoded", _TEXTS))
        parts = [part for part in parts if rng.random() < 0.85]
        rng.shuffle(parts)
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel>{_element(rng, 'title', _TEXTS)}{_element(rng, 'link', _URLS)}{''.join(items)}</channel></rss>")


def _variant_atom(rng: random.Random) -> str:
    entries = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(("", ' type="text"', ' type="html"'))
        parts = [
            _element(rng, "title", _TEXTS, kind),
            '<link href="{}"{}/>'.format(rng.choice(_URLS), rng.choice(("", ' rel="alternate"', ' rel="self"'))),
            _element(rng, "id", _URLS),
            _element(rng, "summary", _TEXTS, kind),
            _element(rng, "updated", _DATES),
            f"<author><name>{rng.choice(('Jane', ' Jane  Doe ', ''))}</name></author>",
        ]
        if rng.random() < 0.3:
            parts.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x <b>y</b></p>'
                         "<script>s()</script></div></content>")
        parts = [part for part in parts if rng.random() < 0.85]
        rng.shuffle(parts)
        base = rng.choice(("", ' xml:base="https://e.example/e/"', ' xml:base="rel/"'))
        entries.append(f"<entry{base}>{''.join(parts)}</entry>")
    base = rng.choice(("", ' xml:base="https://root.example/blog/"'))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"{base}>'
            f"{_element(rng, 'title', _TEXTS)}<link href=\"{rng.choice(_URLS)}\"/>{''.join(entries)}</feed>")


def test_generated_variations_keep_the_entry_contract() -> None:
    rng = random.Random(20240214)
    for number in range(160):
        document = (_variant_rss if number % 2 else _variant_atom)(rng)
        feed = parse_feed(document.encode("utf-8"), FEED_URL)
        assert len(feed.entries) == document.count("<item>") + document.count("<entry"), document
        assert_entry_contract(feed)
