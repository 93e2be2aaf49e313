// The published files: index.json lists every bundle with its true sha256 and size; the .js twins
// register the same data for file:// pages; engine.js runs as a classic script (no modules there).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import vm from "node:vm";

import { evaluate } from "../../calculator/engine.mjs";
import { ROOT, bundleDir, readJSON } from "./setup.mjs";

const dir = bundleDir();
const index = readJSON(path.join(dir, "index.json"));

function fileRef(ref) {
  const data = fs.readFileSync(path.join(dir, ref.url));
  assert.equal(data.length, ref.size, `${ref.url}: size`);
  assert.equal(crypto.createHash("sha256").update(data).digest("hex"), ref.sha256, `${ref.url}: sha256`);
  return data;
}

function runScript(file, context = {}) {
  const sandbox = vm.createContext(context);
  vm.runInContext(fs.readFileSync(file, "utf8"), sandbox, { filename: file });
  return sandbox;
}

test("index.json lists every bundle with its sha256 and size", () => {
  assert.equal(index.format, "jxjy-bundle-index");
  assert.match(index.format_version, /^2\.\d+$/);
  assert.ok(index.bundles.length > 0);
  for (const b of index.bundles) {
    const data = fileRef(b);
    const bundle = JSON.parse(data.toString("utf8"));
    assert.equal(bundle.policy.key, b.key);
    fileRef(b.js);
    if (b.tests) fileRef(b.tests);
  }
  assert.ok(fs.existsSync(path.join(dir, index.schema)));
});

test("latest aliases carry the latest edition's bytes", () => {
  for (const [id, alias] of Object.entries(index.latest)) {
    const entry = index.bundles.find((b) => b.id === id && b.edition === alias.edition);
    assert.ok(entry && entry.latest);
    assert.deepEqual(fs.readFileSync(path.join(dir, alias.url)), fs.readFileSync(path.join(dir, entry.url)));
    const g = runScript(path.join(dir, alias.js_url));
    const plain = JSON.parse(JSON.stringify(g.JXJY_BUNDLES[`${id}/latest`])); // out of the vm's realm
    assert.deepStrictEqual(plain, JSON.parse(fs.readFileSync(path.join(dir, entry.url), "utf8")));
    assert.equal(g.JXJY_BUNDLES[`${id}/latest`], g.JXJY_BUNDLES[entry.key]);
  }
});

test(".js twins register the same documents as the .json files", () => {
  const context = {};
  for (const b of index.bundles) runScript(path.join(dir, b.js.url), context);
  const g = runScript(path.join(dir, "index.js"), context);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(g.JXJY_BUNDLE_INDEX)), index);
  for (const b of index.bundles) {
    assert.deepStrictEqual(JSON.parse(JSON.stringify(g.JXJY_BUNDLES[b.key])), readJSON(path.join(dir, b.url)));
  }
});

// the demo fixture when the bundles were built by setup.mjs; any bundle of JXJY_BUNDLE_DIR otherwise
const sample = index.bundles.find((b) => b.key === "demo/2020") || index.bundles[0];

test("engine.js works as a classic script (pages opened from file://)", () => {
  const g = runScript(path.join(ROOT, "calculator", "engine.js"));
  const bundle = readJSON(path.join(dir, sample.url));
  const item = bundle.items.find((i) => i.input === "hours" && !i.roles.length && !i.gate) || bundle.items[0];
  const ledger = { entries: [{ item: item.id, date: "2020-03-01", hours: 8 }] };
  const result = g.JXJY_ENGINE.evaluate(bundle, ledger, null);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), evaluate(bundle, ledger, null));
  if (sample.key === "demo/2020") assert.equal(result.periods["2019-2020"].items.weike.credited, "2");
});

test("a bundle of another major format version is refused", () => {
  const demo = readJSON(path.join(dir, sample.url));
  assert.throws(() => evaluate({ ...demo, format_version: "3.0" }, { entries: [] }), /not supported/);
  assert.throws(() => evaluate({ ...demo, format_version: "1.0" }, { entries: [] }), /not supported/);
  assert.doesNotThrow(() => evaluate({ ...demo, format_version: "2.7", a_future_member: {} }, { entries: [] }));
  assert.throws(() => evaluate({ format: "something-else" }, { entries: [] }), /not a jxjy rule bundle/);
});
