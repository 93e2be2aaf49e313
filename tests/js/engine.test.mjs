// Engine building blocks against values the Python reference produces (generator/rational.py, engine._date,
// generator/rules/errors.py), and odd input evaluated exactly as tests/test_engine.py expects of the Python
// engine. The random comparison lives in tests/test_differential.py.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

import engine, { checkLedger, display, fromIsoFormat, rational, suggestion } from "../../calculator/engine.mjs";
import { bundleDir, readJSON } from "./setup.mjs";

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

test("dates are strictly YYYY-MM-DD, a real calendar day of years 0001-9999, without time zones", () => {
  const cases = {
    "2018-03-01": "2018-03-01", "2000-02-29": "2000-02-29", "0001-01-01": "0001-01-01", "9999-12-31": "9999-12-31",
    "20180301": null, "2018-W10-1": null, "2018W101": null, "2018-W10": null, "2020-W53-7": null, "201803011x": null,
    "1900-02-29": null, "2018-02-30": null, "2018-0301": null, "2018/03/01": null, "2018-3-1": null, "0000-01-01": null,
    "2018-03-01 ": null, " 2018-03-01": null, "2018-03-01\n": null, "2018-13-01": null, "2018-00-10": null,
    "٢٠١٨-03-01": null, "": null,
  };
  for (const [text, want] of Object.entries(cases)) assert.equal(fromIsoFormat(text), want, JSON.stringify(text));
  for (const bad of [20180301, null, undefined, true, ["2018-03-01"]]) assert.equal(fromIsoFormat(bad), null);
});

test("JSON numbers are read as the shortest decimal that round-trips (rational.fromNumber)", () => {
  const cases = [
    [0.1, "0.1"], [1.5, "1.5"], [2.25, "2.25"], [3, "3"], [-0, "0"], [1e-7, "0.0000001"], [1.5e-7, "0.00000015"],
    [1e21, "1000000000000000000000"], [1.5e300, "15" + "0".repeat(299)], [123456789.125, "123456789.125"],
    [0.3333333333333333, "0.3333333333333333"], [5e-324, "0." + "0".repeat(323) + "5"], [-2.5, "-2.5"],
    [9007199254740993, "9007199254740992"], [12345678901234567890, "12345678901234567000"],
  ];
  for (const [x, want] of cases) assert.equal(rational.format(rational.fromNumber(x)), want, String(x));
  for (const bad of [NaN, Infinity, -Infinity, "1", true]) assert.throws(() => rational.fromNumber(bad), undefined, String(bad));
  assert.throws(() => rational.parse(1.5)); // bundle numbers stay exact strings: floats are refused there
});

test("values quoted in messages follow the display rule, not any language's own printing", () => {
  assert.equal(display(true), "true");
  assert.equal(display(null), "null");
  assert.equal(display(undefined), "null");
  assert.equal(display(1.5), "1.5");
  assert.equal(display(1e-5), "0.00001");
  assert.equal(display(-2.0), "-2");
  assert.equal(display(1e21), "1000000000000000000000");
  assert.equal(display(NaN), "NaN");
  assert.equal(display(-Infinity), "-Infinity");
  assert.equal(display([1, "a"]), "[…]");
  assert.equal(display({ k: null }), "{…}");
  assert.equal(display("x".repeat(60)), "x".repeat(60));
  assert.equal(display("x".repeat(61)), "x".repeat(60) + "…");
  assert.equal(display("𠀀".repeat(61)), "𠀀".repeat(60) + "…"); // code points, not UTF-16 units
});

test("the did-you-mean is the nearest id within a third of the word's length, the first on a tie", () => {
  assert.equal(suggestion("weke", ["weike", "reading-notes"]), "weike");
  assert.equal(suggestion("zzz", ["weike"]), null);
  assert.equal(suggestion("ac", ["ab", "cc"]), "ab"); // distance 1 both: policy order decides
  assert.equal(suggestion("ac", ["cc", "ab"]), "cc");
  assert.equal(suggestion("reading_nots", ["reading-notes"]), "reading-notes"); // 2 ≤ ⌊12/3⌋
  assert.equal(suggestion("readng_nots", ["reading-notes"]), "reading-notes"); // 3 ≤ ⌊11/3⌋
  assert.equal(suggestion("redng_nots", ["reading-notes"]), null); // 4 > ⌊10/3⌋
  assert.equal(suggestion("微课学", ["微课学习"]), "微课学习");
  assert.equal(suggestion("", ["a", "bb"]), "a");
});

