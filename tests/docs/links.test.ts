/**
 * The links users follow: every relative link of README.md, CHANGELOG.md and docs/*.md reaches a file of the
 * repository (and a heading of it, for `#anchors`), and README's "Documentation" list names every guide. npm
 * rewrites README's relative links against package.json's `repository`, so relative links are the ones that work
 * on both GitHub and npm.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownFiles, ROOT } from './extract.js';

const files = [...markdownFiles(), join(ROOT, 'CHANGELOG.md')];

/** The markdown of `file` without its fenced code blocks (links in code are not links). */
function prose(file: string): string {
  return readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** Targets of `[text](target)` links (inline, not images). */
function links(file: string): string[] {
  return [...prose(file).matchAll(/(?<!!)\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  return new Set([...prose(file).matchAll(/^#{1,6} +(.+)$/gm)].map((m) => slug(m[1] as string)));
}

describe('links', () => {
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s: relative links reach a file and heading', (_, file) => {
    const broken: string[] = [];
    for (const target of links(file)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [path = '', anchor] = target.split('#');
      const dest = path === '' ? file : join(dirname(file), path);
      if (path.startsWith('/')) broken.push(`${target}: absolute paths break on npm; use a relative link`);
      else if (!existsSync(dest)) broken.push(`${target}: no file ${relative(ROOT, dest)}`);
      else if (anchor != null && dest.endsWith('.md') && !anchors(dest).has(anchor))
        broken.push(`${target}: no heading '#${anchor}' in ${relative(ROOT, dest)}`);
    }
    expect(broken).toEqual([]);
  });

  it("README's Documentation list links every guide in docs/", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = /^## Documentation\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    const listed = new Set([...section.matchAll(/\]\((docs\/[^)#]+\.md)\)/g)].map((m) => m[1]));
    const guides = markdownFiles()
      .filter((f) => f.includes(`${join(ROOT, 'docs')}`))
      .map((f) => relative(ROOT, f));
    expect(guides.filter((g) => !listed.has(g))).toEqual([]);
  });
});
