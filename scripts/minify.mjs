// Minify the calculator's scripts with terser: called by generator/minify.py during `jxjy build`.
//
//   node scripts/minify.mjs < {"files": {"app.js": "<source>", ...}}  > {"app.js": {"code", "map"}, ...}
//
// One node process for every file. Property names are never mangled (the page reads bundle members
// by name); comments are dropped; the source map embeds the readable source.
import { minify } from "terser";

const OPTIONS = {
  ecma: 2020,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false, ascii_only: false },
};

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const { files } = JSON.parse(input);
const out = {};
for (const [name, source] of Object.entries(files)) {
  const result = await minify({ [`source/${name}`]: source }, {
    ...OPTIONS,
    sourceMap: { url: `${name}.map`, filename: name, includeSources: true },
  });
  out[name] = { code: result.code, map: result.map };
}
process.stdout.write(JSON.stringify(out));
