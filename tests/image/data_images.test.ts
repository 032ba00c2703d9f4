import { readdirSync, readFileSync, statSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../data/images/', import.meta.url);
const photos = readdirSync(dir)
  .filter((f) => f.endsWith('.png'))
  .map((f) => f.slice(0, -'.png'.length))
  .sort();
const split = JSON.parse(readFileSync(new URL('split.json', dir), 'utf8')) as Record<string, string[]>;
const licences = readFileSync(new URL('LICENSES.md', dir), 'utf8');

describe('data/images', () => {
  it('holds at least 13 photos, 8-bit RGB, at least 256 pixels a side, under 8 MB together', () => {
    expect(photos.length).toBeGreaterThanOrEqual(13);
    let bytes = 0;
    for (const name of photos) {
      const file = new URL(`${name}.png`, dir);
      bytes += statSync(file).size;
      const png = PNG.sync.read(readFileSync(file));
      expect(Math.min(png.width, png.height), name).toBeGreaterThanOrEqual(256);
      // colour type 2: truecolour without alpha, 8 bits a sample
      expect([png.colorType, png.depth], name).toEqual([2, 8]);
    }
    expect(bytes).toBeLessThan(8 * 2 ** 20);
  });

  it('names every photo once in split.json (test, validation, train) and nothing else', () => {
    expect(Object.keys(split).sort()).toEqual(['test', 'train', 'validation']);
    const listed = Object.values(split).flat();
    expect([...listed].sort()).toEqual(photos);
    expect(new Set(listed).size).toBe(listed.length);
    expect(split['test']).toEqual(expect.arrayContaining(['astronaut', 'coffee']));
  });

  it('gives every photo a row with its source package and licence in LICENSES.md', () => {
    for (const name of photos) {
      const row = licences.split('\n').find((line) => line.startsWith(`| ${name}.png |`));
      expect(row, name).toBeDefined();
      const cells = (row as string).split('|').map((c) => c.trim());
      // | file | size | package | original | author | licence |
      expect(cells.length, name).toBe(8);
      for (const cell of cells.slice(1, 7)) expect(cell.length, name).toBeGreaterThan(0);
      expect(cells[6], name).toMatch(/public domain|CC0|CC BY|CC-BY/);
    }
  });
});
