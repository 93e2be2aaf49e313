"""JSON Schema validation that speaks to policy authors: position, plain message, a suggestion.

jsonschema's own wording ("is not valid under any of the given schemas") never reaches an author:
each kind of violation becomes a catalog code (diagnostics.schema.*) with the parts that make it
useful — the value as written, the allowed choices, a did-you-mean — as parameters.
"""

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
from generator.base.messages import Phrase, phrase
from generator.base.paths import SCHEMAS
from generator.policy.source import SourceDoc

SCHEMA_DIR = SCHEMAS

@cache
def load_schema(name: str) -> dict:
    """Schemas are files under schemas/, shared with editors and downstream users."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTH_DAY = re.compile(r"^([0-9]{2})-([0-9]{2})$")
_plain_pattern = jsonschema.Draft202012Validator.VALIDATORS["pattern"]


def _calendar_problem(text: str) -> Phrase | None:
    """A date or month-day that has the right shape but is not on the calendar (2018-02-30, "04-31")."""
    m = _DATE.match(text)
    if m:
        year, month, day = map(int, m.groups())
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 31
        return phrase("diagnostics.schema.not_a_real_date", value=text, year=year, month=f"{month:02d}",
                      days=last) if day > last else None
    m = _MONTH_DAY.match(text)
    if m:
        month, day = map(int, m.groups())
        last = calendar.monthrange(2000, month)[1] if 1 <= month <= 12 else 31  # a leap year: "02-29" exists
        return phrase("diagnostics.schema.not_a_real_day", value=text, month=f"{month:02d}",
                      days=last) if day > last else None
    return None


def _pattern_and_calendar(validator, pattern, instance, schema):
    """`pattern`, plus: a value that matches a date or month-day pattern must also be a real day."""
    errors = list(_plain_pattern(validator, pattern, instance, schema))
    yield from errors
    if not errors and isinstance(instance, str) and pattern.startswith(("^[0-9]{4}-(0[1-9]", "^(0[1-9]|1[0-2])-")):
        if _calendar_problem(instance):
            yield ValidationError(f"{instance!r} is not on the calendar")


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


def _describe(value: Any) -> Phrase:
    """The value as the author wrote it: "text '学份'", "number 2020", "a list"."""
    if isinstance(value, bool):
        return phrase("diagnostics.schema.got.boolean")
    if isinstance(value, dict):
        return phrase("diagnostics.schema.got.mapping")
    if isinstance(value, list):
        return phrase("diagnostics.schema.got.list")
    if value is None:
        return phrase("diagnostics.schema.got.nothing")
    if isinstance(value, str):
        return phrase("diagnostics.schema.got.text", value=value)
    return phrase("diagnostics.schema.got.number", value=value)


def _type_words(types: list[str]) -> Phrase:
    """"a mapping (key: value)", or "a list or text" for a choice of types."""
    words = [phrase(_TYPES[t]) if t in _TYPES else phrase("diagnostics.schema.type.other", type=t) for t in types]
    out = words[-1]
    for word in reversed(words[:-1]):
        out = phrase("diagnostics.schema.either", first=word, second=out)
    return out


_TYPES = {
    "object": "diagnostics.schema.type.object", "array": "diagnostics.schema.type.array",
    "string": "diagnostics.schema.type.string", "integer": "diagnostics.schema.type.integer",
    "number": "diagnostics.schema.type.number", "boolean": "diagnostics.schema.type.boolean",
    "null": "diagnostics.schema.type.null",
}
NO_HINT = phrase("diagnostics.nothing")


_CLOSE = 0.7  # 0.6 suggests 'id' for 'kind'


def _suggest(word: str, choices: Iterable[str]) -> Phrase:
    """"; did you mean 'rate'?" when one choice is close, else nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=_CLOSE)
    return did_you_mean(close[0]) if close else NO_HINT


def did_you_mean(choice: str) -> Phrase:
    return phrase("diagnostics.hint.did_you_mean", choice=choice)


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
_MEASURE = phrase("diagnostics.schema.measure_forms")


