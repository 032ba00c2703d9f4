import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the op gradients
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { expectClose, seededTensor } from '../helpers/tensors.js';
import { refForward, refGradients, type RefConv } from './wasm_conv_reference.js';

// Gradients of conv2d, depthwiseConv2d and conv2dTranspose on wasm (the library's kernels)
// against the cpu backend's kernels over the grid, against a float64 reference from
// the definition where the cpu kernels are wrong (depthwise dilations), and against central
// finite differences of the wasm forward pass. Criterion: max |wasm − reference| ≤ 1e-4 ·
// max |reference|.

type Backend = 'cpu' | 'wasm';
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

const RTOL = 1e-4;
const PADS: Pad[] = [
  'same',
  'valid',
  1,
  [
    [0, 0],
    [2, 1],
    [0, 3],
    [0, 0],
  ],
];

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

/** Runs `fn` on a backend inside tidy and returns every tensor it returned as plain arrays. */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<{ values: Float32Array; shape: number[] }[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(fn);
  const result = out.map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape }));
  tf.dispose(out);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return result;
}

async function compareBackends(label: string, fn: () => tf.Tensor[]): Promise<void> {
  const cpu = await on('cpu', fn);
  const wasm = await on('wasm', fn);
  cpu.forEach((c, i) => {
    const w = wasm[i] as { values: Float32Array; shape: number[] };
    expect(w.shape, `${label} output ${i} shape`).toEqual(c.shape);
    expectClose(w.values, c.values, 0, RTOL, `${label} output ${i}`);
  });
}

/** Gradients of Σ r·op(x, w) with respect to x and w, r a fixed random tensor. */
function gradsOf(
  op: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  xShape: number[],
  wShape: number[],
): () => tf.Tensor[] {
  return () => {
    const x = seededTensor(xShape, 11) as tf.Tensor4D;
    const w = seededTensor(wShape, 12) as tf.Tensor4D;
    const r = seededTensor(op(x, w).shape, 13);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
  };
}

const padName = (p: Pad): string => (typeof p === 'string' || typeof p === 'number' ? String(p) : 'explicit');

describe('conv2d gradients on wasm equal the cpu backend (kernel 1/3/5/7 × stride 1/2 × 4 paddings × batch 1/4)', () => {
  for (const k of [1, 3, 5, 7]) {
    for (const s of [1, 2]) {
      it(`kernel ${k}, stride ${s}`, async () => {
        for (const pad of PADS) {
          for (const b of [1, 4]) {
            const label = `k${k} s${s} pad ${padName(pad)} batch ${b}`;
            await compareBackends(
              label,
              gradsOf((x, w) => tf.conv2d(x, w, s, pad), [b, 9, 7, 3], [k, k, 3, 5]),
            );
          }
        }
      });
    }
  }
});

describe('depthwiseConv2d gradients on wasm equal the cpu backend (… × channel multiplier 1/2)', () => {
  for (const k of [1, 3, 5, 7]) {
    for (const s of [1, 2]) {
      it(`kernel ${k}, stride ${s}`, async () => {
        for (const pad of PADS) {
          for (const b of [1, 4]) {
            for (const m of [1, 2]) {
              const label = `k${k} s${s} pad ${padName(pad)} batch ${b} multiplier ${m}`;
              await compareBackends(
                label,
                gradsOf((x, w) => tf.depthwiseConv2d(x, w, s, pad), [b, 9, 7, 5], [k, k, 5, m]),
              );
            }
          }
        }
      });
    }
  }
});

describe('conv2dTranspose gradients on wasm equal the cpu backend', () => {
  for (const k of [1, 3, 4, 5]) {
    it(`kernel ${k}, stride 1/2, same/valid, batch 1/4`, async () => {
      for (const s of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          for (const b of [1, 4]) {
            const [h, w] = [5, 4];
            const out: [number, number, number, number] =
              pad === 'same' ? [b, h * s, w * s, 3] : [b, (h - 1) * s + k, (w - 1) * s + k, 3];
            const label = `k${k} s${s} ${pad} batch ${b}`;
            await compareBackends(
              label,
              gradsOf((x, f) => tf.conv2dTranspose(x, f, out, s, pad), [b, h, w, 6], [k, k, 3, 6]),
            );
          }
        }
      }
    });
  }
});

