"""Real-world news corpus helpers: verify the git-ignored cache against news.yaml and load articles.

The cache (.cache/news/<id>.json) is filled by a session with the search tool (pages corpus) from the manifest's
URLs and queries, since the stored pages are not reachable from the shell.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "news.yaml"
CACHE_DIR = HERE / ".cache" / "news"


def _read_manifest(manifest: Path) -> dict[str, Any]:
    with manifest.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or "articles" not in data:
        raise ValueError(f"{manifest}: no 'articles' list")
    return data


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(manifest: Path = MANIFEST, cache_dir: Path = CACHE_DIR) -> bool:
    """Check every manifest article has a cached text matching its sha256; print what is missing or wrong."""
    articles = _read_manifest(manifest)["articles"]
    missing: list[str] = []
    mismatched: list[str] = []
    for art in articles:
        path = cache_dir / f"{art['id']}.json"
        if not path.is_file():
            missing.append(art["id"])
            continue
        cached = json.loads(path.read_text(encoding="utf-8"))
        if _sha256(cached.get("text", "")) != art["sha256"]:
            mismatched.append(art["id"])
    for aid in missing:
        print(f"missing: {aid}")
    for aid in mismatched:
        print(f"sha256 mismatch: {aid}")
    print(f"{len(articles)} articles, {len(missing)} missing, {len(mismatched)} mismatched")
    return not missing and not mismatched


def load_news(manifest: Path = MANIFEST, cache_dir: Path = CACHE_DIR) -> list[dict[str, Any]]:
    """Return manifest entries merged with cached title/text (entries without a cache file get text None)."""
    out: list[dict[str, Any]] = []
    for art in _read_manifest(manifest)["articles"]:
        entry = dict(art)
        path = cache_dir / f"{art['id']}.json"
        if path.is_file():
            cached = json.loads(path.read_text(encoding="utf-8"))
            entry["title"] = cached.get("title", "")
            entry["text"] = cached.get("text")
        else:
            entry["title"] = ""
            entry["text"] = None
        out.append(entry)
    return out


def pack(raw_dir: Path, manifest: Path = MANIFEST, cache_dir: Path = CACHE_DIR) -> None:
    """Turn `<raw_dir>/<id>.txt` (an excerpt exactly as the search tool returned it) into `<cache_dir>/<id>.json`.

    The title is the excerpt's first line when it is short enough to be a headline; the text is the whole excerpt.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    known = {art["id"]: art for art in _read_manifest(manifest)["articles"]}
    for raw in sorted(raw_dir.glob("*.txt")):
        art = known.get(raw.stem)
        if art is None:
            print(f"not in the manifest: {raw.name}")
            continue
        text = raw.read_text(encoding="utf-8")
        first = text.split("\n", 1)[0].strip()
        title = first if 0 < len(first) <= 200 else ""
        (cache_dir / f"{raw.stem}.json").write_text(json.dumps({"title": title, "text": text}, ensure_ascii=False),
                                                    encoding="utf-8")
        flag = "ok" if _sha256(text) == art["sha256"] else "sha256 differs"
        print(f"{raw.stem}: {flag}")


def main(argv: list[str] | None = None) -> int:
    """`python bench/realworld/news_cache.py [--blind 1|2]`: verify the development (or a blind) news cache."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--blind", type=int, choices=(1, 2), default=0)
    parser.add_argument("--pack", type=Path, metavar="RAW_DIR",
                        help="first turn RAW_DIR/<id>.txt excerpts into cache files, then verify")
    args = parser.parse_args(argv)
    if args.pack:
        suffix = "" if args.blind == 1 else str(args.blind)
        manifest = MANIFEST if not args.blind else HERE / f"news-blind{suffix}.yaml"
        cache = CACHE_DIR if not args.blind else HERE / ".cache" / f"blind{suffix}" / "news"
        pack(args.pack, manifest, cache)
    if not args.blind:
        return 0 if verify() else 1
    suffix = "" if args.blind == 1 else str(args.blind)
    return 0 if verify(HERE / f"news-blind{suffix}.yaml", HERE / ".cache" / f"blind{suffix}" / "news") else 1


if __name__ == "__main__":
    sys.exit(main())
