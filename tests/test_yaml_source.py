"""The strict YAML loader: positions, exact numbers, and YAML 1.1 traps turned into located errors."""

from decimal import Decimal

import pytest

from generator.base.diagnostics import InputError
from generator.policy.source import decode_utf8, load_yaml, parse_yaml


def errors(text: str, lang: str = "en") -> list[str]:
    """The reader's diagnostics as printed, in English here (tests/broken holds the Chinese)."""
    with pytest.raises(InputError) as exc:
        parse_yaml(text, "p.yaml")
    return [d.format(lang) for d in exc.value.diagnostics]


def test_positions_of_nested_values_and_keys():
    doc = parse_yaml("a:\n  b:\n    - x\n    - {c: 1, d: [2, 3]}\n", "p.yaml")
    assert doc.data == {"a": {"b": ["x", {"c": 1, "d": [2, 3]}]}}
    assert doc.positions[("a", "b", 0)] == (3, 7)
    assert doc.positions[("a", "b", 1, "c")] == (4, 11)
    assert doc.positions[("a", "b", 1, "d", 1)] == (4, 21)
    assert doc.key_positions[("a", "b")] == (2, 3)
    assert doc.key_positions[("a", "b", 1, "d")] == (4, 14)
    # a path that does not exist falls back to its nearest parent; a key asked for gives the key
    assert doc.locate(("a", "b", 1, "missing")) == (4, 7)
    assert doc.locate(("a", "b", 1), key="d") == (4, 14)
    diag = doc.diagnostic(("a", "b", 1), "bad", key="c")
    assert diag.format() == "p.yaml:4:8: bad (a.b[1].c)"


def test_bom_is_accepted(tmp_path):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbfid: demo\ntitle: \xe7\xa4\xba\xe4\xbe\x8b\n")
    doc = load_yaml(f, "bom.yaml")
    assert doc.data == {"id": "demo", "title": "示例"}
    assert doc.key_positions[("id",)] == (1, 1)


def test_gbk_file_is_named_with_line_and_column():
    with pytest.raises(InputError) as exc:
        decode_utf8("id: demo\ntitle: 示例\n".encode("gbk"), "g.yaml")
    [d] = exc.value.diagnostics
    assert (d.line, d.column) == (2, 8)
    assert "not valid UTF-8" in d.text("en") and "GBK" in d.text("en")
    assert "GBK" in d.message and "UTF-8" in d.message  # Chinese by default


def test_floats_are_decimals_and_ints_stay_ints():
    doc = parse_yaml("a: 0.5\nb: 1.10\nc: 3\nd: '0.1'\ne: 1_000\n", "p.yaml")
    assert doc.data["a"] == Decimal("0.5") and isinstance(doc.data["a"], Decimal)
    assert str(doc.data["b"]) == "1.10"
    assert doc.data["c"] == 3 and type(doc.data["c"]) is int
    assert doc.data["d"] == "0.1"
    assert doc.data["e"] == 1000


def test_true_false_are_booleans_but_yaml11_words_are_errors():
    doc = parse_yaml("a: true\nb: False\nc: 'no'\nd: \"on\"\n", "p.yaml")
    assert doc.data == {"a": True, "b": False, "c": "no", "d": "on"}
    assert errors("a: yes\nb: off\n") == [
        "p.yaml:1:4: 'yes' is read as a boolean in YAML 1.1; write true or false, or quote it (\"yes\") "
        "if you mean the text (a)",
        "p.yaml:2:4: 'off' is read as a boolean in YAML 1.1; write true or false, or quote it (\"off\") "
        "if you mean the text (b)",
    ]


def test_boolean_word_as_key_is_an_error():
    assert errors("rows:\n  - {no: 1}\n") == ["p.yaml:2:6: key 'no' is read as a boolean in YAML 1.1; quote it: \"no\" (rows[0])"]


def test_dates_stay_text():
    doc = parse_yaml("a: 2018-06-05\nb: 2018-6-5\n", "p.yaml")
    assert doc.data == {"a": "2018-06-05", "b": "2018-6-5"}


