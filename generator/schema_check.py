"""JSON Schema validation that speaks to policy authors: position, plain message, a suggestion."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from .diagnostics import Diagnostic
from .yaml_source import SourceDoc

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

_TYPE_WORDS = {"object": "a mapping (key: value)", "array": "a list", "string": "text",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "nothing"}


@cache
def load_schema(name: str) -> dict:
    """Schemas are files under schemas/, shared with editors and downstream users."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    """Validators resolve $refs between our schemas locally: no network at run time."""
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s))
        for s in (load_schema(f.name) for f in sorted(SCHEMA_DIR.glob("*.schema.json"))) if "$id" in s
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    if isinstance(value, str):
        return f"text '{value}'"
    return f"number {value}"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """For anyOf/oneOf/if-then, the sub-errors that went deepest say most."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        depth = max(len(e.absolute_path) for e in error.context)
        deepest = [e for e in error.context if len(e.absolute_path) == depth]
        if depth > len(error.absolute_path):
            out: list[ValidationError] = []
            for e in deepest:
                out.extend(_leaf_errors(e))
            return out
    return [error]


def _message(error: ValidationError, doc: SourceDoc) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    inst = error.instance
    if v == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed] if isinstance(inst, dict) else []
        return [doc.diagnostic(path, f"unknown key '{k}'{_suggest(k, allowed)}"
                               + ("" if _suggest(k, allowed) else f"; allowed keys: {', '.join(sorted(allowed))}"), key=k)
                for k in extras]
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [doc.diagnostic(path, f"missing required key '{missing}'")]
    if v == "enum":
        options = [str(o) for o in schema.get("enum", [])]
        hint = _suggest(str(inst), options) if isinstance(inst, str) else ""
        return [doc.diagnostic(path, f"{_describe(inst)} is not allowed here; expected one of: "
                                     f"{', '.join(options)}{hint}")]
    if v == "const":
        return [doc.diagnostic(path, f"expected '{schema.get('const')}', got {_describe(inst)}")]
    if v == "type":
        want = schema.get("type")
        wants = want if isinstance(want, list) else [want]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wants)
        return [doc.diagnostic(path, f"expected {words}, got {_describe(inst)}")]
    if v == "pattern":
        pattern = schema.get("pattern", "")
        if pattern.startswith("^[0-9]{4}-(0[1-9]"):
            if "[12][0-9]|3[01])$" in pattern and pattern.count("-") >= 2:
                return [doc.diagnostic(path, f"expected a date written YYYY-MM-DD (e.g. 2018-07-31), got {_describe(inst)}")]
            return [doc.diagnostic(path, f"expected a month written YYYY-MM, got {_describe(inst)}")]
        if pattern.startswith("^(0[1-9]|1[0-2])-"):
            return [doc.diagnostic(path, f"expected a quoted month-day \"MM-DD\" (e.g. \"08-01\"), got {_describe(inst)}")]
        if pattern == "^[a-z][a-z0-9-]*$":
            return [doc.diagnostic(path, f"{_describe(inst)} is not a valid id: use lowercase letters, digits "
                                         "and hyphens, starting with a letter")]
        if "/[1-9]" in pattern:
            return [doc.diagnostic(path, f"expected a non-negative number such as 3, 0.5 or \"1/3\", got {_describe(inst)}")]
        return [doc.diagnostic(path, f"{_describe(inst)} does not match the required format {pattern}")]
    if v in ("minimum", "exclusiveMinimum"):
        return [doc.diagnostic(path, f"{_describe(inst)} is too small (minimum {schema.get(v)})")]
    if v == "maximum":
        return [doc.diagnostic(path, f"{_describe(inst)} is too large (maximum {schema.get(v)})")]
    if v in ("minItems", "minLength"):
        return [doc.diagnostic(path, "must not be empty" if schema.get(v) == 1 else
                                     f"needs at least {schema.get(v)} entries")]
    if v in ("maxLength", "maxItems"):
        return [doc.diagnostic(path, f"too long (at most {schema.get(v)})")]
    if v == "oneOf" and isinstance(inst, dict) and {"min", "min_per_period"} <= set(inst):
        return [doc.diagnostic(path, "give either 'min' or 'min_per_period', not both")]
    if v in ("anyOf", "oneOf"):
        if "/[1-9]" in json.dumps(schema):
            return [doc.diagnostic(path, f"expected a non-negative number such as 3, 0.5 or \"1/3\", got {_describe(inst)}")]
        if "category" in json.dumps(schema) and "total" in json.dumps(schema):
            return [doc.diagnostic(path, "expected 'total', {category: <id>} or {items: [<id>, ...]}")]
        if error.validator_value and all("required" in s for s in error.validator_value if isinstance(s, dict)):
            keys = [s["required"][0] for s in error.validator_value]
            return [doc.diagnostic(path, f"give exactly one of: {', '.join(keys)}")]
    return [doc.diagnostic(path, error.message)]


def schema_diagnostics(doc: SourceDoc, schema_name: str) -> list[Diagnostic]:
    """Every schema violation in the document, each at its own position."""
    out: list[Diagnostic] = []
    for error in _validator(schema_name).iter_errors(doc.data):
        for leaf in _leaf_errors(error):
            out.extend(_message(leaf, doc))
    unique = sorted(set(out))
    return unique
