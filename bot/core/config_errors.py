"""Problems in feeds.yaml: ConfigError, the keys a schema accepts, and pydantic's validation errors translated
into `key.path[index]: what was expected` lines."""

from __future__ import annotations

import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.dataclasses import is_pydantic_dataclass
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from bot.core.config_values import describe_kind

Loc = tuple[str | int, ...]
PROBLEMS = "config_problems"  # the error type of `problems_at`
UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument", "invalid_key")  # pydantic's errors for a key not in the schema


class ConfigError(ValueError):
    """Invalid configuration. `problems` lists every "key.path: what was expected" found."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        lines = "\n".join(f"  {file}: {problem}" for problem in problems)
        super().__init__(f"invalid configuration in {file}:\n{lines}")


def problems_at(found: Iterable[tuple[Loc, str]]) -> PydanticCustomError:
    """For a validator to raise: several problems at once, each at a key path below the value it validates."""
    return PydanticCustomError(PROBLEMS, "invalid configuration", {"problems": tuple(found)})


def with_problems(error: ValidationError, found: Iterable[tuple[Loc, str]], data: object) -> ValidationError:
    """`error` (from validating `data`) with more problems of our own, so that all are reported at once."""
    details: list[InitErrorDetails] = []
    for detail in error.errors(include_url=False):
        kind = detail["type"]
        again = InitErrorDetails(type=PydanticCustomError(kind, detail["msg"], detail.get("ctx")) if kind == PROBLEMS else kind,
                                 loc=detail["loc"], input=detail["input"])
        if "ctx" in detail:
            again["ctx"] = detail["ctx"]
        details.append(again)
    details.append(InitErrorDetails(type=problems_at(found), loc=(), input=data))
    return ValidationError.from_exception_data(error.title, details)


@dataclass(frozen=True)
class SchemaKey:
    """One key the schema accepts, e.g. path `platforms.<id>.documents[].type` (parent `platforms.<id>.documents[]`).

    `items` is how a section's own keys are reached: "" (a mapping), "[]" (a list of them), ".<id>" (a map of them)."""

    path: str
    parent: str
    name: str
    required: bool
    text: bool  # its value is a string
    section: bool  # its value is a mapping (or a list or map of mappings) with keys of its own
    items: str = ""


def fields_of(model: type) -> dict[str, FieldInfo]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return dict(model.model_fields)
    if is_pydantic_dataclass(model):
        return dict(model.__pydantic_fields__)
    return {}


def unwrap(annotation: Any) -> tuple[Any, str]:
    """The innermost type of a field and how it nests: `tuple[Annotated[Entry | None, …], ...]` → (Entry, "[]")."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return unwrap(args[0])
    if origin in (Union, types.UnionType):
        return unwrap(next(arg for arg in args if arg is not type(None)))
    if origin in (tuple, list) and fields_of(unwrap(args[0])[0]):
        return unwrap(args[0])[0], "[]"
    if origin is dict and fields_of(unwrap(args[1])[0]):
        return unwrap(args[1])[0], ".<id>"
    return annotation, ""


def schema_keys(model: type, parent: str = "") -> list[SchemaKey]:
    """Every key `model` accepts, sections first then their keys, as dotted paths."""
    found: list[SchemaKey] = []
    for name, info in fields_of(model).items():
        path = f"{parent}.{name}" if parent else name
        inner, items = unwrap(info.annotation)
        section = bool(fields_of(inner))
        found.append(SchemaKey(path, parent, name, info.is_required(), inner is str, section, items))
        if section:
            found.extend(schema_keys(inner, path + items))
    return found


def key_pattern(loc: Loc, keys: dict[str, SchemaKey]) -> str:
    """`("platforms", "sc", "documents", 0)` → `platforms.<id>.documents[]`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += "[]"
            continue
        named = f"{path}.{part}" if path else part
        path = path + ".<id>" if named not in keys and path in keys and keys[path].items == ".<id>" else named
    return path


def key_path(loc: Loc) -> str:
    """`("platforms", "sc", "documents", 0, "type")` → `platforms.sc.documents[0].type`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def expectation(detail: ErrorDetails, loc: Loc, keys: dict[str, SchemaKey]) -> str:
    """What was expected, in our words, for one of pydantic's errors."""
    kind = detail["type"]
    if kind == "value_error":
        return str(detail.get("ctx", {}).get("error", detail["msg"]))
    if kind in UNKNOWN_KEY:
        parent = key_pattern(loc[:-1], keys)
        return f"unknown key (expected one of: {', '.join(sorted(k.name for k in keys.values() if k.parent == parent))})"
    if kind == "missing":
        key = keys.get(key_pattern(loc, keys))
        return "is required (a string)" if key is not None and key.text else "is required"
    if kind in ("model_type", "dataclass_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping, got {describe_kind(detail['input'])}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {describe_kind(detail['input'])}"
    return detail["msg"]


def describe_problems(error: ValidationError, root: type) -> list[str]:
    """One `key.path: what was expected` line per problem pydantic found validating `root`."""
    keys = {key.path: key for key in schema_keys(root)}
    found: list[str] = []
    for detail in error.errors(include_url=False):
        loc = tuple(part for part in detail["loc"] if part != "[key]")
        if detail["type"] in UNKNOWN_KEY:
            loc = (*loc[:-1], str(loc[-1]))  # a key written as a number is still a key, not an index
        if detail["type"] == PROBLEMS:
            lines = [(loc + tuple(sub), message) for sub, message in detail.get("ctx", {})["problems"]]
        else:
            lines = [(loc, expectation(detail, loc, keys))]
        for where, message in lines:
            text = f"{key_path(where)}: {message}" if where else message
            if text not in found:
                found.append(text)
    return found
