import { describe, expect, it } from 'vitest';
import { convGeometry, outputPhases, tapPhases } from '../../src/backend/wasm_conv_geometry.js';

// Hand-derived phase plans of the wasm gradient kernels (the gradient tests check them end to
// end; these pin the index arithmetic on small cases worked out on paper).

describe('tapPhases (which stride phase and offset each filter tap reads)', () => {
  it('stride 2: tap k reads padded input 2·o + k = 2·(o + ⌊k/2⌋) + k mod 2', () => {
    // k=3, s=2, d=1, 1 row of top padding, 7 input rows, 4 output rows
    expect(tapPhases(3, 2, 1, 1, 7, 4)).toEqual({ phase: [0, 1, 0], shift: [0, 0, 1], length: 5 });
    // k=5, s=2, 2 rows of padding, 9 rows in, 5 out: reads reach o + 2 → 7 phase rows
    expect(tapPhases(5, 2, 1, 2, 9, 5)).toEqual({ phase: [0, 1, 0, 1, 0], shift: [0, 0, 1, 1, 2], length: 7 });
  });

  it('stride 1 with dilation 2: one phase, taps shifted by 0, 2, 4', () => {
    expect(tapPhases(3, 1, 2, 2, 5, 5)).toEqual({ phase: [0, 0, 0], shift: [0, 2, 4], length: 9 });
  });

  it('the phase length also covers the whole (padded) input', () => {
    // 1×1 kernel, stride 2, 9 rows: 5 outputs, but ⌈9/2⌉ = 5 phase rows hold the input too
    expect(tapPhases(1, 2, 1, 0, 9, 5).length).toBe(5);
    expect(tapPhases(1, 2, 1, 3, 9, 5).length).toBe(6);
  });
});

describe('outputPhases (input-gradient phases as correlations with flipped sub-filters)', () => {
  it('stride 2, kernel 3, top padding 1', () => {
    // Input row y = 2u + r receives dy[oy]·w[k] where y + 1 = 2·oy + k.
    // r = 0: only k = 1, from oy = u. r = 1: k = 2 from oy = u and k = 0 from oy = u + 1.
    expect(outputPhases(3, 2, 1, 1, 7)).toEqual({
      phases: [
        { taps: [1], start: 0, dilation: 1 },
        { taps: [2, 0], start: 0, dilation: 1 },
      ],
      length: 4,
    });
  });

  it('stride 1, dilation 2, padding 2: the whole flipped filter, dilated', () => {
    // y + 2 = oy + 2k → oy = y + 2 − 2k: k = 2, 1, 0 read oy = y − 2, y, y + 2
    expect(outputPhases(3, 1, 2, 2, 5)).toEqual({ phases: [{ taps: [2, 1, 0], start: -2, dilation: 2 }], length: 5 });
  });

  it('a phase no tap reaches is null (1×1 kernel, stride 2)', () => {
    expect(outputPhases(1, 2, 1, 0, 5)).toEqual({ phases: [{ taps: [0], start: 0, dilation: 1 }, null], length: 3 });
  });

  it('stride 2 with dilation 2: even rows only, sub-filter dilation 2/gcd(2,2) = 1', () => {
    // y = 2·oy + 2k → oy = y/2 − k for even y; odd rows get nothing
    expect(outputPhases(3, 2, 2, 0, 6)).toEqual({
      phases: [{ taps: [2, 1, 0], start: -2, dilation: 1 }, null],
      length: 3,
    });
  });
});

describe('convGeometry', () => {
  it("reproduces tfjs' 'same' padding split (the extra row or column goes after)", () => {
    const g = convGeometry([1, 8, 7, 3], [3, 3, 3, 4], { strides: 2, pad: 'same' }, false);
    // rows: ⌈8/2⌉ = 4, pad (4−1)·2 + 3 − 8 = 1 → top 0; columns: 4, pad 3·2 + 3 − 7 = 2 → left 1
    expect(g).toMatchObject({
      batch: 1,
      inH: 8,
      inW: 7,
      inC: 3,
      outH: 4,
      outW: 4,
      outC: 4,
      top: 0,
      left: 1,
      sH: 2,
      sW: 2,
      dH: 1,
      dW: 1,
    });
  });

  it('NCHW shapes and depthwise channel multipliers', () => {
    expect(
      convGeometry([2, 3, 9, 7], [3, 3, 3, 5], { strides: 1, pad: 'valid', dataFormat: 'NCHW' }, false),
    ).toMatchObject({ batch: 2, inH: 9, inW: 7, inC: 3, outH: 7, outW: 5, outC: 5 });
    expect(convGeometry([1, 9, 7, 3], [3, 3, 3, 2], { strides: 1, dilations: 2, pad: 'same' }, true)).toMatchObject({
      outC: 6,
      dH: 2,
      top: 2,
      left: 2,
    });
  });
});
