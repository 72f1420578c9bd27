"""`clausewatch export` and the restoring side of `clausewatch import`: the whole state — configuration
file, database (routes, subscriptions, feeds added from chat, history, snapshots, outbox) — as one
.tar.gz archive, taken online while the bot runs, and restored as it was.
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import __version__
from bot.core.config import Config
from bot.store.database import DATABASE_NAME, StoreError, backup_database, restore_database

FORMAT = "clausewatch-export/1"
MANIFEST = "manifest.json"
CONFIG_NAME = "feeds.yaml"
MEMBERS = {MANIFEST, CONFIG_NAME, DATABASE_NAME}


def is_export(path: Path) -> bool:
    """Is `path` an archive written by `clausewatch export` (rather than a folder of terms to import)?"""
    if not path.is_file() or not tarfile.is_tarfile(path):
        return False
    try:
        with tarfile.open(path, "r:*") as archive:
            return MANIFEST in archive.getnames()
    except EOFError:
        return True  # an archive cut short: `import_state` says so
    except (tarfile.TarError, OSError, zlib.error):
        return False


def export_state(config: Config, target: Path, now: datetime | None = None) -> dict[str, Any]:
    """Write the archive to `target` (atomically); returns its manifest."""
    moment = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="clausewatch-export-") as work:
        copy = Path(work) / DATABASE_NAME
        tables = backup_database(config.storage, copy)
        manifest = {"format": FORMAT, "version": __version__, "created_at": moment,
                    "config": str(config.path), "tables": tables}
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.partial")
        with tarfile.open(staged, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode("utf-8"))
            archive.add(config.path, arcname=CONFIG_NAME)
            archive.add(copy, arcname=DATABASE_NAME)
        staged.replace(target)
    return manifest


def import_state(config: Config, source: Path, replace: bool) -> dict[str, Any]:
    """Restore an export into `config.storage`. The archived configuration is written beside the current
    one as `feeds.imported.yaml` when they differ (the current file is never overwritten). An archive that
    is cut short or damaged is refused with what is wrong, before anything is replaced."""
    try:
        return _import_state(config, source, replace)
    except EOFError as error:
        raise StoreError(f"{source} is truncated (the archive ends early: {error}); export again") from error
    except (tarfile.TarError, zlib.error) as error:
        raise StoreError(f"{source} is damaged or not a Clausewatch export ({error})") from error


def _import_state(config: Config, source: Path, replace: bool) -> dict[str, Any]:
    with tarfile.open(source, "r:*") as archive, tempfile.TemporaryDirectory(prefix="clausewatch-import-") as work:
        names = set(archive.getnames())
        if names != MEMBERS:
            raise StoreError(f"{source} is not a Clausewatch export (members: {', '.join(sorted(names))})")
        manifest = json.loads(_read(archive, MANIFEST))
        if manifest.get("format") != FORMAT:
            raise StoreError(f"{source} has format {manifest.get('format')!r}; this version reads {FORMAT!r}")
        copy = Path(work) / DATABASE_NAME
        copy.write_bytes(_read(archive, DATABASE_NAME))  # members are read by name, never extracted to paths
        archived_config = _read(archive, CONFIG_NAME)
        kept = restore_database(config.storage, copy, replace)
    written = None
    if archived_config != config.path.read_bytes():
        written = config.path.with_name("feeds.imported.yaml")
        written.write_bytes(archived_config)
    return {"restored": str(config.storage / DATABASE_NAME), "from": str(source), "manifest": manifest,
            "previous_database": str(kept) if kept else None, "archived_config": str(written) if written else None}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.getmember(name)
    if not member.isfile():
        raise StoreError(f"{name} in the archive is not a regular file")
    handle = archive.extractfile(member)
    if handle is None:
        raise StoreError(f"cannot read {name} from the archive")
    return handle.read()
