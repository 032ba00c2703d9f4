import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  ConfigError,
  ShapeError,
  combinedSeparableKernel,
  demodulationCoefficients,
  firUpsample2d,
  kernelEnergy,
  modulatedConv2d,
  modulatedDwConv2d,
  separableKernelEnergy,
  upfirdn2d,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../../helpers/fixtures.js';
import { checkGradient } from '../../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';

type T = FixtureTensor;
interface Ops {
  stylegan2Conv: {
    x: T;
    w: T;
    affineKernel: T;
    affineBias: T;
    kernel: T;
    style: T;
    cases: { demodulate: boolean; upsample: boolean; y: T }[];
  };
  stylegan2Conv1x1Up: { x: T; style: T; kernel: T; y: T };
  mobileDense: { x: T; style: T; kernel: T; styleInv: T; y: T; yNoDemod: T };
  mobileDw: { x: T; style: T; depthwise: T; pointwise: T; styleInv: T; y: T; demodulation: T; combinedKernel: T };
  firUpsample: { x: T; y: T };
  blur: { x: T; y: T };
}
const F = readFixture<Ops>('modulated_ops');
const t4 = (e: T): tf.Tensor4D => fromFixture(e) as tf.Tensor4D;
const t2 = (e: T): tf.Tensor2D => fromFixture(e) as tf.Tensor2D;

