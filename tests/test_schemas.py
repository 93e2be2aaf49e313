"""The schemas are documentation too: every property explains itself in Chinese and English."""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from generator.policy.loader import policy_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return schema["$defs"][ref.split("/")[-1]]
    return node


def _properties(schema: dict, node, path="#"):
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{path}/properties/{name}", sub
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _properties(schema, value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(schema, value, f"{path}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_2020_12_with_id(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(path.name)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_property_has_a_chinese_and_english_description(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    missing = []
    for where, sub in _properties(schema, schema):
        if "/if/" in where:  # conditions select a branch; editors show the branch's descriptions
            continue
        desc = sub.get("description") or _resolve(schema, sub).get("description", "")
        if not (HAN.search(desc) and LATIN.search(desc)):
            missing.append(where)
    assert not missing, f"properties without a 中文 + English description: {missing}"


def test_policy_objects_allow_no_unknown_keys():
    schema = json.loads((ROOT / "schemas" / "policy.schema.json").read_text(encoding="utf-8"))
    open_objects = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                if not any("additionalProperties" in (b.get("then") or {}) for b in node.get("allOf", [])):
                    open_objects.append(where)
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(schema, "#")
    assert not open_objects


@pytest.mark.parametrize("policy_file", policy_files([ROOT / "policies"]), ids=lambda f: f"{f.parent.name}/{f.stem}")
def test_policy_files_point_editors_at_the_schema(policy_file):
    first = policy_file.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/policy.schema.json"
    cases = policy_file.with_name(f"{policy_file.stem}.tests.yaml")
    assert cases.read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../../schemas/policy-tests.schema.json"
