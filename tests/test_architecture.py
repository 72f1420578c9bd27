"""The layering rule: imports point one way (cli → app → pipeline → {sources, store, chat} → core),
and bot/core imports no I/O library."""

from __future__ import annotations

import ast
import functools
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
    "web": {"core", "store", "chat", "pipeline"},  # read-only pages over the store and the reports
    "app": {"core", "sources", "store", "chat", "pipeline", "web"},
    "demo": {"core", "app", "pipeline"},
    "cli": {"core", "app", "pipeline", "store", "demo"},
    "__main__": {"cli"},
    "__init__": set(),
}
IO_LIBRARIES = {"aiohttp", "psycopg", "discord", "slack_bolt", "slack_sdk", "sqlite3", "sqlite_utils", "feedparser", "lxml",
                "requests", "httpx", "urllib3", "socket", "asyncio", "http", "ssl", "subprocess", "shutil"}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for all the checks below."""
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    tree = _tree(path)
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
    missing = [str(p.relative_to(PACKAGE)) for p in MODULES if not ast.get_docstring(_tree(p))]
    assert not missing, f"modules without a docstring: {missing}"


# Libraries whose private names (a leading underscore) we must not touch: a release may rename them silently.
THIRD_PARTY = {"feedparser", "re", "discord", "slack_sdk", "slack_bolt", "aiohttp", "lxml"}
REPOSITORY_CODE = sorted([*PACKAGE.rglob("*.py"), *(PACKAGE.parent / "bench").rglob("*.py"),
                          *(PACKAGE.parent / "tests").rglob("*.py")])


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_third_party_names(source: str | ast.Module) -> list[str]:
    """Private names of THIRD_PARTY reached by an import or by attribute access on an imported name."""
    tree = ast.parse(source) if isinstance(source, str) else source
    bound: set[str] = set()  # local names bound to a third-party module or object
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in THIRD_PARTY:
                    found += [f"import {alias.name}" for part in alias.name.split(".") if _is_private(part)]
                    bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in THIRD_PARTY:
                if any(_is_private(part) for part in node.module.split(".")):
                    found.append(f"from {node.module} import ...")
                for alias in node.names:
                    if _is_private(alias.name):
                        found.append(f"from {node.module} import {alias.name}")
                    bound.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            base = node.value
            chain = [node.attr]
            while isinstance(base, ast.Attribute):
                chain.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in bound:
                found.append(".".join([base.id, *reversed(chain)]))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"getattr", "setattr"}:
            if len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id in bound:
                if isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str) \
                        and _is_private(node.args[1].value):
                    found.append(f"{node.func.id}({node.args[0].id}, {node.args[1].value!r})")
    return found


def test_the_private_name_check_sees_imports_and_attribute_access() -> None:
    assert private_third_party_names("import re\nre._parser.parse('a')") == ["re._parser"]
    assert private_third_party_names("from feedparser.datetimes import _parse_date") == [
        "from feedparser.datetimes import _parse_date"]
    assert private_third_party_names("from lxml import etree\nx: etree._Element") == ["etree._Element"]
    assert private_third_party_names("import discord\ngetattr(discord, '_x')") == ["getattr(discord, '_x')"]
    assert private_third_party_names("import json\njson._default_encoder") == []
    assert private_third_party_names("import re\nre.__name__") == []


@pytest.mark.parametrize("path", REPOSITORY_CODE, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_private_names_of_third_party_libraries(path: Path) -> None:
    found = private_third_party_names(_tree(path))
    assert not found, f"{path.relative_to(PACKAGE.parent)} reaches private names: {found}"


SQL_START = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "PRAGMA ", "CREATE ")


@pytest.mark.parametrize("path", [p for p in MODULES if _layer(p) != "store"], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sql_is_written_only_in_the_store(path: Path) -> None:
    statements = [node.value for node in ast.walk(_tree(path))
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and node.value.lstrip().upper().startswith(SQL_START)]
    assert not statements, f"{path.relative_to(PACKAGE)} writes SQL outside bot/store: {statements}"
