/**
 * Fails when an exported function, class or constant has no `@example` in its TSDoc.
 * Reads the JSON model typedoc writes next to the HTML (docs/api/api.json).
 */
import { readFileSync } from 'node:fs';

interface Reflection {
  name: string;
  kind: number;
  comment?: { blockTags?: { tag: string }[] };
  signatures?: Reflection[];
  children?: Reflection[];
}

// typedoc ReflectionKind values
const FUNCTION = 64;
const CLASS = 128;
const VARIABLE = 32;
const NEEDS_EXAMPLE = new Set([FUNCTION, CLASS, VARIABLE]);

const MODULE = 2;

const project = JSON.parse(readFileSync('docs/api/api.json', 'utf8')) as Reflection;
// With @packageDocumentation the entry point is a module reflection holding the exports.
const exported = (project.children ?? []).flatMap((r) => (r.kind === MODULE ? (r.children ?? []) : [r]));
const hasExample = (r: Reflection): boolean =>
  [r, ...(r.signatures ?? [])].some((x) => x.comment?.blockTags?.some((t) => t.tag === '@example') ?? false);
const missing = exported.filter((r) => NEEDS_EXAMPLE.has(r.kind) && !hasExample(r)).map((r) => r.name);
if (missing.length > 0) {
  console.error(`These exports have no @example in their TSDoc:\n  ${missing.sort().join('\n  ')}`);
  process.exit(1);
}
console.log(
  `doc examples: all ${exported.filter((r) => NEEDS_EXAMPLE.has(r.kind)).length} exported functions, classes and constants have one`,
);
