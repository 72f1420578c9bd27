"""Terms changes on the shapes real material has: interstitials served with HTTP 200, markup and chrome noise,
date-only edits, and the substantive changes next to them that must still alert. Texts written for Clausewatch."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.app import App, load_config
from bot.chat.console import ConsoleOutput
from bot.chat.discord.render import render_message as discord_render
from bot.chat.slack.render import render_message as slack_render
from bot.core.config import Channel
from bot.core.messages import Message
from bot.core.terms.availability import not_the_document
from bot.core.terms.dates import effective_date, last_updated
from bot.core.terms.documents import normalize
from bot.core.terms.stance import ai_training_stance
from bot.core.terms.verdict import judge_version
from bot.pipeline.reports import history_report, sources_report, status_report
from tests.conftest import Remote

# A terms document of the usual shape (Markdown, as archives keep it), about 3,000 characters.
DOC = """# Tunely Terms of Service

Last updated: 1 March 2024

## 1. Who we are

1.1 Tunely runs a service where musicians publish recordings and listeners stream them.
1.2 These terms form a contract between you and Tunely Ltd, a company registered in Ireland.

## 2. Your content

2.1 You keep ownership of every recording, cover image and text you upload.
2.2 You grant Tunely a worldwide licence to host, copy and stream your uploads so the service can work.
2.3 You confirm that you hold the rights needed for each upload, including samples and lyrics.

## 3. Accounts

3.1 You must be at least 16 years old to open an account.
3.2 Keep your password private; you answer for what happens under your account.
3.3 You may close your account at any time from the settings page.

## 4. Payouts

4.1 Artists on a paid plan receive their share of streaming revenue every month.
4.2 We deduct a platform fee of ten percent before each payout.

## 5. Recommendations

5.1 Our assistant suggests tags and playlists for your tracks.
5.2 You can switch the assistant off in your account settings whenever you like.

## 6. Ending the contract

6.1 We may suspend an account that repeatedly breaks the community rules.
6.2 Before we suspend an account we send a warning by e-mail, except in urgent cases.

## 7. Contact

