"""The ``speed-dating-instance/1`` format, written once as a JSON Schema.

``instance.schema.json`` beside this module states the structure of the format: which
fields exist, their types, which are required, the time, date and colour patterns, and the
options with their bounds and defaults. :func:`structure_errors` checks a document
against it (with ``jsonschema``) and words every failure as the rest of the validation
does: ``(path, message)``, the path in the contract's style (``sessions[3].room``).

Most documents are valid, and the solver loads its instance several times per job, so
the Rust implementation ``jsonschema_rs`` answers first whether a document is valid (a few
milliseconds for thousands of participants); only an invalid one goes through
``jsonschema``, which names every failure (the same schema, with its ``$ref`` inlined).

The solver (:mod:`scheduler.instance`) and the app's import
(``eventapp/exchange/validation.py``) both start from these errors, then add the rules
a schema does not state (references between items, cross-item rules; the app also its
database's limits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = Path(__file__).with_name("instance.schema.json")
INSTANCE_SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

_OPTIONS = INSTANCE_SCHEMA["$defs"]["options"]["properties"]
_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")
_TYPE_NAMES = {"integer": "an integer", "number": "a number", "string": "a string",
               "boolean": "true or false", "array": "a list", "object": "an object",
               "null": "null"}


def option_defaults() -> dict[str, Any]:
    """Every option's default, in the schema's order (a fresh copy each call)."""
    return {name: json.loads(json.dumps(spec["default"])) for name, spec in _OPTIONS.items()}


def option_bounds() -> dict[str, tuple[int | float, int | float]]:
    """Inclusive bounds of each numeric option (of each entry, for ``rank_weights``);
    ``time_limit_s``'s low end is exclusive."""
    bounds = {}
    for name, spec in _OPTIONS.items():
        spec = spec.get("items", spec)
        low = spec.get("minimum", spec.get("exclusiveMinimum"))
        if low is not None:
            bounds[name] = (low, spec["maximum"])
    return bounds


MAX_RANK_WEIGHTS: int = _OPTIONS["rank_weights"]["maxItems"]


def bounds_message(name: str) -> str:
    """The allowed range of option ``name``, in words, for every error that names it."""
    low, high = option_bounds()[name]
    if "exclusiveMinimum" in _OPTIONS[name]:
        return f"must be a number of seconds greater than {low} and at most {high}"
    return f"must be an integer from {low} to {high}"


def option_is_valid(name: str, value: Any) -> bool:
    """Whether ``value`` is a valid value of option ``name`` (a known one)."""
    return Draft202012Validator(_OPTIONS[name]).is_valid(value)


def _inlined(node: Any) -> Any:
    """The schema with every ``#/$defs/...`` reference replaced by its definition (the
    format has no recursion): ``jsonschema`` then validates several times faster."""
    if isinstance(node, list):
        return [_inlined(item) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {key: _inlined(value) for key, value in node.items()
               if key not in ("$ref", "$defs")}
    if "$ref" in node:
        target = _inlined(INSTANCE_SCHEMA["$defs"][node["$ref"].removeprefix("#/$defs/")])
        inlined = {**target, **inlined}
    return inlined


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(INSTANCE_SCHEMA)
    return Draft202012Validator(_inlined(INSTANCE_SCHEMA))


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.validator_for(INSTANCE_SCHEMA)


def json_path(parts: Any) -> str:
    """``["sessions", 3, "room"]`` -> ``sessions[3].room``; the whole document is
    ``document``."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "document"


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    return {dict: "an object", list: "a list", str: "a string", float: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _option_name(parts: list) -> str | None:
    """The bounded option a path is about (``options.rank_weights[2]`` -> rank_weights)."""
    if len(parts) >= 2 and parts[0] == "options" and parts[1] in option_bounds() \
            and (len(parts) == 2 or (parts[1] == "rank_weights" and len(parts) == 3)):
        return parts[1]
    return None


def _worded(error: ValidationError) -> list[tuple[str, str]]:
    """One failure of the schema, as ``(path, message)`` pairs (usually one)."""
    parts = list(error.absolute_path)
    # The failing value and the keyword's argument are whatever JSON the document and the
    # schema hold; the schema of a failing keyword is always an object here.
    value: Any = error.instance
    keyword, expected = error.validator, cast(Any, error.validator_value)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    if keyword == "required":
        match = _REQUIRED.match(error.message)
        name = match["name"] if match else "?"
        return [(json_path([*parts, name]), "required field missing")]
    if keyword == "additionalProperties":
        known = list(schema.get("properties", {}))
        noun = schema.get("title", "field")
        return [(json_path([*parts, key]),
                 f'unknown {noun} "{key}" (expected one of {", ".join(known)})')
                for key in value if key not in known]
    option = _option_name(parts)
    if option is not None and keyword in ("type", "minimum", "maximum", "exclusiveMinimum"):
        return [(json_path(parts), f"{bounds_message(option)} (got {_shown(value)})")]
    path = json_path(parts)
    if keyword == "type":
        if value is None:
            return [(path, "must not be null")]
        # null, where allowed, only stands for the default: not worth naming
        wanted = [t for t in ([expected] if isinstance(expected, str) else expected)
                  if t != "null"]
        return [(path, f"must be {' or '.join(_TYPE_NAMES[t] for t in wanted)}, "
                       f"not {_type_of(value)}")]
    if keyword == "const":
        return [(path, f"must be {_shown(expected)} (got {_shown(value)})")]
    if keyword == "minLength":
        return [(path, "must not be empty")]
    if keyword == "pattern":
        return [(path, f"invalid {schema['title']} {_shown(value)}: "
                       f"expected {schema['description']}")]
    if keyword == "minimum":
        return [(path, f"must be at least {expected} (got {_shown(value)})")]
    if keyword == "maximum":
        return [(path, f"must be at most {expected} (got {_shown(value)})")]
    if keyword == "exclusiveMinimum":
        return [(path, f"must be greater than {expected} (got {_shown(value)})")]
    if keyword == "maxItems":
        return [(path, f"must have at most {expected} entries (got {len(value)})")]
    return [(path, error.message)]  # a keyword this module does not word yet


def _document_order(document: Any, parts: list) -> tuple:
    """Where a path sits in the document, so errors read from top to bottom."""
    key: list[int] = []
    node = document
    for part in parts:
        if isinstance(node, dict):
            names = list(node)
            key.append(names.index(part) if part in names else len(names))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            key.append(part)
            node = node[part]
        else:
            key.append(0)
            node = None
    return tuple(key)


def structure_errors(document: Any) -> list[tuple[str, str]]:
    """Every way ``document`` breaks the format's structure, in document order."""
    if not isinstance(document, dict):
        return [("document", "must be a JSON object")]
    if _fast_validator().is_valid(document):
        return []
    failures = sorted(_validator().iter_errors(document),
                      key=lambda e: _document_order(document, list(e.absolute_path)))
    errors: list[tuple[str, str]] = []
    for failure in failures:
        for error in _worded(failure):
            if error not in errors:
                errors.append(error)
    return errors
