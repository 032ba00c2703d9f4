/**
 * What `npm run docs` promises beyond typedoc's own validation, read from the JSON model typedoc writes next to the
 * HTML (docs/api/api.json):
 *
 * - every exported function, class and constant has an `@example` that uses it by name; every exported interface
 *   and type alias is used by one of them (or has its own example); and every `@example` of src/ type-checks (the
 *   check of tests/docs/examples.test.ts, run here too so that the docs command stands alone);
 * - the API is grouped by module in the order of docs/architecture.md (scripts/typedoc-modules.mjs does the
 *   grouping): each export in exactly one module's group, each group with the module's description.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sourceFiles, tsdocExamples } from '../tests/docs/extract.js';
import { typecheckSamples } from '../tests/docs/typecheck.js';

interface Reflection {
  id: number;
  name: string;
  kind: number;
  comment?: { blockTags?: { tag: string; content: { text: string }[] }[] };
  signatures?: Reflection[];
  children?: Reflection[];
  groups?: { title: string; children?: number[]; description?: { text: string }[] }[];
}

// typedoc ReflectionKind values
const MODULE = 2;
const VARIABLE = 32;
const FUNCTION = 64;
const CLASS = 128;
const DOCUMENT = 0x800000;
const NEEDS_EXAMPLE = new Set([FUNCTION, CLASS, VARIABLE]);

const require = createRequire(import.meta.url);
const { readModuleMap } = require('./module-map.cjs') as { readModuleMap: () => { name: string }[] };

const problems: string[] = [];
const project = JSON.parse(readFileSync('docs/api/api.json', 'utf8')) as Reflection;
// The exports are the project's children, or a module's when typedoc made one for the entry point.
const container =
  project.children?.length === 1 && project.children[0]?.kind === MODULE ? project.children[0] : project;
const exported = (container.children ?? []).filter((r) => r.kind !== DOCUMENT);

// 1. Examples, by name.
const examples = (r: Reflection): string[] =>
  [r, ...(r.signatures ?? [])].flatMap((x) =>
    (x.comment?.blockTags ?? []).filter((t) => t.tag === '@example').map((t) => t.content.map((c) => c.text).join('')),
  );
const needing = exported.filter((r) => NEEDS_EXAMPLE.has(r.kind));
const missing = needing.filter((r) => examples(r).length === 0).map((r) => r.name);
if (missing.length > 0)
  problems.push(`These exports have no @example in their TSDoc:\n  ${missing.sort().join('\n  ')}`);
const unnamed = needing
  .filter((r) => examples(r).length > 0 && !examples(r).some((e) => new RegExp(`\\b${r.name}\\b`).test(e)))
  .map((r) => r.name);
if (unnamed.length > 0)
  problems.push(`The @example of these exports never uses the export itself:\n  ${unnamed.sort().join('\n  ')}`);

// Interfaces and type aliases need no example of their own when a documented value uses them: each must be
// reachable from a function, class or constant (through signatures, members and other types), have its own
// example, or be deprecated.
const byId = new Map(exported.map((r) => [r.id, r]));
const referenced = (node: unknown, out: Set<number>): Set<number> => {
  if (Array.isArray(node)) for (const n of node) referenced(n, out);
  else if (node != null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['type'] === 'reference' && typeof o['target'] === 'number') out.add(o['target']);
    for (const [key, value] of Object.entries(o)) if (key !== 'comment') referenced(value, out);
  }
  return out;
};
const reached = new Set<number>();
const queue = needing.map((r) => r.id);
for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
  if (reached.has(id)) continue;
  reached.add(id);
  for (const target of referenced(byId.get(id), new Set())) if (byId.has(target)) queue.push(target);
}
const deprecated = (r: Reflection): boolean => r.comment?.blockTags?.some((t) => t.tag === '@deprecated') ?? false;
const orphans = exported
  .filter((r) => !NEEDS_EXAMPLE.has(r.kind) && !reached.has(r.id) && examples(r).length === 0 && !deprecated(r))
  .map((r) => r.name);
if (orphans.length > 0)
  problems.push(
    `These types are used by no exported function, class or constant and have no @example of their own:\n  ${orphans
      .sort()
      .join('\n  ')}`,
  );

// 2. Every @example compiles.
const samples = sourceFiles()
  .flatMap(tsdocExamples)
  .map((sample) => ({ sample, kind: 'fragment' as const }));
const errors = typecheckSamples(samples, 'docs-examples-typecheck');
if (errors.length > 0) problems.push(`These @examples do not compile:\n${errors.join('\n')}`);

// 3. Grouped by module, in the architecture's order.
const modules = readModuleMap().map((m) => m.name);
const groups = (container.groups ?? []).filter((g) => g.title !== 'Documents');
const titles = groups.map((g) => g.title);
const expected = modules.filter((m) => titles.includes(m));
if (titles.join() !== expected.join())
  problems.push(
    `The API's groups are not the modules of docs/architecture.md in order (is scripts/typedoc-modules.mjs loaded?):\n` +
      `  got      ${titles.join(', ')}\n  expected ${expected.join(', ')}`,
  );
const undescribed = groups.filter(
  (g) =>
    (g.description ?? [])
      .map((p) => p.text)
      .join('')
      .trim() === '',
);
if (undescribed.length > 0)
  problems.push(
    `These modules' groups have no description (read from docs/architecture.md): ${undescribed.map((g) => g.title).join(', ')}`,
  );
const groupOf = new Map<number, string[]>();
for (const g of groups) for (const id of g.children ?? []) groupOf.set(id, [...(groupOf.get(id) ?? []), g.title]);
const ungrouped = exported.filter((r) => (groupOf.get(r.id) ?? []).length !== 1);
if (ungrouped.length > 0)
  problems.push(
    `These exports are not in exactly one module's group:\n  ${ungrouped
      .map((r) => `${r.name}: ${(groupOf.get(r.id) ?? ['none']).join(', ')}`)
      .join('\n  ')}`,
  );

if (problems.length > 0) {
  console.error(problems.join('\n\n'));
  process.exit(1);
}
console.log(
  `doc examples: all ${needing.length} exported functions, classes and constants have one that uses them, ` +
    `${exported.length - needing.length} types are used by them or have their own, ` +
    `all ${samples.length} @examples compile; ${exported.length} exports in ${groups.length} modules`,
);
