"""Synthetic policy-news RSS 2.0 feeds for the poll benchmarks (`poll.py`, `cycle.py`): ~40 KB, 20 items each,
deterministic. Feed i uses item set i % TEMPLATES with its own ids substituted for PLACEHOLDER; a generation
adds new items on top.
"""

from __future__ import annotations

import email.utils
import html
import random
from datetime import UTC, datetime, timedelta

SEED = 20240217
ITEMS = 20  # items per feed
TEMPLATES = 16  # distinct item sets; feed i uses set i % TEMPLATES, with its own ids substituted
PLACEHOLDER = b"@@FEED@@"

# Platforms named in the feed text; the benchmark config declares them too, so attribution has work to do.
PLATFORMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("soundcloud", "SoundCloud", ("SoundCloud",)),
    ("youtube", "YouTube", ("YouTube", "YouTube Shorts", "YouTube Music")),
    ("bandcamp", "Bandcamp", ("Bandcamp",)),
    ("spotify", "Spotify", ("Spotify", "Spotify for Artists")),
    ("tiktok", "TikTok", ("TikTok",)),
    ("instagram", "Instagram", ("Instagram", "Threads")),
    ("patreon", "Patreon", ("Patreon",)),
    ("twitch", "Twitch", ("Twitch",)),
    ("vimeo", "Vimeo", ("Vimeo",)),
    ("substack", "Substack", ("Substack",)),
    ("deviantart", "DeviantArt", ("DeviantArt",)),
    ("artstation", "ArtStation", ("ArtStation",)),
)
_NAMES = tuple(name for _, name, _ in PLATFORMS) + ("Mixcloud", "Audiomack", "Ko-fi", "Kickstarter")
_DOCS = ("Terms of Service", "Privacy Policy", "Community Guidelines", "Copyright Policy", "Acceptable Use Policy",
         "monetisation rules", "licensing terms", "Partner Program terms", "cookie policy")
_WHO = ("independent musicians", "illustrators", "podcasters", "video editors", "small labels", "streamers",
        "photographers", "voice actors", "fan artists", "comic artists", "session players", "game modders")
_TOPICS = (
    ("training generative AI models on uploaded work", "AI training"),
    ("sharing listening data with advertising partners", "data sharing"),
    ("mandatory arbitration in Delaware", "arbitration"),
    ("age verification for new accounts", "age checks"),
    ("a perpetual, worldwide, royalty-free licence to user content", "content licences"),
    ("opting out of machine-learning datasets", "opt-outs"),
    ("terminating accounts without prior notice", "account bans"),
    ("a new 4% fee on creator payouts", "payout fees"),
    ("removing uploads flagged by automated moderation", "automated moderation"),
    ("cross-site tracking through embedded players", "tracking"),
)
_TITLES = (
    "{p} updates its {doc} with a new clause on {topic}",
    "Creators push back as {p} revises its {doc}",
    "What the new {p} {doc} means for {who}",
    "{p} quietly changes how it handles {short}",
    "Explainer: {short} on {p} after the {month} update",
    "{Who} ask {p} to clarify its {doc}",
    "Weekly roundup: {p}, {p2} and the fight over {short}",
    "Regulators question {p} over {short}",
    "{p} walks back part of its {doc} after a week of criticism",
    "Inside the {month} rewrite of the {p} {doc}",
)
_SENTENCES = (
    "{p} published a revised version of its {doc} on {date}, and the change log lists {n} separate edits.",
    "The most discussed passage now covers {topic}, which the previous text did not mention at all.",
    "A spokesperson said the update “clarifies existing practice” and does not change how {who} are paid.",
    "{Who} who spoke to us were not convinced, pointing out that the old wording said nothing about {short}.",
    "Lawyers we consulted noted that section {sec} now refers to “affiliates and service providers” rather "
    "than to named partners.",
    "Accounts created before {date} keep the old terms for thirty days, after which continued use counts as "
    "acceptance.",
    "An opt-out form exists, but it sits three menus deep in the account settings and applies only to future "
    "uploads.",
    "Several {who} said they would move their catalogue to {p2} if the clause stays in its current form.",
    "The company has not said whether the change applies in the European Union, where consent rules are stricter.",
    "Comparing the archived version shows that the word “exclusive” was removed from the licence grant.",
    "Support pages were updated the same day, but the help centre still links to the previous policy.",
    "Our archive keeps every version of the page, so readers can compare the wording line by line.",
    "The update follows a similar move by {p2} in {month}, which drew {n} thousand comments in a week.",
    "Advocacy groups have asked for a plain-language summary and a notice period of at least sixty days.",
    "Moderation appeals will now be handled by a mix of automated review and a smaller human team.",
    "Payouts below the new threshold of {n} dollars will roll over to the next month instead of being paid.",
    "The FAQ published alongside the terms says data is “de-identified” before it is shared, without saying how.",
    "{p} told us that fewer than {n} percent of creators had used the previous opt-out mechanism.",
    "Translations of the new text into French, German and Japanese were still missing on {date}.",
    "A coalition of {who} and {who2} has started collecting signatures for an open letter to {p}.",
)
_AUTHORS = ("Maya Okafor", "Jonas Lindqvist", "Priya Raman", "Léa Fontaine", "Tomás Herrera", "Hana Sato",
            "Daniel Brooks", "Amira Haddad", "Kofi Mensah", "Ingrid Novak")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
