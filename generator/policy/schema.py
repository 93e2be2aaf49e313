"""JSON Schema validation that speaks to policy authors: position, plain message, a suggestion."""

from __future__ import annotations

import calendar
import difflib
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from generator.base.diagnostics import Diagnostic
from generator.base.paths import SCHEMAS
from generator.policy.source import SourceDoc

SCHEMA_DIR = SCHEMAS

_TYPE_WORDS = {"object": "a mapping (key: value)", "array": "a list", "string": "text",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "nothing"}


@cache
def load_schema(name: str) -> dict:
    """Schemas are files under schemas/, shared with editors and downstream users."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTH_DAY = re.compile(r"^([0-9]{2})-([0-9]{2})$")
_plain_pattern = jsonschema.Draft202012Validator.VALIDATORS["pattern"]


def _calendar_problem(text: str) -> str | None:
    """A date or month-day that has the right shape but is not on the calendar (2018-02-30, "04-31")."""
    m = _DATE.match(text)
    if m:
        year, month, day = map(int, m.groups())
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 31
        return f"'{text}' is not a real date: {year}-{month:02d} has only {last} days" if day > last else None
    m = _MONTH_DAY.match(text)
    if m:
        month, day = map(int, m.groups())
        last = calendar.monthrange(2000, month)[1] if 1 <= month <= 12 else 31  # a leap year: "02-29" exists
        return f"'{text}' is not a real day: month {month:02d} has only {last} days" if day > last else None
    return None


def _pattern_and_calendar(validator, pattern, instance, schema):
    """`pattern`, plus: a value that matches a date or month-day pattern must also be a real day."""
    errors = list(_plain_pattern(validator, pattern, instance, schema))
    yield from errors
    if not errors and isinstance(instance, str) and pattern.startswith(("^[0-9]{4}-(0[1-9]", "^(0[1-9]|1[0-2])-")):
        problem = _calendar_problem(instance)
        if problem:
            yield ValidationError(problem)


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern_and_calendar})


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    """Validators resolve $refs between our schemas locally: no network at run time."""
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s))
        for s in (load_schema(f.name) for f in sorted(SCHEMA_DIR.glob("*.schema.json"))) if "$id" in s
    )
    return _Validator(schema, registry=registry)


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


_CLOSE = 0.7  # 0.6 suggests 'id' for 'kind'


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=_CLOSE)
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


_KEY_LIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_MEASURE = "expected 'total', {category: <id>} or {items: [<id>, ...]}"


def _resolve(schema: dict, root: dict) -> dict:
    """Follow local $refs ("#/$defs/x") so a property's enum can be named in a message."""
    while isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/"):
        node: Any = root
        for part in schema["$ref"][2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node
    return schema if isinstance(schema, dict) else {}


def _unknown_key(key: str, value: Any, allowed: set[str], expected: str = "") -> str:
    if "：" in key:
        return f"unknown key '{key}': '：' is a full-width colon; write '{key.split('：')[0]}: …' with a half-width ': '"
    hint = _suggest(key, allowed)
    if hint:
        return f"unknown key '{key}'{hint}"
    if value is None and not _KEY_LIKE.match(key):
        # `{id: 一, quote: 考试合格后, 方可登记}`: the ', ' split the text and its tail became a key
        return (f"unknown key '{key}' (with no value): if it is the end of the text before it, quote that text, "
                "because inside { } a ', ' starts a new key")
    return f"unknown key '{key}'; " + (expected or f"allowed keys: {', '.join(sorted(allowed))}")


def _measure_message(inst: Any, path: tuple, doc: SourceDoc) -> list[Diagnostic]:
    """`of:` is 'total', {category: id} or {items: [ids]}; say which part is off."""
    if isinstance(inst, str):
        return [doc.diagnostic(path, f"{_describe(inst)} is not allowed here; {_MEASURE}{_suggest(inst, ['total'])}")]
    if isinstance(inst, dict):
        extras = [k for k in inst if k not in ("category", "items")]
        if extras:
            return [doc.diagnostic(path, _unknown_key(k, inst[k], {"category", "items"}, _MEASURE), key=k) for k in extras]
        if {"category", "items"} <= set(inst):
            return [doc.diagnostic(path, "give either {category: <id>} or {items: [<id>, ...]}, not both", key="items")]
    return [doc.diagnostic(path, f"{_MEASURE}, got {_describe(inst)}")]


def _message(error: ValidationError, doc: SourceDoc, root: dict | None = None) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    inst = error.instance
    if v == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed] if isinstance(inst, dict) else []
        return [doc.diagnostic(path, _unknown_key(k, inst[k], allowed), key=k) for k in extras]
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        prop = _resolve(schema.get("properties", {}).get(missing, {}), root or {})
        options = f", one of: {', '.join(map(str, prop['enum']))}" if isinstance(prop.get("enum"), list) else ""
        return [doc.diagnostic(path, f"missing required key '{missing}'{options}")]
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
        hint = ""
        if wants == ["array"] and isinstance(inst, (str, int)) and not isinstance(inst, bool):
            hint = f"; write it as a list: [{inst}]"
        elif wants == ["array"] and isinstance(inst, dict):
            hint = "; start each entry with '- ', or put the entries in [ ]"
        elif wants == ["string"] and isinstance(inst, (int, Decimal)) and not isinstance(inst, bool):
            hint = f"; quote it: \"{inst}\""
        if wants == ["string"] and schema.get("pattern") and not isinstance(inst, (dict, list)):
            v = "pattern"  # `issued: 20200501` is a number; say what the text should look like
        else:
            return [doc.diagnostic(path, f"expected {words}, got {_describe(inst)}{hint}")]
    if v == "pattern":
        pattern = schema.get("pattern", "")
        if isinstance(inst, str) and re.search(pattern, inst):
            return [doc.diagnostic(path, error.message)]  # the right shape but not on the calendar
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
        if pattern.startswith("^[0-9A-Za-z]"):
            return [doc.diagnostic(path, f"expected a quoted label such as \"2018\" (letters, digits, '.', '_' or '-'), "
                                         f"got {_describe(inst)}")]
        return [doc.diagnostic(path, f"{_describe(inst)} does not match the required format {pattern}")]
    if v in ("minimum", "exclusiveMinimum"):
        return [doc.diagnostic(path, f"{_describe(inst)} is too small (minimum {schema.get(v)})")]
    if v == "maximum":
        return [doc.diagnostic(path, f"{_describe(inst)} is too large (maximum {schema.get(v)})")]
    if v in ("minItems", "minLength"):
        unit = "entries" if v == "minItems" else "characters"
        return [doc.diagnostic(path, "must not be empty" if schema.get(v) == 1 else
                                     f"needs at least {schema.get(v)} {unit}, got {_describe(inst)}")]
    if v in ("maxLength", "maxItems"):
        return [doc.diagnostic(path, f"too long (at most {schema.get(v)})")]
    if v == "not" and isinstance(error.validator_value, dict) and isinstance(inst, dict) \
            and list(error.validator_value) == ["required"]:
        keys = [k for k in error.validator_value["required"] if k in inst]
        with_kind = f" with kind: {inst['kind']}" if isinstance(inst.get("kind"), str) else " here"
        return [doc.diagnostic(path, f"'{k}' is not used{with_kind}; remove it", key=k) for k in keys]
    if v == "oneOf" and isinstance(inst, dict) and {"min", "min_per_period"} <= set(inst):
        return [doc.diagnostic(path, "give either 'min' (over the whole window) or 'min_per_period' "
                                     "(times the number of periods), not both", key="min_per_period")]
    if v in ("anyOf", "oneOf"):
        if "/[1-9]" in json.dumps(schema):
            return [doc.diagnostic(path, f"expected a non-negative number such as 3, 0.5 or \"1/3\", got {_describe(inst)}")]
        if "category" in json.dumps(schema) and "total" in json.dumps(schema):
            return _measure_message(inst, path, doc)
        if error.validator_value and all("required" in s for s in error.validator_value if isinstance(s, dict)):
            keys = [s["required"][0] for s in error.validator_value]
            return [doc.diagnostic(path, f"give exactly one of: {', '.join(keys)}")]
    return [doc.diagnostic(path, error.message)]


def schema_diagnostics(doc: SourceDoc, schema_name: str) -> list[Diagnostic]:
    """Every schema violation in the document, each at its own position."""
    out: list[Diagnostic] = []
    root = load_schema(schema_name)
    leaves = [leaf for error in _validator(schema_name).iter_errors(doc.data) for leaf in _leaf_errors(error)]
    # A misspelt key (`catgory:`) also makes the right key missing; its did-you-mean says both.
    suggested = set()
    for leaf in leaves:
        if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict) and isinstance(leaf.schema, dict):
            allowed = list(leaf.schema.get("properties", {}))
            for k in leaf.instance:
                close = difflib.get_close_matches(k, allowed, n=1, cutoff=_CLOSE) if k not in allowed else []
                suggested.update((tuple(leaf.absolute_path), c) for c in close)
    for leaf in leaves:
        if leaf.validator == "required" and "'" in leaf.message \
                and (tuple(leaf.absolute_path), leaf.message.split("'")[1]) in suggested:
            continue
        out.extend(_message(leaf, doc, root))
    return sorted(set(out))