describe('backprop kernels called directly with attributes the layers API does not produce', () => {
  const kernel = (name: string, inputs: () => tf.NamedTensorMap, attrs: Record<string, unknown>) => (): tf.Tensor[] => [
    tf.engine().runKernel<tf.Tensor>(name, inputs(), attrs as unknown as tf.NamedAttrMap),
  ];

  it('numeric padding with dimRoundingMode floor / round / ceil (output size 4.5 rounded)', async () => {
    // (8 − 3 + 2·1)/2 + 1 = 4.5 output rows: floor 4, round and ceil 5 (the last row reads past the padding).
    for (const mode of ['floor', 'round', 'ceil'] as const) {
      const outRows = mode === 'floor' ? 4 : 5;
      const common = { strides: [2, 2], pad: 1, dimRoundingMode: mode, dataFormat: 'NHWC', dilations: [1, 1] };
      const x = (): tf.Tensor => seededTensor([2, 8, 8, 3], 1);
      const dy = (c: number) => (): tf.Tensor => seededTensor([2, outRows, outRows, c], 2);
      await compareBackends(
        `Conv2DBackpropFilter ${mode}`,
        kernel('Conv2DBackpropFilter', () => ({ x: x(), dy: dy(4)() }), { ...common, filterShape: [3, 3, 3, 4] }),
      );
      await compareBackends(
        `Conv2DBackpropInput ${mode}`,
        kernel('Conv2DBackpropInput', () => ({ dy: dy(4)(), filter: seededTensor([3, 3, 3, 4], 3) }), {
          ...common,
          inputShape: [2, 8, 8, 3],
        }),
      );
      await compareBackends(
        `DepthwiseBackpropFilter ${mode}`,
        kernel('DepthwiseConv2dNativeBackpropFilter', () => ({ x: x(), dy: dy(6)() }), {
          ...common,
          filterShape: [3, 3, 3, 2],
        }),
      );
      await compareBackends(
        `DepthwiseBackpropInput ${mode}`,
        kernel('DepthwiseConv2dNativeBackpropInput', () => ({ dy: dy(6)(), filter: seededTensor([3, 3, 3, 2], 3) }), {
          ...common,
          inputShape: [2, 8, 8, 3],
        }),
      );
    }
  });

  it('NCHW data format for Conv2DBackpropFilter and Conv2DBackpropInput', async () => {
    for (const pad of ['same', 'valid'] as const) {
      const outSize = pad === 'same' ? [4, 4] : [3, 3];
      const common = { strides: [2, 2], pad, dataFormat: 'NCHW' };
      await compareBackends(
        `Conv2DBackpropFilter NCHW ${pad}`,
        kernel(
          'Conv2DBackpropFilter',
          () => ({ x: seededTensor([2, 3, 7, 8], 4), dy: seededTensor([2, 5, ...outSize], 5) }),
          { ...common, filterShape: [3, 3, 3, 5] },
        ),
      );
      await compareBackends(
        `Conv2DBackpropInput NCHW ${pad}`,
        kernel(
          'Conv2DBackpropInput',
          () => ({ dy: seededTensor([2, 5, ...outSize], 5), filter: seededTensor([3, 3, 3, 5], 6) }),
          { ...common, inputShape: [2, 3, 7, 8] },
        ),
      );
    }
  });

  it('explicit paddings larger than the kernel, asymmetric strides, channel counts 1 and 6', async () => {
    const pad = [
      [0, 0],
      [4, 0],
      [1, 5],
      [0, 0],
    ];
    const common = { strides: [2, 3], pad, dataFormat: 'NHWC', dilations: [1, 1] };
    // rows (9 − 3 + 4)/2 + 1 = 6, columns trunc((7 − 3 + 6)/3 + 1) = 4
    for (const [ci, co] of [
      [1, 6],
      [6, 1],
    ] as const) {
      await compareBackends(
        `Conv2DBackpropFilter ci ${ci} co ${co}`,
        kernel(
          'Conv2DBackpropFilter',
          () => ({ x: seededTensor([3, 9, 7, ci], 7), dy: seededTensor([3, 6, 4, co], 8) }),
          { ...common, filterShape: [3, 3, ci, co] },
        ),
      );
      await compareBackends(
        `Conv2DBackpropInput ci ${ci} co ${co}`,
        kernel(
          'Conv2DBackpropInput',
          () => ({ dy: seededTensor([3, 6, 4, co], 8), filter: seededTensor([3, 3, ci, co], 9) }),
          { ...common, inputShape: [3, 9, 7, ci] },
        ),
      );
    }
  });
});