EPOCH = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def _fill(template: str, rng: random.Random) -> str:
    p, p2 = rng.sample(_NAMES, 2)
    topic, short = rng.choice(_TOPICS)
    who, who2 = rng.sample(_WHO, 2)
    return template.format(
        p=p, p2=p2, doc=rng.choice(_DOCS), topic=topic, short=short, who=who, who2=who2, Who=who.capitalize(),
        month=rng.choice(_MONTHS), date=f"{rng.randint(1, 28)} {rng.choice(_MONTHS)}", n=rng.randint(2, 40),
        sec=f"{rng.randint(2, 19)}.{rng.randint(1, 9)}",
    )


def _paragraph(rng: random.Random) -> str:
    text = " ".join(html.escape(_fill(rng.choice(_SENTENCES), rng), quote=False) for _ in range(rng.randint(3, 4)))
    if rng.random() < 0.3:
        text += f' <a href="https://archive.example.org/diff/{rng.randrange(10**6)}">Compare the versions</a>.'
    if rng.random() < 0.2:
        return f"<blockquote><p>{text}</p></blockquote>"
    return f"<p>{text}</p>"


def _pubdate(sequence: int) -> str:
    return email.utils.format_datetime(EPOCH + timedelta(hours=5 * sequence, minutes=17 * (sequence % 7)))


def item_xml(template: int, sequence: int, seed: int = SEED) -> str:
    """Item number `sequence` of item set `template`: ~1.9 KB of RSS 2.0, feed ids left as PLACEHOLDER."""
    rng = random.Random(f"{seed}/{template}/{sequence}")
    title = _fill(rng.choice(_TITLES), rng)
    slug = "-".join(title.lower().replace(":", "").replace(",", "").split()[:8])
    paragraphs = "\n".join(_paragraph(rng) for _ in range(rng.randint(3, 4)))
    if rng.random() < 0.25:
        points = "".join(f"<li>{html.escape(_fill(rng.choice(_SENTENCES), rng), quote=False)}</li>" for _ in range(3))
        paragraphs += f"\n<ul>{points}</ul>"
    feed = PLACEHOLDER.decode()
    categories = "".join(f"<category>{html.escape(c)}</category>" for c in rng.sample([t[1] for t in _TOPICS], 2))
    return (
        "<item>\n"
        f"<title>{html.escape(title, quote=False)}</title>\n"
        f"<link>https://news{feed}.example.org/{2024 + sequence // 80}/{slug}-{sequence}</link>\n"
        f'<guid isPermaLink="false">tag:news{feed}.example.org,2024:s{template}-item-{sequence}</guid>\n'
        f"<pubDate>{_pubdate(sequence)}</pubDate>\n"
        f"<dc:creator>{html.escape(rng.choice(_AUTHORS))}</dc:creator>\n"
        f"{categories}\n"
        f"<description><![CDATA[{paragraphs}]]></description>\n"
        "</item>\n"
    )


def feed_template(template: int, generation: int, new_per_generation: int, seed: int = SEED) -> bytes:
    """The body of every feed using item set `template` at `generation` (1-based), PLACEHOLDER not yet
    replaced. Each generation adds `new_per_generation` items on top and drops as many of the oldest."""
    newest = ITEMS - 1 + (generation - 1) * new_per_generation
    items = "".join(item_xml(template, sequence, seed) for sequence in range(newest, newest - ITEMS, -1))
    feed = PLACEHOLDER.decode()
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel>\n"
        f"<title>Creator Policy Wire {feed}</title>\n"
        f"<link>https://news{feed}.example.org/</link>\n"
        f'<atom:link href="https://news{feed}.example.org/feed.xml" rel="self" type="application/rss+xml"/>\n'
        "<description>Platform terms, licences and the people who make things for the internet.</description>\n"
        "<language>en</language>\n"
        f"<lastBuildDate>{_pubdate(newest)}</lastBuildDate>\n"
        "<generator>bench/poll.py</generator>\n"
    )
    return (head + items + "</channel>\n</rss>\n").encode("utf-8")


def feed_body(template_body: bytes, index: int) -> bytes:
    return template_body.replace(PLACEHOLDER, b"%05d" % index)

