import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  MobileResnetGenerator,
  ResnetGenerator,
  countMacs,
  countParams,
  fileSystem,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { readFixture } from '../helpers/fixtures.js';
import { expectClose, expectNoLeak } from '../helpers/tensors.js';
import { fillHashedWeights, hashedValues, nameSalt } from './resnet_weights.js';

interface TorchReference {
  ngf: number;
  nBlocks: number;
  inputShape: number[];
  resnet: { y: number[]; features: Record<string, number[]>; params: number };
  mobile: { y: number[]; features: Record<string, number[]>; params: number };
}

const IMAGE = [1, 256, 256, 3];
const root = mkdtempSync(join(tmpdir(), 'gancompress-resnet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeBackends('ResNet generators: GAN Compression sizes', () => {
  it('ResnetGenerator() → 56,831,770,624 MACs and 11,378,179 parameters', () => {
    const g = ResnetGenerator();
    expect(countMacs(g, IMAGE).total).toBe(56_831_770_624);
    expect(countParams(g)).toBe(11_378_179);
    expect(g.countParams()).toBe(11_378_179);
    g.dispose();
  });

  it('MobileResnetGenerator({ ngf: 64 }) → 18,365,808,640 MACs and 1,987,075 parameters', () => {
    const g = MobileResnetGenerator({ ngf: 64 });
    expect(countMacs(g, IMAGE).total).toBe(18_365_808_640);
    expect(countParams(g)).toBe(1_987_075);
    g.dispose();
  });

  it('MobileResnetGenerator at ngf 96 / 48 / 32 matches the published rounded sizes', () => {
    // GAN Compression (reference §2.2): 40.23G / 4.42M, 10.60G / 1.13M, 4.955G / 0.514M.
    for (const [ngf, gmacs, digits, mparams, pdigits] of [
      [96, 40.23, 2, 4.42, 2],
      [48, 10.6, 2, 1.13, 2],
      [32, 4.955, 3, 0.514, 3],
    ] as const) {
      const g = MobileResnetGenerator({ ngf });
      expect(Number((countMacs(g, IMAGE).total / 1e9).toFixed(digits)), `ngf ${ngf} GMACs`).toBe(gmacs);
      expect(Number((countParams(g) / 1e6).toFixed(pdigits)), `ngf ${ngf} Mparams`).toBe(mparams);
      g.dispose();
    }
  });

  it("ResnetGenerator's 'exact' count differs only by its two transposed convs and its instance norms", () => {
    const g = ResnetGenerator();
    const tp = countMacs(g, IMAGE);
    const ex = countMacs(g, IMAGE, { convention: 'exact' });
    // torchprofile counts a transposed conv at its output: out·Cin·9; exact at its input: in·Cout·9.
    const up1 = 128 * 128 * 128 * 256 * 9 - 64 * 64 * 256 * 128 * 9;
    const up2 = 256 * 256 * 64 * 128 * 9 - 128 * 128 * 128 * 64 * 9;
    // Instance norm: one per output element in torchprofile, 0 exact. Stem, down 1–2, 18 in the
    // blocks, up 1–2.
    const norms =
      256 * 256 * 64 + 128 * 128 * 128 + 64 * 64 * 256 + 18 * 64 * 64 * 256 + 128 * 128 * 128 + 256 * 256 * 64;
    expect(up1).toBe(3_623_878_656);
    expect(up2).toBe(3_623_878_656);
    expect(norms).toBe(32_505_856);
    expect(tp.total - ex.total).toBe(up1 + up2 + norms);
    expect(ex.total).toBe(49_551_507_456);
    const differing = tp.perLayer.filter((l, i) => l.macs !== ex.perLayer[i]?.macs).map((l) => l.name);
    expect(differing.filter((n) => !n.endsWith('_norm') && !/_norm\d$/.test(n))).toEqual(['up1_convt', 'up2_convt']);
    expect(differing.length).toBe(2 + 3 + 18 + 2); // convts; stem/down norms; block norms; up norms
    g.dispose();
  });

  it('names every conv and the distillation points, which carry 4·ngf channels at H/4', () => {
    const g = MobileResnetGenerator({ ngf: 8, nBlocks: 9 });
    const names = new Set(g.layers.map((l) => l.name));
    const expected = ['stem_conv', 'down1_conv', 'down2_conv', 'down2_relu', 'up1_convt', 'up2_convt', 'head_conv'];
    for (let b = 1; b <= 9; b++) expected.push(`block${b}`, `block${b}_conv1`, `block${b}_conv1_dw`, `block${b}_conv2`);
    for (const n of expected) expect(names.has(n), n).toBe(true);
    const shapes = countMacs(g, [1, 64, 48, 3]).perLayer;
    for (const point of ['down2_relu', 'block3', 'block6', 'block9'])
      expect(shapes.find((l) => l.name === point)?.outputShape).toEqual([1, 16, 12, 32]);
    g.dispose();
  });

  it('rejects bad options naming them', () => {
    expect(() => ResnetGenerator({ ngf: 0 })).toThrow(/options.ngf: got 0, expected an integer >= 1/);
    expect(() => MobileResnetGenerator({ nBlocks: 2.5 })).toThrow(ConfigError);
    expect(() => ResnetGenerator({ ngff: 3 } as never)).toThrow(/options.ngff: got 3, expected no such option/);
    expect(() => ResnetGenerator(null as never)).toThrow(ConfigError);
  });
});