describe('depthwise gradients with dilations (the cpu kernels ignore dilations, so the reference is the definition)', () => {
  const cases: { k: number; pad: Pad; dilations: [number, number] }[] = [];
  for (const k of [1, 3, 5, 7]) {
    for (const pad of PADS) {
      for (const dilations of [
        [2, 2],
        [2, 1],
      ] as [number, number][]) {
        // tfjs-core sizes numeric padding from the effective filter height alone, so a numeric
        // pad with unequal effective height and width gives a wrong output width, and the wasm
        // forward conv then writes past its output buffer (a tfjs bug, not these kernels').
        if (typeof pad === 'number' && dilations[0] !== dilations[1]) continue;
        cases.push({ k, pad, dilations });
      }
    }
  }

  it('kernel 1/3/5/7 × 4 paddings × dilation [2,2]/[2,1] × batch 1/4 × multiplier 1/2, stride 1', async () => {
    await tf.setBackend('wasm');
    let checked = 0;
    for (const { k, pad, dilations } of cases) {
      for (const b of [1, 4]) {
        for (const m of [1, 2]) {
          const xShape: [number, number, number, number] = [b, 11, 9, 3];
          const wShape: [number, number, number, number] = [k, k, 3, m];
          const info = tf.backend_util.computeConv2DInfo(xShape, wShape, 1, dilations, pad, undefined, true);
          if (info.outHeight <= 0 || info.outWidth <= 0) continue;
          const ref: RefConv = {
            xShape,
            wShape,
            depthwise: true,
            strides: [1, 1],
            dilations,
            top: info.padInfo.top,
            left: info.padInfo.left,
            outH: info.outHeight,
            outW: info.outWidth,
          };
          const label = `k${k} pad ${padName(pad)} dilations ${dilations} batch ${b} multiplier ${m}`;
          const x = seededTensor(xShape, 21);
          const w = seededTensor(wShape, 22);
          const dy = seededTensor(info.outShape, 23);
          const xv = x.dataSync() as Float32Array;
          const wv = w.dataSync() as Float32Array;
          // The reference's index mapping is the forward conv's: check it on the forward pass first.
          const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, pad, 'NHWC', dilations);
          expectClose(y, refForward(ref, xv, wv), 0, RTOL, `${label} forward`);
          const { dx, dw } = refGradients(ref, xv, wv, dy.dataSync() as Float32Array);
          const attrs = { strides: [1, 1], pad, dilations } as unknown as tf.NamedAttrMap;
          const gotDw = tf
            .engine()
            .runKernel<tf.Tensor>('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: wShape });
          const gotDx = tf
            .engine()
            .runKernel<tf.Tensor>(
              'DepthwiseConv2dNativeBackpropInput',
              { dy, filter: w },
              { ...attrs, inputShape: xShape },
            );
          expectClose(gotDw, dw, 0, RTOL, `${label} filter gradient`);
          expectClose(gotDx, dx, 0, RTOL, `${label} input gradient`);
          tf.dispose([x, w, dy, y, gotDw, gotDx]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});

describe('central finite differences of the wasm forward pass', () => {
  // L = ½ Σ op(x, w)² is quadratic in w for fixed x and in x for fixed w, so the central
  // difference (L(v + ε) − L(v − ε)) / 2ε equals the derivative exactly up to float32 rounding.
  const cases: { name: string; op: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D; x: number[]; w: number[] }[] = [
    { name: 'conv2d k3 s2 same', op: (x, w) => tf.conv2d(x, w, 2, 'same'), x: [2, 7, 6, 3], w: [3, 3, 3, 4] },
    {
      name: 'depthwiseConv2d k3 s2 valid, multiplier 2',
      op: (x, w) => tf.depthwiseConv2d(x, w, 2, 'valid'),
      x: [2, 7, 6, 3],
      w: [3, 3, 3, 2],
    },
    {
      name: 'depthwiseConv2d k3 dilation 2 same',
      op: (x, w) => tf.depthwiseConv2d(x, w, 1, 'same', 'NHWC', 2),
      x: [1, 7, 6, 3],
      w: [3, 3, 3, 1],
    },
    {
      name: 'conv2dTranspose k4 s2 same',
      op: (x, w) => tf.conv2dTranspose(x, w, [2, 8, 6, 3], 2, 'same'),
      x: [2, 4, 3, 5],
      w: [4, 4, 3, 5],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await tf.setBackend('wasm');
      const x = seededTensor(c.x, 31) as tf.Tensor4D;
      const w = seededTensor(c.w, 32) as tf.Tensor4D;
      const loss = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar =>
        tf.tidy(() => tf.mul(0.5, tf.sum(tf.square(c.op(a, b)))));
      // The conv2d-with-dilation gradient asserts in tfjs-core, so dilated depthwise goes through the kernels.
      const [gx, gw] = c.name.includes('dilation')
        ? tf.tidy(() => {
            const y = c.op(x, w);
            const attrs = { strides: [1, 1], pad: 'same', dilations: [2, 2] } as unknown as tf.NamedAttrMap;
            return [
              tf
                .engine()
                .runKernel<tf.Tensor>(
                  'DepthwiseConv2dNativeBackpropInput',
                  { dy: y, filter: w },
                  { ...attrs, inputShape: c.x },
                ),
              tf
                .engine()
                .runKernel<tf.Tensor>(
                  'DepthwiseConv2dNativeBackpropFilter',
                  { x, dy: y },
                  { ...attrs, filterShape: c.w },
                ),
            ];
          })
        : tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
      const eps = 0.05;
      const check = (target: 'x' | 'w', grad: tf.Tensor): void => {
        const base = (target === 'x' ? x : w).dataSync() as Float32Array;
        const g = grad.dataSync();
        const scale = Math.max(...Array.from(g, Math.abs));
        for (let n = 0; n < 12; n++) {
          const i = (n * 7919 + 13) % base.length;
          const shifted = (d: number): number => {
            const v = Float32Array.from(base);
            v[i] = (v[i] as number) + d;
            const t = tf.tensor4d(v, (target === 'x' ? c.x : c.w) as [number, number, number, number]);
            const l = target === 'x' ? loss(t, w) : loss(x, t);
            const value = l.dataSync()[0] as number;
            tf.dispose([t, l]);
            return value;
          };
          const fd = (shifted(eps) - shifted(-eps)) / (2 * eps);
          expect(
            Math.abs(fd - (g[i] as number)),
            `${c.name} d/d${target}[${i}]: finite difference ${fd}, gradient ${g[i]}`,
          ).toBeLessThanOrEqual(2e-3 * scale);
        }
      };
      check('x', gx as tf.Tensor);
      check('w', gw as tf.Tensor);
      tf.dispose([x, w, gx, gw]);
    });
  }
});
