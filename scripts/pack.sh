#!/usr/bin/env bash
# Builds the release WASM package and packs it for npm: target/npm/peer-wasm-VERSION.tgz
# (its path is the last line printed). The files come from scripts/build-release-pkg.sh;
# package.json, the README, the entry point (index.js, index.d.ts) from npm/; the version
# from peer-wasm's Cargo.toml, so the crate and the npm package never disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
package_dir=target/npm/package
rm -rf "$package_dir"
bash scripts/build-release-pkg.sh "$package_dir"

# wasm-pack wrote a package.json and a README of its own: ours replace them.
version="$(node -p 'require(process.argv[1]).version' "$PWD/$package_dir/package.json")"
node -e '
  const [template, out, version] = process.argv.slice(1);
  const pkg = require(template);
  pkg.version = version;
  require("fs").writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");
' "$PWD/npm/package.json" "$package_dir/package.json" "$version"
cp npm/README.md npm/index.js npm/index.d.ts LICENSE-MIT LICENSE-APACHE "$package_dir/"
rm -f "$package_dir/.gitignore"

# Bundlers find the .wasm through this very expression in the glue (minified or not):
# without it they would not copy the file, and pages would fail at their first join.
grep -q 'new URL("peer_wasm_bg.wasm",import.meta.url)' "$package_dir/peer_wasm.js" || {
  echo "[pack] peer_wasm.js no longer says new URL(\"peer_wasm_bg.wasm\", import.meta.url)" >&2
  exit 1
}

# Every file package.json lists must be there (npm pack would leave a missing one out
# without a word).
for file in $(node -p 'require(process.argv[1]).files.join(" ")' "$PWD/$package_dir/package.json"); do
  [ -e "$package_dir/$file" ] || { echo "[pack] $file is listed in package.json but missing" >&2; exit 1; }
done

tarball="$(cd "$package_dir" && npm pack --silent --pack-destination ..)"
echo "[pack] $(du -k "target/npm/$tarball" | cut -f1) KB; install it with: npm install $PWD/target/npm/$tarball"
echo "$PWD/target/npm/$tarball"
