"""History import: `clausewatch import` (a git terms archive) and `clausewatch backfill` (Wayback CDX captures)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner

from bot.cli import main
from bot.core.config import ConfigError, parse_config
from bot.store.database import Store
from tests.conftest import Remote

TERMS_V1 = """# Tunely Terms of Service

## 1. Your content
You keep ownership of the tracks you upload to Tunely.

## 2. Licence
You grant Tunely a licence to host and stream your tracks to listeners.

## 3. Termination
You may delete your account at any time.
"""
TERMS_V2 = TERMS_V1.replace(
    "to host and stream your tracks to listeners.",
    "to host, stream and promote your tracks to listeners and partners.",
)
TERMS_V3 = TERMS_V2.replace(
    "You may delete your account at any time.",
    "You may delete your account at any time. We may suspend accounts that repeatedly infringe copyright.",
)
ERROR_PAGE = "<html><body><h1>404 Not Found</h1><p>Page not found</p></body></html>"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Archivist", "GIT_AUTHOR_EMAIL": "archivist@example.org",
           "GIT_COMMITTER_NAME": "Archivist", "GIT_COMMITTER_EMAIL": "archivist@example.org"}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
                   check=True, capture_output=True, timeout=30)


def commit_version(repo: Path, relative: str, text: str, when: str) -> None:
    path = repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"version of {when}", when=when)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A git terms archive: three versions of Tunely's terms, a flip-back, and files that match nothing."""
    repo = tmp_path / "archive"
    repo.mkdir()
    git(repo, "init", "-q")
    commit_version(repo, "Tunely/Terms of Service.md", TERMS_V1, "2023-01-10T09:00:00+00:00")
    commit_version(repo, "Tunely/Terms of Service.md", TERMS_V2, "2023-06-01T12:30:00+02:00")
    commit_version(repo, "Elsewhere/Terms of Service.md", "# Elsewhere terms\n\nSomething else entirely.\n",
                   "2023-07-01T00:00:00+00:00")
    commit_version(repo, "Tunely/Terms of Service.md", TERMS_V3, "2024-02-15T08:00:00+00:00")
    commit_version(repo, "Tunely/Privacy Policy.md", "# Privacy\n\nWe collect little.\n", "2024-03-01T00:00:00+00:00")
    commit_version(repo, "Tunely/Terms of Service.md", TERMS_V2, "2024-04-01T00:00:00+00:00")  # flip-back
    return repo


def tunely_config(tmp_path: Path, archive_url: str = "https://web.archive.org",
                  url: str = "https://tunely.example/terms") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        f"storage: {tmp_path / 'storage'}\n"
        f"archive: {{url: '{archive_url}', delay: 0s}}\n"
        "platforms:\n"
        "  tunely:\n"
        "    name: Tunély\n"
        "    documents:\n"
        f"      - {{type: Terms of Service, url: '{url}'}}\n"
        "channels: [{id: out, console: true}]\n",
        encoding="utf-8",
    )
    return path


def events(config: Path) -> int:
    """Events recorded in the configured store (either backend)."""

    async def count() -> int:
        store = await Store.connect(config.parent / "storage", os.environ.get("CLAUSEWATCH_DATABASE_URL"))
        try:
            return int((await store.query("SELECT COUNT(*) AS n FROM events"))[0]["n"])
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as pool:  # callers may run inside an event loop
        return pool.submit(asyncio.run, count()).result()


def test_import_records_dated_versions_and_changes_without_events(tmp_path: Path, archive: Path) -> None:
    config = tunely_config(tmp_path)
    code, out, err = invoke("--config", str(config), "import", str(archive), "--json")
    assert code == 0, err
    report = json.loads(out)
    files = {(f["service"], f["type"]): f for f in report["files"]}
    terms = files[("Tunely", "Terms of Service")]
    assert terms["status"] == "imported" and terms["source"] == "tunely/terms-of-service"
    assert {k: terms["report"][k] for k in ("seen", "stored", "duplicates", "skipped", "changes")} == {
        "seen": 4, "stored": 3, "duplicates": 1, "skipped": 0, "changes": 2}
    assert files[("Elsewhere", "Terms of Service")]["status"] == "skipped"
    assert "no configured platform" in files[("Elsewhere", "Terms of Service")]["reason"]
    assert "no 'Privacy Policy' document" in files[("Tunely", "Privacy Policy")]["reason"]

    code, out, _ = invoke("--config", str(config), "history", "tunely", "--json")
    document = json.loads(out)["documents"][0]
    assert [v["fetched_at"] for v in document["versions"]] == [
        "2024-02-15T08:00:00+00:00", "2023-06-01T10:30:00+00:00", "2023-01-10T09:00:00+00:00"]
    assert [c["new_version_at"] for c in document["changes"]] == ["2024-02-15T08:00:00+00:00", "2023-06-01T10:30:00+00:00"]
    code, out, _ = invoke("--config", str(config), "diff", "tunely", "--json")
    change = json.loads(out)["changes"][0]
    assert change["old_version_at"] == "2023-06-01T10:30:00+00:00"
    assert any("suspend accounts" in json.dumps(clause) for clause in change["clauses"])
    assert events(config) == 0  # history, not alerts

    code, out, _ = invoke("--config", str(config), "import", str(archive), "--json")
    again = json.loads(out)["totals"]
    assert code == 0 and again["stored"] == 0 and again["changes"] == 0 and again["duplicates"] == 4
    code, out, _ = invoke("--config", str(config), "history", "tunely", "--json")
    assert len(json.loads(out)["documents"][0]["versions"]) == 3


