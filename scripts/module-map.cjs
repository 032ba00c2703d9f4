/**
 * The module list of docs/architecture.md, parsed: `[{ name, imports }]` in dependency order. Read by
 * .dependency-cruiser.cjs (the rules CI enforces) and by tests/tools/architecture.test.ts, so that the map users read
 * and the rules are one list. Throws when a module lists an import that is not above it.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

function readModuleMap(file = join(__dirname, '..', 'docs', 'architecture.md')) {
  const doc = readFileSync(file, 'utf8');
  const block = doc.split('<!-- modules:begin -->')[1]?.split('<!-- modules:end -->')[0];
  if (block == null) throw new Error(`${file}: no <!-- modules:begin --> ... <!-- modules:end --> block`);
  const modules = [];
  for (const entry of block.split(/\n(?=\d+\. )/)) {
    const text = entry.replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    const name = /^\d+\. `([^`]+)`/.exec(text)?.[1];
    const imports = /Imports: ([^.]*)\./.exec(text)?.[1];
    if (name == null || imports == null) throw new Error(`${file}: cannot read the module entry "${text}"`);
    const list = imports.trim() === 'nothing' ? [] : imports.split(',').map((s) => s.trim());
    for (const dep of list) {
      if (!modules.some((m) => m.name === dep)) {
        throw new Error(`${file}: module '${name}' imports '${dep}', which is not listed above it`);
      }
    }
    modules.push({ name, imports: list });
  }
  return modules;
}

module.exports = { readModuleMap };