7.1 Questions about these terms go to legal@tunely.test or to our postal address in Dublin.
"""

AI_CLAUSE = "2.4 Your uploads may be used to train artificial intelligence models.\n"


def with_clause(text: str, after: str, clause: str) -> str:
    return text.replace(after, after + clause, 1)


# --- interstitials: (name, text) — each served with HTTP 200 where the terms should be ---------------------

INTERSTITIALS: list[tuple[str, str]] = [
    ("cloudflare blocked", "Sorry, you have been blocked\nYou are unable to access tunely.test\n"
                           "Why have I been blocked?\nThis site uses a security service against attacks.\n"
                           "Cloudflare Ray ID: 81a2b3c4d5e6f708 • Your IP: click to reveal\n"
                           "Performance & security by Cloudflare"),
    ("cloudflare checking", "tunely.test\nChecking if the site connection is secure\n"
                            "tunely.test needs to review the security of your connection before proceeding.\n"
                            "Ray ID: 7f00aa11bb22cc33"),
    ("cloudflare just a moment", "Just a moment…\nEnable JavaScript and cookies to continue"),
    ("cloudflare attention", "Attention Required! | Cloudflare\nPlease complete the security check to access tunely.test"),
    ("datadome", "tunely.test\nYou have been blocked. Our systems flagged unusual activity from your device.\n"
                 "Please contact us if you think this is a mistake. Powered by DataDome\n"
                 "https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAA"),
    ("perimeterx", "Before we continue…\nPress & Hold to confirm you are\na human (and not a bot).\n"
                   "Reference ID 1f2e3d4c-0000-1111-2222-333344445555\npx-captcha"),
    ("perimeterx verify", "Please verify you are a human\nAccess to this page has been denied."),
    ("akamai", "Access Denied\nYou don't have permission to access \"http://tunely.test/terms\" on this server.\n"
               "Reference #18.7a2c1002.1700000000.1a2b3c4d"),
    ("cookie wall en", "We value your privacy\nWe and our 312 partners use cookies to store and access information "
                       "on your device.\nAccept all\nReject all\nManage preferences"),
    ("cookie wall fr", "Nous respectons votre vie privée\nNous utilisons des cookies pour mesurer l'audience.\n"
                       "Tout accepter\nTout refuser\nParamétrer"),
    ("cookie wall de", "Ihre Privatsphäre ist uns wichtig\nWir verwenden Cookies, um Inhalte zu personalisieren.\n"
                       "Alle akzeptieren\nAlle ablehnen"),
    ("cookie wall es", "Tu privacidad es importante\nUtilizamos cookies propias y de terceros.\nAceptar todo\nRechazar todo"),
    ("login wall en", "Sign in to continue\nEmail\nPassword\nForgot your password?\nCreate an account"),
    ("login wall bare", "Log in\nEmail address\nPassword\nNew here? Sign up"),
    ("login wall fr", "Connectez-vous pour continuer\nAdresse e-mail\nMot de passe oublié ?"),
    ("login wall de", "Bitte melden Sie sich an, um fortzufahren.\nE-Mail\nPasswort vergessen?"),
    ("login wall es", "Inicia sesión para continuar\nCorreo electrónico\n¿Olvidaste tu contraseña?"),
    ("maintenance en", "We're down for scheduled maintenance.\nWe'll be back soon. Thanks for your patience."),
    ("maintenance fr", "Site en maintenance\nNous serons de retour très bientôt."),
    ("maintenance de", "Wartungsarbeiten\nUnsere Seite ist vorübergehend nicht verfügbar."),
    ("maintenance es", "Estamos en mantenimiento.\nVolveremos pronto."),
    ("404 en", "404\nPage not found\nThe page you were looking for has moved.\nGo to the home page"),
    ("404 de", "Fehler 404\nSeite nicht gefunden\nZur Startseite"),
    ("404 es", "Error 404\nPágina no encontrada\nVolver al inicio"),
    ("404 fr", "Oups !\nPage introuvable\nRetour à l'accueil"),
    ("error fr", "Une erreur est survenue.\nVeuillez réessayer plus tard."),
    ("geo en", "Tunely is not available in your country yet.\nWe are working on it."),
    ("geo region", "This content is not available in your region."),
    ("geo fr", "Ce service n'est pas disponible dans votre pays."),
    ("geo es", "Este servicio no está disponible en tu país."),
    ("geo de", "Dieser Dienst ist in Ihrem Land nicht verfügbar."),
]


@pytest.mark.parametrize(("name", "page"), INTERSTITIALS, ids=[n for n, _ in INTERSTITIALS])
def test_interstitials_are_not_the_document(name: str, page: str) -> None:
    assert not_the_document(page, DOC) is not None
    assert not_the_document(page, None) is not None  # even on a first fetch: no baseline is made of it
    verdict = judge_version(DOC, page)
    assert verdict.kind == "not_document" and verdict.reason and verdict.changes == []


def test_a_small_unrelated_text_is_not_the_document_without_any_marker() -> None:
    stub = "Welcome to Tunely\nStream new releases from artists near you.\nDownload the app\nPlaylists for every mood"
    reason = not_the_document(stub, DOC)
    assert reason is not None and "shares almost nothing" in reason
    assert not_the_document(stub, None) is None  # without history there is nothing to compare with


# Real terms say these words too: a marker in a long text, or in the document itself, is never a notice.
LEGIT = [
    ("cookies in a long document", with_clause(DOC, "2.3 You confirm that you hold the rights needed for each upload, "
                                                    "including samples and lyrics.\n",
                                                    "2.4 We use cookies to keep you signed in; accept or refuse them in "
                                                    "the cookie settings.\n")),
    ("sign in and captcha", with_clause(DOC, "3.3 You may close your account at any time from the settings page.\n",
                                        "3.4 To sign in we may ask you to solve a captcha.\n")),
    ("not available in certain countries", with_clause(DOC, "4.2 We deduct a platform fee of ten percent before each "
                                                            "payout.\n", "4.3 Payouts are not available in certain "
                                                                         "countries; see the list in our help centre.\n")),
]


@pytest.mark.parametrize(("name", "new"), LEGIT, ids=[n for n, _ in LEGIT])
def test_words_of_notices_inside_real_terms_still_alert(name: str, new: str) -> None:
    assert not_the_document(new, DOC) is None
    verdict = judge_version(DOC, new)
    assert verdict.kind == "change" and [c.kind for c in verdict.changes] == ["added"]


def test_a_short_real_document_with_a_notice_word_is_kept() -> None:
    short_terms = ("# AI features\n1. Some features are not available in your country.\n"
                   "2. Where they are, you can turn them off.\n")
    previous = short_terms.replace("turn them off", "switch them off")
    assert not_the_document(short_terms, previous) is None  # it shares its words with the previous version
    assert judge_version(previous, short_terms).kind == "change"


def test_one_section_replaced_by_a_geo_notice_is_not_a_change() -> None:
    blocked = DOC.replace("5.1 Our assistant suggests tags and playlists for your tracks.\n"
                          "5.2 You can switch the assistant off in your account settings whenever you like.\n",
                          "This feature is not available in your country.\n")
    verdict = judge_version(DOC, blocked)
    assert verdict.kind == "not_document" and "5. Recommendations" in verdict.reason
    assert judge_version(DOC, DOC).kind == "unchanged"  # the section back: nothing to say


def test_a_section_rewritten_for_real_still_alerts() -> None:
    rewritten = DOC.replace("5.1 Our assistant suggests tags and playlists for your tracks.\n"
                            "5.2 You can switch the assistant off in your account settings whenever you like.\n",
                            "5.1 We no longer offer automatic recommendations.\n")
    assert judge_version(DOC, rewritten).kind == "change"


# --- noise that must never alert, and the controls that must -----------------------------------------------

SETEXT = (DOC.replace("# Tunely Terms of Service\n", "Tunely Terms of Service\n=======================\n")
          .replace("## 2. Your content\n", "2. Your content\n---------------\n"))
NOISE: list[tuple[str, str]] = [
    ("setext headings", SETEXT),
    ("heading levels", DOC.replace("## ", "### ")),
    ("bold as heading", DOC.replace("## 3. Accounts", "**3. Accounts**")),
    ("list markers", DOC.replace("1.1 ", "- 1.1 ").replace("3.1 ", "* 3.1 ")),
    ("paren numbers", DOC.replace("\n## 1. Who we are\n", "\n## 1) Who we are\n")),
    ("emphasis", DOC.replace("every recording", "*every* recording").replace("worldwide licence", "**worldwide** licence")),
    ("backslash escapes", DOC.replace("ten percent before each payout.", "ten percent before each payout\\.")
     .replace("Tunely Ltd,", "Tunely Ltd\\,").replace("settings page.", "settings\\_page.".replace("\\_", " "))),
    ("escaped markdown characters", DOC.replace("legal@tunely.test", "legal\\@tunely\\.test").replace("# Tunely", "# Tunely\\*")
     .replace("\\*", "")),
    ("link targets", DOC.replace("the settings page", "the [settings page](https://tunely.test/settings?utm_source=mail)")),
    ("cloudflare e-mail", DOC.replace("legal@tunely.test", "[email protected]")),
    ("cloudflare e-mail entity", DOC.replace("legal@tunely.test", "[email&#160;protected]")),
    ("cloudflare e-mail no-break space", DOC.replace("legal@tunely.test", "[email\u00a0protected]")),
    ("cloudflare e-mail link", DOC.replace("legal@tunely.test", "[[email protected]](/cdn-cgi/l/email-protection#6c0f1e0b)")),
    ("cloudflare protection url", DOC.replace("legal@tunely.test", "https://tunely.test/cdn-cgi/l/email-protection#a1b2c3")),
    ("whitespace", DOC.replace("\n\n", "\n\n\n").replace(" licence ", "   licence ")),
    ("language picker", DOC.replace("# Tunely Terms of Service\n", "English | Français | Deutsch | Español | Italiano\n"
                                                                    "# Tunely Terms of Service\n")),
    ("language list", DOC + "\n- English\n- Français\n- Deutsch\n- 日本語\n"),
    ("page chrome", "Skip to main content\n" + DOC + "\nBack to top\nPrint\nShare\n"),
    ("cookie banner lines", DOC + "\nWe use cookies to improve your visit. By continuing you accept them.\nAccept all\n"
                                  "Reject all\n"),
]


@pytest.mark.parametrize(("name", "new"), NOISE, ids=[n for n, _ in NOISE])
def test_noise_never_alerts(name: str, new: str) -> None:
    verdict = judge_version(DOC, new)
    assert verdict.kind in ("unchanged", "noise"), verdict.changes
    assert judge_version(new, DOC).kind in ("unchanged", "noise")  # and back again


def test_real_and_protected_e_mail_alternate_without_alerting() -> None:
    forms = [DOC, DOC.replace("legal@tunely.test", "[email protected]"),
             DOC.replace("legal@tunely.test", "[[email protected]](/cdn-cgi/l/email-protection#00aa)"), DOC]
    assert [judge_version(a, b).kind for a, b in zip(forms, forms[1:], strict=False)] == ["noise", "unchanged", "noise"]
    assert normalize(forms[1]).text == normalize(forms[2]).text  # the protected forms fold to one token


def test_a_new_e_mail_address_is_still_a_change() -> None:
    assert judge_version(DOC, DOC.replace("legal@tunely.test", "terms@tunely.test")).kind == "change"


CONTROLS: list[tuple[str, str, list[str]]] = [
    ("clause added among chrome", "Skip to main content\n" + with_clause(DOC, "2.3 You confirm that you hold the rights "
                                                                             "needed for each upload, including samples "
                                                                             "and lyrics.\n", AI_CLAUSE) + "\nBack to top\n",
     ["added"]),
    ("substantive change next to a date change", DOC.replace("1 March 2024", "9 April 2024")
     .replace("a platform fee of ten percent", "a platform fee of fifteen percent"), ["modified"]),
    ("clause removed under a new heading style", SETEXT.replace("2.3 You confirm that you hold the rights needed for "
                                                                "each upload, including samples and lyrics.\n", ""),
     ["removed"]),
]


@pytest.mark.parametrize(("name", "new", "kinds"), CONTROLS, ids=[n for n, _, _ in CONTROLS])
def test_substantive_changes_among_noise_still_alert(name: str, new: str, kinds: list[str]) -> None:
    verdict = judge_version(DOC, new)
    assert verdict.kind == "change" and [c.kind for c in verdict.changes] == kinds


def test_the_ai_clause_verdict_carries_topics_severity_and_dates() -> None:
    new = with_clause(DOC, "2.3 You confirm that you hold the rights needed for each upload, including samples and "
                           "lyrics.\n", AI_CLAUSE).replace("Last updated: 1 March 2024",
                                                           "Last updated: 2 March 2024\n\nThese terms apply from "
                                                           "1 April 2024.")
    verdict = judge_version(DOC, new)
    assert verdict.kind == "change" and verdict.topics == ("ai_training",) and verdict.severity == "high"
    assert verdict.last_updated == "2024-03-02" and verdict.effective_date is None
    assert judge_version(None, DOC).kind == "unchanged"  # a first version is the baseline


# --- date lines ---------------------------------------------------------------------------------------------

DATE_LINES = [
    ("Last Amended: 7 February 2024", "2024-02-07"),
    ("Effective as of March 3, 2025", "2025-03-03"),
    ("Last revised on 2025-01-09", "2025-01-09"),
    ("## Last updated: 3 March 2025", "2025-03-03"),
    ("**Last updated:** 3 March 2025", "2025-03-03"),
    ("Dernière mise à jour : 3 mars 2025", "2025-03-03"),
    ("Mis à jour le 12 janvier 2025", "2025-01-12"),
    ("En vigueur au 1er avril 2025", "2025-04-01"),
    ("Stand: 01.02.2024", "2024-02-01"),
    ("Zuletzt aktualisiert am 1. Februar 2024", "2024-02-01"),
    ("Gültig ab 1. März 2025", "2025-03-01"),
    ("Fecha de actualización: 3 de marzo de 2025", "2025-03-03"),
    ("Última actualización: 15 de enero de 2025", "2025-01-15"),
]


@pytest.mark.parametrize(("line", "iso"), DATE_LINES, ids=[line for line, _ in DATE_LINES])
def test_a_date_line_alone_changing_is_recorded_not_alerted(line: str, iso: str) -> None:
    old = f"# Terms\n{line}\n1. Be kind to other listeners.\n2. Do not upload what you do not own.\n"
    new = old.replace(iso[:4], str(int(iso[:4]) + 1))
    assert normalize(old).text == normalize(new).text
    assert last_updated(normalize(old).metadata) == iso
    verdict = judge_version(old, new)
    assert verdict.kind == "noise" and "date line" in verdict.reason


def test_a_date_at_the_start_of_a_paragraph_is_metadata_and_the_rest_is_a_clause() -> None:
    old = "# Terms\nLast updated: 3 March 2025. These terms govern how you use Tunely and everything you upload to it.\n"
    new = old.replace("3 March 2025", "4 March 2025")
    document = normalize(old)
    assert document.metadata == ("Last updated: 3 March 2025.",)
    assert document.text == "# Terms\nThese terms govern how you use Tunely and everything you upload to it."
    assert judge_version(old, new).kind == "noise"
    assert judge_version(old, new.replace("everything you upload", "all you upload")).kind == "change"


def test_words_like_stand_or_effective_in_clauses_stay_clauses() -> None:
    text = "# Terms\nStandard plans cost 5 euros.\nEffective immediately, uploads over 2 GB are refused.\n"
    assert normalize(text).metadata == ()


def test_last_updated_is_the_date_line_and_effective_date_an_announced_date() -> None:
    assert last_updated(["Last Amended: 7 February 2024"]) == "2024-02-07"
    assert effective_date("Last Amended: 7 February 2024\n1. Be kind.") is None
    assert effective_date("Die neuen Bedingungen gelten und treten am 1. März 2025 in Kraft.") == "2025-03-01"
    assert effective_date("Estas condiciones entran en vigor el 3 de marzo de 2025.") == "2025-03-03"
    assert effective_date("Gültig ab 01.04.2025") == "2025-04-01"


# --- AI clause carve-outs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("clause", [
    "In the absence of a separate agreement that states otherwise, you allow us to use your uploads to train "
    "artificial intelligence models.",
    "Unless you have a separate licence agreement with us, your content may be used to train AI models.",
    "Sauf accord contraire, vos contenus peuvent servir à entraîner nos modèles d'intelligence artificielle.",
    "Salvo acuerdo en contrario, podemos usar tu contenido para entrenar modelos de inteligencia artificial.",
    "Sofern keine gesonderte Vereinbarung besteht, dürfen wir Ihre Inhalte für das Training von KI-Modellen nutzen.",
])
def test_ai_clause_carve_outs_are_quoted(clause: str) -> None:
    stance = ai_training_stance(f"# Licence\n{clause}\n# Other\nBe kind.")
    assert stance.granted and stance.exceptions == clause


def test_a_carve_out_in_the_next_paragraph_is_quoted_and_a_plain_grant_has_none() -> None:
    grant = "Your uploads may be used to train artificial intelligence models."
    assert ai_training_stance(grant).exceptions is None
    after = "This does not apply to works you license to us under a separate agreement."
    assert ai_training_stance(f"{grant}\n{after}").exceptions == after


# --- topic names in chat, ids in data -----------------------------------------------------------------------

def test_chat_posts_show_topic_names_in_words() -> None:
    message = Message(event="terms_change", title="Tunely changed its Terms of Service", text="+ 2.4",
                      url="https://tunely.test/terms", platform="tunely",
                      topics=("ai_training", "ai_content", "content_licence"), severity="high", thread="terms-x",
                      reply_to=None, at="2024-03-02T10:00:00+00:00")
    words = "AI training, AI-generated content, content licence"
    stream = io.StringIO()
    console = ConsoleOutput(Channel(id="c", kind="console", target="-"), stream)
    assert words in console.render(message)
    assert words in json.dumps([block for part in slack_render(message) for block in part.blocks], ensure_ascii=False)
    embed = discord_render(message)[0].embed
    assert any(field.value == words for field in embed.fields)
    assert "ai_training" not in console.render(message)


# --- end to end: interstitials, date-only versions and status against a local server ------------------------

def page(body: str) -> str:
    return f"<html><body><nav>Home</nav><main>{body}</main><footer>© Tunely</footer></body></html>"


def terms_html(date: str = "1 March 2024", extra: str = "") -> str:
    return page(f"<h1>Terms</h1><p>Last Amended: {date}</p><h2>1. Content</h2>"
                "<p>1.1 You keep ownership of every recording you upload to the service.</p>"
                f"<p>1.2 You grant us a licence to host and stream your uploads worldwide.</p>{extra}"
                "<h2>2. Accounts</h2><p>2.1 You may close your account at any time from the settings page.</p>"
                "<p>2.2 We may suspend accounts that repeatedly break the community rules.</p>")


def config_text(tmp: Path, remote: Remote, threshold: int) -> str:
    return f"""
