// Assembles the npm package and packs it (no dependencies but npm itself):
//   node pack.mjs VERSION JS_DIR NET_DIR NPM_SRC_DIR ROOT_PACKAGE_JSON OUT_DIR
// writes OUT_DIR/package/ (synack.mjs, synack.wasm, synack.d.ts and the
// lazily loaded TLS module synack-tls.mjs + synack-tls.wasm and the
// optional synack-ca-bundle.mjs from JS_DIR;
// net.mjs and net.d.ts from NET_DIR; README.md and package.json from
// NPM_SRC_DIR, the dependency ranges taken from the repository's
// package.json so the lockfile decides what the tests install) and
// OUT_DIR/synack-VERSION.tgz with `npm pack`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [version, jsDir, netDir, srcDir, rootPackage, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node pack.mjs VERSION JS_DIR NET_DIR NPM_SRC_DIR ROOT_PACKAGE_JSON OUT_DIR');
  process.exit(2);
}
const pkgDir = join(outDir, 'package');
rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(pkgDir, { recursive: true });
for (const f of ['synack.mjs', 'synack.wasm', 'synack.d.ts', 'synack-tls.mjs', 'synack-tls.wasm', 'synack-ca-bundle.mjs']) {
  copyFileSync(join(jsDir, f), join(pkgDir, f));
}
for (const f of ['net.mjs', 'net.d.ts']) copyFileSync(join(netDir, f), join(pkgDir, f));
copyFileSync(join(srcDir, 'README.md'), join(pkgDir, 'README.md'));

const deps = JSON.parse(readFileSync(rootPackage, 'utf8')).devDependencies ?? {};
let text = readFileSync(join(srcDir, 'package.json.in'), 'utf8').replaceAll('@VERSION@', version);
text = text.replace(/@DEP_([\w.-]+)@/g, (_, name) => {
  if (!deps[name]) throw new Error(`${rootPackage}: no devDependency ${name}`);
  return deps[name];
});
JSON.parse(text); /* fail here, not in npm, on a broken template */
writeFileSync(join(pkgDir, 'package.json'), text);

const tgz = `synack-${version}.tgz`;
rmSync(join(outDir, tgz), { force: true });
execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'inherit'] });
console.log(join(outDir, tgz));
