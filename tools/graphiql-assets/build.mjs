// Build the GraphiQL assets graphcdp serves from its own package, so the IDE works without internet.
//
// Usage (from the repository root; needs the npm registry once):
//   npm ci --prefix tools/graphiql-assets --ignore-scripts --no-audit --no-fund
//   node tools/graphiql-assets/build.mjs
//
// Writes graphcdp/api/static/graphiql/: the browser (UMD) builds of the versions pinned in package.json,
// the licence of each, THIRD-PARTY-LICENSES.txt for what the GraphiQL bundle carries inside it, and
// VERSIONS.json. graphiql 3.8.3 publishes its "min" bundle unminified (a webpack development build of
// 3.5 MB), so it and its stylesheet are minified here with esbuild; the React builds are the
// packages' own production ones.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const out = resolve(here, '..', '..', 'graphcdp', 'api', 'static', 'graphiql');

const pkg = (name) => JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
const read = (name, file) => readFileSync(join(modules, name, file), 'utf8');

async function minify(code, loader) {
  const result = await transform(code, { loader, minify: true, legalComments: 'none', target: 'es2020' });
  return result.code;
}

// Assets: [file written, package, how to make it].
const assets = [
  ['react.production.min.js', 'react', async () => read('react', 'umd/react.production.min.js')],
  ['react-dom.production.min.js', 'react-dom', async () => read('react-dom', 'umd/react-dom.production.min.js')],
  ['graphiql.min.js', 'graphiql', async () => minify(read('graphiql', 'graphiql.min.js'), 'js')],
  ['graphiql.min.css', 'graphiql', async () => minify(read('graphiql', 'graphiql.min.css'), 'css')],
  ['plugin-explorer.umd.js', '@graphiql/plugin-explorer', async () => read('@graphiql/plugin-explorer', 'dist/index.umd.js')],
  ['plugin-explorer.css', '@graphiql/plugin-explorer', async () => read('@graphiql/plugin-explorer', 'dist/style.css')],
];

const LICENCE_NAMES = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE', 'license', 'license.md'];

function licenceText(dir) {
  const name = LICENCE_NAMES.find((candidate) => existsSync(join(dir, candidate)));
  return name ? readFileSync(join(dir, name), 'utf8').trim() : null;
}

// Every installed copy of `name` in the tree (nested node_modules included), shallowest first.
function findPackageDirs(name, root = modules, depth = 0) {
  const found = [];
  if (existsSync(join(root, name, 'package.json'))) found.push(join(root, name));
  if (depth > 4) return found;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const scoped = entry.name.startsWith('@')
      ? readdirSync(join(root, entry.name)).map((n) => join(root, entry.name, n))
      : [join(root, entry.name)];
    for (const dir of scoped) {
      const nested = join(dir, 'node_modules');
      if (existsSync(nested)) found.push(...findPackageDirs(name, nested, depth + 1));
    }
  }
  return found;
}

// The third-party packages webpack put inside graphiql's bundle, read from its module ids
// ("../../../node_modules/<package>/..."), plus graphiql-explorer inside the explorer plugin.
function bundledPackages() {
  const bundle = read('graphiql', 'graphiql.min.js');
  const names = new Set(['graphiql-explorer']);
  for (const [, name] of bundle.matchAll(/^\/\*\*\*\/ "[^"]*?node_modules\/((?:@[^/"]+\/)?[^/"]+)\//gm)) {
    names.add(name);
  }
  return [...names].sort();
}

function thirdPartyLicences() {
  const sections = [];
  for (const name of bundledPackages()) {
    const dir = findPackageDirs(name)[0];
    if (!dir) throw new Error(`${name} is bundled by graphiql but not installed: cannot copy its licence`);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const text = licenceText(dir) ?? `(the npm package ships no licence file; its package.json says "${meta.license}")`;
    sections.push(`${name} (${meta.license}; licence read from version ${meta.version})\n\n${text}\n`);
  }
  const header =
    'Third-party code inside graphiql.min.js and plugin-explorer.umd.js (bundled by their authors).\n' +
    'GraphiQL\'s own packages (@graphiql/react, @graphiql/toolkit, codemirror-graphql,\n' +
    'graphql-language-service) are under LICENSE.graphiql.\n';
  return [header, ...sections].join('\n' + '-'.repeat(72) + '\n\n');
}

// Start from an empty folder but for its README (written by hand).
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(out)) {
  if (entry !== 'README.md') rmSync(join(out, entry), { recursive: true, force: true });
}

const versions = {};
for (const [file, name, make] of assets) {
  writeFileSync(join(out, file), await make());
  versions[name] = pkg(name).version;
}
// @graphiql/plugin-explorer ships no licence file; it is published from the graphiql repository, under its licence.
for (const name of ['react', 'react-dom', 'graphiql']) {
  writeFileSync(join(out, `LICENSE.${name}`), licenceText(join(modules, name)) + '\n');
}
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicences());
writeFileSync(join(out, 'VERSIONS.json'), JSON.stringify(versions, null, 2) + '\n');
process.stdout.write(`wrote ${out}\n${JSON.stringify(versions)}\n`);
