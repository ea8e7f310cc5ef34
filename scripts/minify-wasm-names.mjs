// Renames the release module's imports and exports to one or two letters, in the module
// and in its JS glue together. wasm-bindgen names each import after the JS it calls plus
// a 16-hex hash (`__wbg_close_4bd57476d5bfe485`), each export after the Rust item
// (`peer_sendMessage`), and a page downloads every name twice: in the module and in the
// glue. Binaryen's pass renames them in the module and prints the map; this applies the
// map to the glue and to the types of the module's exports.
//
// Usage: node scripts/minify-wasm-names.mjs PKG_DIR WASM_OPT_FEATURE_FLAGS...
// (after `wasm-pack build --target web`, before the glue is minified). It stops with an
// error when the glue is not shaped as expected, rather than writing a broken package.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const [dir, ...features] = process.argv.slice(2);
const wasmPath = `${dir}/peer_wasm_bg.wasm`;
const map = JSON.parse(
  execFileSync(
    "wasm-opt",
    [...features, "--minify-imports-and-exports-and-modules", wasmPath, "-o", wasmPath],
    { encoding: "utf8" },
  ),
);
// Every import now comes from one module (the pass names it); the map keeps the old ones.
const modules = new Set(
  WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath))).map((i) => i.module),
);

const escape = (name) => name.replace(/[$]/g, "\\$");
const fail = (why) => {
  throw new Error(`minify-wasm-names: ${why} (has wasm-bindgen's glue changed shape?)`);
};
if (modules.size !== 1) fail(`the module imports from ${modules.size} modules, not one`);
const [importModule] = modules;

let glue = readFileSync(`${dir}/peer_wasm.js`, "utf8");

// The imports object lists each module the glue gives the instance, one per line:
// `        "./peer_wasm_bg.js": import0,` (the glue's own functions, one property each:
// `        __wbg_close_4bd57476d5bfe485: function(arg0) {`), then
// `        "./snippets/.../inline1.js": import1,` (an inline-JS snippet's namespace, once per
// import of it). They become one module of short names: the glue's own object renamed,
// and the snippets' functions added to it.
const entry = /\n(\s+)"(\.\/[^"]+)": (import\d+),/g;
const namespaces = new Map([...glue.matchAll(entry)].map(([, , module, name]) => [module, name]));
const own = namespaces.get("./peer_wasm_bg.js") ?? fail("no entry for ./peer_wasm_bg.js");
const fromSnippets = [];
for (const [module, name, short] of map.imports) {
  if (module === "./peer_wasm_bg.js") {
    const property = new RegExp(`(\\n\\s+)${escape(name)}(: function\\()`, "g");
    const found = glue.match(property)?.length ?? 0;
    if (found !== 1) fail(`import ${name} is defined ${found} times in the glue`);
    glue = glue.replace(property, (_, before, after) => before + short + after);
  } else {
    const namespace = namespaces.get(module) ?? fail(`no entry for ${module}`);
    fromSnippets.push(`${short}: ${namespace}.${name}`);
  }
}
let first = true;
glue = glue.replace(entry, (_, indent) => {
  const all = [`...${own}`, ...fromSnippets].join(", ");
  const replacement = first ? `\n${indent}"${importModule}": { ${all} },` : "";
  first = false;
  return replacement;
});

// Exports are read as `wasm.NAME` only (`wasm` is the instance's exports).
const types = [`${dir}/peer_wasm.d.ts`, `${dir}/peer_wasm_bg.wasm.d.ts`].map((path) => [
  path,
  readFileSync(path, "utf8"),
]);
for (const [name, short] of map.exports) {
  const use = new RegExp(`(?<![\\w$.])wasm\\.${escape(name)}(?![\\w$])`, "g");
  glue = glue.replace(use, () => `wasm.${short}`);
  for (const file of types) {
    file[1] = file[1].replace(
      new RegExp(`^(\\s*(?:readonly|export const) )${escape(name)}:`, "m"),
      (_, before) => `${before}${short}:`,
    );
  }
}
const leftover = glue.match(/(?<![\w$.])wasm\.([A-Za-z_][\w$]{3,})/);
if (leftover) fail(`the glue reads export ${leftover[1]}, which the module no longer has`);

writeFileSync(`${dir}/peer_wasm.js`, glue);
for (const [path, text] of types) writeFileSync(path, text);
const count = map.imports.length + map.exports.length;
console.log(`[build] ${count} import and export names shortened in the module and its glue`);