describeBackends('ResNet generators: PyTorch parity', () => {
  const ref = readFixture<TorchReference>('resnet_generators_torch');
  const input = (): tf.Tensor =>
    tf.tensor(
      hashedValues(
        ref.inputShape.reduce((a, b) => a * b, 1),
        nameSalt('input'),
        3,
      ),
      ref.inputShape,
    );

  for (const key of ['resnet', 'mobile'] as const) {
    it(`${key}: output and distillation features equal GAN Compression's PyTorch layer list (ngf ${ref.ngf}, ${ref.nBlocks} blocks)`, async () => {
      const build = key === 'resnet' ? ResnetGenerator : MobileResnetGenerator;
      const g = build({ ngf: ref.ngf, nBlocks: ref.nBlocks });
      fillHashedWeights(g);
      expect(g.countParams()).toBe(ref[key].params);
      const points = Object.keys(ref[key].features);
      const probe = tfl.model({
        inputs: g.inputs,
        outputs: [...g.outputs, ...points.map((p) => g.getLayer(p).output as tfl.SymbolicTensor)],
      });
      const x = input();
      await expectNoLeak(() => {
        const outs = probe.predict(x) as tf.Tensor[];
        expectClose(outs[0] as tf.Tensor, ref[key].y, 2e-5, 0, 'y');
        points.forEach((p, i) => expectClose(outs[i + 1] as tf.Tensor, ref[key].features[p] as number[], 2e-5, 0, p));
        tf.dispose(outs);
      });
      x.dispose();
      g.dispose();
    });
  }

  it('the teacher clamps its input to [−1, 1]; its output is in (−1, 1)', () => {
    const g = ResnetGenerator({ ngf: 4, nBlocks: 1 });
    fillHashedWeights(g);
    const x = input();
    expect(tf.max(tf.abs(x)).dataSync()[0]).toBeGreaterThan(1.4);
    const clipped = tf.clipByValue(x, -1, 1);
    const [a, b] = [g.predict(x) as tf.Tensor, g.predict(clipped) as tf.Tensor];
    expectClose(a, b, 0);
    expect(tf.max(tf.abs(a)).dataSync()[0]).toBeLessThan(1);
    // Without the clamp (the mobile generator) out-of-range input changes the output.
    const m = MobileResnetGenerator({ ngf: 4, nBlocks: 1 });
    fillHashedWeights(m);
    const [c, d] = [m.predict(x) as tf.Tensor, m.predict(clipped) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(c, d))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([x, clipped, a, b, c, d]);
    g.dispose();
    m.dispose();
  });

  it('saves and loads with fileSystem(), computing the same output', async () => {
    const g = ResnetGenerator({ ngf: 4, nBlocks: 2 });
    fillHashedWeights(g);
    const dir = join(root, 'resnet');
    await g.save(fileSystem(dir));
    const again = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    const x = input();
    const [a, b] = [g.predict(x) as tf.Tensor, again.predict(x) as tf.Tensor];
    expectClose(b, a, 0);
    expect(countMacs(again, [1, 32, 32, 3])).toEqual(countMacs(g, [1, 32, 32, 3]));
    tf.dispose([x, a, b]);
    g.dispose();
    again.dispose();
  });
});
