import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModulatedConv2d, ModulatedDWConv2d, countMacs, fuseDemodulation } from '../src/index.js';
import { alternatingRounds, defineBench, disposeAll, fmt, median, status, useBackend } from './harness.js';

const STYLE_DIM = 512;
const ROUNDS = 5;

/** A one-layer model `[x, w] → layer([x, w])` at `[h, w, c]`. */
function oneLayer(layer: tfl.layers.Layer, h: number, c: number): tfl.LayersModel {
  const x = tfl.input({ shape: [h, h, c] });
  const w = tfl.input({ shape: [STYLE_DIM] });
  return tfl.model({ inputs: [x, w], outputs: layer.apply([x, w]) as tfl.SymbolicTensor });
}

/** The fraction of the kernel time of one call of `fn` spent in `kernels` (after a warm-up call). */
async function kernelShare(fn: () => tf.Tensor, kernels: string[]): Promise<number> {
  tf.dispose(fn());
  const profile = await tf.profile(() => fn());
  tf.dispose(profile.result);
  let part = 0;
  let total = 0;
  for (const k of profile.kernels) {
    const ms = Number(k.kernelTimeMs);
    total += ms;
    if (kernels.includes(k.name)) part += ms;
  }
  return part / total;
}

/** Median of per-round medians of `a` and `b`, measured alternately so that drift on a shared machine hits both. */
async function sideBySide(a: () => tf.Tensor, b: () => tf.Tensor, minTotalMs: number): Promise<[number, number]> {
  const t = await alternatingRounds({ a, b }, { rounds: ROUNDS, minTotalMs, minRuns: 3 });
  return [median(t.a), median(t.b)];
}

export default defineBench('Modulated convs: demodulation fusion, depthwise-separable vs dense', async (progress) => {
  await useBackend('wasm');
  const fusionRows: (string | number)[][] = [];
  for (const [n, h, c] of [
    [1, 64, 256],
    [8, 32, 512],
  ] as const) {
    progress(`fusion [${n},${h},${h},${c}]`);
    const unfused = oneLayer(new ModulatedDWConv2d({ name: 'dw', filters: c, styleDim: STYLE_DIM, seed: 1 }), h, c);
    const fused = fuseDemodulation(unfused);
    const inputs = [
      tf.randomNormal([n, h, h, c], 0, 1, 'float32', 1),
      tf.randomNormal([n, STYLE_DIM], 0, 1, 'float32', 2),
    ];
    const diff = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(unfused.predict(inputs) as tf.Tensor, fused.predict(inputs) as tf.Tensor)))
          .dataSync()[0] as number,
    );
    const [u, f] = await sideBySide(
      () => unfused.predict(inputs) as tf.Tensor,
      () => fused.predict(inputs) as tf.Tensor,
      800,
    );
    const ratio = u / f;
    const share = await kernelShare(() => unfused.predict(inputs) as tf.Tensor, ['Conv2D', 'DepthwiseConv2dNative']);
    fusionRows.push([
      `[${n}, ${h}, ${h}, ${c}]`,
      fmt(u),
      fmt(f),
      fmt(ratio),
      '≥ 1.3',
      status(ratio >= 1.3),
      `${Math.round(100 * share)} %`,
      diff.toExponential(1),
    ]);
    disposeAll(inputs);
    unfused.dispose();
    fused.dispose();
  }

  const denseRows: (string | number)[][] = [];
  for (const [h, c] of [
    [64, 256],
    [32, 512],
  ] as const) {
    progress(`dense vs separable ${h}², ${c}`);
    const dense = oneLayer(
      new ModulatedConv2d({
        name: 'dense',
        filters: c,
        styleDim: STYLE_DIM,
        affine: 'linear',
        demodulation: 'styleinv',
        seed: 3,
      }),
      h,
      c,
    );
    const separable = oneLayer(new ModulatedDWConv2d({ name: 'dw', filters: c, styleDim: STYLE_DIM, seed: 4 }), h, c);
    const shapes = [
      [1, h, h, c],
      [1, STYLE_DIM],
    ];
    const macRatio =
      countMacs(dense, shapes, { convention: 'exact' }).total /
      countMacs(separable, shapes, { convention: 'exact' }).total;
    const inputs = [
      tf.randomNormal([1, h, h, c], 0, 1, 'float32', 5),
      tf.randomNormal([1, STYLE_DIM], 0, 1, 'float32', 6),
    ];
    const [d, s] = await sideBySide(
      () => dense.predict(inputs) as tf.Tensor,
      () => separable.predict(inputs) as tf.Tensor,
      800,
    );
    denseRows.push([`[1, ${h}, ${h}, ${c}] → ${c}`, fmt(d), fmt(s), fmt(d / s), fmt(macRatio)]);
    disposeAll(inputs);
    dense.dispose();
    separable.dispose();
  }

  return [
    {
      title: 'ModulatedDWConv2d inference on wasm: unfused vs fuseDemodulation (median ms)',
      columns: [
        'input (N, H, W, C → C)',
        'unfused',
        'fused',
        'speed-up',
        'target',
        'status',
        'convs’ share of unfused',
        'max |diff|',
      ],
      rows: fusionRows,
      notes: [
        'Unfused: the training form — s = A·w + b, x ⊙ (scale·s), depthwise 3×3, pointwise 1×1, then y ⊙ d with d = rsqrt(scale²·Σ styleInv²·‖Wdw‖²·Wpw² + 1e-8) computed on every call (one small matmul).',
        'Fused (FusedModulatedConv2d): d folded into the pointwise kernel and scale into the affine map; the style scales the activations (folding it into the depthwise filter at batch 1 measured slower: a per-call filter loses the packed-weight cache of XNNPACK). Style dim 512, each layer in a one-layer LayersModel, model.predict.',
        'Both forms run the same depthwise and pointwise convs; fusion removes one output-sized product and the per-call coefficient computation. The share column is the Conv2D + DepthwiseConv2dNative kernel time over all kernel time of one unfused call (tf.profile): fusion can save at most the rest of the kernel time (≈ 1 / share as a kernel-time ratio); wall-clock gains beyond that come from fewer allocations and dispatches, and from noise on a shared machine.',
        'Ratio = median of 5 alternating rounds each.',
      ],
    },
    {
      title: 'MobileStyleGAN depthwise-separable vs dense modulated 3×3 conv on wasm, batch 1 (median ms)',
      columns: [
        'input → output channels',
        'dense ModulatedConv2d',
        'ModulatedDWConv2d',
        'measured speed-up',
        'MAC ratio (exact)',
      ],
      rows: denseRows,
      notes: [
        "Both in MobileStyleGAN's form (linear affine map, styleInv demodulation), unfused. MAC ratio from countMacs (convention 'exact': convs and the affine map).",
      ],
    },
  ];
});
