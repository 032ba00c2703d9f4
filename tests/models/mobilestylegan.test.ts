import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  MOBILE_STYLEGAN_CHANNELS,
  MappingNetwork,
  MobileSynthesisNetwork,
  STYLEGAN2_CONFIG_F_CHANNELS,
  SelectStyle,
  StyleGan2SynthesisNetwork,
  countMacs,
  countParams,
  extractSubnet,
  fileSystem,
  fuseDemodulation,
  getElasticLayers,
  getNoise,
  mobileSynthesisStyleCount,
  noiseLayers,
  setNoise,
  setSubnet,
  sortChannelsByImportance,
  styleGan2StyleCount,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { randomizeModulated, setByName } from '../helpers/weights.js';

type T = FixtureTensor;
interface Net {
  channels: number[];
  styleDim: number;
  styles: T;
  weights: Record<string, Record<string, T>>;
  noise: Record<string, T>;
  image: T;
  pyramid?: T[];
  rgb?: T[];
}
const NETS = readFixture<{ mobile: Net; stylegan2: Net }>('modulated_networks');
const OPS = readFixture<{ mapping: { z: T; layers: { kernel: T; bias: T }[]; w: T } }>('modulated_ops');
const root = mkdtempSync(join(tmpdir(), 'gancompress-msg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Loads a fixture network's weights and noise into `model`. */
function load(model: tfl.LayersModel, net: Net): void {
  for (const [name, weights] of Object.entries(net.weights)) setByName(model.getLayer(name), weights);
  const noise = Object.fromEntries(Object.entries(net.noise).map(([name, e]) => [name, fromFixture(e)]));
  setNoise(model, noise);
  tf.dispose(Object.values(noise));
}

/** The W+ row feeding input 1 (the style) of `layer`, or null for W. */
function styleRow(layer: tfl.layers.Layer): number | null {
  const source = layer.inboundNodes[0]?.inboundLayers[1];
  return source instanceof SelectStyle ? source.index : null;
}

/** A small MobileSynthesisNetwork (32², two blocks) with random weights and fixed noise. */
function small(styleMode: 'w' | 'wplus', seed = 3): tfl.LayersModel {
  const g = MobileSynthesisNetwork({ channels: [16, 16, 8], styleDim: 8, styleMode, seed });
  // Seeded by name, so the W and W+ models (which differ by their SelectStyle layers) get the same weights.
  g.layers.forEach(
    (l) =>
      l.weights.length > 0 &&
      l.getClassName() !== 'IDWTUpsample' &&
      randomizeModulated(
        l,
        [...l.name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 100003, 7),
      ),
  );
  setNoise(g, { seed: 5 });
  return g;
}

describeBackends(
  'MobileStyleGAN sizes (shape-only)',
  () => {
    it('MobileSynthesisNetwork 1024²: 8,852,079 parameters, 3,744 styleInv buffer values, 7,544,758,272 exact MACs (7.545 G)', () => {
      const g = MobileSynthesisNetwork({ channels: [...MOBILE_STYLEGAN_CHANNELS], styleDim: 512, resolution: 1024 });
      expect(countParams(g)).toBe(8852079);
      const styleInv = g.weights.filter((w) => w.originalName.endsWith('/styleInv'));
      expect(styleInv.length).toBe(15);
      expect(styleInv.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0)).toBe(3744);
      const macs = countMacs(g, [1, 512], { convention: 'exact' });
      expect(macs.uncounted).toEqual([]);
      // The reference's split: pointwise/dense convs 7.038 G, depthwise 0.428 G, IDWT 0.074 G, linear 0.005 G — derived here from the widths.
      let [pw, dw, idwt, linear] = [16 * 512 * 512 * 9 + 16 * 512 * 12, 0, 0, 2 * 512 * 512];
      let r = 4;
      MOBILE_STYLEGAN_CHANNELS.slice(1).forEach((c, i) => {
        const q = (MOBILE_STYLEGAN_CHANNELS[i] as number) / 4;
        r *= 2;
        idwt += 4 * r * r * q;
        linear += 512 * (4 * q + q + 2 * c);
        dw += r * r * (q + c) * 9;
        pw += r * r * (q * c + c * c + c * 12);
      });
      idwt += 4 * 1024 * 1024 * 3;
      expect([pw, dw, idwt, linear].map((v) => Math.round(v / 1e6))).toEqual([7038, 428, 74, 5]);
      expect(macs.total).toBe(pw + dw + idwt + linear);
      expect(macs.total).toBe(7544758272);
      expect(Math.abs(macs.total / 7.545e9 - 1)).toBeLessThan(0.005);
      // torchprofile adds one aten::mul per element for the products on activations: each modulated
      // conv's modulation (its input) and demodulation (its output; not the heads'), each noise map
      // (r²) and each upsampler's per-channel style scaling (its input). The leaky ReLUs have gain 1
      // and count 0 (torchprofile 0.0.1 has no leaky_relu handler).
      let products = 16 * 512 * 2 + 16 + 16 * 512;
      r = 4;
      MOBILE_STYLEGAN_CHANNELS.slice(1).forEach((c, i) => {
        const cb = MOBILE_STYLEGAN_CHANNELS[i] as number;
        const r2 = 4 * r * r;
        products += r * r * cb + r2 * (cb / 4 + c + 1) + r2 * (2 * c + 1) + r2 * c;
        r *= 2;
      });
      expect(countMacs(g, [1, 512]).total).toBe(macs.total + products);
      expect(macs.total + products).toBe(7704816272);
      expect(g.outputs.map((o) => o.shape)).toEqual([
        [null, 1024, 1024, 3],
        ...[4, 8, 16, 32, 64, 128, 256, 512].map((s) => [null, s, s, 12]),
      ]);
      g.dispose();
    });

    it('W+ rows follow the reference table: 23 rows, up/conv1 3b+1, conv2 3b+2, head 3b+3, stem 0/1, row 22 unused', () => {
      expect(mobileSynthesisStyleCount(MOBILE_STYLEGAN_CHANNELS)).toBe(23);
      const g = MobileSynthesisNetwork({ channels: [...MOBILE_STYLEGAN_CHANNELS], styleDim: 512, styleMode: 'wplus' });
      expect(g.inputs[0]?.shape).toEqual([null, 23, 512]);
      const rows: Record<string, number | null> = {};
      for (const l of g.layers) if (l.inboundNodes[0]?.inboundLayers.length === 2) rows[l.name] = styleRow(l);
      const expected: Record<string, number> = { stem_conv: 0, stem_towavelets: 1 };
      for (let b = 0; b < 7; b++)
        Object.assign(expected, {
          [`block${b}_up`]: 3 * b + 1,
          [`block${b}_conv1`]: 3 * b + 1,
          [`block${b}_conv2`]: 3 * b + 2,
          [`block${b}_towavelets`]: 3 * b + 3,
        });
      expect(rows).toEqual(expected);
      expect(Math.max(...Object.values(expected))).toBe(21);
      expect(noiseLayers(g).map((l) => l.noiseMapShape()?.[1])).toEqual([
        4, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128, 256, 256, 512, 512,
      ]);
      g.dispose();
    });

    it('the mapping network has 2,101,248 parameters; StyleGAN2 config-f synthesis 28,268,812 with 18 W+ rows and 75.3 G / 144.6 G MACs', () => {
      const mapping = MappingNetwork();
      expect(countParams(mapping)).toBe(2101248);
      expect(countMacs(mapping, [1, 512], { convention: 'exact' }).total).toBe(8 * 512 * 512);
      // torchprofile: + the pixel norm's mean and product (2 per element) + the √2 gain after each layer's leaky ReLU.
      expect(countMacs(mapping, [1, 512]).total).toBe(8 * 512 * 512 + 2 * 512 + 8 * 512);
      mapping.dispose();
      const teacher = StyleGan2SynthesisNetwork({
        channels: [...STYLEGAN2_CONFIG_F_CHANNELS],
        styleDim: 512,
        styleMode: 'wplus',
      });
      expect(countParams(teacher)).toBe(28268812);
      // MACs from the widths: the stem conv and ToRGB at 4², then per block (r → 2r) the affine maps,
      // the up-sampling conv (exact: the transposed conv at its input; torchprofile: at its
      // (2r + 1)² output), the 4×4 blur, conv2, the ToRGB head and the skip BlurUpsample
      // ((k/2)² = 4 or k² = 16 taps per output element). torchprofile adds one product per element
      // for the modulation (input), demodulation, noise (r²) and the √2 gain (output) of each
      // StyledConv, and the ToRGB modulation.
      let exact = 512 * 512 + 16 * 512 * 512 * 9 + 512 * 512 + 16 * 3 * 512;
      let torchprofile = exact + 16 * 512 * 3 + 16 + 16 * 512;
      let r = 4;
      STYLEGAN2_CONFIG_F_CHANNELS.slice(1).forEach((co, b) => {
        const ci = STYLEGAN2_CONFIG_F_CHANNELS[b] as number;
        const R = 2 * r;
        const shared = 512 * (ci + 2 * co) + R * R * co * 16 + R * R * co * co * 9 + R * R * 3 * co;
        exact += shared + r * r * ci * co * 9 + R * R * 3 * 4;
        torchprofile += shared + (R + 1) * (R + 1) * co * ci * 9 + R * R * 3 * 16;
        torchprofile += r * r * ci + R * R * (2 * co + 1) + R * R * (3 * co + 1) + R * R * co;
        r = R;
      });
      expect(countMacs(teacher, [1, 18, 512], { convention: 'exact' }).total).toBe(exact);
      expect(countMacs(teacher, [1, 18, 512]).total).toBe(torchprofile);
      expect([exact, torchprofile]).toEqual([75332771584, 144563736208]);
      expect(styleGan2StyleCount(STYLEGAN2_CONFIG_F_CHANNELS)).toBe(18);
      expect(teacher.inputs[0]?.shape).toEqual([null, 18, 512]);
      expect(teacher.outputs[0]?.shape).toEqual([null, 1024, 1024, 3]);
      teacher.dispose();
    });
  },
  ['cpu'],
);

describeBackends('MobileStyleGAN networks', () => {
  it('a 16² MobileSynthesisNetwork (W+, fixed noise) equals the float64 PyTorch reference', async () => {
    const net = NETS.mobile;
    const g = MobileSynthesisNetwork({ channels: net.channels, styleDim: net.styleDim, styleMode: 'wplus' });
    load(g, net);
    const styles = fromFixture(net.styles);
    const [image, ...pyramid] = g.predict(styles) as tf.Tensor[];
    expectClose(image as tf.Tensor, fromFixture(net.image), 1e-5, 1e-5, 'image');
    expect(pyramid.length).toBe(2);
    expectClose(pyramid[0] as tf.Tensor, fromFixture((net.pyramid as T[])[0] as T), 1e-5, 1e-5, 'wavelets at 4²');
    tf.dispose(g.predict(styles));
    await expectNoLeak(() => tf.dispose(g.predict(styles) as tf.Tensor[]));
  });

  it('a 16² StyleGan2SynthesisNetwork (W+, fixed noise) and a mapping network equal the float64 PyTorch references', () => {
    const net = NETS.stylegan2;
    const g = StyleGan2SynthesisNetwork({ channels: net.channels, styleDim: net.styleDim, styleMode: 'wplus' });
    load(g, net);
    const [image, ...rgb] = g.predict(fromFixture(net.styles)) as tf.Tensor[];
    expectClose(image as tf.Tensor, fromFixture(net.image), 1e-5, 1e-5, 'image');
    (net.rgb as T[]).forEach((e, i) => expectClose(rgb[i] as tf.Tensor, fromFixture(e), 1e-5, 1e-5, `rgb ${i}`));
    const m = OPS.mapping;
    const mapping = MappingNetwork({ styleDim: 8, numLayers: 3 });
    m.layers.forEach((l, i) => setByName(mapping.getLayer(`mapping${i}`), { kernel: l.kernel, bias: l.bias }));
    expectClose(mapping.predict(fromFixture(m.z)) as tf.Tensor, fromFixture(m.w), 1e-5, 1e-5, 'mapping');
  });

  it('W equals W+ with every row the same; fused equals unfused (W and W+, ≤ 1e-5) and saves/loads', async () => {
    const w = small('w');
    const wplus = small('wplus');
    const style = seededTensor([2, 8], 1);
    const rows = tf.tile(tf.reshape(style, [2, 1, 8]), [1, mobileSynthesisStyleCount([16, 16, 8]), 1]);
    const fromW = w.predict(style) as tf.Tensor[];
    (wplus.predict(rows) as tf.Tensor[]).forEach((t, i) =>
      expectClose(t, fromW[i] as tf.Tensor, 1e-6, 1e-6, `W+ output ${i}`),
    );
    for (const [model, input] of [
      [w, style],
      [wplus, seededTensor([2, 8, 8], 2)],
    ] as const) {
      const expected = model.predict(input) as tf.Tensor[];
      const fused = fuseDemodulation(model);
      const actual = fused.predict(input) as tf.Tensor[];
      expect(actual.length).toBe(4);
      actual.forEach((t, i) => expectClose(t, expected[i] as tf.Tensor, 1e-5, 1e-5, `fused output ${i}`));
      const dir = join(root, `fused-${model.inputs[0]?.shape.length}`);
      await fused.save(fileSystem(dir));
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
      (loaded.predict(input) as tf.Tensor[]).forEach((t, i) =>
        expectClose(t, actual[i] as tf.Tensor, 0, 0, `loaded fused output ${i}`),
      );
    }
  });

  it('at a sub-network (narrower conv1 widths): extractSubnet and fuseDemodulation equal the supernet', () => {
    const g = small('wplus', 4);
    expect(getElasticLayers(g).map((l) => l.name)).toEqual([
      'stem_conv',
      'block0_conv1',
      'block0_conv2',
      'block1_conv1',
      'block1_conv2',
    ]);
    const config = {
      block0_conv1: { outChannels: 6 },
      block1_conv1: { outChannels: 3 },
      block1_conv2: { outChannels: 5 },
    };
    setSubnet(g, config);
    const styles = seededTensor([2, 8, 8], 3);
    const expected = g.predict(styles) as tf.Tensor[];
    const sub = extractSubnet(g);
    (sub.predict(styles) as tf.Tensor[]).forEach((t, i) =>
      expectClose(t, expected[i] as tf.Tensor, 1e-5, 1e-5, `extracted output ${i}`),
    );
    expect(countParams(sub)).toBe(countParams(g));
    const fused = fuseDemodulation(g);
    (fused.predict(styles) as tf.Tensor[]).forEach((t, i) =>
      expectClose(t, expected[i] as tf.Tensor, 1e-5, 1e-5, `fused output ${i}`),
    );
    // Sorting channels by importance re-orders the blocks' conv1 → conv2 channels and keeps the output.
    setSubnet(g, {
      block0_conv1: { outChannels: 16 },
      block1_conv1: { outChannels: 8 },
      block1_conv2: { outChannels: 8 },
    });
    const full = g.predict(styles) as tf.Tensor[];
    const report = sortChannelsByImportance(g);
    expect(report.sorted.map((r) => r.layers)).toEqual([['block0_conv1'], ['block1_conv1'], ['block1_conv2']]);
    (g.predict(styles) as tf.Tensor[]).forEach((t, i) =>
      expectClose(t, full[i] as tf.Tensor, 1e-5, 1e-5, `sorted output ${i}`),
    );
    // Narrowing a width that feeds an IDWT upsampler is refused by setSubnet, naming both.
    expect(() => setSubnet(g, { block0_conv2: { outChannels: 8 } })).toThrow(
      /block0_conv2\.outChannels: got 8, expected 16, the width of the input of layer 'block1_up'/,
    );
  });

  it('noise: random per call by default, fixed with setNoise({ seed }), 1 + 2·blocks maps of [1, r, r, 1]', async () => {
    const g = MobileSynthesisNetwork({ channels: [16, 16, 8], styleDim: 8, seed: 1 });
    g.layers.forEach((l, i) => l.getClassName() === 'StyledConv' && randomizeModulated(l, 300 + i));
    expect(noiseLayers(g).map((l) => l.noiseMapShape())).toEqual([
      [1, 4, 4, 1],
      [1, 8, 8, 1],
      [1, 8, 8, 1],
      [1, 16, 16, 1],
      [1, 16, 16, 1],
    ]);
    const style = seededTensor([1, 8], 1);
    setNoise(g, 'random');
    const [a] = g.predict(style) as tf.Tensor[];
    const [b] = g.predict(style) as tf.Tensor[];
    expect(tf.max(tf.abs(tf.sub(a as tf.Tensor, b as tf.Tensor))).dataSync()[0]).toBeGreaterThan(1e-4);
    await expectNoLeak(() => setNoise(g, { seed: 2 }));
    await expectNoLeak(() => tf.dispose(Object.values(getNoise(g))));
    const [c] = g.predict(style) as tf.Tensor[];
    const [d] = g.predict(style) as tf.Tensor[];
    expectClose(c as tf.Tensor, d as tf.Tensor, 0, 0, 'fixed noise');
  });

  it('gradients of the image reach every trainable weight of the synthesis network', () => {
    const g = small('w', 6);
    const style = seededTensor([2, 8], 4);
    const r = seededTensor([2, 32, 32, 3], 5);
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(tf.mul((g.apply(style, { training: true }) as tf.Tensor[])[0] as tf.Tensor, r)),
    );
    // Every trainable weight but those of the coarser heads (which feed only the pyramid outputs).
    const reaching = g.trainableWeights.map((w) => w.name).filter((n) => !/^(stem|block0)_towavelets\//.test(n));
    expect(reaching.length).toBe(g.trainableWeights.length - 8);
    expect(Object.keys(grads).sort()).toEqual([...reaching].sort());
    for (const [name, t] of Object.entries(grads)) {
      const data = t.dataSync();
      expect(data.every(Number.isFinite), name).toBe(true);
      expect(Math.max(...Array.from(data, Math.abs)), name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('rejects bad options by name', () => {
    expect(() => MobileSynthesisNetwork({ channels: [16, 10, 8], styleDim: 8 })).toThrow(
      /options.channels\[1\]: got 10, expected a multiple of 4/,
    );
    expect(() => MobileSynthesisNetwork({ channels: [16, 16], styleDim: 8, resolution: 32 })).toThrow(
      /options.resolution: got 32, expected 16/,
    );
    expect(() => MobileSynthesisNetwork({ channels: [], styleDim: 8 })).toThrow(ConfigError);
    expect(() => MobileSynthesisNetwork({ channels: [16], styleDim: 8, styleMode: 'w+' as never })).toThrow(
      /options.styleMode: got 'w\+', expected one of 'w', 'wplus'/,
    );
    expect(() => MobileSynthesisNetwork({ channels: [16], styleDim: 8, size: 8 } as never)).toThrow(
      /options.size: got 8, expected no such option/,
    );
    expect(() => StyleGan2SynthesisNetwork({ channels: [8, 8], styleDim: 0 })).toThrow(/options.styleDim: got 0/);
    expect(() => MappingNetwork({ numLayers: 0 })).toThrow(/options.numLayers: got 0/);
  });
});