// ---------- input that is not what the schema says: reported, never thrown (Python: tests/test_engine.py) ----------

const bundles = bundleDir();
const demo = readJSON(path.join(bundles, "demo", "2020.json"));
const cycle = readJSON(path.join(bundles, "cycle", "2016.json"));
const weike = (date, extra = {}) => ({ item: "weike", date, hours: 3, ...extra });
const fields = (r) => (r.input_errors || []).map((p) => [p.field, p.code.replace("errors.input.", ""), p.params]);
const OUT_OF_RANGE = "超出了可以核算的年代（周期须在公元 1 年至 9998 年之间）";

test("dates whose period cannot be represented are entry errors", () => {
  const r = engine.evaluate(demo, { entries: [weike("9999-08-01"), weike("0001-07-31"), weike("9999-07-31"), weike("2020-03-01")] }, null);
  assert.deepEqual(r.errors, [
    { entry: 0, field: "date", code: "errors.entry.date_out_of_range", params: { date: "9999-08-01" },
      message: `9999-08-01 ${OUT_OF_RANGE}` },
    { entry: 1, field: "date", code: "errors.entry.date_out_of_range", params: { date: "0001-07-31" },
      message: `0001-07-31 ${OUT_OF_RANGE}` },
  ]);
  assert.equal(r.as_of, "9999-07-31");
  assert.deepEqual(Object.keys(r.periods).sort(), ["2019-2020", "9998-9999"]);
  assert.equal("input_errors" in r, false);
  assert.equal(engine.periodOf(demo, "9999-08-01"), null);
  assert.equal(engine.periodOf(demo, "9999-07-31").id, "9998-9999");
});

test("an as_of that is not a usable date is reported and ignored", () => {
  const entries = [weike("2020-03-01")];
  for (const [asOf, code, params] of [["0001-01-01", "as_of_out_of_range", { date: "0001-01-01" }],
    ["2020-W10-1", "as_of_not_a_date", { value: "2020-W10-1" }],
    ["20200301", "as_of_not_a_date", { value: "20200301" }],
    ["soon", "as_of_not_a_date", { value: "soon" }],
    [20200301, "as_of_not_a_date", { value: "20200301" }]]) {
    const r = engine.evaluate(demo, { entries }, asOf);
    assert.deepEqual(fields(r), [["as_of", code, params]]);
    assert.ok(r.input_errors[0].message.endsWith("，按没有给出评估日期核算"));
    assert.equal(r.as_of, "2020-03-01");
    assert.deepEqual(Object.keys(r.periods), ["2019-2020"]);
  }
  const r = engine.evaluate(demo, { entries: [] }, "2020-13-01");
  assert.equal(r.as_of, null);
  assert.deepEqual(r.periods, {});
  assert.equal(r.input_errors[0].field, "as_of");
});

test("windows leave out periods before year one", () => {
  const r = engine.evaluate(demo, { entries: [weike("0001-09-01")] }, "0001-08-01");
  assert.equal(r.as_of, "0001-08-01");
  assert.deepEqual(Object.keys(r.periods), ["1-2"]);
  assert.deepEqual(r.checks["five-year"].periods, ["1-2"]);
});

test("entry dates are strictly YYYY-MM-DD", () => {
  const bad = ["20200301", "2020-W10-1", "2020W101", "2020-03-01 ", "2020-03-01\n", "202003011x", "٢٠٢٠-03-01", "2020-02-30"];
  const r = engine.evaluate(demo, { entries: bad.map((d) => weike(d)).concat([weike("2020-02-29")]) }, null);
  assert.deepEqual(r.errors, bad.map((d, n) => ({ entry: n, field: "date", code: "errors.entry.date_not_a_date", params: { value: d },
    message: `「${d}」不是日期，请写成 2018-03-15 这样` })));
  assert.equal(r.as_of, "2020-02-29");
});