@pytest.mark.parametrize("value, words", [
    ("8:30", "base-60"), ("010", "octal"), ("0x1F", "hexadecimal"), (".inf", "not a finite number"),
])
def test_yaml11_numbers_are_errors(value, words):
    [message] = errors(f"a: {value}\n")
    assert message.startswith("p.yaml:1:4: ") and words in message and message.endswith("(a)")


def test_duplicate_keys_name_both_lines():
    assert errors("a: 1\nb:\n  c: 1\n  c: 2\n") == [
        "p.yaml:4:3: duplicate key 'c' (first defined at line 3); remove one of them (b.c)"]


def test_billion_laughs_is_rejected_without_expanding():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    # expanded, a9 would hold 10**10 strings; the first three anchors are named where they are
    # defined, with the lines that use them, and one line counts the rest
    messages = errors("\n".join(lines) + "\n")
    assert len(messages) == 4
    assert messages[0].startswith("p.yaml:1:5: YAML anchors and aliases (&name, *name) are not allowed: &a0 is used")
    assert messages[0].count("2") == 1  # used ten times, all on line 2: the line is named once
    assert messages[1].startswith("p.yaml:2:5: ") and "&a1" in messages[1]
    assert messages[3] == "p.yaml:4:5: and 7 more anchors or aliases to write out the same way"


def test_single_anchor_names_where_it_is_used():
    assert errors("a: &x [1]\nb: *x\nc: *x\n") == [
        "p.yaml:1:4: YAML anchors and aliases (&name, *name) are not allowed: &x is used on line(s) 2, 3; "
        "write the value out in full each time"]
    assert errors("a: &x [1]\nb: *x\nc: *x\n", "zh") == [
        "p.yaml:1:4: 不能使用 YAML 锚点和别名（&名称、*名称）：锚点 &x 在第 2、3 行被引用；请把值在每处完整写出来"]


def test_unused_anchor_and_undefined_alias():
    assert errors("a: &x [1]\n") == [
        "p.yaml:1:4: YAML anchors and aliases (&name, *name) are not allowed: &x is never used; remove it"]
    assert errors("a: [1]\nb: *y\n") == [
        "p.yaml:2:4: YAML anchors and aliases (&name, *name) are not allowed: no &y defines *y; write the value out in full"]


def test_merge_key_is_rejected():
    assert errors("a:\n  <<: {b: 1}\n  c: 2\n") == ["p.yaml:2:3: merge keys (<<) are not allowed; write the values out (a)"]


def test_tabs_in_indentation_are_reported_per_line():
    assert errors("a:\n\tb: 1\n  c: 2\n \td: 3\n") == [
        "p.yaml:2:1: tab character in indentation; YAML indents with spaces only",
        "p.yaml:4:2: tab character in indentation; YAML indents with spaces only",
    ]


def test_empty_file_and_two_documents():
    assert errors("") == ["p.yaml:1:1: file is empty (or has only comments)"]
    assert errors("# only a comment\n") == ["p.yaml:1:1: file is empty (or has only comments)"]
    assert errors("a: 1\n---\nb: 2\n") == ["p.yaml:2:1: only one YAML document per file (remove '---')"]
    assert parse_yaml("---\na: 1\n", "p.yaml").data == {"a": 1}


def test_syntax_errors_are_plain_and_located():
    [unclosed] = errors("a: [1, 2\nb: 3\n")
    assert unclosed.startswith("p.yaml:2:2: YAML syntax error: the list opened with '[' at line 1, column 4 is not closed")
    [runaway] = errors('a: "x\nb: 1\nc: "y"\n')
    assert runaway == "p.yaml:1:4: YAML syntax error: this quoted text runs on to line 3, column 4; is its closing \" missing?"
    [at_end] = errors('a: 1\nb: "x\n')
    assert at_end.startswith("p.yaml:2:4: YAML syntax error: this quote is never closed")
    [indent] = errors("items:\n  - id: a\n     name: b\n")
    assert indent.startswith("p.yaml:3:10: YAML syntax error: unexpected ':' here: this line is indented more")
    assert all("Traceback" not in m for m in (unclosed, runaway, at_end, indent))
