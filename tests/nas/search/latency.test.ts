import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  getSubnet,
  latencyCost,
  ModelFileError,
  resnetConfigFromString,
  SearchSpace,
  SuperMobileResnetGenerator,
  type LatencyTableFile,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';

/** A 3-block ResNet supernet (ngf 8) and GAN Compression's string space with two values per position. */
function setup(): { model: ReturnType<typeof SuperMobileResnetGenerator>; space: SearchSpace } {
  const model = SuperMobileResnetGenerator({ ngf: 8, nBlocks: 3 });
  const codec = (s: string) => resnetConfigFromString(s, { nBlocks: 3 });
  const space = SearchSpace.fromConfigStrings(Array(8).fill([8, 4]), codec, { model });
  return { model, space };
}

const FAST = { runs: 1, warmup: 0, checks: 1, device: 'test device' };

describeBackends('latencyCost', (backend) => {
  it('measures each distinct layer call once: identical layers share entries', async () => {
    const { model, space } = setup();
    const before = tf.memory().numTensors;
    const cost = await latencyCost(model, [1, 16, 16, 3], { space, ...FAST });
    expect(tf.memory().numTensors).toBe(before);
    expect(cost.table.backend).toBe(backend);
    const keys = Object.keys(cost.table.entries);
    expect(cost.measured).toBe(keys.length);
    // Every block conv (conv1: 4·c2 → 4·c_h, conv2: 4·c_h → 4·c2, both SeparableConv2d(32→32) at 4×4)
    // runs at an input width of 16 or 32 and an output width of 16 or 32: four entries for all six convs.
    expect(keys.filter((k) => k.startsWith('ElasticSeparableConv2d#')).length).toBe(4);
    // The stem conv (7×7, 3 → c0 ∈ {4, 8}) has two.
    expect(keys.filter((k) => k.startsWith('OnceForAllConv#') && k.includes('[[1,22,22,3]]')).length).toBe(2);
    for (const e of Object.values(cost.table.entries)) {
      expect(e.runs).toBe(1);
      expect(e.medianMs).toBeGreaterThanOrEqual(0);
    }
    expect(getSubnet(model)).toEqual(space.decode(space.largest()));
    model.dispose();
  });

  it('predicts a sum of table entries (checked with a doctored table) and checks it against whole runs', async () => {
    const { model, space } = setup();
    const first = await latencyCost(model, [1, 16, 16, 3], { space, ...FAST, checks: 2 });
    expect(first.checks.map((c) => c.values)).toEqual(
      expect.arrayContaining([space.values(space.smallest()), space.values(space.largest())]),
    );
    expect(first.checks.length).toBe(4);
    // Calibrated: one factor, the median ratio measured / summed over the four checks.
    const ratios = first.checks.map((c) => c.measuredMs / c.sumMs).sort((a, b) => a - b);
    expect(first.scale).toBeCloseTo(((ratios[1] as number) + (ratios[2] as number)) / 2, 12);
    for (const c of first.checks) {
      expect(c.predictedMs).toBeCloseTo(first.scale * c.sumMs, 12);
      expect(c.predictedMs).toBe(first(space.decode(space.fromValues(c.values))));
      expect(c.measuredMs).toBeGreaterThan(0);
      expect(c.error).toBeCloseTo(c.predictedMs / c.measuredMs - 1, 12);
    }
    // Every entry 1 ms: any sub-network costs its number of layer calls (each layer is called once).
    const tables = first.toJSON();
    const doctor = (f: (key: string) => number): LatencyTableFile => {
      const t = structuredClone(tables);
      for (const table of Object.values(t.tables))
        for (const key of Object.keys(table.entries)) (table.entries[key] as { medianMs: number }).medianMs = f(key);
      return t;
    };
    const calls = model.layers.filter((l) => l.getClassName() !== 'InputLayer').length;
    const ones = await latencyCost(model, [1, 16, 16, 3], {
      space,
      ...FAST,
      calibrate: false,
      tables: doctor(() => 1),
    });
    expect(ones.measured).toBe(0);
    expect(ones.scale).toBe(1);
    const rngPoints = [space.smallest(), space.largest(), space.fromConfigString('8_4_8_4_4_8_4_8')];
    for (const p of rngPoints) expect(ones(space.decode(p))).toBe(calls);
    // Separable convs 1000 ms, the rest 0: six block convs whatever the widths.
    const sep = await latencyCost(model, [1, 16, 16, 3], {
      space,
      ...FAST,
      calibrate: false,
      tables: doctor((k) => (k.startsWith('ElasticSeparableConv2d#') ? 1000 : 0)),
    });
    for (const p of rngPoints) expect(sep(space.decode(p))).toBe(6000);
    expect(() => first({ ...space.decode(space.largest()), stem_conv: { outChannels: 6 } })).toThrow(
      /latencyCost predicts the sub-networks of its space only: config\.stem_conv\.outChannels: got 6/,
    );
    model.dispose();
  });

  it('caches tables in a JSON file keyed by backend, device and shapes, written atomically', async () => {
    const { model, space } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'latency-'));
    const cache = join(dir, 'latency.json');
    const a = await latencyCost(model, [1, 16, 16, 3], { space, ...FAST, cache });
    expect(a.measured).toBeGreaterThan(0);
    const again = await latencyCost(model, [1, 16, 16, 3], { space, ...FAST, cache });
    expect(again.measured).toBe(0);
    expect(again.table.entries).toEqual(a.table.entries);
    const other = await latencyCost(model, [1, 16, 16, 3], { space, ...FAST, cache, device: 'another device' });
    expect(other.measured).toBe(a.measured);
    const file = JSON.parse(readFileSync(cache, 'utf8')) as LatencyTableFile;
    expect(Object.keys(file.tables).sort()).toEqual([
      `${backend} | another device | [[1,16,16,3]]`,
      `${backend} | test device | [[1,16,16,3]]`,
    ]);
    expect(readdirSync(dir)).toEqual(['latency.json']); // no temporary file left behind
    writeFileSync(cache, '{"format":"gancompress.latency-tables","version":1,"tables":{"x":{"backend":"cpu"}}}');
    await expect(latencyCost(model, [1, 16, 16, 3], { space, ...FAST, cache })).rejects.toThrow(ModelFileError);
    writeFileSync(cache, '{"format":');
    await expect(latencyCost(model, [1, 16, 16, 3], { space, ...FAST, cache })).rejects.toThrow(
      new RegExp(`^${cache.replace(/[.\\/]/g, '\\$&')}: not JSON`),
    );
    model.dispose();
  });

  it('refuses bad options, naming them', async () => {
    const { model, space } = setup();
    const bad = (options: object, message: RegExp): Promise<void> =>
      expect(latencyCost(model, [1, 16, 16, 3], { space, ...options })).rejects.toThrow(message);
    await bad({ runs: 0 }, /^options\.runs: got 0/);
    await bad({ warmup: -1 }, /^options\.warmup: got -1/);
    await bad({ checks: 1.5 }, /^options\.checks: got 1\.5/);
    await bad({ calibrate: 'yes' }, /^options\.calibrate: got 'yes', expected true or false/);
    await bad({ device: '' }, /^options\.device: got ''/);
    await bad({ cache: 3 }, /^options\.cache: got 3/);
    await bad({ space: {} }, /^options\.space: got \{\}/);
    await bad({ run: 3 }, /^options\.run: got 3, expected no such option/);
    await bad({ tables: { format: 'x' } }, /^options\.tables: got .*format is 'x'/);
    model.dispose();
  });
});
