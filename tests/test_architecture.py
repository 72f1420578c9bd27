"""The layering rule: imports point one way (cli → app → pipeline → {sources, store, chat} → core),
and bot/core imports no I/O library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bot"
# What each layer may import from the bot package (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "sources": {"core"},
    "store": {"core"},
    "chat": {"core"},
    "pipeline": {"core", "sources", "store", "chat"},
    "app": {"core", "sources", "store", "chat", "pipeline"},
    "demo": {"core", "app", "pipeline"},
    "cli": {"core", "app", "pipeline", "store", "demo"},
    "__main__": {"cli"},
    "__init__": set(),
}
IO_LIBRARIES = {"aiohttp", "discord", "slack_bolt", "slack_sdk", "sqlite3", "sqlite_utils", "feedparser", "lxml",
                "requests", "httpx", "urllib3", "socket", "asyncio", "http", "ssl", "subprocess", "shutil"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_one_way(path: Path) -> None:
    layer = _layer(path)
    assert layer in ALLOWED, f"{path}: layer {layer!r} is not in the architecture map; add it deliberately"
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "bot" or len(parts) < 2:
            continue
        target = parts[1]
        if target == layer or target == "__init__":
            continue
        assert target in ALLOWED[layer], f"{path.relative_to(PACKAGE)} ({layer}) imports bot.{target}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").rglob("*.py")), ids=lambda p: p.name)
def test_core_imports_no_io_library(path: Path) -> None:
    forbidden = {name for name in _imports(path) if name.split(".")[0] in IO_LIBRARIES}
    assert not forbidden, f"bot/core/{path.name} imports I/O code: {sorted(forbidden)}"


def test_every_module_says_what_it_owns() -> None:
    missing = [str(p.relative_to(PACKAGE)) for p in MODULES if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not missing, f"modules without a docstring: {missing}"