describeBackends('modulated conv ops vs float64 PyTorch references', () => {
  it('modulatedConv2d equals StyleGAN2 per-sample weights (demodulated or not, plain or ×2 up-sampling) within 1e-5', async () => {
    const f = F.stylegan2Conv;
    const [x, s, k] = [t4(f.x), t2(f.style), t4(f.kernel)];
    for (const c of f.cases) {
      const run = (): tf.Tensor4D =>
        modulatedConv2d(x, s, k, { demodulation: c.demodulate ? 'style' : 'none', upsample: c.upsample });
      await expectNoLeak(() => tf.dispose(run()));
      const y = run();
      expectClose(y, fromFixture(c.y), 1e-5, 1e-6, `demodulate ${c.demodulate} upsample ${c.upsample}`);
      y.dispose();
    }
    const g = F.stylegan2Conv1x1Up;
    const y = modulatedConv2d(t4(g.x), t2(g.style), t4(g.kernel), { upsample: true });
    expectClose(y, fromFixture(g.y), 1e-5, 1e-6, '1×1 up-sampling (blur pads 2, 2)');
    // Batch 1 with the (small) kernel modulated instead of the input: the same numbers.
    expectClose(
      modulatedConv2d(t4(g.x), t2(g.style), t4(g.kernel), { upsample: true, foldStyle: true }),
      fromFixture(g.y),
      1e-5,
      1e-6,
      'folded',
    );
  });

  it("modulatedConv2d with 'styleinv' equals MobileStyleGAN's dense conv (input scaling, style_inv demodulation)", () => {
    const f = F.mobileDense;
    const [x, s, k, inv] = [t4(f.x), t2(f.style), t4(f.kernel), fromFixture(f.styleInv)];
    expectClose(modulatedConv2d(x, s, k, { styleInv: inv }), fromFixture(f.y), 1e-5, 1e-6, 'demodulated');
    expectClose(
      modulatedConv2d(x, s, k, { demodulation: 'none' }),
      fromFixture(f.yNoDemod),
      1e-5,
      1e-6,
      'not demodulated',
    );
  });

  it('modulatedDwConv2d equals MobileStyleGAN (demodulation from the combined (Cout, Cin, k, k) kernel)', async () => {
    const f = F.mobileDw;
    const [x, s, dw, pw, inv] = [t4(f.x), t2(f.style), t4(f.depthwise), t4(f.pointwise), fromFixture(f.styleInv)];
    await expectNoLeak(() => tf.dispose(modulatedDwConv2d(x, s, dw, pw, { styleInv: inv })));
    const y = modulatedDwConv2d(x, s, dw, pw, { styleInv: inv });
    expectClose(y, fromFixture(f.y), 1e-5, 1e-6, 'y');
    // Batch 1 with the style folded into the depthwise filter: the same numbers.
    const x0 = tf.slice<tf.Rank.R4, tf.Tensor4D>(x, [0, 0, 0, 0], [1, -1, -1, -1]);
    const s0 = tf.slice<tf.Rank.R2, tf.Tensor2D>(s, [0, 0], [1, -1]);
    expectClose(
      modulatedDwConv2d(x0, s0, dw, pw, { styleInv: inv, foldStyle: true }),
      tf.slice(y, [0, 0, 0, 0], [1, -1, -1, -1]),
      1e-5,
      1e-6,
      'folded',
    );
  });

  it('the closed-form separable energy equals the combined kernel’s, and both give the reference d', async () => {
    const f = F.mobileDw;
    const [dw, pw, inv] = [t4(f.depthwise), t4(f.pointwise), fromFixture(f.styleInv)];
    const ones = tf.ones<tf.Rank.R2>([1, 5]);
    const energy = separableKernelEnergy(dw, pw);
    await expectNoLeak(() =>
      tf.dispose([
        combinedSeparableKernel(dw, pw),
        separableKernelEnergy(dw, pw),
        kernelEnergy(dw),
        demodulationCoefficients(energy, ones, 1),
      ]),
    );
    const combined = combinedSeparableKernel(dw, pw);
    expectClose(combined, fromFixture(f.combinedKernel), 1e-6, 1e-6, 'combined kernel');
    const closed = separableKernelEnergy(dw, pw);
    expectClose(closed, kernelEnergy(combined), 1e-5, 1e-6, 'energy: closed form vs combined kernel');
    const scale = 1 / Math.sqrt(5 * 9);
    const v = tf.reshape<tf.Rank.R2>(inv, [1, 5]);
    expectClose(
      demodulationCoefficients(closed, v, scale),
      tf.reshape(fromFixture(f.demodulation), [1, 6]),
      1e-6,
      1e-5,
      'd (closed form)',
    );
    expectClose(
      demodulationCoefficients(kernelEnergy(combined), v, scale),
      tf.reshape(fromFixture(f.demodulation), [1, 6]),
      1e-6,
      1e-5,
      'd (combined)',
    );
  });

  it('firUpsample2d and upfirdn2d equal StyleGAN2’s upfirdn2d (Upsample skip, Blur)', async () => {
    const x = t4(F.firUpsample.x);
    await expectNoLeak(() => tf.dispose([firUpsample2d(x), upfirdn2d(x, [1, 3, 3, 1], { pads: [1, 1] })]));
    const up = firUpsample2d(x);
    expectClose(up, fromFixture(F.firUpsample.y), 1e-6, 1e-6, 'Upsample([1,3,3,1])');
    expectClose(
      upfirdn2d(t4(F.blur.x), [1, 3, 3, 1], { pads: [1, 1], gain: 4 }),
      fromFixture(F.blur.y),
      1e-6,
      1e-6,
      'Blur pad (1, 1)',
    );
    // A constant image stays constant inside (the kernel sums to the gain / up²).
    const ones = upfirdn2d(tf.ones<tf.Rank.R4>([1, 4, 4, 1]), [1, 3, 3, 1], { pads: [1, 1] });
    expectClose(tf.slice(ones, [0, 1, 1, 0], [1, 1, 1, 1]), [1], 1e-6);
  });

  it('gradients reach the style and the weights (central finite differences)', () => {
    const x = seededTensor([1, 3, 3, 2], 1) as tf.Tensor4D;
    const s = tf.add<tf.Tensor2D>(seededTensor([1, 2], 2, 0.5), 1);
    const k = seededTensor([3, 3, 2, 3], 3) as tf.Tensor4D;
    const r = seededTensor([1, 6, 6, 3], 4);
    const up = (p: { s?: tf.Tensor; k?: tf.Tensor }): tf.Scalar =>
      tf.sum(tf.mul(modulatedConv2d(x, (p.s ?? s) as tf.Tensor2D, (p.k ?? k) as tf.Tensor4D, { upsample: true }), r));
    checkGradient((p) => up({ s: p }), s, 1e-2, 2e-3, 'StyleGAN2 up-sampling conv: style');
    checkGradient((p) => up({ k: p }), k, 1e-2, 2e-3, 'StyleGAN2 up-sampling conv: kernel');
    const dw = seededTensor([3, 3, 2, 1], 5) as tf.Tensor4D;
    const pw = seededTensor([1, 1, 2, 3], 6) as tf.Tensor4D;
    const inv = seededTensor([2], 7);
    const r2 = seededTensor([1, 3, 3, 3], 8);
    const sep = (p: { s?: tf.Tensor; dw?: tf.Tensor; pw?: tf.Tensor }): tf.Scalar =>
      tf.sum(
        tf.mul(
          modulatedDwConv2d(x, (p.s ?? s) as tf.Tensor2D, (p.dw ?? dw) as tf.Tensor4D, (p.pw ?? pw) as tf.Tensor4D, {
            styleInv: inv,
          }),
          r2,
        ),
      );
    checkGradient((p) => sep({ s: p }), s, 1e-2, 2e-3, 'separable: style');
    checkGradient((p) => sep({ dw: p }), dw, 1e-2, 2e-3, 'separable: depthwise');
    checkGradient((p) => sep({ pw: p }), pw, 1e-2, 2e-3, 'separable: pointwise');
  });

  it('rejects bad arguments by name', () => {
    const x = tf.zeros<tf.Rank.R4>([1, 4, 4, 2]);
    const k = tf.zeros<tf.Rank.R4>([3, 3, 2, 3]);
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 3]), k)).toThrow(ShapeError);
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 3]), k)).toThrow(
      /style: got shape \[1,3\], expected \[1, 2\]/,
    );
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 2]), tf.zeros<tf.Rank.R4>([2, 2, 2, 3]))).toThrow(
      /kernel: .*k odd/,
    );
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 2]), k, { demodulation: 'styleinv' })).toThrow(
      ConfigError,
    );
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 2]), k, { demodulation: 'styleinv' })).toThrow(
      /options.styleInv: got undefined/,
    );
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 2]), k, { demodulation: 'Style' as never })).toThrow(
      /options.demodulation: got 'Style', expected one of 'style', 'styleinv', 'none'/,
    );
    expect(() => modulatedConv2d(x, tf.zeros<tf.Rank.R2>([1, 2]), k, { scale: -1 })).toThrow(/options.scale/);
    expect(() =>
      modulatedDwConv2d(
        x,
        tf.zeros<tf.Rank.R2>([1, 2]),
        tf.zeros<tf.Rank.R4>([3, 3, 2, 2]),
        tf.zeros<tf.Rank.R4>([1, 1, 4, 3]),
      ),
    ).toThrow(/depthwise/);
    expect(() => upfirdn2d(x, [], {})).toThrow(/kernel1d/);
    expect(() => upfirdn2d(x, [1, 3, 3, 1], { pads: [-1, 0] })).toThrow(/options.pads/);
    expect(() => demodulationCoefficients(tf.zeros<tf.Rank.R2>([2, 3]), tf.zeros<tf.Rank.R2>([1, 3]), 1)).toThrow(
      /v: got shape \[1,3\]/,
    );
  });
});
