import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AdaptiveInstanceNorm,
  ConfigError,
  countMacs,
  countParams,
  ElasticAdaptiveInstanceNorm,
  ElasticBatchNorm,
  ElasticMUNITLayerNorm,
  ElasticSPADE,
  extractSubnet,
  fileSystem,
  MobileSPADE,
  MUNITLayerNorm,
  OnceForAllConv,
  ResizeNearest,
  setSubnet,
  ShapeError,
  sortChannelsByImportance,
  SPADE,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { disposeWeights, randomizeWeights } from '../../helpers/weights.js';
import { fillLayer, fillModel, fixture, fromFixture, hashedInput } from './hashed.js';

const ref = fixture();
const root = mkdtempSync(join(tmpdir(), 'gancompress-conditional-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Applies a (built or not) layer eagerly. */
const run = (layer: tfl.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor => layer.apply(inputs) as tf.Tensor;

describeBackends('conditional layers equal the float64 PyTorch fixture', () => {
  let x: tf.Tensor;
  let seg: tf.Tensor;
  let xSub: tf.Tensor;
  beforeAll(() => {
    x = hashedInput('x', [2, 4, 6, 4]);
    seg = hashedInput('seg', [2, 8, 12, 3]);
    xSub = tf.slice(x, [0, 0, 0, 0], [2, 4, 6, 3]);
  });
  afterAll(() => tf.dispose([x, seg, xSub]));

  it('SPADE (3×3 conv branches, instance norm), also with a map of a size that is not a multiple (5×7 → 4×6)', async () => {
    const layer = new SPADE({ name: 'sp', norm: 'instance', hidden: 5 });
    tf.dispose(run(layer, [x, seg]));
    fillLayer(layer, ref.scale);
    const odd = hashedInput('odd', [2, 5, 7, 3]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        expectClose(run(layer, [x, seg]), fromFixture(ref.spade.conv_instance), 1e-5, 0, 'conv_instance');
        expectClose(run(layer, [x, odd]), fromFixture(ref.spade.odd_map), 1e-5, 0, 'odd_map');
      });
    });
    odd.dispose();
    disposeWeights(layer);
  });

  it('MobileSPADE after a parameter-free batch norm (running statistics) in a model', () => {
    const xi = tfl.input({ shape: [4, 6, 4] });
    const si = tfl.input({ shape: [8, 12, 3] });
    const bn = tfl.layers.batchNormalization({ name: 'mb_bn', center: false, scale: false, epsilon: 1e-5 });
    const y = new MobileSPADE({ name: 'mb', norm: 'none', hidden: 5 }).apply([bn.apply(xi) as tfl.SymbolicTensor, si]);
    const model = tfl.model({ inputs: [xi, si], outputs: y as tfl.SymbolicTensor });
    fillModel(model, ref.scale);
    tf.tidy(() => expectClose(model.predict([x, seg]) as tf.Tensor, fromFixture(ref.spade.mobile_bn), 1e-5));
    model.dispose();
  });

  it('ElasticSPADE built for 4 channels and hidden 6 runs 3 channels at hidden 4 as GAN Compression slices', () => {
    const layer = new ElasticSPADE({ name: 'el', norm: 'instance', hidden: 6 });
    tf.dispose(run(layer, [x, seg]));
    fillLayer(layer, ref.scale);
    layer.setActive({ outChannels: 4 });
    expect(layer.getActive()).toEqual({ outChannels: 4 });
    tf.tidy(() => expectClose(run(layer, [xSub, seg]), fromFixture(ref.spade.elastic_sub), 1e-5));
    disposeWeights(layer);
  });

  it("MUNIT's LayerNorm and AdaIN (static, and elastic on the first 3 of 4 channels)", () => {
    const style = hashedInput('style', [2, 6]);
    const cases: [tfl.layers.Layer, tf.Tensor[], keyof typeof ref.munit.ops][] = [
      [new MUNITLayerNorm({ name: 'ln' }), [x], 'layer_norm'],
      [new ElasticMUNITLayerNorm({ name: 'ln' }), [xSub], 'layer_norm_sub'],
      [new AdaptiveInstanceNorm({ name: 'ad' }), [x, style], 'adain'],
      [new ElasticAdaptiveInstanceNorm({ name: 'ad' }), [xSub, style], 'adain_sub'],
    ];
    for (const [layer, inputs, key] of cases) {
      const full = key.startsWith('adain') ? [x, style] : [x];
      tf.dispose(run(layer, full.length === 1 ? (full[0] as tf.Tensor) : full));
      fillLayer(layer, ref.scale);
      tf.tidy(() =>
        expectClose(
          run(layer, inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs),
          fromFixture(ref.munit.ops[key]),
          1e-5,
          0,
          key,
        ),
      );
      disposeWeights(layer);
    }
    style.dispose();
  });
});

