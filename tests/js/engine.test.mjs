// Engine building blocks against values the Python reference produces (generator/rational.py,
// datetime.date.fromisoformat, str()). The random comparison lives in tests/test_differential.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import engine, { fromIsoFormat, rational } from "../../calculator/engine.mjs";

const fmt = (text) => rational.format(rational.parse(text));

test("exact numbers parse and print like generator.rational", () => {
  const cases = {
    "0": "0", "3": "3", "0.5": "0.5", "0.50": "0.5", "1/3": "1/3", "2/4": "0.5", "10/4": "2.5", "1/8": "0.125",
    "7/2": "3.5", " 4 ": "4", "1 / 3": "1/3", "12.50": "12.5", "0.1": "0.1", "100/7": "100/7", "2.5/5": "0.5",
    "6/3": "2", "1/1024": "0.0009765625", "123456789012345678901234567890": "123456789012345678901234567890",
  };
  for (const [text, want] of Object.entries(cases)) assert.equal(fmt(text), want, text);
  assert.equal(rational.format(rational.parse(7)), "7");
  for (const bad of ["-1", "1e3", "abc", "", "1/0", "１", "1,5", ".5", "5.", true, 1.5, null, [1]]) {
    assert.throws(() => rational.parse(bad), undefined, JSON.stringify(bad));
  }
  const third = rational.parse("1/3");
  assert.equal(rational.format(rational.add(rational.add(third, third), third)), "1");
  assert.equal(rational.format(rational.add(rational.parse("0.1"), rational.parse("0.2"))), "0.3");
  assert.equal(rational.floor(rational.parse("8/3")), 2n);
  assert.equal(rational.floor(rational.Q(-8n, 3n)), -3n);
  assert.equal(rational.format(rational.Q(-1n, 4n)), "-0.25");
});

test("dates are read like Python's date.fromisoformat, without time zones", () => {
  const cases = {
    "2018-03-01": "2018-03-01", "20180301": "2018-03-01", "2018-W10-1": "2018-03-05", "2018W101": "2018-03-05",
    "2018-W10": "2018-03-05", "2020-W53-7": "2021-01-03", "201803011x": "2018-03-01", "2000-02-29": "2000-02-29",
    "1900-02-29": null, "2018-02-30": null, "2018-0301": null, "2018/03/01": null, "2018-3-1": null, "0000-01-01": null,
    "2021-W53": null, "9999-W52-6": null, "0001-01-01": "0001-01-01", "2018-03-01 ": null, "": null,
  };
  for (const [text, want] of Object.entries(cases)) assert.equal(fromIsoFormat(text), want, text);
  assert.equal(fromIsoFormat(20180301), null);
});

test("Python's str() of odd ledger values, as quoted in error messages", () => {
  const s = engine._py.str;
  assert.equal(s(true), "True");
  assert.equal(s(null), "None");
  assert.equal(s(1.5), "1.5");
  assert.equal(s(1e-5), "1e-05");
  assert.equal(s([1, "a'b", { k: null }]), `[1, "a'b", {'k': None}]`);
  assert.equal(engine._py.closeMatch("weke", ["weike", "reading-notes"]), "weike");
  assert.equal(engine._py.closeMatch("zzz", ["weike"]), null);
});
