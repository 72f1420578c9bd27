"""The value types of feeds.yaml: durations, sizes, texts, whole numbers, flags, each a
pydantic-annotated type whose error message says what was expected (`expected a duration like 90s …`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Annotated

from cssselect import GenericTranslator, SelectorError
from pydantic import BeforeValidator, ValidationInfo
from pydantic_core import PydanticUseDefault

DURATION_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$", re.IGNORECASE)
DURATION_UNITS = MappingProxyType({"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0})
SIZE_UNITS = MappingProxyType({"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3})
MAX_DURATION = 3650 * 86400.0  # ten years, in seconds
DAY = 86400.0


def parse_duration(value: object, allow_zero: bool = False) -> float:
    """`90s`, `10m`, `1h`, `1d`, `250ms` or a number of seconds → seconds (0 only with `allow_zero`)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 90s, 10m, 1h")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = DURATION_PATTERN.match(str(value))
        if not match:
            raise ValueError(f"expected a duration like 90s, 10m, 1h, got {value!r}")
        seconds = float(match.group(1)) * DURATION_UNITS[(match.group(2) or "s").lower()]
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(f"expected a {'non-negative' if allow_zero else 'positive'} duration, got {value!r}")
    if not seconds <= MAX_DURATION:  # (also NaN): a schedule further out than this overflows the clocks
        raise ValueError(f"expected a duration of at most 3650d (ten years), got {value!r}")
    return seconds


def parse_size(value: object) -> int:
    """`5MB`, `512KB`, `1GB` (binary multiples: 1MB = 1,048,576 bytes) or a byte count → bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size like 5MB")
    if isinstance(value, int):
        size = value
    else:
        match = SIZE_PATTERN.match(str(value))
        if not match:
            raise ValueError(f"expected a size like 512KB or 5MB, got {value!r}")
        size = int(float(match.group(1)) * SIZE_UNITS[(match.group(2) or "b").lower()])
    if size <= 0:
        raise ValueError(f"expected a positive size, got {value!r}")
    return size


def slugify(text: str) -> str:
    """`Terms of Service` → `terms-of-service`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def describe_kind(value: object) -> str:
    """What a YAML value is, in the words of an error message: `a mapping`, `a list`, `a string` …"""
    names = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), "nothing" if value is None else type(value).__name__)


def check_selector(selector: str) -> str | None:
    """An error message when `selector` is not valid CSS, else None."""
    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as error:
        return f"invalid CSS selector {selector!r}: {error}"
    return None


# Each reader below takes the raw YAML value; None (a key written without a value) means "the default".

def read_text(value: object) -> str:
    """An optional string; empty means the default."""
    if value is None or value == "":
        raise PydanticUseDefault()
    if not isinstance(value, str):
        raise ValueError(f"expected a non-empty string, got {describe_kind(value)}")
    return value


def read_required_text(value: object) -> str:
    if value is None:
        raise ValueError("is required (a string)")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {describe_kind(value)}")
    return value


def read_texts(value: object) -> tuple[str, ...]:
    """A list of strings; one string is a list of one."""
    if value is None:
        raise PydanticUseDefault()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple, frozenset, set)) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of strings, got {describe_kind(value)}")
    return tuple(value)


def read_ids(value: object) -> tuple[str, ...]:
    """Chat ids: strings, or bare numbers (snowflakes are often written so)."""
    if isinstance(value, list):
        value = [str(item) if isinstance(item, int) and not isinstance(item, bool) else item for item in value]
    return read_texts(value)


def at_least(minimum: int) -> Callable[[object], int]:
    """A reader of whole numbers >= `minimum`."""

    def read(value: object) -> int:
        if value is None:
            raise PydanticUseDefault()
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"expected a whole number >= {minimum}, got {value!r}")
        return value

    return read


def read_duration(value: object) -> float:
    if value is None:
        raise PydanticUseDefault()
    return parse_duration(value)


def read_pause(value: object) -> float:
    """A duration that may be 0 (no pause)."""
    if value is None:
        raise PydanticUseDefault()
    return parse_duration(value, allow_zero=True)


def read_retention(value: object, info: ValidationInfo) -> float | None:
    """At least a day, or `never` (None: kept forever). YAML's null means the default; None from code stays None."""
    if value is None and info.context is not None:
        raise PydanticUseDefault()
    if value is None or (isinstance(value, str) and value.strip().lower() == "never"):
        return None
    seconds = parse_duration(value)
    if seconds < DAY:
        raise ValueError(f"at least 1d (or `never`), got {value!r}")
    return seconds


def read_size(value: object) -> int:
    if value is None:
        raise PydanticUseDefault()
    return parse_size(value)


def read_fraction(value: object) -> float:
    if value is None:
        raise PydanticUseDefault()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"expected a fraction between 0 and 1 (e.g. 0.1), got {value!r}")
    return float(value)


def read_flag(value: object) -> bool:
    if value is None:
        raise PydanticUseDefault()
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {describe_kind(value)}")
    return value


Text = Annotated[str, BeforeValidator(read_text)]
RequiredText = Annotated[str, BeforeValidator(read_required_text)]
Texts = Annotated[tuple[str, ...], BeforeValidator(read_texts)]
Ids = Annotated[frozenset[str], BeforeValidator(read_ids)]
Count = Annotated[int, BeforeValidator(at_least(1))]
Duration = Annotated[float, BeforeValidator(read_duration)]
Pause = Annotated[float, BeforeValidator(read_pause)]
Retention = Annotated[float | None, BeforeValidator(read_retention)]
Size = Annotated[int, BeforeValidator(read_size)]
Fraction = Annotated[float, BeforeValidator(read_fraction)]
Flag = Annotated[bool, BeforeValidator(read_flag)]
