/**
 * SuperResidualUpscaler: untrained it is bicubic (both heads, inside the border); its MACs are the hand-derived sum of
 * its convs; its elastic layers, the trunk tie and the fixed tail width; an extracted sub-network equals the supernet
 * at that config before and after a save/load round trip; bad options are refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  countMacs,
  countParams,
  extractSubnet,
  fileSystem,
  getElasticLayers,
  maxSubnet,
  resizeBicubic,
  setSubnet,
  SuperResidualUpscaler,
  type SubnetConfig,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { randomizeWeights } from '../helpers/weights.js';
import { maxAbsDiff } from '../helpers/tensors.js';

const dir = mkdtempSync(join(tmpdir(), 'gancompress-upscaler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Hand-derived MACs per input pixel: 3×3 convs head, blocks, tail; the 5×5 skip conv (3 → 3·s²). */
function macsPerPixel(c: number, hidden: number[], scale: number): number {
  const out = 3 * scale * scale;
  return 9 * 3 * c + hidden.reduce((s, h) => s + 9 * c * h + 9 * h * c, 0) + 9 * c * out + 25 * 3 * out;
}

function config(c: number, hidden: number[]): SubnetConfig {
  const cfg: SubnetConfig = { head: { outChannels: c } };
  hidden.forEach((h, b) => {
    cfg[`block${b}_conv1`] = { outChannels: h };
    cfg[`block${b}_conv2`] = { outChannels: c };
  });
  return cfg;
}

describeBackends('SuperResidualUpscaler', () => {
  it('is bicubic up-sampling before training (pixel-shuffle and wavelet heads, scales 2 and 4)', () => {
    for (const head of ['pixelShuffle', 'wavelet'] as const) {
      for (const scale of [2, 4]) {
        const model = SuperResidualUpscaler({ head, scale, channels: 8, hidden: 8, blocks: 2, seed: 3 });
        const [y, ref] = tf.tidy(() => {
          const x = tf.randomUniform<tf.Rank.R4>([1, 12, 12, 3], 0, 1, 'float32', 5);
          const m = 3 * scale;
          const crop = (t: tf.Tensor): tf.Tensor =>
            tf.slice(t, [0, m, m, 0], [1, 12 * scale - 2 * m, 12 * scale - 2 * m, 3]);
          return [crop(model.predict(x) as tf.Tensor), crop(resizeBicubic(x, [12 * scale, 12 * scale]))];
        });
        expect(maxAbsDiff(y, ref), `${head} ×${scale}`).toBeLessThan(1e-5);
        tf.dispose([y, ref]);
        model.dispose();
      }
    }
  });

  it('counts the MACs of its convs at every config (hand-derived), and its parameters', () => {
    const model = SuperResidualUpscaler({ channels: 16, hidden: 24, blocks: 3 });
    expect(getElasticLayers(model).map((l) => l.name)).toEqual([
      'head',
      'block0_conv1',
      'block0_conv2',
      'block1_conv1',
      'block1_conv2',
      'block2_conv1',
      'block2_conv2',
      'tail',
    ]);
    expect(countMacs(model, [1, 10, 12, 3]).total).toBe(120 * macsPerPixel(16, [24, 24, 24], 4));
    const cfg = config(8, [16, 4, 24]);
    expect(countMacs(model, [1, 10, 12, 3], { subnet: cfg }).total).toBe(120 * macsPerPixel(8, [16, 4, 24], 4));
    // weights + biases of the 3×3 convs, the bias-free 5×5 skip
    const params = (27 + 1) * 16 + 3 * (9 * 16 * 24 + 24 + 9 * 24 * 16 + 16) + (9 * 16 + 1) * 48 + 25 * 3 * 48;
    expect(countParams(model)).toBe(params);
    model.dispose();
  });

  it('ties the trunk (head and every block output) and keeps the tail at 3·scale²', () => {
    const model = SuperResidualUpscaler({ channels: 16, hidden: 16, blocks: 2 });
    expect(() => setSubnet(model, { head: { outChannels: 8 } })).toThrow(/tied/);
    expect(() => setSubnet(model, { tail: { outChannels: 47 } })).toThrow(ConfigError);
    expect(maxSubnet(model)['tail']).toMatchObject({ outChannels: 48 });
    model.dispose();
  });

  it('exports a sub-network that computes what the supernet computes at that config, also after save/load', async () => {
    const model = SuperResidualUpscaler({ channels: 16, hidden: 16, blocks: 2, seed: 1 });
    randomizeWeights(model, 7, 0.2);
    const cfg = config(8, [12, 4]);
    const x = tf.randomUniform([2, 9, 7, 3], 0, 1, 'float32', 2);
    setSubnet(model, cfg);
    const expected = model.predict(x) as tf.Tensor;
    setSubnet(model, maxSubnet(model));
    const small = extractSubnet(model, cfg);
    expect(getElasticLayers(small)).toEqual([]);
    const y = small.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-5);
    await small.save(fileSystem(join(dir, 'small')));
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'small')));
    const z = loaded.predict(x) as tf.Tensor;
    expect(maxAbsDiff(z, expected)).toBe(0 + maxAbsDiff(z, y));
    expect(maxAbsDiff(z, y)).toBe(0);
    tf.dispose([x, expected, y, z]);
    [model, small, loaded].forEach((m) => m.dispose());
  });

  it('refuses options it cannot build, naming them', () => {
    expect(() => SuperResidualUpscaler({ scale: 3 })).toThrow(/options\.scale: got 3/);
    expect(() => SuperResidualUpscaler({ channels: 0 })).toThrow(/options\.channels/);
    expect(() => SuperResidualUpscaler({ head: 'shuffle' as never })).toThrow(/options\.head/);
    expect(() => SuperResidualUpscaler({ chanels: 8 } as never)).toThrow(/did you mean 'channels'/);
    expect(() => SuperResidualUpscaler({ inputSize: [0, 4] })).toThrow(/options\.inputSize/);
  });
});