test("bad person data is an input error and ignored", () => {
  const role = (n, value) => [`person.roles[${n}]`, "role_not_text", { value }];
  const cases = [
    [5, [], [["person", "person_not_an_object", { value: "5" }]]],
    [{ roles: 5 }, [], [["person.roles", "roles_not_a_list", { value: "5" }]]],
    [{ roles: "teacher" }, [], [["person.roles", "roles_not_a_list", { value: "teacher" }]]],
    [{ roles: { teacher: true } }, [], [["person.roles", "roles_not_a_list", { value: "{…}" }]]],
    [{ roles: ["teacher", 3, null, "a", "teacher", ["x"]] }, ["a", "teacher"], [role(1, "3"), role(2, "null"), role(5, "[…]")]],
    [{ roles: ["teacher"], dates: ["2010-05-01"] }, ["teacher"], [["person.dates", "dates_not_an_object", { value: "[…]" }]]],
    [{ roles: null, dates: { title: "20100501", other: null, b: 5, a: "2010-05-01" } }, [],
      [["person.dates.b", "date_not_a_date", { name: "b", value: "5" }],
        ["person.dates.title", "date_not_a_date", { name: "title", value: "20100501" }]]],
    [{}, [], []],
    [null, [], []],
  ];
  for (const [person, roles, problems] of cases) {
    const r = engine.evaluate(demo, { person, entries: [weike("2020-03-01")] }, null);
    assert.deepEqual(r.person.roles, roles, JSON.stringify(person));
    assert.deepEqual(fields(r), problems, JSON.stringify(person));
    assert.deepEqual(r.errors, []);
    assert.equal(r.periods["2019-2020"].items.weike.credited, "1");
  }
});

test("a ledger that is not an object or has no entry list", () => {
  assert.deepEqual(engine.evaluate(demo, [], null).input_errors, [{ field: "", code: "errors.input.ledger_not_an_object",
    params: { value: "[…]" }, message: "台账的内容不对：应为个人信息和登记记录，实际是「[…]」" }]);
  const r = engine.evaluate(demo, { person: "x", entries: "y" }, 20200101);
  assert.deepEqual(r.input_errors.map((p) => p.field), ["as_of", "person", "entries"]);
  assert.equal(r.input_errors[2].message, "登记记录应为一组记录，实际是「y」");
  assert.equal("input_errors" in engine.evaluate(demo, { entries: null }, null), false);
  for (const ledger of [null, undefined, 5, "x", { entries: [null, 5, "x", []] }]) engine.evaluate(demo, ledger, undefined);
});

test("title cycles with bad person dates are not met", () => {
  const entries = [{ item: "public-course", date: "2016-03-01", hours: 30 }];
  for (const dates of [["2010-05-01"], { title: "20100501" }, "2010-05-01"]) {
    const r = engine.evaluate(cycle, { person: { dates }, entries }, "2016-08-01");
    assert.ok(r.input_errors[0].field.startsWith("person.dates"));
    assert.equal(r.checks.cycle.met, false);
    assert.deepEqual(r.checks.cycle.periods, []);
    assert.ok(r.trace.some((t) => t.text.includes("缺少个人日期 title")));
  }
});

test("title cycles near year one", () => {
  const ledger = { person: { dates: { title: "0001-01-01" } }, entries: [{ item: "public-course", date: "0001-03-01", hours: 5 }] };
  let r = engine.evaluate(cycle, ledger, "0001-12-31");
  assert.deepEqual(r.checks.cycle.periods, ["1"]);
  assert.deepEqual(r.checks.recent.periods, []);
  r = engine.evaluate(cycle, ledger, "0001-03-01");
  assert.deepEqual(r.checks.cycle.periods, []);
  assert.deepEqual(r.checks.cycle.includes_until, { period: "1", date: "0001-03-01" });
});