storage: {tmp / 'storage'}
poll: {{interval: 1h, timeout: 3s, max_bytes: 200KB, failure_threshold: {threshold}}}
platforms:
  tunely:
    name: Tunely
    documents:
      - {{type: Terms of Service, url: "{remote.url('/terms')}", select: main}}
channels:
  - {{id: everything, jsonl: {tmp / 'out' / 'all.jsonl'}}}
"""


@asynccontextmanager
async def running(write_config: Callable[..., Path], text: str) -> AsyncIterator[App]:
    async with App.open(load_config(write_config(text)), stdout=io.StringIO()) as app:
        yield app


def posts(tmp: Path) -> list[dict[str, object]]:
    path = tmp / "out" / "all.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


E2E_PAGES = [name for name, _ in INTERSTITIALS if name in (
    "cloudflare blocked", "datadome", "perimeterx", "akamai", "cookie wall fr", "login wall de", "maintenance es",
    "404 en", "geo fr")]


async def test_interstitials_served_with_200_are_one_unavailable_notice_and_one_recovery(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    pages = dict(INTERSTITIALS)
    remote.serve("/terms", terms_html(), content_type="text/html; charset=utf-8")
    async with running(write_config, config_text(tmp_path, remote, threshold=3)) as app:
        await app.poll_once()  # baseline
        for name in E2E_PAGES:
            body = "<br>".join(pages[name].splitlines())
            remote.serve("/terms", page(body), content_type="text/html; charset=utf-8")
            cycle, _ = await app.poll_once()
            failure = cycle.failures["tunely/terms-of-service"]
            assert cycle.failed == 1 and failure.startswith("document unavailable: "), (name, failure)
            (row,) = await sources_report(app.config, app.store)
            assert row.health == "unavailable" and row.last_error == failure  # before and past the threshold
            status = await status_report(app.config, app.store, "tunely")
            assert status["documents"][0]["last_error"] == failure and status["documents"][0]["health"] == "unavailable"
        remote.serve("/terms", terms_html(), content_type="text/html; charset=utf-8")  # the real page is back
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0
        await app.poll_once()
        history = await history_report(app.config, app.store, "tunely", None)
    records = posts(tmp_path)
    assert [r["event"] for r in records] == ["source_failing", "source_recovered"]
    failing, recovered = records
    assert str(failing["title"]).startswith("The tunely Terms of Service is unavailable: the page looks like ")
    assert recovered["reply_to"] == failing["thread"] and "available again" in str(recovered["title"])
    assert len(history["documents"][0]["versions"]) == 1  # the baseline was never touched


async def test_a_section_replaced_by_a_geo_notice_counts_as_unavailable(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/terms", terms_html(), content_type="text/html; charset=utf-8")
    async with running(write_config, config_text(tmp_path, remote, threshold=1)) as app:
        await app.poll_once()
        blocked = terms_html().replace("<p>1.1 You keep ownership of every recording you upload to the service.</p>"
                                       "<p>1.2 You grant us a licence to host and stream your uploads worldwide.</p>",
                                       "<p>This section is not available in your region.</p>")
        remote.serve("/terms", blocked, content_type="text/html; charset=utf-8")
        cycle, _ = await app.poll_once()
        assert "1. Content" in cycle.failures["tunely/terms-of-service"]
        remote.serve("/terms", terms_html(), content_type="text/html; charset=utf-8")
        await app.poll_once()
    assert [r["event"] for r in posts(tmp_path)] == ["source_failing", "source_recovered"]


async def test_a_date_only_change_is_a_version_in_history_and_no_post(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/terms", terms_html("1 March 2024"), content_type="text/html; charset=utf-8")
    async with running(write_config, config_text(tmp_path, remote, threshold=3)) as app:
        await app.poll_once()
        remote.serve("/terms", terms_html("7 February 2025"), content_type="text/html; charset=utf-8")
        await app.poll_once()
        history = await history_report(app.config, app.store, "tunely", None)
        status = await status_report(app.config, app.store, "tunely")
        ai = "<p>1.3 Your uploads may be used to train artificial intelligence models.</p>"
        remote.serve("/terms", terms_html("8 February 2025", ai), content_type="text/html; charset=utf-8")
        await app.poll_once()
    (document,) = history["documents"]
    assert [v["last_updated"] for v in document["versions"]] == ["2025-02-07", "2024-03-01"]
    assert document["changes"] == []
    doc = status["documents"][0]
    assert doc["last_updated"] == "2025-02-07" and doc["effective_date"] is None
    (change,) = posts(tmp_path)
    assert change["event"] == "terms_change" and change["topics"] == ["ai_training"]  # JSONL keeps the ids
    assert change["title"] == "Tunely changed its Terms of Service: AI training clause added"


# --- page chrome, typos, encoding, dates and e-mail protection on the shapes real archives have -------------

NAV = ("* [Pricing](https://tunely.test/pricing)\n* [Blog](https://tunely.test/blog)\n"
       "* [Careers](https://tunely.test/jobs)\n\n")
TERMS_WITH_NAV = NAV + DOC + "\n[Back to the help centre](https://tunely.test/help)\n"
CHROME_NOISE: list[tuple[str, str, str]] = [
    ("menu entry added", TERMS_WITH_NAV, TERMS_WITH_NAV.replace(NAV, NAV + "* [Podcasts](https://tunely.test/pod)\n")),
    ("menu removed", TERMS_WITH_NAV, DOC),
    ("menu entries reordered", TERMS_WITH_NAV, TERMS_WITH_NAV.replace(
        "* [Pricing](https://tunely.test/pricing)\n* [Blog](https://tunely.test/blog)\n",
        "* [Blog](https://tunely.test/blog)\n* [Pricing](https://tunely.test/pricing)\n")),
    ("table of contents added", DOC, DOC.replace("## 1. Who we are", "* [Who we are](#who-we-are)\n"
                                                 "* [Your content](#your-content)\n\n## 1. Who we are")),
    ("buttons in one line", DOC, DOC + "\n[Log in](https://tunely.test/login) [Sign up](https://tunely.test/join)\n"),
    ("title line above the terms", DOC, "Our terms explained\n\n" + DOC),
    ("promotion", DOC, "Spring offer: two months free! Call us on 01 23 45 67 89\n\n" + DOC),
    ("relative date widget", DOC.replace("Last updated: 1 March 2024", "Updated over 2 weeks ago"),
     DOC.replace("Last updated: 1 March 2024", "Updated over 3 weeks ago")),
    ("byline with a timestamp", DOC + "\nUpdated 2024-03-01T10:00:00Z by Ana\n",
     DOC + "\nUpdated 2024-06-12T08:30:12Z by Ana\n"),
    ("ticker", "$95,731.08\n\n" + DOC, "$94,728.42\n\n" + DOC),
    ("offline banner", DOC, "This website tunely.test/terms is currently offline. The cache shows a snapshot of this "
                            "web page from an archive. To check for the live version, click Refresh.\n\n" + DOC),
    ("screen-reader text glued to a link", DOC.replace("to our postal address in Dublin.",
                                                       "to our postal address in Dublin: [tunely.test/contact](https://tunely.test/contact)."),
     DOC.replace("to our postal address in Dublin.",
                 "to our postal address in Dublin: [tunely.test/contactOpens in a new tab](https://tunely.test/contact).")),
    ("widget labels glued before a clause", DOC, DOC.replace("1.1 Tunely runs", "1.1 Chat Now No Agent Available Tunely runs")),
    ("a paragraph split in two", DOC.replace("contract between you and Tunely Ltd, a company registered in Ireland.\n",
                                             "contract between you and Tunely Ltd, a company registered in Ireland. "
                                             "Irish law applies.\n"),
     DOC.replace("contract between you and Tunely Ltd, a company registered in Ireland.\n",
                 "contract between you and Tunely Ltd, a company registered in Ireland.\nIrish law applies.\n")),
]
TYPO_NOISE: list[tuple[str, str, str]] = [
    ("British to American spelling", "licence to host", "license to host"),
    ("a doubled letter", "repeatedly breaks", "repeatedly breakss"),
    ("a letter swapped", "recordings and listeners", "recordnigs and listeners"),
    ("case only", "Keep your password private", "KEEP your password private"),
    ("replacement characters", "ownership of every recording", "ownership of every rec\ufffd\ufffdrding"),
    ("mojibake repaired", "in Dublin.", "in Dublin (Ã‰ire)."),
    ("html entities", "from the settings page.", "from the &quot;settings page&quot;."),
    ("date in a dating clause", "Last updated: 1 March 2024", "These terms were last updated on 9 April 2024."),
    ("a first letter lost", "every recording, cover image", "every ecording, cover image"),
    ("a missing article put in", "a worldwide licence to host", "worldwide licence to host"),
    ("a missing pronoun put in", "you answer for what happens", "you answer for what happens"),
]
_BEFORE = {"mojibake repaired": "in Dublin (Éire).", "html entities": 'from the "settings page".',
           "a missing pronoun put in": "you answer for what it happens"}


@pytest.mark.parametrize(("name", "old", "new"), CHROME_NOISE, ids=[n for n, _, _ in CHROME_NOISE])
def test_page_chrome_never_alerts(name: str, old: str, new: str) -> None:
    assert judge_version(old, new).kind in ("noise", "unchanged"), judge_version(old, new).changes
    assert judge_version(new, old).kind in ("noise", "unchanged"), judge_version(new, old).changes


@pytest.mark.parametrize(("name", "before", "after"), TYPO_NOISE, ids=[n for n, _, _ in TYPO_NOISE])
def test_spelling_and_encoding_fixes_never_alert(name: str, before: str, after: str) -> None:
    if name == "date in a dating clause":
        old, new = DOC.replace(before, after), DOC.replace(before, after.replace("9 April", "3 June"))
    else:
        old, new = DOC.replace(before, _BEFORE.get(name, before)), DOC.replace(before, after)
    assert judge_version(old, new).kind in ("noise", "unchanged"), judge_version(old, new).changes
    assert judge_version(new, old).kind in ("noise", "unchanged")


PROTECTED = "[email protected]"
EMAIL_NOISE: list[tuple[str, str]] = [
    ("letters leak before the placeholder", f"go to [le {PROTECTED}]([email protected]x) or"),
    ("a fragment before the placeholder", f"go to le {PROTECTED} or"),
    ("placeholder stripped", "go to  or"),
]


def test_a_protection_link_whose_fragment_changed_is_no_change() -> None:
    """The label escaped ("\\[email protected\\]" with the domain's tail after it) and the link's fragment a
    word instead of a hash: the same protected address."""
    old = DOC.replace("go to legal@tunely.test or",
                      "go to [\\[email protected\\]ly.test](https://tunely.test/cdn-cgi/l/email-protection#) or")
    new = old.replace("email-protection#)", "email-protection#removed)")
    assert judge_version(old, new).kind in ("noise", "unchanged")
    assert judge_version(new, old).kind in ("noise", "unchanged")


@pytest.mark.parametrize(("name", "shown"), EMAIL_NOISE, ids=[n for n, _ in EMAIL_NOISE])
def test_protected_address_leftovers_never_alert(name: str, shown: str) -> None:
    old = DOC.replace("go to legal@tunely.test or", f"go to {PROTECTED} or")
    new = DOC.replace("go to legal@tunely.test or", shown)
    assert judge_version(old, new).kind == "noise"
    assert judge_version(new, old).kind == "noise"


@pytest.mark.parametrize(("old_line", "new_line"), [
    ("Tunely Ltd, Harbourstrasse 3, CH-8032 Zurich", "Tunely Ltd, Quaistrasse 27, CH-8050 Zurich"),
    ("**Address**: 12 Elm Road, Springfield 40123", "**Address**: 900 Main St Suite 4, Riverton 40555"),
    ("Data protection officer: legal@tunely.test", "Data protection officer: privacy@tunely.test"),
    ("Tunely BV, Havenlaan 111", "Tunely BV, Havenlaan 125"),
    ("Attn: Privacy Officer\n2210 Harbor Street\nSuite 4", "Attn: Privacy Officer\n2310 Harbor Street\nSuite 4"),
    ("Tunely SAS\n18 rue des Lilas\n75011 Paris", "Tunely SAS\n81 rue des Lilas\n75011 Paris"),
    ("Tunely Inc.\n40 Harbor Avenue", "Tunely Inc.\n44 Harbor Avenue"),
])
def test_who_the_terms_are_with_is_never_chrome(old_line: str, new_line: str) -> None:
    """An address, a postcode or a controller's e-mail is no sentence, but changing it changes who the contract is
    with or where to write: it alerts, even where other short lines are page chrome, and a street number at the
    start of a line is no clause number whose change would be renumbering."""
    old = DOC + f"\n## 5. Contact\n\n{old_line}\n"
    assert judge_version(old, old.replace(old_line, new_line)).kind == "change"


def test_footer_links_with_separators_are_chrome_both_ways() -> None:
    footer = "\n* Privacy ·\n* Terms ·\n* Cookies ·\n* Help\n"
    assert judge_version(DOC + footer, DOC).kind == "noise" and judge_version(DOC, DOC + footer).kind == "noise"
    fee = DOC + "\n4.3 The Pro plan costs 5 €/month.\n"
    assert judge_version(DOC, fee).kind == "change"  # a short clause with a slash is still a clause


def test_an_address_at_the_end_of_a_sentence_is_not_glued_to_the_next_one() -> None:
    """"privacy@tunely.test. Please …" is an address and a new sentence, whichever form the address takes."""
    old = DOC + "\nTo ask, write to [privacy@tunely.test](mailto:privacy@tunely.test). Please allow a month.\n"
    new = old.replace("[privacy@tunely.test](mailto:privacy@tunely.test)",
                      "[\\[email protected\\]](https://tunely.test/cdn-cgi/l/email-protection)")
    assert normalize(old).text.endswith("privacy@tunely.test. Please allow a month.")
    assert judge_version(old, new).kind == "noise" and judge_version(new, old).kind == "noise"


def test_a_protected_placeholder_line_reduced_to_a_period_and_a_plain_address_turned_placeholder() -> None:
    old = DOC + "\nWrite to us:\nlegal@tunely.test\n"
    assert judge_version(old, old.replace("legal@tunely.test", PROTECTED)).kind == "noise"
    assert judge_version(old.replace("legal@tunely.test", PROTECTED + "."),
                         old.replace("legal@tunely.test", ".")).kind == "noise"


SUBSTANTIVE_NEXT_TO_NOISE: list[tuple[str, str, str]] = [
    ("a clause added next to a menu change", TERMS_WITH_NAV, TERMS_WITH_NAV.replace(NAV, NAV + "* [Pod](https://t/p)\n")
     .replace("3.3 You may close", "3.4 We may delete inactive accounts after two years.\n3.3 You may close")),
    ("a number changed in a clause", DOC, DOC.replace("at least 16 years old", "at least 13 years old")),
    ("may becomes may not", DOC, DOC.replace("You may close your account", "You may not close your account")),
    ("one word flips the meaning", DOC, DOC.replace("you answer for what happens", "we answer for what happens")),
    ("a near spelling that is another word", DOC, DOC.replace("a warning by e-mail", "a warning by e-mail, never")),
    ("a negation put in", DOC, DOC.replace("you answer for what happens", "you answer for not what happens")),
    ("a quantifier put in", DOC, DOC.replace("keep ownership of every recording", "keep ownership of every recording only")),
    ("a new list item", DOC + "\nTrackers we use:\n- Acme Analytics\n- Beacon\n",
     DOC + "\nTrackers we use:\n- Acme Analytics\n- Beacon\n- Rollbar\n"),
    ("a date in a price clause", DOC + "\nRates are valid from 1 September 2024 until 30 September 2024.\n",
     DOC + "\nRates are valid from 1 October 2024 until 31 October 2024.\n"),
    ("a new e-mail shown", DOC, DOC.replace("legal@tunely.test", "terms@tunely.test")),
    ("a table row added", DOC + "\n| Name | Purpose |\n|---|---|\n| Acme | Analytics |\n",
     DOC + "\n| Name | Purpose |\n|---|---|\n| Acme | Analytics |\n| Beacon | Advertising |\n"),
    ("a short sentence added", DOC, DOC.replace("6.1 We may", "6.0 Accounts may be sold.\n6.1 We may")),
]


@pytest.mark.parametrize(("name", "old", "new"), SUBSTANTIVE_NEXT_TO_NOISE,
                         ids=[n for n, _, _ in SUBSTANTIVE_NEXT_TO_NOISE])
def test_substantive_changes_next_to_chrome_and_typos_still_alert(name: str, old: str, new: str) -> None:
    assert judge_version(old, new).kind == "change"


def test_link_only_lines_keep_their_labels_in_brackets() -> None:
    text = normalize("* [Pricing](https://t/p)\n[Log in](https://t/l) [Sign up](https://t/s)\n![](x.png)\n"
                     "Read our [policy](https://t/x) now.\n").text
    assert text == "- [Pricing]\n[Log in] [Sign up]\nRead our policy now."


# --- chrome runs at the edges of a page, and spelling fixes told from other words ---------------------------

SITE_HEADER = ("[Home](https://tunely.test/) [Artists](https://tunely.test/artists) "
               "[Charts](https://tunely.test/charts)\n\n"
               "Stream more music with the app millions of listeners love.\n\n"
               "[Download the app](https://tunely.test/app)\n\n[Log in](https://tunely.test/login)\n\n")
SITE_FOOTER = ("\n[Privacy](https://tunely.test/privacy) [Cookies](https://tunely.test/cookies)\n\n"
               "Listen anywhere. Start your free month today.\n\n© 2024 Tunely Ltd\n")
EVENTS = ("- Home\n- Charts\n- Live\n\n- Summer Sessions (Jun 21, 2024)\n- Jazz Week (Jun 28, 2024)\n"
          "- Vinyl Day (Jul 2, 2024)\n- Open Mic Night\n\n")
EDGE_NOISE: list[tuple[str, str, str]] = [
    ("site header and footer with a tagline and a slogan", SITE_HEADER + DOC + SITE_FOOTER, DOC),
    ("marketing block after the last clause", DOC, DOC + "\nHow it works\n\nFind the artists you love and follow "
                                                    "their new releases.\n\n[Join free](https://tunely.test/join)\n"),
    ("sidebar of dated events rotated above the terms", EVENTS + DOC,
     EVENTS.replace("- Summer Sessions (Jun 21, 2024)\n- Jazz Week (Jun 28, 2024)\n- Vinyl Day (Jul 2, 2024)\n"
                    "- Open Mic Night\n", "- Record Fair (Jul 9, 2024)\n- Folk Weekend (Jul 13, 2024)\n"
                                          "- Choir Day (Jul 20, 2024)\n- Late Shows\n") + DOC),
]


@pytest.mark.parametrize(("name", "old", "new"), EDGE_NOISE, ids=[n for n, _, _ in EDGE_NOISE])
def test_chrome_runs_at_the_edges_of_the_page_never_alert(name: str, old: str, new: str) -> None:
    assert judge_version(old, new).kind == "noise", judge_version(old, new).changes
    assert judge_version(new, old).kind == "noise", judge_version(new, old).changes


NEW_FOOTER = ("\n[Careers](https://tunely.test/jobs)\n\n[Press](https://tunely.test/press)\n\n"
              "[Help](https://tunely.test/help) [Status](https://tunely.test/status)\n\n© 2025 Tunely Ltd\n")
NEW_MENU = NAV.replace("Careers", "Jobs").replace("Blog", "News").replace("Pricing", "Plans")
EDGE_SUBSTANTIVE: list[tuple[str, str, str]] = [
    ("a sentence with a topic inside a new footer", DOC + SITE_FOOTER,
     DOC + NEW_FOOTER.replace("\n© 2025", "\nDisputes are settled by binding arbitration in Dublin.\n\n© 2025")),
    ("a sentence below the title while the menu above it changed", NAV + DOC,
     NEW_MENU + DOC.replace("Last updated: 1 March 2024\n", "Last updated: 1 March 2024\n\n"
                                                            "These terms now apply to every user worldwide.\n")),
    ("the last clause rewritten while the footer changed", DOC + NEW_FOOTER.replace("Careers", "Blog")
     .replace("Press", "Shop").replace("2025", "2024"),
     DOC.replace("or to our postal address in Dublin.", "only; letters are no longer read.") + NEW_FOOTER),
    ("trackers named in a list after the last clause", DOC + "\nTrackers we use:\n- Acme Analytics\n",
     DOC + "\nTrackers we use:\n- Acme Analytics\n- Beacon Ads\n- Rollbar\n- Pixel Hub\n"),
    ("a clause between clauses while the header changed", SITE_HEADER + DOC,
     NEW_MENU + with_clause(DOC, "3.3 You may close your account at any time from the settings page.\n",
                            "3.4 We may delete inactive accounts after two years.\n")),
]


@pytest.mark.parametrize(("name", "old", "new"), EDGE_SUBSTANTIVE, ids=[n for n, _, _ in EDGE_SUBSTANTIVE])
def test_clauses_next_to_edge_chrome_still_alert(name: str, old: str, new: str) -> None:
    assert judge_version(old, new).kind == "change"
    assert judge_version(new, old).kind == "change"


ARTISTS = "3.4 Artists may contact listeners through the service.\n"
WORD_SWAPS: list[tuple[str, str, str]] = [
    ("contact becomes contract", ARTISTS, ARTISTS.replace("contact", "contract")),
    ("now becomes not", "3.4 Listeners can now download tracks for offline play.\n",
     "3.4 Listeners can not download tracks for offline play.\n"),
    ("may becomes may not", "3.4 Artists may sell merchandise on their page.\n",
     "3.4 Artists may not sell merchandise on their page.\n"),
    ("lawful becomes unlawful", "3.4 We keep uploads that are lawful where you live.\n",
     "3.4 We keep uploads that are unlawful where you live.\n"),
    ("consent becomes content where the page uses both", "3.4 We ask your consent before we share your content.\n"
                                                         "3.5 Sharing needs consent.\n",
     "3.4 We ask your content before we share your content.\n3.5 Sharing needs consent.\n"),
]


@pytest.mark.parametrize(("name", "before", "after"), WORD_SWAPS, ids=[n for n, _, _ in WORD_SWAPS])
def test_a_near_spelling_that_is_a_word_of_the_page_still_alerts(name: str, before: str, after: str) -> None:
    anchor = "3.3 You may close your account at any time from the settings page.\n"
    old, new = with_clause(DOC, anchor, before), with_clause(DOC, anchor, after)
    assert judge_version(old, new).kind == "change"
    assert judge_version(new, old).kind == "change"


def test_a_misspelling_fixed_or_made_stays_noise_where_the_right_spelling_is_used_elsewhere() -> None:
    anchor = "4.2 We deduct a platform fee of ten percent before each payout.\n"
    old = with_clause(DOC, anchor, "4.3 Listeners recieve a receipt.\n4.4 Artists receive a statement.\n")
    new = old.replace("recieve", "receive")
    assert judge_version(old, new).kind == "noise"  # the old spelling is gone from the page
    assert judge_version(new, old).kind == "noise"  # the new spelling is new to the page


# --- page widgets, stamps, punctuation and layout edits that change nothing (and their substantive controls) ---

def _kind(old: str, new: str) -> str:
    return judge_version(old, new).kind


HELP_WIDGETS = [
    "Was this article helpful? Yes No",
    "27 out of 31 found this helpful",
    "Still have questions? Get in touch with us",
    "Cet article vous a-t-il été utile ?",
    "Vous ne trouvez pas la réponse ? Contactez-nous",
    "8 von 11 fanden das hilfreich",
    "Haben Sie noch Fragen? Kontaktieren Sie uns",
    "¿Te resultó útil este artículo?",
    "¿No encuentras lo que buscas? Contáctanos",
]


@pytest.mark.parametrize("widget", HELP_WIDGETS)
def test_help_widgets_come_and_go_as_noise(widget: str) -> None:
    with_widget = DOC + "\n" + widget + "\n"
    assert _kind(DOC, with_widget) == "noise"
    assert _kind(with_widget, DOC) == "noise"


def test_a_helpfulness_counter_that_moves_is_noise() -> None:
    before = with_clause(DOC, "3.3 You may close your account at any time from the settings page.\n",
                         "\n12 of 40 people found this helpful\n")
    after = before.replace("12 of 40", "15 of 44")
    assert _kind(before, after) == "noise"


def test_a_contact_call_out_with_a_new_address_or_a_condition_still_alerts() -> None:
    assert _kind(DOC, DOC + "\nStill have questions? Write to privacy@tunely.test\n") == "change"
    assert _kind(DOC, DOC + "\nQuestions? Call us on +353 1 555 0199\n") == "change"
    refund = "If you have questions about refunds, contact us within 14 days of purchase."
    assert _kind(DOC, with_clause(DOC, "4.2 We deduct a platform fee of ten percent before each payout.\n",
                                  refund + "\n")) == "change"


def test_a_leaving_site_dialog_and_a_search_box_are_chrome() -> None:
    chrome = ("\nYou are now leaving tunely.test. Sites of our partners have their own privacy policies.\n"
              "\nNo results found. Try a different search term.\n")
    assert _kind(DOC + chrome, DOC) == "noise"
    assert _kind(DOC, DOC + chrome) == "noise"
    assert _kind(DOC, DOC + "\nWhen you leave the service, we delete your playlists after 30 days.\n") == "change"


@pytest.mark.parametrize(("before", "after"), [
    ("Last update: 1 March 2024", "Last update: 5 June 2024"),
    ("Latest revision: March 1, 2024", "Latest revision: June 5, 2024"),
    ("Version 20240301", "Version 20240605"),
    ("Version: 3.1 (2024-03-01)", "Version: 3.2 (2024-06-05)"),
    ("Dernière actualisation : 1er mars 2024", "Dernière actualisation : 5 juin 2024"),
])
def test_stamps_and_date_lines_in_more_forms_are_noise(before: str, after: str) -> None:
    old = DOC.replace("Last updated: 1 March 2024", before)
    assert _kind(old, old.replace(before, after)) == "noise"
    assert _kind(old.replace(before, after), old) == "noise"


def test_a_changed_figure_next_to_a_changed_stamp_still_alerts() -> None:
    old = DOC.replace("Last updated: 1 March 2024", "Version 20240301")
    new = old.replace("Version 20240301", "Version 20240605").replace("ten percent", "fifteen percent")
    assert _kind(old, new) == "change"


def test_punctuation_only_edits_are_noise_both_ways() -> None:
    old = DOC.replace("every recording, cover image and text", "every recording, cover image, and text")
    assert _kind(old, DOC) == "noise" and _kind(DOC, old) == "noise"
    semi = DOC.replace("Keep your password private; you answer", "Keep your password private: you answer")
    assert _kind(DOC, semi) == "noise"


def test_a_comma_edit_with_a_negation_a_modal_or_a_figure_still_alerts() -> None:
    negated = DOC.replace("every recording, cover image and text", "every recording, but not cover image and text")
    assert _kind(DOC, negated) == "change"
    modal = DOC.replace("3.3 You may close your account", "3.3 You must close your account")
    assert _kind(DOC, modal) == "change"
    figure = DOC.replace("at least 16 years old", "at least 18 years old,")
    assert _kind(DOC, figure) == "change"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2007", "\u2002", "&nbsp;", "&#160;"])
def test_odd_spaces_anywhere_are_noise(space: str) -> None:
    spaced = DOC.replace("Tunely Ltd", f"Tunely{space}Ltd").replace("ten percent", f"ten{space}percent")
    assert _kind(DOC, spaced) != "change" and _kind(spaced, DOC) != "change"
    assert _kind(DOC, spaced.replace("ten", "twelve")) == "change"


def test_titles_turned_into_headings_and_back_are_noise() -> None:
    flat = DOC.replace("## 3. Accounts", "Accounts").replace("## 4. Payouts", "Payouts")
    plain = "\n".join(line if not line.startswith("## ") else line[3:] for line in DOC.split("\n"))
    for old, new in ((plain, DOC), (DOC, plain), (flat, DOC)):
        assert _kind(old, new) == "noise", (old[:80], new[:80])
    retitled_and_changed = DOC.replace("at least 16 years old", "at least 13 years old")
    assert _kind(plain, retitled_and_changed) == "change"
    assert _kind(plain, DOC.replace("## 3. Accounts", "## 3. Accounts and payouts")) == "change"


def test_screen_reader_text_after_a_link_is_noise() -> None:
    old = DOC.replace("our postal address in Dublin.", "our postal address in Dublin (see [Imprint](/imprint)).")
    for hint in (" - opens in new window or tab", " (opens in a new tab or window)", " (öffnet in neuem Fenster)",
                 " (s'ouvre dans un nouvel onglet ou une nouvelle fenêtre)"):
        new = old.replace("[Imprint](/imprint)", f"[Imprint{hint}](/imprint)")
        assert _kind(old, new) == "noise" and _kind(new, old) == "noise"


def test_link_cards_and_menus_that_span_lines_are_chrome() -> None:
    card = ("\n[![](/img/summer.jpg)\n\n#### Summer tips\n\n2024-06-26\n\n"
            "Stay safe while streaming on holiday. Read our tips.](https://tunely.test/news/summer)\n")
    menu = ("[Who we are\n\nFounded in 2019, Tunely connects artists and listeners.\n\n"
            "Read more](https://tunely.test/about)\n\n")
    assert _kind(DOC, DOC + card) == "noise" and _kind(DOC + card, DOC) == "noise"
    assert _kind(menu + DOC, DOC) == "noise" and _kind(DOC, menu + DOC) == "noise"
    linked = DOC.replace("from the settings page.", "from the [settings page](https://tunely.test/settings).")
    assert _kind(linked, linked.replace("at any time from", "within 30 days from")) == "change"


def test_a_broken_word_mended_or_an_ending_put_right_is_noise() -> None:
    old = DOC.replace("You confirm that you hold", "You confirm that you hold a alid licence and").replace(
        "ten percent before", "ten percent before each valid")
    assert _kind(old, old.replace("a alid licence", "a valid licence")) == "noise"
    ended = DOC.replace("musicians publish recordings", "musicians publish select recordings")
    assert _kind(ended, ended.replace("select recordings", "selected recordings")) == "noise"


def test_a_short_word_that_becomes_another_word_still_alerts() -> None:
    ours = DOC.replace("You keep ownership of every recording", "The recordings are yours, and ours are")
    assert _kind(ours, ours.replace("are yours, and ours are", "are ours, and yours are")) == "change"
    mine = DOC.replace("You keep ownership of every recording", "Ownership of every recording is yours")
    assert _kind(mine, mine.replace("is yours", "is ours")) == "change"
    lose = DOC.replace("3.3 You may close your account", "3.3 You lose your account")
    assert _kind(lose, lose.replace("You lose", "You close")) == "change"


def test_a_price_or_rate_alone_in_a_table_cell_still_alerts() -> None:
    # a table captured one cell per line: the amount is the term, and its line has no words to call it a clause
    cells = DOC.replace("## 5. Recommendations", "Plan\nMonthly price\nBasic\n€4.99\nPro\n€9.99\nService fee\n15%\n\n"
                        "## 5. Recommendations")
    assert _kind(cells, cells.replace("€9.99", "€14.99")) == "change"
    assert _kind(cells, cells.replace("15%", "25%")) == "change"
    assert _kind(cells, cells.replace("Pro\n€9.99\n", "Pro\n€9.99\nTeam\n€19.99\n")) == "change"
    assert _kind(cells, cells.replace("€9.99", "€ 9.99")) == "noise"


def test_a_price_ticker_above_the_page_is_chrome() -> None:
    ticker = "[BTC\n\n$95,731.08\n\n0.47%](https://news.test/price/btc)[ETH\n\n$2,727.46\n\n1.81%](https://news.test/eth)\n\n"
    moved = ticker.replace("$95,731.08", "$94,728.42").replace("0.47%", "1.12%").replace("$2,727.46", "$2,665.14")
    assert _kind(ticker + DOC, moved + DOC) == "noise"


# --- extraction settings edited: a new baseline, not a change ------------------------------------------------

PROMO = ("<section class='promo'><h2>Go Pro</h2><p>Pro members keep every cent of their payouts and get early "
         "access to new features.</p><p>Upgrade today and your first month is free.</p></section>")


def settings_config(tmp: Path, remote: Remote, remove: str) -> str:
    return config_text(tmp, remote, threshold=3).replace("select: main}", f"select: main{remove}}}")


async def test_edited_select_or_remove_settings_make_a_new_baseline_and_no_post(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/terms", terms_html(extra=PROMO), content_type="text/html; charset=utf-8")
    async with running(write_config, settings_config(tmp_path, remote, "")) as app:
        await app.poll_once()  # the baseline, promotion included
    # the operator cuts the promotion out of the reading: every clause of it would read as removed
    async with running(write_config, settings_config(tmp_path, remote, ", remove: ['.promo']")) as app:
        cycle, _ = await app.poll_once()
        assert cycle.failed == 0
        history = await history_report(app.config, app.store, "tunely", None)
        ai = "<p>1.3 Your uploads may be used to train artificial intelligence models.</p>"
        remote.serve("/terms", terms_html(extra=ai + PROMO), content_type="text/html; charset=utf-8")
        await app.poll_once()  # a real change afterwards is compared with the new baseline
    newest, first = history["documents"][0]["versions"]
    assert newest["note"] == ("extraction settings changed (selector main → selector main, without .promo): "
                              "a new baseline") and "note" not in first
    (change,) = posts(tmp_path)
    assert change["event"] == "terms_change" and change["topics"] == ["ai_training"]
    assert "Pro members" not in json.dumps(change)


async def test_a_change_of_the_page_with_the_settings_is_posted_then_the_baseline_moves(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    remote.serve("/terms", terms_html(extra=PROMO), content_type="text/html; charset=utf-8")
    async with running(write_config, settings_config(tmp_path, remote, "")) as app:
        await app.poll_once()
    ai = "<p>1.3 Your uploads may be used to train artificial intelligence models.</p>"
    remote.serve("/terms", terms_html(extra=ai + PROMO), content_type="text/html; charset=utf-8")
    async with running(write_config, settings_config(tmp_path, remote, ", remove: ['.promo']")) as app:
        await app.poll_once()  # the page changed too: judged as read before, so the AI clause is not lost
        await app.poll_once()
        history = await history_report(app.config, app.store, "tunely", None)
    assert [p["topics"] for p in posts(tmp_path)] == [["ai_training"]]
    assert [bool(v.get("note")) for v in history["documents"][0]["versions"]] == [True, False]


async def test_a_block_that_keeps_changing_is_not_posted_once_the_settings_cut_it_out(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    # the reason to edit `remove`: a promotion that changes every poll, in clauses of its own
    def promo(offer: str) -> str:
        return f"<section class='promo'><h2>This week</h2><p>Pro members {offer} on every upload.</p></section>"

    remote.serve("/terms", terms_html(extra=promo("save ten percent")), content_type="text/html; charset=utf-8")
    async with running(write_config, settings_config(tmp_path, remote, "")) as app:
        await app.poll_once()
    remote.serve("/terms", terms_html(extra=promo("get a free month")), content_type="text/html; charset=utf-8")
    async with running(write_config, settings_config(tmp_path, remote, ", remove: ['.promo']")) as app:
        await app.poll_once()
        remote.serve("/terms", terms_html(extra=promo("get two free months")), content_type="text/html; charset=utf-8")
        await app.poll_once()
        history = await history_report(app.config, app.store, "tunely", None)
    assert posts(tmp_path) == []
    assert [bool(v.get("note")) for v in history["documents"][0]["versions"]] == [True, False]


# --- topics of a document's type ------------------------------------------------------------------------------

def typed_config(tmp: Path, remote: Remote) -> str:
    return f"""
storage: {tmp / 'storage'}
poll: {{interval: 1h, timeout: 3s, max_bytes: 200KB}}
platforms:
  tunely:
    name: Tunely
    documents:
      - {{type: Privacy Policy, url: "{remote.url('/privacy')}", select: main}}
      - {{type: Terms of Service, url: "{remote.url('/terms')}", select: main}}
channels:
  - {{id: everything, jsonl: {tmp / 'out' / 'all.jsonl'}}}
  - {{id: privacy-desk, jsonl: {tmp / 'out' / 'privacy.jsonl'}, topics: [privacy]}}
"""


async def test_every_change_of_a_privacy_policy_reaches_a_channel_that_follows_privacy(
    remote: Remote, write_config: Callable[..., Path], tmp_path: Path
) -> None:
    # the changed clause names no personal data: its document's type says what it is about
    clause = "<p>3.1 We answer your requests within {} days of receiving them.</p>"
    for path in ("/privacy", "/terms"):
        remote.serve(path, terms_html(extra=clause.format(60)), content_type="text/html; charset=utf-8")
    async with running(write_config, typed_config(tmp_path, remote)) as app:
        await app.poll_once()
        for path in ("/privacy", "/terms"):
            remote.serve(path, terms_html(extra=clause.format(90)), content_type="text/html; charset=utf-8")
        await app.poll_once()
    everything = {str(r["source"]): r["topics"] for r in posts(tmp_path)}
    assert everything == {"tunely/privacy-policy": ["privacy"], "tunely/terms-of-service": []}
    desk = [json.loads(line) for line in (tmp_path / "out" / "privacy.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in desk] == ["tunely/privacy-policy"]


def test_an_address_turned_into_a_javascript_mailto_link_is_noise() -> None:
    # an address spelled in escapes behind a javascript: target, which holds a space ("void 0")
    linked = DOC.replace("go to legal@tunely.test", "go to [legal@tunely.test](javascript:location='mailto:"
                         "/u006c/u0065/u0067/u0061/u006c/u0040/u0074';void 0)")
    assert _kind(DOC, linked) in ("unchanged", "noise") and _kind(linked, DOC) in ("unchanged", "noise")
    assert _kind(linked, linked.replace("go to [legal@tunely.test]", "go to [help@tunely.test]")) == "change"


ANNOUNCEMENTS = [
    "**Please note: we've updated these terms. The prior version is available [here](https://tunely.test/old).**",
    "If you live in the EEA, you can view your current Terms of Service here. The terms below will be effective "
    "there on 30 April 2025.",
    "These terms reflect our updated Data Transfer Addendum, effective 1 June 2024.",
    "Nous avons mis à jour nos conditions d'utilisation. La version précédente reste consultable ici.",
    "Wir haben unsere Nutzungsbedingungen aktualisiert. Die vorherige Fassung finden Sie hier.",
    "Hemos actualizado nuestras condiciones. La versión anterior está disponible aquí.",
]


@pytest.mark.parametrize("notice", ANNOUNCEMENTS, ids=range(len(ANNOUNCEMENTS)))
def test_an_update_notice_removed_is_noise_and_added_is_posted(notice: str) -> None:
    announced = DOC.replace("Last updated: 1 March 2024\n", f"Last updated: 1 March 2024\n\n{notice}\n")
    assert _kind(announced, DOC) == "noise"
    assert _kind(DOC, announced) == "change"  # it may announce what is coming


def test_a_numbered_clause_about_an_update_removed_still_alerts() -> None:
    clause = "6.3 We have changed these terms so that warnings are no longer sent before a suspension.\n"
    numbered = DOC.replace("## 7. Contact", clause + "\n## 7. Contact")
    assert _kind(numbered, DOC) == "change"


def test_a_paragraph_pasted_twice_or_mended_is_noise_but_not_a_copy_far_away() -> None:
    twice = DOC.replace("3.2 Keep your password private; you answer for what happens under your account.\n",
                        "3.2 Keep your password private; you answer for what happens under your account.\n"
                        "Keep your password private; you answer for what happens under your account.\n")
    assert _kind(twice, DOC) == "noise" and _kind(DOC, twice) == "noise"
    sentence = "This section does not apply to accounts run by a registered label."
    far = DOC.replace("## 2. Your content\n", f"## 2. Your content\n\n{sentence}\n").replace(
        "## 7. Contact\n", f"## 7. Contact\n\n{sentence}\n")
    assert _kind(far, far.replace(f"## 7. Contact\n\n{sentence}\n", "## 7. Contact\n")) == "change"