describeBackends('conditional layers: export, serialization, costs, sorting', () => {
  it('property: an ElasticSPADE (built for 5 channels, hidden 6) at any input width and hidden width equals its exported MobileSPADE, whose parameters are the cost’s', () => {
    const xi = tfl.input({ shape: [3, 4, 2] });
    const si = tfl.input({ shape: [6, 8, 2] });
    const narrow = new OnceForAllConv({ name: 'narrow', filters: 5, kernelSize: 1 });
    const spadeLayers = [false, true].map(
      (instance) => new ElasticSPADE({ name: `e_${instance}`, norm: instance ? 'instance' : 'none', hidden: 6 }),
    );
    const h = narrow.apply(xi) as tfl.SymbolicTensor;
    // A conv after each SPADE gives the model outputs their own width, so the SPADEs' may vary.
    const outputs = spadeLayers.map(
      (l, i) =>
        new OnceForAllConv({ name: `out${i}`, filters: 2, kernelSize: 1 }).apply(
          l.apply([h, si]) as tfl.SymbolicTensor,
        ) as tfl.SymbolicTensor,
    );
    const supernet = tfl.model({ inputs: [xi, si], outputs });
    supernet.layers.forEach((l, i) => randomizeWeights(l, 60 + i));
    const xs = seededTensor([2, 3, 4, 2], 1);
    const ss = seededTensor([2, 6, 8, 2], 2);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), (c, hidden) => {
        const config = {
          narrow: { outChannels: c },
          e_false: { outChannels: hidden },
          e_true: { outChannels: hidden },
        };
        const sub = extractSubnet(supernet, config);
        for (const l of spadeLayers) {
          const exported = sub.getLayer(l.name);
          expect(exported).toBeInstanceOf(MobileSPADE);
          setSubnet(supernet, config);
          expect(exported.countParams()).toBe(
            l.computeCost(
              [
                [1, 3, 4, c],
                [1, 6, 8, 2],
              ],
              'torchprofile',
            ).params,
          );
        }
        tf.tidy(() => {
          const got = sub.predict([xs, ss]) as tf.Tensor[];
          const want = supernet.predict([xs, ss]) as tf.Tensor[];
          got.forEach((g, i) => expectClose(g, want[i] as tf.Tensor, 1e-5));
        });
        expect(countParams(sub)).toBe(countParams(supernet, { subnet: config }));
        sub.dispose();
      }),
      { seed: 16, numRuns: 8 },
    );
    tf.dispose([xs, ss]);
    supernet.dispose();
  });

  it('an elastic layer runs narrower inputs than it was built for; exports slice them (ElasticSPADE, LayerNorm, AdaIN)', () => {
    // Built at 6 channels, run at 4 (the conv before it set narrower).
    const xi = tfl.input({ shape: [4, 4, 3] });
    const si = tfl.input({ shape: [4, 4, 2] });
    const style = tfl.input({ shape: [5] });
    const conv = new OnceForAllConv({ name: 'conv', filters: 6, kernelSize: 1 });
    let h = conv.apply(xi) as tfl.SymbolicTensor;
    h = new ElasticBatchNorm({ name: 'bn', center: false, scale: false }).apply(h) as tfl.SymbolicTensor;
    h = new ElasticSPADE({ name: 'spade', norm: 'none', hidden: 4 }).apply([h, si]) as tfl.SymbolicTensor;
    h = new ElasticMUNITLayerNorm({ name: 'ln' }).apply(h) as tfl.SymbolicTensor;
    h = new ElasticAdaptiveInstanceNorm({ name: 'adain' }).apply([h, style]) as tfl.SymbolicTensor;
    const out = new OnceForAllConv({ name: 'out', filters: 2, kernelSize: 1 }).apply(h) as tfl.SymbolicTensor;
    const supernet = tfl.model({ inputs: [xi, si, style], outputs: out });
    supernet.layers.forEach((l, i) => randomizeWeights(l, 100 + i));
    const config = { conv: { outChannels: 4 }, spade: { outChannels: 3 } };
    const sub = extractSubnet(supernet, config);
    expect(sub.getLayer('adain')).toBeInstanceOf(AdaptiveInstanceNorm);
    expect(sub.getLayer('adain').weights.map((w) => w.shape)).toEqual([[5, 4], [4], [5, 4], [4]]);
    expect(sub.getLayer('ln').weights.map((w) => w.shape)).toEqual([[4], [4]]);
    tf.tidy(() => {
      const inputs = [seededTensor([2, 4, 4, 3], 1), seededTensor([2, 4, 4, 2], 2), seededTensor([2, 5], 3)];
      setSubnet(supernet, config);
      expectClose(sub.predict(inputs) as tf.Tensor, supernet.predict(inputs) as tf.Tensor, 1e-5);
    });
    expect(countParams(sub)).toBe(countParams(supernet, { subnet: config }));
    expect(
      countMacs(sub, [
        [1, 4, 4, 3],
        [1, 4, 4, 2],
        [1, 5],
      ]).total,
    ).toBe(
      countMacs(
        supernet,
        [
          [1, 4, 4, 3],
          [1, 4, 4, 2],
          [1, 5],
        ],
        { subnet: config },
      ).total,
    );
    supernet.dispose();
    sub.dispose();
  });

  it('training a sub-network: inactive weights get exactly zero gradient, active ones do not', () => {
    const spadeLayer = new ElasticSPADE({ name: 'e', norm: 'instance', hidden: 6 });
    const adain = new ElasticAdaptiveInstanceNorm({ name: 'a' });
    const x4 = seededTensor([2, 4, 4, 4], 1);
    const seg = seededTensor([2, 8, 8, 2], 2);
    const style = seededTensor([2, 5], 3);
    tf.dispose(adain.apply([spadeLayer.apply([x4, seg]) as tf.Tensor, style]) as tf.Tensor);
    randomizeWeights(spadeLayer, 7);
    randomizeWeights(adain, 8);
    spadeLayer.setActive({ outChannels: 4 });
    const x3 = tf.slice(x4, [0, 0, 0, 0], [2, 4, 4, 3]);
    const { grads } = tf.variableGrads(() =>
      tf.sum(
        tf.square(adain.apply([spadeLayer.apply([x3, seg], { training: true }) as tf.Tensor, style]) as tf.Tensor),
      ),
    );
    const grad = (layer: tfl.layers.Layer, name: string): tf.Tensor =>
      grads[layer.weights.find((w) => w.originalName.endsWith(`/${name}`))?.name ?? ''] as tf.Tensor;
    /** |gradient| summed inside and outside the active block `sizes`. */
    const split = (g: tf.Tensor, sizes: number[]): [number, number] =>
      tf.tidy(() => {
        const total = tf.sum(tf.abs(g)).dataSync()[0] as number;
        const active = tf
          .sum(
            tf.abs(
              tf.slice(
                g,
                sizes.map(() => 0),
                sizes,
              ),
            ),
          )
          .dataSync()[0] as number;
        return [active, total - active];
      });
    for (const [layer, name, sizes] of [
      [spadeLayer, 'sharedKernel', [3, 3, 2, 4]],
      [spadeLayer, 'gammaPointwiseKernel', [1, 1, 4, 3]],
      [spadeLayer, 'betaDepthwiseKernel', [3, 3, 4, 1]],
      [adain, 'meanKernel', [5, 3]],
      [adain, 'stdBias', [3]],
    ] as const) {
      const [active, inactive] = split(grad(layer, name), [...sizes]);
      expect(active, name).toBeGreaterThan(0);
      expect(inactive, name).toBe(0);
    }
    tf.dispose([x4, x3, seg, style, ...Object.values(grads)]);
    disposeWeights(spadeLayer);
    disposeWeights(adain);
  });

  it('save → load with fileSystem() keeps every layer class, its config and its output', async () => {
    const xi = tfl.input({ shape: [4, 4, 3] });
    const si = tfl.input({ shape: [8, 8, 2] });
    const style = tfl.input({ shape: [1, 1, 5] });
    let h = new ResizeNearest({ name: 'resize', size: [4, 4] }).apply(si) as tfl.SymbolicTensor;
    h = tfl.layers.concatenate({ name: 'cat' }).apply([xi, h]) as tfl.SymbolicTensor;
    h = new SPADE({ name: 'spade', norm: 'instance', hidden: 3, kernelSize: 5 }).apply([h, si]) as tfl.SymbolicTensor;
    h = new MobileSPADE({ name: 'mobile', norm: 'none', hidden: 2, separableNorm: 'none' }).apply([
      h,
      si,
    ]) as tfl.SymbolicTensor;
    h = new ElasticSPADE({ name: 'elastic', norm: 'instance', hidden: 4 }).apply([h, si]) as tfl.SymbolicTensor;
    h = new MUNITLayerNorm({ name: 'ln', epsilon: 1e-3 }).apply(h) as tfl.SymbolicTensor;
    h = new ElasticMUNITLayerNorm({ name: 'eln', affine: false }).apply(h) as tfl.SymbolicTensor;
    h = new AdaptiveInstanceNorm({ name: 'adain' }).apply([h, style]) as tfl.SymbolicTensor;
    h = new ElasticAdaptiveInstanceNorm({ name: 'eadain', epsilon: 1e-4 }).apply([h, style]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [xi, si, style], outputs: h });
    model.layers.forEach((l, i) => randomizeWeights(l, i));
    (model.getLayer('elastic') as ElasticSPADE).setActive({ outChannels: 3 });
    const dir = join(root, 'layers');
    await model.save(fileSystem(dir));
    const again = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    // Unseeded initializers write seed undefined, which JSON stores as null: both mean "no seed".
    const json = (l: tfl.layers.Layer): unknown =>
      JSON.parse(JSON.stringify(l.getConfig(), (_k, v: unknown) => v ?? undefined));
    for (const l of model.layers) expect(json(again.getLayer(l.name)), l.name).toEqual(json(l));
    // The active setting is not part of the config: the loaded layer runs at full hidden width.
    (again.getLayer('elastic') as ElasticSPADE).setActive({ outChannels: 3 });
    tf.tidy(() => {
      const inputs = [seededTensor([1, 4, 4, 3], 7), seededTensor([1, 8, 8, 2], 8), seededTensor([1, 1, 1, 5], 9)];
      expectClose(again.predict(inputs) as tf.Tensor, model.predict(inputs) as tf.Tensor, 0);
    });
    model.dispose();
    again.dispose();
  });

  it('MACs and parameters from shapes: hand-derived counts in both conventions', () => {
    const x = [1, 8, 16, 32];
    const seg = [1, 32, 64, 10];
    const p = 8 * 16;
    const built = (layer: tfl.layers.Layer): tfl.layers.Layer => {
      layer.apply([tfl.input({ shape: [8, 16, 32] }), tfl.input({ shape: [32, 64, 10] })]);
      return layer;
    };
    const conv = built(new SPADE({ norm: 'none', hidden: 64 })) as SPADE;
    // shared 3×3 10→64, γ and β 3×3 64→32, x̂·(1 + γ) one per element.
    const convMacs = p * 64 * 10 * 9 + 2 * p * 32 * 64 * 9;
    expect(conv.computeCost([x, seg], 'torchprofile')).toEqual({
      macs: convMacs + p * 32,
      params: 10 * 9 * 64 + 64 + 2 * (64 * 9 * 32 + 32),
      outputShape: x,
    });
    expect(conv.computeCost([x, seg], 'exact').macs).toBe(convMacs);
    expect(conv.countParams()).toBe(conv.computeCost([x, seg], 'exact').params);
    const mobile = built(new MobileSPADE({ norm: 'instance', hidden: 64 })) as MobileSPADE;
    // Each branch: depthwise 64·9, instance norm 64 (torchprofile), pointwise 64→32.
    const sepMacs = p * 64 * 10 * 9 + 2 * (p * 64 * 9 + p * 32 * 64);
    expect(mobile.computeCost([x, seg], 'torchprofile').macs).toBe(sepMacs + 2 * p * 64 + 2 * p * 32);
    expect(mobile.computeCost([x, seg], 'exact').macs).toBe(sepMacs);
    expect(mobile.countParams()).toBe(mobile.computeCost([x, seg], 'exact').params);
    const elastic = built(new ElasticSPADE({ norm: 'none', hidden: 64 })) as ElasticSPADE;
    elastic.setActive({ outChannels: 16 });
    expect(elastic.computeCost([[1, 8, 16, 20], seg], 'exact')).toEqual({
      macs: p * 16 * 10 * 9 + 2 * (p * 16 * 9 + p * 20 * 16),
      params: 10 * 9 * 16 + 16 + 2 * (16 * 9 + 16 + 16 * 20 + 20),
      outputShape: [1, 8, 16, 20],
    });
    const ln = new MUNITLayerNorm();
    ln.apply(tfl.input({ shape: [8, 16, 32] }));
    expect(ln.computeCost([2, 8, 16, 32], 'torchprofile').macs).toBe(2 * (p * 32 + 1));
    expect(ln.computeCost([2, 8, 16, 32], 'exact').macs).toBe(0);
    const adain = new AdaptiveInstanceNorm();
    adain.apply([tfl.input({ shape: [8, 16, 32] }), tfl.input({ shape: [256] })]);
    expect(
      adain.computeCost(
        [
          [3, 8, 16, 32],
          [3, 256],
        ],
        'exact',
      ),
    ).toEqual({ macs: 3 * 256 * 64, params: 2 * (256 * 32 + 32), outputShape: [3, 8, 16, 32] });
    expect(adain.countParams()).toBe(2 * (256 * 32 + 32));
    for (const l of [conv, mobile, elastic, ln, adain]) disposeWeights(l);
  });

  it('sorting channels by importance keeps what an elastic SPADE/AdaIN/LayerNorm network computes', () => {
    const xi = tfl.input({ shape: [4, 4, 3] });
    const si = tfl.input({ shape: [4, 4, 2] });
    const style = tfl.input({ shape: [5] });
    let h = new OnceForAllConv({ name: 'conv1', filters: 6, kernelSize: 3, padding: 1 }).apply(
      xi,
    ) as tfl.SymbolicTensor;
    h = new ElasticBatchNorm({ name: 'bn', center: false, scale: false, epsilon: 1e-5 }).apply(h) as tfl.SymbolicTensor;
    h = new ElasticSPADE({ name: 'spade', norm: 'none', hidden: 4 }).apply([h, si]) as tfl.SymbolicTensor;
    h = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tfl.SymbolicTensor;
    h = new OnceForAllConv({ name: 'conv2', filters: 5, kernelSize: 1 }).apply(h) as tfl.SymbolicTensor;
    h = new ElasticMUNITLayerNorm({ name: 'ln' }).apply(h) as tfl.SymbolicTensor;
    h = new ElasticAdaptiveInstanceNorm({ name: 'adain' }).apply([h, style]) as tfl.SymbolicTensor;
    const out = new OnceForAllConv({ name: 'out', filters: 2, kernelSize: 1 }).apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [xi, si, style], outputs: out });
    model.layers.forEach((l, i) => randomizeWeights(l, 40 + i));
    const inputs = [seededTensor([2, 4, 4, 3], 1), seededTensor([2, 4, 4, 2], 2), seededTensor([2, 5], 3)];
    const before = model.predict(inputs) as tf.Tensor;
    const report = sortChannelsByImportance(model);
    expect(report.sorted.map((s) => s.layers)).toEqual([['conv1'], ['conv2']]);
    expect(report.sorted.every((s) => s.permutation.some((p, i) => p !== i))).toBe(true);
    const after = model.predict(inputs) as tf.Tensor;
    expectClose(after, before, 1e-5);
    tf.dispose([...inputs, before, after]);
    model.dispose();
  });

  it('refuses what does not fit, naming the layer and the input', async () => {
    const layer = new SPADE({ name: 'sp', norm: 'none', hidden: 3 });
    const x = tf.zeros([1, 4, 4, 2]);
    const seg = tf.zeros([1, 8, 8, 3]);
    const seg4 = tf.zeros([1, 8, 8, 4]);
    const x3 = tf.zeros([1, 4, 4, 3]);
    tf.dispose(run(layer, [x, seg]));
    await expectNoLeak(() => {
      expect(() => run(layer, [x, seg4])).toThrow(
        /sp segmap: got shape \[1,8,8,4\], expected \[1, H, W, 3\]: one map per sample with the 3 label channels/,
      );
      expect(() => run(layer, [x3, seg])).toThrow(
        /sp x: got shape \[1,4,4,3\], expected rank 4 \(NHWC\) with 2 channels/,
      );
      expect(() => run(layer, [x])).toThrow(/sp inputs: got .*1 tensor\(s\).*, expected \[x, segmap\]/);
    });
    expect(() => new SPADE({ name: 's' } as never)).toThrow(
      /s.norm: got undefined, expected one of 'none', 'instance' \(required\)/,
    );
    expect(() => new SPADE({ name: 's', norm: 'none', kernelSize: 4 })).toThrow(/s.kernelSize: got 4, expected an odd/);
    expect(() => new MobileSPADE({ name: 's', norm: 'none', separableNorm: 'batch' as never })).toThrow(ConfigError);
    expect(() => new ElasticSPADE({ name: 's', norm: 'none', hidden: 4, hiden: 3 } as never)).toThrow(
      /did you mean 'hidden'/,
    );
    const elastic = new ElasticSPADE({ name: 'e', norm: 'none', hidden: 4 });
    tf.dispose(run(elastic, [x, seg]));
    expect(() => elastic.setActive({ outChannels: 5 })).toThrow(
      /e.outChannels: got 5, expected an integer in \[1, 4\]/,
    );
    expect(() => run(elastic, [x3, seg])).toThrow(
      /e x: got shape \[1,4,4,3\], expected rank 4 \(NHWC\) with at most 2 channels/,
    );
    const adain = new AdaptiveInstanceNorm({ name: 'ad' });
    const style = tf.zeros([1, 5]);
    const style2 = tf.zeros([2, 5]);
    const single = tf.zeros([1, 1]);
    const ln = new MUNITLayerNorm({ name: 'ln' });
    tf.dispose(run(adain, [x, style]));
    expect(() => run(ln, single)).toThrow(ShapeError); // builds the layer (its 1-channel gamma and beta), then refuses
    await expectNoLeak(() => {
      expect(() => run(adain, [x, style2])).toThrow(/ad style: got shape \[2,5\], expected \[1, 5\] or \[1, 1, 1, 5\]/);
      expect(() => run(ln, single)).toThrow(ShapeError);
    });
    tf.dispose([x, seg, seg4, x3, style, style2, single]);
    for (const l of [layer, elastic, adain, ln]) disposeWeights(l);
  });
});
