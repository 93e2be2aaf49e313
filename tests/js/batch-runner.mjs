// Evaluate many ledgers in one node process (used by tests/test_differential.py and benchmarks).
//
//   node tests/js/batch-runner.mjs BUNDLE_DIR < cases.json > results.json
//
// stdin: a JSON array of {"bundle_key": "<policy>/<edition>", "ledger": {...}, "as_of": "YYYY-MM-DD" | null}
// stdout: a JSON array, one element per case: the result document, or {"__error__": "message"} when the
// engine threw. Bundles are read from BUNDLE_DIR/<policy>/<edition>.json (the bytes the site serves).
import fs from "node:fs";
import path from "node:path";
import { evaluate } from "../../calculator/engine.mjs";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node tests/js/batch-runner.mjs BUNDLE_DIR < cases.json\n");
  process.exit(2);
}
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const bundles = new Map();
function bundle(key) {
  if (!bundles.has(key)) bundles.set(key, JSON.parse(fs.readFileSync(path.join(dir, `${key}.json`), "utf8")));
  return bundles.get(key);
}
const out = cases.map((c) => {
  try {
    return evaluate(bundle(c.bundle_key), c.ledger, c.as_of ?? null);
  } catch (err) {
    return { __error__: String(err && err.stack ? err.stack : err) };
  }
});
process.stdout.write(JSON.stringify(out));
