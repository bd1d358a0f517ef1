// Copy the npm packages the /explorer page uses into graphcdp's package, so it works without internet.
//
// Usage (from the repository root; needs the npm registry once):
//   npm ci --prefix tools/explorer-assets --ignore-scripts --no-audit --no-fund
//   node tools/explorer-assets/build.mjs
//
// Writes graphcdp/api/static/explorer/vendor/: Cytoscape.js's own minified ES module build, as .js so that any server types it as JavaScript (no build step
// of ours: the page's modules import it as it is), its licence and VERSIONS.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const out = resolve(here, '..', '..', 'graphcdp', 'api', 'static', 'explorer', 'vendor');

const assets = [
  // [file written, package, file in the package]
  ['cytoscape.esm.min.js', 'cytoscape', 'dist/cytoscape.esm.min.mjs'],
  ['LICENSE.cytoscape', 'cytoscape', 'LICENSE'],
];

mkdirSync(out, { recursive: true });
const versions = {};
for (const [file, name, source] of assets) {
  copyFileSync(join(modules, name, source), join(out, file));
  versions[name] = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')).version;
}
writeFileSync(join(out, 'VERSIONS.json'), `${JSON.stringify(versions, null, 2)}\n`);
console.log(`wrote ${assets.length} files and VERSIONS.json to ${out}`);
