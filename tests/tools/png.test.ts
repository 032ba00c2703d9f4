import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPng, writePng } from '../../scripts/png.js';

// Pixel sums and corner samples read with skimage.io.imread (Debian python3-skimage 0.19).
const SKIMAGE = {
  astronaut: { shape: [512, 512, 3], sum: 90124324, first: [154, 147], last: 0 },
  chelsea: { shape: [300, 451, 3], sum: 46802357, first: [143, 120], last: 128 },
  coffee: { shape: [400, 600, 3], sum: 71003487, first: [21, 13], last: 29 },
};

describe('scripts/png', () => {
  for (const [name, ref] of Object.entries(SKIMAGE)) {
    it(`decodes data/images/${name}.png as skimage does and round-trips it`, () => {
      const im = readPng(join('data', 'images', `${name}.png`));
      expect([im.height, im.width, im.channels]).toEqual(ref.shape);
      expect(im.data.reduce((a, b) => a + b, 0)).toBe(ref.sum);
      expect([im.data[0], im.data[1]]).toEqual(ref.first);
      expect(im.data[im.data.length - 1]).toBe(ref.last);
      const dir = mkdtempSync(join(tmpdir(), 'gc-png-'));
      writePng(join(dir, 'x.png'), im);
      expect(Buffer.from(readPng(join(dir, 'x.png')).data).equals(Buffer.from(im.data))).toBe(true);
      rmSync(dir, { recursive: true });
    });
  }
});
