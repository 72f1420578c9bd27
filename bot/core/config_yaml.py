"""feeds.yaml's YAML read strictly (a duplicate key is an error, not a silent overwrite), and a long top-level
`feeds:` list read a slice of items at a time, so that 100,000 sources never exist as one YAML node tree."""

from __future__ import annotations

import re
from typing import Any

import yaml

SLICE_ITEMS = 2000  # items of a long `feeds:` list parsed together
_FEEDS_KEY = re.compile(r"feeds:[ \t]*(#.*)?")  # the top-level key, alone on its line
_TOP_LEVEL_KEY = re.compile(r"[^\s#\-][^:#]*:(\s|$)")  # a key at column 0 of the top-level mapping
_ITEM = re.compile(r"([ \t]*)-(\s|$)")


class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml: ~3x faster
    """SafeLoader that refuses duplicate mapping keys instead of silently keeping the last."""

    def construct_unique_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return self.construct_mapping(node, deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, UniqueKeyLoader.construct_unique_mapping)


def load_yaml(text: str) -> Any:
    """The document in `text`. Raises yaml.YAMLError.

    The YAML node tree of a list of 100,000 feeds takes some 250 MB while it exists: a plain block list under a
    top-level `feeds:` of more than SLICE_ITEMS items is parsed a slice at a time (each slice a document of its own)
    and the rest of the file with `feeds: []`. Whenever the file does something slicing could change (several
    documents, directives, another top-level `feeds:`, a slice or the rest that does not parse, an anchor used across
    slices), the whole text is parsed at once instead, with the errors and line numbers a plain parse gives."""
    sliced = _load_sliced(text)
    if sliced is not None:
        return sliced
    return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass


def _load_sliced(text: str) -> dict[str, Any] | None:
    """The document, parsed with its long `feeds:` list a slice at a time; None when that does not apply."""
    lines = text.split("\n")
    found = _feeds_block(lines)
    if found is None:
        return None
    start, end, starts = found
    if len(starts) <= SLICE_ITEMS:
        return None
    rest = "\n".join([*lines[:start], "feeds: []", *lines[end:]])
    try:
        data = yaml.load(rest, Loader=UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
        if not isinstance(data, dict) or data.get("feeds") != []:
            return None
        feeds: list[Any] = []
        for first in range(0, len(starts), SLICE_ITEMS):
            until = starts[first + SLICE_ITEMS] if first + SLICE_ITEMS < len(starts) else end
            part = yaml.load("\n".join(lines[starts[first]:until]), Loader=UniqueKeyLoader)  # noqa: S506
            if not isinstance(part, list) or len(part) != min(SLICE_ITEMS, len(starts) - first):
                return None
            feeds.extend(part)
    except yaml.YAMLError:
        return None
    data["feeds"] = feeds
    return data


def _feeds_block(lines: list[str]) -> tuple[int, int, list[int]] | None:
    """Where the top-level `feeds:` block list is: the key's line, the first line after the block, and the line of
    each item (all at one indentation); None when the file has no such single, plain block list."""
    keys = [index for index, line in enumerate(lines) if _FEEDS_KEY.fullmatch(line.rstrip("\r"))]
    if len(keys) != 1 or any(line.startswith(("---", "...", "%")) for line in lines):
        return None
    start = keys[0]
    end = len(lines)
    starts: list[int] = []
    indent: str | None = None
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if _TOP_LEVEL_KEY.match(line):
            end = index
            break
        item = _ITEM.match(line)
        if item is not None and (indent is None or item.group(1) == indent):
            indent = item.group(1) if indent is None else indent
            starts.append(index)
        elif indent is None and line.strip() and not line.lstrip().startswith("#"):
            return None  # (something before the first item: not a plain block list)
    return (start, end, starts) if starts else None