def test_import_text_output_and_errors(tmp_path: Path, archive: Path) -> None:
    config = tunely_config(tmp_path)
    code, out, _ = invoke("--config", str(config), "import", str(archive))
    assert code == 0 and "Tunely/Terms of Service → tunely/terms-of-service: 4 versions: 3 stored" in out
    assert "Elsewhere/Terms of Service: skipped" in out
    plain = tmp_path / "plain"
    (plain / "Tunely").mkdir(parents=True)
    (plain / "Tunely" / "Terms of Service.md").write_text(TERMS_V1, encoding="utf-8")
    code, out, err = invoke("--config", str(config), "import", str(plain))
    assert code == 1 and "not inside a git repository" in err and "Traceback" not in err
    code, _, err = invoke("--config", str(config), "import", str(tmp_path / "missing"))
    assert code == 1 and "is not a folder" in err


class Wayback:
    """A CDX API and `id_` pages on the local server; remembers which pages were requested."""

    def __init__(self, remote: Remote, target: str, pages: dict[str, tuple[str, str]]) -> None:
        self.target = target
        self.pages = pages  # timestamp → (body, content type)
        self.page_requests: list[str] = []
        self.listings: list[dict[str, str]] = []
        remote.route("/cdx/search/cdx", self.cdx)
        for timestamp in pages:
            remote.route(f"/web/{timestamp}id_/{target}", self.page)

    async def cdx(self, request: web.Request) -> web.StreamResponse:
        query = dict(request.query)
        self.listings.append(query)
        assert query["url"] == self.target and query["output"] == "json" and query["collapse"] == "digest"
        assert query["filter"] == "statuscode:200" and query["fl"] == "timestamp,original,statuscode,digest"
        rows: list[list[str]] = [["timestamp", "original", "statuscode", "digest"]]
        for timestamp in sorted(self.pages, reverse=True):  # the importer must not rely on the order
            if timestamp[:8] >= query.get("from", "0"):
                rows.append([timestamp, self.target, "200", f"D{timestamp}"])
        return web.json_response(rows)

    async def page(self, request: web.Request) -> web.StreamResponse:
        timestamp = request.path.split("/")[2].removesuffix("id_")
        self.page_requests.append(timestamp)
        body, content_type = self.pages[timestamp]
        return web.Response(text=body, content_type=content_type)


def html(markdown: str) -> str:
    blocks = []
    for block in filter(None, markdown.strip().splitlines()):
        if block.startswith("## "):
            blocks.append(f"<h2>{block[3:]}</h2>")
        elif block.startswith("# "):
            blocks.append(f"<h1>{block[2:]}</h1>")
        else:
            blocks.append(f"<p>{block}</p>")
    return f"<html><body><nav>Menu</nav><main>{''.join(blocks)}</main></body></html>"


