import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFLECT_PAD_GRAD_KERNEL, REFLECT_PAD_KERNEL } from '../../src/backend/reflect_pad_kernels.js';
import { reflectPad2dGradient, reflectPadGradient, reflectSource } from '../../src/backend/reflect_pad_math.js';
import { pad2d } from '../../src/layers/common/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

interface PadCase {
  pads: [number, number, number, number];
  x: FixtureTensor;
  w: FixtureTensor;
  dx: FixtureTensor;
}
const fixture = readFixture<{ reflectPad: PadCase[] }>('backend_torch');

/** The padded tensor through the kernel, as pad2d calls it. */
function reflectPad(x: tf.Tensor, paddings: [number, number][]): tf.Tensor {
  return tf.engine().runKernel<tf.Tensor>(REFLECT_PAD_KERNEL, { x }, { paddings });
}

describe('reflectSource', () => {
  it('maps padded indices to the mirrored source without repeating the edge (pad 2 of 4: 2 1 | 0 1 2 3 | 2 1)', () => {
    expect(Array.from({ length: 8 }, (_, j) => reflectSource(j, 2, 4))).toEqual([2, 1, 0, 1, 2, 3, 2, 1]);
  });
});

describe('reflectPad2dGradient (the NHWC fast path)', () => {
  it('equals the general fold for any image and spatial pads, on separate arrays and inside one heap', () => {
    const nhwc = fc
      .tuple(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
      )
      .chain(([n, h, w, c]) =>
        fc.record({
          shape: fc.constant([n, h, w, c] as const),
          pads: fc.tuple(
            fc.integer({ min: 0, max: h - 1 }),
            fc.integer({ min: 0, max: h - 1 }),
            fc.integer({ min: 0, max: w - 1 }),
            fc.integer({ min: 0, max: w - 1 }),
          ),
        }),
      );
    fc.assert(
      fc.property(nhwc, ({ shape: [n, h, w, c], pads: [t, b, l, r] }) => {
        const dyShape = [n, h + t + b, w + l + r, c] as const;
        const size = dyShape.reduce((p, q) => p * q, 1);
        const dy = Float32Array.from({ length: size }, (_, i) => ((i * 37) % 101) - 50);
        const want = new Float32Array(n * h * w * c);
        reflectPadGradient(
          dy,
          0,
          dyShape,
          [
            [0, 0],
            [t, b],
            [l, r],
            [0, 0],
          ],
          want,
          0,
        );
        const got = new Float32Array(want.length).fill(Number.NaN); // every element must be written
        reflectPad2dGradient(dy, 0, dyShape, [t, b, l, r], got, 0);
        expect(Array.from(got)).toEqual(Array.from(want));
        const heap = new Float32Array(3 + size + want.length);
        heap.set(dy, 3);
        reflectPad2dGradient(heap, 3, dyShape, [t, b, l, r], heap, 3 + size);
        expect(Array.from(heap.subarray(3 + size))).toEqual(Array.from(want));
        expect(Array.from(heap.subarray(3, 3 + size))).toEqual(Array.from(dy)); // dy untouched
      }),
      { seed: 19, numRuns: 200 },
    );
  });
});

describeBackends('reflection padding with a correct gradient', () => {
  it('a hand-derived case: the gradient of sum(pad([1,2,3,4], 2)) counts how often each value is read', () => {
    const x = tf.tensor1d([1, 2, 3, 4]);
    // reflect pad 2: [3, 2, 1, 2, 3, 4, 3, 2] reads x0 once, x1 and x2 three times, x3 once.
    const g = tf.grad((v: tf.Tensor) => tf.sum(reflectPad(v, [[2, 2]])))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 3, 3, 1]);
    // tfjs's own mirrorPad gradient, for contrast: the interior only.
    const wrong = tf.grad((v: tf.Tensor) => tf.sum(tf.mirrorPad(v as tf.Tensor1D, [[2, 2]], 'reflect')))(x);
    expect(Array.from(wrong.dataSync())).toEqual([1, 1, 1, 1]);
    tf.dispose([x, g, wrong]);
  });

  it('pad2d(…, "reflect") equals tf.mirrorPad forward and PyTorch ReflectionPad2d backward', () => {
    for (const c of fixture.reflectPad) {
      const x = fromFixture(c.x) as tf.Tensor4D;
      const w = fromFixture(c.w);
      const [t, b, l, r] = c.pads;
      const y = pad2d(x, c.pads, 'reflect');
      const mirrored = tf.mirrorPad(
        x,
        [
          [0, 0],
          [t, b],
          [l, r],
          [0, 0],
        ],
        'reflect',
      );
      expectClose(y, mirrored, 0);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(pad2d(v as tf.Tensor4D, c.pads, 'reflect'), w)))(x);
      expectClose(dx, fromFixture(c.dx), 1e-5, 1e-6, `pads ${c.pads}`);
      tf.dispose([x, w, y, mirrored, dx]);
    }
  });

  it('gradients match finite differences for pads on any axes of rank 1–4 tensors', () => {
    const padCase = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        paddings: fc.tuple(
          ...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d - 1 }), fc.integer({ min: 0, max: d - 1 }))),
        ),
      }),
    );
    fc.assert(
      fc.property(padCase, ({ shape, paddings }) => {
        const x = seededTensor(shape, 3);
        const w = seededTensor(
          shape.map((d, a) => d + (paddings[a] as [number, number])[0] + (paddings[a] as [number, number])[1]),
          4,
        );
        checkGradient((v) => tf.sum(tf.mul(reflectPad(v, paddings), w)), x, 1e-1, 1e-3);
        tf.dispose([x, w]);
      }),
      { seed: 18, numRuns: 25 },
    );
  });

  it('leaks nothing forward and backward', async () => {
    const x = seededTensor([2, 5, 5, 3], 5) as tf.Tensor4D;
    await expectNoLeak(() => pad2d(x, 2, 'reflect').dispose());
    await expectNoLeak(() =>
      tf
        .grad((v: tf.Tensor) => tf.sum(pad2d(v as tf.Tensor4D, 2, 'reflect')))(x)
        .dispose(),
    );
    x.dispose();
  });

  it('refuses paddings a direct call gets wrong, naming them', () => {
    const x = tf.zeros([1, 3, 3, 2]);
    expect(() =>
      reflectPad(x, [
        [0, 0],
        [3, 0],
        [0, 0],
        [0, 0],
      ]),
    ).toThrow(
      /GancompressReflectPad: paddings: got \[\[0,0\],\[3,0\],\[0,0\],\[0,0\]\], expected \[before, after\] per axis of \[1,3,3,2\]/,
    );
    expect(() =>
      reflectPad(x, [
        [0, 0],
        [1, 1],
      ]),
    ).toThrow(/paddings/);
    expect(() =>
      tf.engine().runKernel(
        REFLECT_PAD_GRAD_KERNEL,
        { dy: x },
        {
          paddings: [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ],
        },
      ),
    ).toThrow(/GancompressReflectPadGrad: paddings: .* \(the padded shape\)/);
    x.dispose();
  });
});
