"""Rebuild the git-ignored real-world corpus cache (bench/realworld/.cache/) from locally fetched mirrors.

`terms`: version pairs of Open Terms Archive documents listed in terms.yaml, read with `git show`, and the
versions of the same file before each pair (the pipeline never alerts on a text it has stored before).
"""

from __future__ import annotations

import argparse
import glob
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
TERMS_MANIFEST = HERE / "terms.yaml"
CACHE_DIR = HERE / ".cache"
DEFAULT_MIRRORS = Path("/work/.mirror")
REQUIRED_PAIR_KEYS = ("id", "repo", "path", "old", "new", "label")
EARLIER_VERSIONS = 200  # versions of a file before a pair's `old` kept, newest first (a running bot keeps every one;
# a page that flips between variants several times a day meets a variant of weeks before)


class MissingMirrors(Exception):
    """Some repositories named in a manifest have no local mirror."""

    def __init__(self, repos: Sequence[str]) -> None:
        super().__init__(", ".join(repos))
        self.repos = list(repos)


def load_terms_manifest(path: Path | str = TERMS_MANIFEST) -> list[dict[str, Any]]:
    """Return the pairs of a terms manifest (a YAML mapping with a `pairs` list), checked for required keys."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    pairs = doc.get("pairs") if isinstance(doc, dict) else None
    if not isinstance(pairs, list):
        raise ValueError(f"{path}: expected a mapping with a 'pairs' list")
    seen: set[str] = set()
    for pair in pairs:
        missing = [k for k in REQUIRED_PAIR_KEYS if k not in pair]
        if missing:
            raise ValueError(f"{path}: pair {pair.get('id', '?')} lacks {', '.join(missing)}")
        if pair["id"] in seen:
            raise ValueError(f"{path}: duplicate id {pair['id']}")
        seen.add(pair["id"])
    return pairs


def find_git_dir(repo: str, mirrors: Path = DEFAULT_MIRRORS) -> Path | None:
    """Locate the bare git directory of `owner/name` under `mirrors` (fetch creates `<owner>+<name>[…]/repo`)."""
    owner, name = repo.split("/", 1)
    for candidate in sorted(glob.glob(str(mirrors / f"{glob.escape(owner)}+{glob.escape(name)}*"))):
        base = Path(candidate)
        if base.name != f"{owner}+{name}" and not base.name.startswith(f"{owner}+{name}@"):
            continue  # e.g. "owner+name-other" is another repository
        for git_dir in (base / "repo", base):
            if (git_dir / "HEAD").is_file() and (git_dir / "objects").is_dir():
                return git_dir
        nested = sorted(p.parent for p in base.glob("*/HEAD") if (p.parent / "objects").is_dir())
        if nested:
            return nested[0]
    return None


def resolve_mirrors(repos: Sequence[str], mirrors: Path = DEFAULT_MIRRORS) -> dict[str, Path]:
    """Map every repository to its git directory; raise MissingMirrors naming those not fetched."""
    found: dict[str, Path] = {}
    missing: list[str] = []
    for repo in sorted(set(repos)):
        git_dir = find_git_dir(repo, mirrors)
        if git_dir is None:
            missing.append(repo)
        else:
            found[repo] = git_dir
    if missing:
        raise MissingMirrors(missing)
    return found


def git_show(git_dir: Path, commit: str, path: str) -> bytes:
    """Content of `path` at `commit` in a bare repository."""
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def earlier_commits(git_dir: Path, commit: str, path: str, limit: int = EARLIER_VERSIONS) -> list[str]:
    """The commits that changed `path` before `commit` (exclusive), newest first."""
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "log", f"--max-count={limit}", "--format=%H", f"{commit}~1", "--", path],
        capture_output=True, text=True,
    )
    return out.stdout.split() if out.returncode == 0 else []


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def rebuild_terms(
    manifest: Path = TERMS_MANIFEST,
    mirrors: Path = DEFAULT_MIRRORS,
    out_dir: Path = CACHE_DIR / "terms",
) -> list[str]:
    """Write `<id>.old.md` / `<id>.new.md` for every pair of the manifest (always from git, so a renumbered
    manifest never leaves stale files; files of ids no longer listed are deleted); return the ids of problem
    pairs (unreadable, or old and new identical). Raises MissingMirrors when a repository has not been fetched."""
    pairs = load_terms_manifest(manifest)
    git_dirs = resolve_mirrors([p["repo"] for p in pairs], mirrors)
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{p['id']}.{side}.md" for p in pairs for side in ("old", "new")}
    for stale in out_dir.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    problems: list[str] = []
    for pair in pairs:
        git_dir = git_dirs[pair["repo"]]
        try:
            old = git_show(git_dir, pair["old"], pair["path"])
            new = git_show(git_dir, pair["new"], pair["path"])
        except subprocess.CalledProcessError as exc:
            print(f"{pair['id']}: {exc.stderr.decode(errors='replace').strip()}", file=sys.stderr)
            problems.append(pair["id"])
            continue
        _write_if_changed(out_dir / f"{pair['id']}.old.md", old)
        _write_if_changed(out_dir / f"{pair['id']}.new.md", new)
        earlier_dir = out_dir / f"{pair['id']}.earlier"
        earlier_dir.mkdir(exist_ok=True)
        for number, commit in enumerate(earlier_commits(git_dir, pair["old"], pair["path"])):
            try:
                _write_if_changed(earlier_dir / f"{number:02d}.md", git_show(git_dir, commit, pair["path"]))
            except subprocess.CalledProcessError:
                break  # the file did not exist under this name further back
        if old == new:
            print(f"{pair['id']}: old and new are identical", file=sys.stderr)
            problems.append(pair["id"])
    return problems


def _cmd_terms(args: argparse.Namespace) -> int:
    try:
        problems = rebuild_terms(args.manifest, args.mirrors, args.out / "terms")
    except MissingMirrors as exc:
        print("These repositories must be fetched first (search tool, verb fetch):", file=sys.stderr)
        for repo in exc.repos:
            print(f"  github:{repo}", file=sys.stderr)
        return 1
    count = len(load_terms_manifest(args.manifest))
    print(f"terms: {count - len(problems)}/{count} pairs in {args.out / 'terms'}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    """Top-level parser; each corpus is a subcommand with its own `func`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS, help="root of fetched mirrors")
    parser.add_argument("--out", type=Path, default=CACHE_DIR, help="cache root (default: %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    terms = sub.add_parser("terms", help="rebuild .cache/terms/<id>.{old,new}.md from terms.yaml")
    terms.add_argument("--manifest", type=Path, default=TERMS_MANIFEST)
    terms.set_defaults(func=_cmd_terms)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
