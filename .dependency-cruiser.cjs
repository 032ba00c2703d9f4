/**
 * dependency-cruiser rules generated from the module list in docs/architecture.md (scripts/module-map.cjs): a file
 * of module M may import its own module's files and the index.ts of the modules M lists under "Imports:" (each
 * listed above M, so the order is acyclic by construction).
 */
const { readModuleMap } = require('./scripts/module-map.cjs');

const modules = readModuleMap();
const esc = (s) => s.replace(/[/.]/g, (c) => `\\${c}`);
const dir = (name) => `^src/${esc(name)}/`;
const index = (name) => `^src/${esc(name)}/index\\.ts$`;

const forbidden = [
  { name: 'no-circular', severity: 'error', comment: 'Files form a DAG.', from: {}, to: { circular: true } },
  {
    name: 'no-orphans',
    severity: 'error',
    comment: 'Every source file is reachable from an index.',
    from: { orphan: true, path: '^src/' },
    to: {},
  },
  {
    name: 'no-import-of-root-index',
    severity: 'error',
    comment: 'src/index.ts is the public API: modules import each other, never the root.',
    from: { path: '^src/' },
    to: { path: '^src/index\\.ts$' },
  },
  {
    name: 'file-outside-modules',
    severity: 'error',
    comment: 'Every source file belongs to a module of docs/architecture.md.',
    from: { path: '^src/', pathNot: ['^src/index\\.ts$', ...modules.map((m) => dir(m.name))] },
    to: {},
  },
];

for (const m of modules) {
  forbidden.push({
    name: `order:${m.name}`,
    severity: 'error',
    comment: `${m.name} may import only ${m.imports.length > 0 ? m.imports.join(', ') : 'nothing'} (docs/architecture.md).`,
    from: { path: dir(m.name) },
    to: { path: '^src/', pathNot: [dir(m.name), ...m.imports.map(dir)] },
  });
  forbidden.push({
    name: `index-only:${m.name}`,
    severity: 'error',
    comment: `Other modules use ${m.name} through src/${m.name}/index.ts only.`,
    from: { path: '^src/', pathNot: [dir(m.name), '^src/index\\.ts$'] },
    to: { path: dir(m.name), pathNot: [index(m.name)] },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^src/',
  },
};
