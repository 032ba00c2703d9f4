import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  OnceForAllConv,
  ShapeError,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { disposeWeights, randomizeWeights } from '../../helpers/weights.js';
import { weightsByName } from './helpers.js';
import {
  arr,
  channelMoments,
  conv2dRef,
  convTransposeRef,
  depthwiseRef,
  elasticKernelRef,
  instanceNormRef,
  normalizeRef,
  slicePrefix,
  type Arr,
} from './reference.js';

// Every layer, at several active settings and input widths, against a float64 loop reference
// computed from the sliced (and kernel-transformed) full weights.

function run(
  layer: { apply: (x: tf.Tensor, kw?: Record<string, unknown>) => unknown },
  x: tf.Tensor,
  training = false,
): tf.Tensor {
  return layer.apply(x, training ? { training: true } : undefined) as tf.Tensor;
}

describeBackends('elastic layers equal dense references from the sliced weights', () => {
  it('OnceForAllConv: widths, elastic kernels (reflect/zero pads shrinking with k), stride, dilation', async () => {
    const cases = [
      {
        cfg: { padding: 2 as const, padMode: 'reflect' as const },
        sets: [
          [6, 5, 4],
          [3, 3, 2],
          [1, 1, 4],
          [4, 3, 4],
        ],
      },
      {
        cfg: { padding: [2, 3, 4, 2] as [number, number, number, number], strides: 2 },
        sets: [
          [5, 5, 3],
          [2, 3, 4],
          [6, 1, 1],
        ],
      },
      {
        cfg: { padding: 'same' as const, strides: 2, padMode: 'reflect' as const },
        sets: [
          [6, 3, 4],
          [2, 5, 3],
        ],
      },
      {
        cfg: { padding: 'same' as const, dilationRate: 2 },
        sets: [
          [4, 5, 4],
          [4, 3, 2],
        ],
      },
      {
        cfg: { padding: 'valid' as const },
        sets: [
          [6, 5, 4],
          [2, 3, 3],
        ],
      },
    ];
    for (const [ci, c] of cases.entries()) {
      const layer = new OnceForAllConv({ filters: 6, kernelSize: 5, kernelSizeChoices: [1, 3, 5], ...c.cfg });
      layer.build([null, 7, 8, 4]);
      randomizeWeights(layer, 100 + ci);
      const w = weightsByName(layer);
      for (const [out, k, cin] of c.sets as [number, number, number][]) {
        const label = `case ${ci} out ${out} k ${k} cin ${cin}`;
        layer.setActive({ outChannels: out, kernelSize: k });
        const x = seededTensor([2, 7, 8, cin], 7 + ci);
        await expectNoLeak(() => {
          const y = run(layer, x);
          const kernel = elasticKernelRef(slicePrefix(w['kernel'] as Arr, [5, 5, cin, out]), k, [1, 3, 5], w);
          const bias = slicePrefix(w['bias'] as Arr, [out]);
          const strides: [number, number] = c.cfg.strides ? [c.cfg.strides, c.cfg.strides] : [1, 1];
          const dilation: [number, number] = c.cfg.dilationRate ? [2, 2] : [1, 1];
          let pads: [number, number, number, number];
          if (c.cfg.padding === 'valid') pads = [0, 0, 0, 0];
          else if (c.cfg.padding === 'same') {
            // tfjs 'same' for the active kernel, by hand: 7×8 input.
            const ek = dilation[0] * (k - 1) + 1;
            const tot = (n: number): number => Math.max((Math.ceil(n / strides[0]) - 1) * strides[0] + ek - n, 0);
            pads = [
              Math.floor(tot(7) / 2),
              tot(7) - Math.floor(tot(7) / 2),
              Math.floor(tot(8) / 2),
              tot(8) - Math.floor(tot(8) / 2),
            ];
          } else {
            const p = typeof c.cfg.padding === 'number' ? [2, 2, 2, 2] : c.cfg.padding;
            pads = p.map((v) => v - (5 - k) / 2) as [number, number, number, number];
          }
          const ref = conv2dRef(arr(x), kernel, bias, { strides, dilation, pads, padMode: c.cfg.padMode ?? 'zeros' });
          expect(y.shape, label).toEqual(ref.shape);
          expectClose(y, ref.data, 1e-5, 1e-6, label);
          expect(layer.computeCost(x.shape, 'torchprofile').outputShape, label).toEqual(ref.shape);
          y.dispose();
        });
        x.dispose();
      }
      disposeWeights(layer);
    }
  });

  it('ElasticDepthwiseConv2d: multiplier 2, elastic kernel, reflect same padding, narrower inputs', async () => {
    const layer = new ElasticDepthwiseConv2d({
      kernelSize: 5,
      kernelSizeChoices: [3, 5],
      depthMultiplier: 2,
      padding: 2,
      padMode: 'reflect',
    });
    layer.build([null, 6, 6, 4]);
    randomizeWeights(layer, 200);
    const w = weightsByName(layer);
    for (const [k, c] of [
      [5, 4],
      [3, 4],
      [3, 1],
      [5, 2],
    ] as [number, number][]) {
      layer.setActive({ kernelSize: k });
      const x = seededTensor([1, 6, 6, c], 3 + c);
      await expectNoLeak(() => {
        const y = run(layer, x);
        const kernel = elasticKernelRef(slicePrefix(w['depthwiseKernel'] as Arr, [5, 5, c, 2]), k, [3, 5], w);
        const p = (k - 1) / 2;
        const ref = depthwiseRef(arr(x), kernel, slicePrefix(w['bias'] as Arr, [2 * c]), {
          pads: [p, p, p, p],
          padMode: 'reflect',
        });
        expectClose(y, ref.data, 1e-5, 1e-6, `k ${k} c ${c}`);
        y.dispose();
      });
      x.dispose();
    }
    disposeWeights(layer);
  });

  it('ElasticSeparableConv2d: depthwise → instance norm → pointwise at several widths and kernels', async () => {
    for (const norm of ['instance', 'none'] as const) {
      const layer = new ElasticSeparableConv2d({
        filters: 5,
        kernelSize: 5,
        kernelSizeChoices: [3, 5],
        depthMultiplier: 2,
        padding: 'same',
        norm,
      });
      layer.build([null, 5, 6, 3]);
      randomizeWeights(layer, 300);
      const w = weightsByName(layer);
      for (const [out, k, c] of [
        [5, 5, 3],
        [2, 3, 3],
        [4, 3, 1],
      ] as [number, number, number][]) {
        layer.setActive({ outChannels: out, kernelSize: k });
        const x = seededTensor([2, 5, 6, c], 11 + c);
        await expectNoLeak(() => {
          const y = run(layer, x);
          const dw = elasticKernelRef(slicePrefix(w['depthwiseKernel'] as Arr, [5, 5, c, 2]), k, [3, 5], w);
          const p = (k - 1) / 2;
          let h = depthwiseRef(arr(x), dw, slicePrefix(w['depthwiseBias'] as Arr, [2 * c]), { pads: [p, p, p, p] });
          if (norm === 'instance') h = instanceNormRef(h);
          const ref = conv2dRef(
            h,
            slicePrefix(w['pointwiseKernel'] as Arr, [1, 1, 2 * c, out]),
            slicePrefix(w['bias'] as Arr, [out]),
          );
          expectClose(y, ref.data, 1e-5, 1e-6, `${norm} out ${out} k ${k} c ${c}`);
          y.dispose();
        });
        x.dispose();
      }
      disposeWeights(layer);
    }
  });

  it('ElasticConv2dTranspose: PyTorch geometry at several widths', async () => {
    const geometries = [
      { strides: 2, padding: 1, outputPadding: 1, kernelSize: 3 },
      { strides: 3, padding: 0, outputPadding: 2, kernelSize: 2 },
      { strides: 1, padding: 1, outputPadding: 1, kernelSize: 3, dilationRate: 2 },
    ];
    for (const [gi, g] of geometries.entries()) {
      const layer = new ElasticConv2dTranspose({ filters: 5, ...g });
      layer.build([null, 4, 3, 6]);
      randomizeWeights(layer, 400 + gi);
      const w = weightsByName(layer);
      for (const [out, cin] of [
        [5, 6],
        [2, 3],
        [1, 6],
      ] as [number, number][]) {
        layer.setActive({ outChannels: out });
        const x = seededTensor([1, 4, 3, cin], 5 + cin);
        await expectNoLeak(() => {
          const y = run(layer, x);
          const k = g.kernelSize;
          const pair = (v: number): [number, number] => [v, v];
          const ref = convTransposeRef(
            arr(x),
            slicePrefix(w['kernel'] as Arr, [k, k, out, cin]),
            slicePrefix(w['bias'] as Arr, [out]),
            pair(g.strides),
            pair(g.padding),
            pair(g.outputPadding),
            pair(g.dilationRate ?? 1),
          );
          expect(y.shape).toEqual(ref.shape);
          expectClose(y, ref.data, 1e-5, 1e-6, `geometry ${gi} out ${out} cin ${cin}`);
          y.dispose();
        });
        x.dispose();
      }
      disposeWeights(layer);
    }
  });

  it('ElasticBatchNorm: sliced running stats at inference; batch stats and a first-C momentum update in training', async () => {
    const layer = new ElasticBatchNorm({ momentum: 0.9, epsilon: 1e-5 });
    layer.build([null, 3, 3, 6]);
    randomizeWeights(layer, 500);
    for (const c of [6, 4, 1]) {
      const w = weightsByName(layer);
      const x = seededTensor([2, 3, 3, c], 30 + c, 2);
      await expectNoLeak(() => {
        const y = run(layer, x);
        const ref = normalizeRef(
          arr(x),
          slicePrefix(w['moving_mean'] as Arr, [c]).data,
          slicePrefix(w['moving_variance'] as Arr, [c]).data,
          1e-5,
          slicePrefix(w['gamma'] as Arr, [c]),
          slicePrefix(w['beta'] as Arr, [c]),
        );
        expectClose(y, ref.data, 1e-5, 1e-6, `inference c ${c}`);
        const yt = run(layer, x, true);
        const { mean, variance } = channelMoments(arr(x));
        const reft = normalizeRef(
          arr(x),
          mean,
          variance,
          1e-5,
          slicePrefix(w['gamma'] as Arr, [c]),
          slicePrefix(w['beta'] as Arr, [c]),
        );
        expectClose(yt, reft.data, 1e-4, 1e-6, `training c ${c}`);
        const after = weightsByName(layer);
        for (const [name, batch] of [
          ['moving_mean', mean],
          ['moving_variance', variance],
        ] as const) {
          const before = (w[name] as Arr).data;
          const expected = Array.from(before, (v, i) => (i < c ? v * 0.9 + (batch[i] as number) * 0.1 : v));
          expectClose((after[name] as Arr).data, expected, 1e-6, 0, `${name} update c ${c}`);
        }
        tf.dispose([y, yt]);
      });
      x.dispose();
    }
    disposeWeights(layer);
  });

  it('ElasticInstanceNorm: sliced affine parameters', async () => {
    const layer = new ElasticInstanceNorm({ affine: true });
    layer.build([null, 4, 4, 5]);
    randomizeWeights(layer, 600);
    const w = weightsByName(layer);
    for (const c of [5, 2]) {
      const x = seededTensor([2, 4, 4, c], 40 + c, 3);
      await expectNoLeak(() => {
        const y = run(layer, x);
        expectClose(
          y,
          instanceNormRef(arr(x), 1e-5, slicePrefix(w['gamma'] as Arr, [c]), slicePrefix(w['beta'] as Arr, [c])).data,
          1e-5,
          1e-6,
          `c ${c}`,
        );
        y.dispose();
      });
      x.dispose();
    }
    disposeWeights(layer);
  });

  it('inputs wider than the built width are refused, naming the layer', () => {
    const conv = new OnceForAllConv({ filters: 2, kernelSize: 3, name: 'ofa' });
    conv.build([null, 4, 4, 3]);
    const x = tf.zeros([1, 4, 4, 5]);
    expect(() => conv.apply(x)).toThrow(ShapeError);
    expect(() => conv.apply(x)).toThrow(
      /ofa input: got shape \[1,4,4,5\], expected rank 4 \(NHWC\) with at most 3 channels/,
    );
    const bn = new ElasticBatchNorm({ name: 'ebn' });
    bn.build([null, 3]);
    expect(() => bn.apply(tf.zeros([2, 4]))).toThrow(/ebn input: got shape \[2,4\]/);
    tf.dispose(x);
    disposeWeights(conv);
    disposeWeights(bn);
  });
});
