"""Past versions of terms documents: a file's git history, a `<Service>/<Terms type>.md` archive folder,
and Wayback Machine captures (CDX listing and original pages). Fetch and parse only; nothing is stored.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

from bot.sources.fetcher import Fetcher

GIT_TIMEOUT = 60.0  # seconds for one git command
ARCHIVE_SUFFIXES = (".md",)
WAYBACK_TIMESTAMP = "%Y%m%d%H%M%S"


class ArchiveError(RuntimeError):
    """An archive cannot be read: not a git repository, git missing, the web archive unreachable."""


# --- git -------------------------------------------------------------------------------------


def _git(repo_dir: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=repo_dir, capture_output=True, timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ArchiveError("git is not installed (needed to read an archive's history)") from None
    except subprocess.TimeoutExpired:
        raise ArchiveError(f"git {args[0]} timed out after {GIT_TIMEOUT:g}s in {repo_dir}") from None
    except NotADirectoryError:
        raise ArchiveError(f"{repo_dir} is not a folder") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ArchiveError(f"git {args[0]} failed in {repo_dir}: {message[-1] if message else done.returncode}")
    return done.stdout


def git_root(repo_dir: Path) -> Path:
    """The top folder of the git work tree containing `repo_dir`; ArchiveError when there is none."""
    if not repo_dir.is_dir():
        raise ArchiveError(f"{repo_dir} is not a folder")
    try:
        return Path(_git(repo_dir, "rev-parse", "--show-toplevel").decode("utf-8").strip())
    except ArchiveError as error:
        if "not a git repository" in str(error).lower():
            raise ArchiveError(f"{repo_dir} is not inside a git repository (expected a clone of a terms archive)") from None
        raise


def git_versions(repo_dir: Path, file_path: Path) -> list[tuple[datetime, bytes]]:
    """Every committed version of `file_path` (followed across renames), oldest first, dated by commit (UTC).

    `file_path` is absolute or relative to `repo_dir`; commits that delete the file are left out.
    """
    root = git_root(repo_dir).resolve()
    absolute = (file_path if file_path.is_absolute() else repo_dir / file_path).resolve()
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        raise ArchiveError(f"{file_path} is not inside the git repository {root}") from None
    log = _git(root, "log", "--follow", "--diff-filter=d", "--name-only", "--format=%x01%H %cI", "--", relative)
    commits: list[tuple[str, datetime, str]] = []
    for block in log.decode("utf-8", "replace").split("\x01")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        sha, _, stamp = lines[0].partition(" ")
        path_then = lines[-1] if len(lines) > 1 else relative  # the file's name in that commit (renames)
        commits.append((sha, datetime.fromisoformat(stamp).astimezone(UTC), path_then))
    versions = [(moment, _git(root, "show", f"{sha}:{path_then}")) for sha, moment, path_then in reversed(commits)]
    versions.sort(key=lambda version: version[0])  # stable: commit order breaks ties
    return versions


def scan_archive_dir(root: Path) -> list[tuple[str, str, Path]]:
    """`<Service>/<Terms type>.md` files under `root` → (service, terms type, path), sorted; hidden folders skipped."""
    if not root.is_dir():
        raise ArchiveError(f"{root} is not a folder")
    found: list[tuple[str, str, Path]] = []
    for service_dir in sorted(root.iterdir()):
        if not service_dir.is_dir() or service_dir.name.startswith("."):
            continue
        for file in sorted(service_dir.iterdir()):
            if file.is_file() and file.suffix.lower() in ARCHIVE_SUFFIXES and not file.name.startswith("."):
                found.append((service_dir.name, file.stem, file))
    return found


# --- Wayback Machine ---------------------------------------------------------------------------


class Pacer:
    """One request at a time, at least `delay` seconds apart (politeness towards the archive)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._last: float | None = None
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            if self._last is not None:
                remaining = self._last + self.delay - time.monotonic()
                if remaining > 0:
                    await asyncio.sleep(remaining)
            self._last = time.monotonic()


def wayback_time(timestamp: str) -> datetime:
    """`20240131120000` (the archive's 14-digit timestamps, UTC) → an aware datetime."""
    padded = (timestamp + "00000000000000")[:14]
    return datetime.strptime(padded, WAYBACK_TIMESTAMP).replace(tzinfo=UTC)


async def wayback_captures(fetcher: Fetcher, base_url: str, url: str, since: date | None,
                           pacer: Pacer | None = None) -> list[tuple[datetime, str]]:
    """Distinct (by content digest) successful captures of `url`, oldest first: (capture time, original URL)."""
    query = {"url": url, "output": "json", "fl": "timestamp,original,statuscode,digest",
             "filter": "statuscode:200", "collapse": "digest"}
    if since is not None:
        query["from"] = since.strftime("%Y%m%d")
    if pacer is not None:
        await pacer.wait()
    listing = f"{base_url.rstrip('/')}/cdx/search/cdx?{urlencode(query)}"
    result = await fetcher.fetch(listing)
    if result.outcome != "ok":
        raise ArchiveError(f"cannot list captures of {url} at {base_url}: {result.error or result.outcome}")
    text = result.body.decode("utf-8", "replace").strip()
    if not text:
        return []
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveError(f"the archive at {base_url} did not answer with CDX JSON: {error}") from None
    if not isinstance(rows, list) or not rows:
        return []
    header = rows[0]
    if not isinstance(header, list) or "timestamp" not in header or "original" not in header:
        raise ArchiveError(f"the archive at {base_url} answered an unexpected CDX header: {header!r}")
    at_time, at_original = header.index("timestamp"), header.index("original")
    captures: list[tuple[datetime, str]] = []
    for row in rows[1:]:
        try:
            captures.append((wayback_time(str(row[at_time])), str(row[at_original])))
        except (IndexError, ValueError, TypeError):
            continue  # a malformed row does not spoil the listing
    captures.sort(key=lambda capture: capture[0])
    return captures


async def wayback_snapshot(fetcher: Fetcher, base_url: str, timestamp: str, original: str,
                           pacer: Pacer | None = None) -> tuple[bytes, str | None]:
    """The page as captured (the `id_` form: original bytes, no archive toolbar) and its content type."""
    if pacer is not None:
        await pacer.wait()
    result = await fetcher.fetch(f"{base_url.rstrip('/')}/web/{timestamp}id_/{original}")
    if result.outcome != "ok":
        raise ArchiveError(f"cannot fetch the {timestamp} capture of {original}: {result.error or result.outcome}")
    return result.body, result.content_type