async def test_backfill_stores_captures_oldest_first_and_resumes(tmp_path: Path, remote: Remote) -> None:
    target = "https://tunely.example/terms"
    wayback = Wayback(remote, target, {
        "20220301101500": (html(TERMS_V1), "text/html"),
        "20220815000000": (ERROR_PAGE, "text/html"),
        "20230102030405": (html(TERMS_V2), "text/html"),
        "20240510120000": (html(TERMS_V3), "text/html"),
    })
    config = tunely_config(tmp_path, archive_url=remote.url(""), url=target)

    code, out, err = await asyncio.to_thread(invoke, "--config", str(config), "backfill", "tunely", "--since",
                                             "2022-06-01", "--json")
    assert code == 0, err
    report = json.loads(out)["documents"][0]["report"]
    assert wayback.listings[-1]["from"] == "20220601"
    assert wayback.page_requests == ["20220815000000", "20230102030405", "20240510120000"]
    assert (report["stored"], report["skipped"], report["changes"]) == (2, 1, 1)
    assert "error page" in report["problems"][0]

    code, out, _ = await asyncio.to_thread(invoke, "--config", str(config), "history", "tunely", "--json")
    versions = [v["fetched_at"] for v in json.loads(out)["documents"][0]["versions"]]
    assert versions == ["2024-05-10T12:00:00+00:00", "2023-01-02T03:04:05+00:00"]

    # Without --since, only the capture left out before is fetched: it is older than every stored
    # version, so it goes first in the history and the next version's change is recomputed against it.
    wayback.page_requests.clear()
    code, out, _ = await asyncio.to_thread(invoke, "--config", str(config), "backfill", "tunely", "--json")
    report = json.loads(out)["documents"][0]["report"]
    assert code == 0 and wayback.page_requests == ["20220301101500"]
    assert (report["stored"], report["already_handled"]) == (1, 3)
    code, out, _ = await asyncio.to_thread(invoke, "--config", str(config), "history", "tunely", "--json")
    document = json.loads(out)["documents"][0]
    assert [v["fetched_at"] for v in document["versions"]][-1] == "2022-03-01T10:15:00+00:00"
    assert [c["new_version_at"] for c in document["changes"]] == ["2024-05-10T12:00:00+00:00", "2023-01-02T03:04:05+00:00"]

    wayback.page_requests.clear()
    code, out, _ = await asyncio.to_thread(invoke, "--config", str(config), "backfill", "tunely", "--json")
    report = json.loads(out)["documents"][0]["report"]
    assert code == 0 and wayback.page_requests == [] and report["stored"] == 0 and report["already_handled"] == 4
    assert events(config) == 0


async def test_backfill_errors_exit_1(tmp_path: Path, remote: Remote) -> None:
    config = tunely_config(tmp_path, archive_url=remote.url(""))
    code, _, err = await asyncio.to_thread(invoke, "--config", str(config), "backfill", "tunly")
    assert code == 1 and "unknown platform 'tunly'" in err and "tunely" in err
    code, _, err = await asyncio.to_thread(invoke, "--config", str(config), "backfill", "tunely")  # no CDX route: 404
    assert code == 1 and "cannot list captures" in err and "Traceback" not in err
    code, _, err = await asyncio.to_thread(invoke, "--config", str(config), "backfill", "tunely", "--document", "Imprint")
    assert code == 1 and "no 'Imprint' document" in err


def test_archive_settings_are_validated(tmp_path: Path) -> None:
    config = parse_config("archive: {url: 'http://localhost:9/', delay: 0s}\n", tmp_path / "f.yaml")
    assert (config.archive_url, config.archive_delay) == ("http://localhost:9", 0.0)
    default = parse_config("storage: ./s\n", tmp_path / "f.yaml")
    assert (default.archive_url, default.archive_delay) == ("https://web.archive.org", 1.0)
    with pytest.raises(ConfigError) as caught:
        parse_config("archive: {url: 'ftp://x', delay: -1s, speed: 2}\n", tmp_path / "f.yaml")
    problems = "\n".join(caught.value.problems)
    assert "archive.url: expected an http(s)://" in problems
    assert "archive.delay" in problems and "archive.speed: unknown key" in problems


def test_import_keeps_a_version_whose_only_change_is_its_date_line(tmp_path: Path) -> None:
    """A new "Last updated" line alone is a version in `history`, never a change record."""
    repo = tmp_path / "archive"
    repo.mkdir()
    git(repo, "init", "-q")
    commit_version(repo, "Tunely/Terms of Service.md", "Last updated: 3 March 2023\n\n" + TERMS_V1,
                   "2023-03-03T09:00:00+00:00")
    commit_version(repo, "Tunely/Terms of Service.md", "Last updated: 9 January 2024\n\n" + TERMS_V1,
                   "2024-01-09T09:00:00+00:00")
    config = tunely_config(tmp_path)
    code, out, err = invoke("--config", str(config), "import", str(repo), "--json")
    assert code == 0, err
    assert json.loads(out)["totals"]["stored"] == 2 and json.loads(out)["totals"]["changes"] == 0
    code, out, _ = invoke("--config", str(config), "history", "tunely", "--json")
    document = json.loads(out)["documents"][0]
    assert len(document["versions"]) == 2 and document["changes"] == []
    code, out, _ = invoke("--config", str(config), "import", str(repo), "--json")
    assert json.loads(out)["totals"]["stored"] == 0  # re-runs store nothing twice
