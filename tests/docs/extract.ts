/**
 * Code that the docs show users, extracted so that tests can run and type-check it: every ```ts block of README.md
 * and docs/*.md, and every TSDoc `@example` of src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export const ROOT = join(import.meta.dirname, '..', '..');

/** One code sample: where it is shown, and its source. */
export interface CodeSample {
  /** `docs/subnets.md#2` or `src/nas/extract_subnet.ts:extractSubnet`. */
  label: string;
  file: string;
  /** 1-based line of the fence or the `@example` tag. */
  line: number;
  code: string;
}

/** The markdown files whose TypeScript blocks are runnable documentation. */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(ROOT, 'docs', f));
  return [join(ROOT, 'README.md'), ...docs];
}

/** Every ```ts / ```typescript block of a markdown file. */
export function markdownBlocks(file: string): CodeSample[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: CodeSample[] = [];
  let start = -1;
  let body: string[] = [];
  lines.forEach((line, i) => {
    if (start < 0 && /^```(ts|typescript)\s*$/.test(line)) {
      start = i;
      body = [];
    } else if (start >= 0 && /^```\s*$/.test(line)) {
      out.push({ label: `${relative(ROOT, file)}#${out.length + 1}`, file, line: start + 1, code: body.join('\n') });
      start = -1;
    } else if (start >= 0) body.push(line);
  });
  return out;
}

/** Every `@example` of a TSDoc comment in `file`, labelled with the declaration it documents. */
export function tsdocExamples(file: string): CodeSample[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: CodeSample[] = [];
  const visit = (node: ts.Node): void => {
    for (const doc of ts.getJSDocCommentsAndTags(node)) {
      if (!ts.isJSDoc(doc)) continue;
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== 'example') continue;
        const comment = ts.getTextOfJSDocComment(tag.comment) ?? '';
        const code = /```(?:ts|typescript)?\n([\s\S]*?)```/.exec(comment)?.[1];
        if (code == null) continue;
        const name = declarationName(node);
        out.push({
          label: `${relative(ROOT, file)}:${name}`,
          file,
          line: sf.getLineAndCharacterOfPosition(tag.getStart(sf)).line + 1,
          code,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function declarationName(node: ts.Node): string {
  const names: string[] = [];
  for (let n: ts.Node | undefined = node; n != null; n = n.parent) {
    const name = (n as ts.Node & { name?: ts.Node }).name;
    if (name != null && (ts.isIdentifier(name) || ts.isStringLiteral(name))) names.unshift(name.text);
  }
  return names.join('.') || '(file)';
}

/** Every .ts file under src/. */
export function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    )
    .sort();
}
