// Prefill many form pages in one node process, as the pages do it (tests/test_differential.py).
//
//   node tests/js/forms-runner.mjs VIEW_DIR < cases.json > results.json
//
// stdin: a JSON array of {"bundle_key": "<policy>/<edition>", "spec": <the page's form spec>, "payload": <prefill
// payload>}; stdout: one {values, rows, period} per case (period: {id, label} or null), or {"__error__": …}.
// VIEW_DIR/<policy>/<edition>.json holds the bundle view the form pages load (their rules.js).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const E = require("../../calculator/engine.js");
const form = require("../../site_templates/forms/form.js");
const dir = process.argv[2];
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const bundles = new Map();
function bundle(key) {
  if (!bundles.has(key)) bundles.set(key, JSON.parse(fs.readFileSync(path.join(dir, `${key}.json`), "utf8")));
  return bundles.get(key);
}
const out = cases.map((c) => {
  try {
    const r = form.prefillValues(E, bundle(c.bundle_key), c.spec, c.payload);
    return { values: r.values, rows: r.rows, period: r.period ? { id: r.period.id, label: r.period.label } : null };
  } catch (err) {
    return { __error__: String(err && err.stack ? err.stack : err) };
  }
});
process.stdout.write(JSON.stringify(out));