test("JSON numbers are amounts as written", () => {
  const entries = [0.1, 0.2, 1e-7, 1.5, 2.0, -0].map((x) => ({ item: "other", date: "2020-03-01", credits: x }));
  let r = engine.evaluate(demo, { entries }, null);
  assert.deepEqual(r.errors, []);
  assert.equal(r.periods["2019-2020"].items.other.raw, "3.8000001");
  assert.ok(r.trace.some((t) => t.text === "其他活动：人工认定 0.0000001 学分（校管理员认定，依据《办法》）"));
  r = engine.evaluate(demo, { entries: [-0.5, NaN, Infinity, -1e-7].map((x) => ({ item: "other", date: "2020-03-01", credits: x })) }, null);
  assert.deepEqual(r.errors.map((e) => e.params.value), ["-0.5", "NaN", "Infinity", "-0.0000001"]);
  assert.ok(r.errors.every((e) => e.code === "errors.entry.not_an_amount"));
});

// ---------- ledger documents as the calculator imports them (checkLedger): coded records, located ----------

test("checkLedger: what the schema and the policy say, then the engine, each problem once and located", () => {
  const chengdu = readJSON(path.join(bundles, "chengdu-teachers", "2018.json"));
  assert.deepEqual(checkLedger(chengdu, { format: "jxjy-ledger/1", person: { roles: ["teacher"] }, entries: [] }), []);
  const doc = {
    format: "jxjy-ledger/2", extra: 1, policy: { id: 5 },
    person: { name: 5, school: "校".repeat(201), roles: ["teacher", "Astronaut", "astronaut"], dates: { Title: "x", title: "2018-02-30" }, age: 3 },
    entries: [
      { item: "weike", date: "2018-03-01", hours: 3 },
      { item: "weike", date: "2018-02-30", hours: "three", minutes: 2 },
      { item: "putonghua", date: "2018-03-01", level: 5, exam_passed: "yes", note: "备".repeat(501) },
      7,
      { item: "weeke", date: "2018-03-01", hours: 3 },
    ],
  };
  const got = checkLedger(chengdu, doc).map((r) => [r.entry ?? null, r.field, r.code]);
  assert.deepEqual(got, [
    [null, "extra", "errors.ledger.unknown_key"],
    [null, "format", "errors.ledger.not_a_ledger"],
    [null, "policy", "errors.ledger.bad_policy"],
    [null, "person.age", "errors.ledger.unknown_key"],
    [null, "person.name", "errors.ledger.not_text"],
    [null, "person.school", "errors.ledger.too_long"],
    [null, "person.roles[1]", "errors.ledger.bad_role"],
    [null, "person.roles[2]", "errors.ledger.unknown_role"],
    [null, "person.dates.Title", "errors.ledger.bad_date_name"],
    [null, "person.dates.title", "errors.input.date_not_a_date"],
    [1, "minutes", "errors.ledger.unknown_key"],
    [1, "hours", "errors.entry.not_an_amount"],
    [1, "date", "errors.entry.date_not_a_date"], // the engine's, on a field the schema had nothing against
    [2, "level", "errors.ledger.not_text"],
    [2, "exam_passed", "errors.ledger.not_yes_no"],
    [2, "note", "errors.ledger.too_long"],
    [3, "", "errors.entry.not_an_object"],
    [4, "item", "errors.entry.unknown_item_close"],
  ]);
  const records = checkLedger(chengdu, doc);
  assert.equal(records[5].message, "不能超过 200 个字（现有 201 个）");
  assert.deepEqual(records[7].params.role, "astronaut");
  assert.ok(records[7].params.roles.includes("teacher（"));
  assert.ok(records.every((r) => r.message === engine.message(chengdu, r.code, r.params)));
  // a stored ledger is checked without the engine: an entry the policy now refuses stays, with its error shown
  const stored = checkLedger(chengdu, { entries: [{ item: "weeke", date: "2018-03-01", hours: 3 }] }, { engine: false });
  assert.deepEqual(stored, []);
  assert.deepEqual(checkLedger(chengdu, [1]).map((r) => r.code), ["errors.input.ledger_not_an_object"]);
  assert.deepEqual(checkLedger(chengdu, {}).map((r) => r.code), ["errors.ledger.missing_entries"]);
});