def _resolve(schema: dict, root: dict) -> dict:
    """Follow local $refs ("#/$defs/x") so a property's enum can be named in a message."""
    while isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/"):
        node: Any = root
        for part in schema["$ref"][2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = node
    return schema if isinstance(schema, dict) else {}


def _unknown_key(doc: SourceDoc, path: tuple, key: str, value: Any, allowed: set[str],
                 expected: Phrase | None = None) -> Diagnostic:
    if "：" in key:
        return doc.diagnostic(path, "diagnostics.schema.unknown_key_fullwidth_colon", key=key, name=key,
                              before=key.split("：")[0])
    hint = _suggest(key, allowed)
    if hint != NO_HINT:
        return doc.diagnostic(path, "diagnostics.schema.unknown_key", key=key, name=key, hint=hint)
    if value is None and not _KEY_LIKE.match(key):
        # `{id: 一, quote: 考试合格后, 方可登记}`: the ', ' split the text and its tail became a key
        return doc.diagnostic(path, "diagnostics.schema.unknown_key_text_tail", key=key, name=key)
    hint = phrase("diagnostics.schema.expected_measure", measure=expected) if expected is not None \
        else phrase("diagnostics.schema.allowed_keys", keys=sorted(allowed))
    return doc.diagnostic(path, "diagnostics.schema.unknown_key", key=key, name=key, hint=hint)


def _measure_message(inst: Any, path: tuple, doc: SourceDoc) -> list[Diagnostic]:
    """`of:` is 'total', {category: id} or {items: [ids]}; say which part is off."""
    if isinstance(inst, str):
        return [doc.diagnostic(path, "diagnostics.schema.not_allowed_measure", value=_describe(inst), measure=_MEASURE,
                               hint=_suggest(inst, ["total"]))]
    if isinstance(inst, dict):
        extras = [k for k in inst if k not in ("category", "items")]
        if extras:
            return [_unknown_key(doc, path, k, inst[k], {"category", "items"}, _MEASURE) for k in extras]
        if {"category", "items"} <= set(inst):
            return [doc.diagnostic(path, "diagnostics.schema.category_or_items", key="items")]
    return [doc.diagnostic(path, "diagnostics.schema.expected_measure_got", measure=_MEASURE, value=_describe(inst))]


def _pattern_message(doc: SourceDoc, path: tuple, pattern: str, inst: Any) -> Diagnostic:
    """A value of the wrong shape, named by what the pattern is for (a date, an id, a quantity …)."""
    if isinstance(inst, str) and re.search(pattern, inst):
        problem = _calendar_problem(inst)  # the right shape but not on the calendar
        if problem is not None:
            return doc.diagnostic(path, problem.key, **dict(problem.params))
    got = _describe(inst)
    if pattern.startswith("^[0-9]{4}-(0[1-9]"):
        if "[12][0-9]|3[01])$" in pattern and pattern.count("-") >= 2:
            return doc.diagnostic(path, "diagnostics.schema.expected_date", value=got)
        return doc.diagnostic(path, "diagnostics.schema.expected_month", value=got)
    if pattern.startswith("^(0[1-9]|1[0-2])-"):
        return doc.diagnostic(path, "diagnostics.schema.expected_month_day", value=got)
    if pattern == "^[a-z][a-z0-9-]*$":
        return doc.diagnostic(path, "diagnostics.schema.bad_id", value=got)
    if "/[1-9]" in pattern:
        return doc.diagnostic(path, "diagnostics.schema.expected_quantity", value=got)
    if pattern.startswith("^[0-9A-Za-z]"):
        return doc.diagnostic(path, "diagnostics.schema.expected_label", value=got)
    return doc.diagnostic(path, "diagnostics.schema.pattern", value=got, pattern=pattern)


def _type_hint(wants: list[str], inst: Any) -> Phrase:
    if wants == ["array"] and isinstance(inst, (str, int)) and not isinstance(inst, bool):
        return phrase("diagnostics.schema.hint.write_as_list", value=inst)
    if wants == ["array"] and isinstance(inst, dict):
        return phrase("diagnostics.schema.hint.list_entries")
    if wants == ["string"] and isinstance(inst, (int, Decimal)) and not isinstance(inst, bool):
        return phrase("diagnostics.schema.hint.quote_it", value=inst)
    return NO_HINT


def _message(error: ValidationError, doc: SourceDoc, root: dict | None = None) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    inst = error.instance
    if v == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed] if isinstance(inst, dict) else []
        return [_unknown_key(doc, path, k, inst[k], allowed) for k in extras]
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        prop = _resolve(schema.get("properties", {}).get(missing, {}), root or {})
        if isinstance(prop.get("enum"), list):
            return [doc.diagnostic(path, "diagnostics.schema.missing_key_one_of", name=missing,
                                   options=[str(o) for o in prop["enum"]])]
        return [doc.diagnostic(path, "diagnostics.schema.missing_key", name=missing)]
    if v == "enum":
        options = [str(o) for o in schema.get("enum", [])]
        hint = _suggest(str(inst), options) if isinstance(inst, str) else NO_HINT
        return [doc.diagnostic(path, "diagnostics.schema.not_one_of", value=_describe(inst), options=options, hint=hint)]
    if v == "const":
        return [doc.diagnostic(path, "diagnostics.schema.expected_const", expected=schema.get("const"),
                               value=_describe(inst))]
    if v == "type":
        want = schema.get("type")
        wants = [str(w) for w in (want if isinstance(want, list) else [want])]
        if wants == ["string"] and schema.get("pattern") and not isinstance(inst, (dict, list)):
            # `issued: 20200501` is a number; say what the text should look like
            return [_pattern_message(doc, path, schema["pattern"], inst)]
        return [doc.diagnostic(path, "diagnostics.schema.expected_type", expected=_type_words(wants),
                               value=_describe(inst), hint=_type_hint(wants, inst))]
    if v == "pattern":
        return [_pattern_message(doc, path, schema.get("pattern", ""), inst)]
    if v in ("minimum", "exclusiveMinimum"):
        return [doc.diagnostic(path, "diagnostics.schema.too_small", value=_describe(inst), limit=schema.get(v))]
    if v == "maximum":
        return [doc.diagnostic(path, "diagnostics.schema.too_large", value=_describe(inst), limit=schema.get(v))]
    if v in ("minItems", "minLength"):
        if schema.get(v) == 1:
            return [doc.diagnostic(path, "diagnostics.schema.empty")]
        code = "diagnostics.schema.too_few_items" if v == "minItems" else "diagnostics.schema.too_short"
        return [doc.diagnostic(path, code, limit=schema.get(v), value=_describe(inst))]
    if v in ("maxLength", "maxItems"):
        return [doc.diagnostic(path, "diagnostics.schema.too_long", limit=schema.get(v))]
    if v == "not" and isinstance(error.validator_value, dict) and isinstance(inst, dict) \
            and list(error.validator_value) == ["required"]:
        keys = [k for k in error.validator_value["required"] if k in inst]
        if isinstance(inst.get("kind"), str):
            return [doc.diagnostic(path, "diagnostics.schema.not_for_kind", key=k, name=k, kind=inst["kind"])
                    for k in keys]
        return [doc.diagnostic(path, "diagnostics.schema.not_used_here", key=k, name=k) for k in keys]
    if v == "oneOf" and isinstance(inst, dict) and {"min", "min_per_period"} <= set(inst):
        return [doc.diagnostic(path, "diagnostics.schema.min_or_min_per_period", key="min_per_period")]
    if v in ("anyOf", "oneOf"):
        if "/[1-9]" in json.dumps(schema):
            return [doc.diagnostic(path, "diagnostics.schema.expected_quantity", value=_describe(inst))]
        if "category" in json.dumps(schema) and "total" in json.dumps(schema):
            return _measure_message(inst, path, doc)
        if error.validator_value and all("required" in s for s in error.validator_value if isinstance(s, dict)):
            keys = [s["required"][0] for s in error.validator_value]
            return [doc.diagnostic(path, "diagnostics.schema.exactly_one_of", keys=keys)]
    return [doc.diagnostic(path, "diagnostics.schema.other", detail=error.message)]


def schema_diagnostics(doc: SourceDoc, schema_name: str) -> list[Diagnostic]:
    """Every schema violation in the document, each at its own position."""
    out: list[Diagnostic] = []
    root = load_schema(schema_name)
    leaves = [leaf for error in _validator(schema_name).iter_errors(doc.data) for leaf in _leaf_errors(error)]
    # A misspelt key (`catgory:`) also makes the right key missing; its did-you-mean says both.
    suggested: set[tuple[tuple, str]] = set()
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
