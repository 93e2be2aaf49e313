// Shared by the node tests: the bundles to test, built once per process into a temporary folder.
//
// JXJY_BUNDLE_DIR=<dir>  use bundles written already (e.g. site/bundles after `jxjy build`);
// otherwise run `python -m generator bundle --skip-invalid <tmp> policies tests/fixtures/policies`
// with JXJY_PYTHON, else .venv/bin/python, else python3.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function python() {
  if (process.env.JXJY_PYTHON) return process.env.JXJY_PYTHON;
  const venv = path.join(ROOT, ".venv", "bin", "python");
  return fs.existsSync(venv) ? venv : "python3";
}

let built = null;

export function bundleDir() {
  if (process.env.JXJY_BUNDLE_DIR) return path.resolve(process.env.JXJY_BUNDLE_DIR);
  if (built) return built;
  built = fs.mkdtempSync(path.join(os.tmpdir(), "jxjy-bundles-"));
  process.on("exit", () => fs.rmSync(built, { recursive: true, force: true }));
  execFileSync(python(), ["-m", "generator", "bundle", "--skip-invalid", built, "policies", "tests/fixtures/policies"],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  return built;
}

export function readJSON(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Every <policy>/<edition>.tests.json under the bundle folder. */
export function testsFiles(dir) {
  const out = [];
  for (const policy of fs.readdirSync(dir).sort()) {
    const folder = path.join(dir, policy);
    if (!fs.statSync(folder).isDirectory()) continue;
    for (const f of fs.readdirSync(folder).sort()) if (f.endsWith(".tests.json")) out.push(path.join(folder, f));
  }
  return out;
}
