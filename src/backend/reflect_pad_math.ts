/*
 * The gradient of a reflection pad. Padded index j of an axis of length n with `before` padding
 * reads source index reflect(j − before), where reflect(i) = −i below 0 and 2(n − 1) − i from n
 * on (the edge is not repeated: PyTorch's ReflectionPad, tfjs's mirrorPad 'reflect'). The
 * gradient adds every dy element into the source element it read: the interior once, the rows
 * and columns next to each edge once more for every pad that mirrors them.
 *
 * tfjs 4.22's own MirrorPad gradient only slices the interior of dy, dropping the mirrored
 * contributions; the reflection pads of every ResNet generator trained through it got wrong
 * gradients along their borders.
 */

/** The source index that padded index `j` reads along an axis of length `n` padded by `before`. */
export function reflectSource(j: number, before: number, n: number): number {
  const i = j - before;
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

/**
 * dx (the shape of the unpadded input, overwritten) from dy (the padded shape), both row-major
 * float32 at element offsets `dyAt` and `dxAt`. Trailing axes without padding are added as whole
 * runs; the axes up to the last padded one are counted.
 */
export function reflectPadGradient(
  dy: Float32Array,
  dyAt: number,
  dyShape: readonly number[],
  paddings: readonly (readonly [number, number])[],
  dx: Float32Array,
  dxAt: number,
): void {
  const rank = dyShape.length;
  const xShape = dyShape.map(
    (d, a) => d - (paddings[a] as readonly [number, number])[0] - (paddings[a] as readonly [number, number])[1],
  );
  const total = xShape.reduce((a, b) => a * b, 1);
  dx.fill(0, dxAt, dxAt + total);
  if (total === 0) return;
  let last = rank - 1;
  while (
    last > 0 &&
    (paddings[last] as readonly [number, number])[0] === 0 &&
    (paddings[last] as readonly [number, number])[1] === 0
  )
    last--;
  let run = 1;
  for (let a = last + 1; a < rank; a++) run *= xShape[a] as number;
  const xStrides = new Array<number>(rank).fill(0);
  let stride = run;
  for (let a = last; a >= 0; a--) {
    xStrides[a] = stride;
    stride *= xShape[a] as number;
  }
  // The source offset of each padded index, per counted axis.
  const sources = Array.from({ length: last + 1 }, (_, a) => {
    const [before] = paddings[a] as readonly [number, number];
    return Int32Array.from(
      { length: dyShape[a] as number },
      (_, j) => reflectSource(j, before, xShape[a] as number) * (xStrides[a] as number),
    );
  });
  const counter = new Array<number>(last + 1).fill(0);
  const partial = new Array<number>(last + 2).fill(0); // partial[a] = Σ source offsets of axes < a
  for (let b = 0; b < last; b++) partial[b + 1] = (partial[b] as number) + ((sources[b] as Int32Array)[0] as number);
  let from = dyAt;
  for (;;) {
    const to = dxAt + (partial[last] as number) + ((sources[last] as Int32Array)[counter[last] as number] as number);
    for (let k = 0; k < run; k++) dx[to + k]! += dy[from + k] as number;
    from += run;
    let a = last;
    while (a >= 0 && ++(counter[a] as number) === (dyShape[a] as number)) counter[a--] = 0;
    if (a < 0) return;
    for (let b = a; b < last; b++)
      partial[b + 1] = (partial[b] as number) + ((sources[b] as Int32Array)[counter[b] as number] as number);
  }
}

/**
 * {@link reflectPadGradient} for the common case, an NHWC tensor padded along H and W only: the
 * interior of each image row is one contiguous run of dx, so dx starts as a bulk copy of dy's
 * interior (row by row), and only the padded rows and columns are added element by element —
 * (t + b)·W + H'·(l + r) pixels per image instead of all H'·W' of them.
 */
export function reflectPad2dGradient(
  dy: Float32Array,
  dyAt: number,
  dyShape: readonly [number, number, number, number],
  pads: readonly [number, number, number, number],
  dx: Float32Array,
  dxAt: number,
): void {
  const [batch, hp, wp, c] = dyShape;
  const [t, b, l, r] = pads;
  const h = hp - t - b;
  const w = wp - l - r;
  const rowIn = wp * c;
  const rowOut = w * c;
  const sameArray = dy === dx;
  const addRun = (from: number, to: number, n: number): void => {
    for (let k = 0; k < n; k++) dx[to + k]! += dy[from + k] as number;
  };
  for (let n = 0; n < batch; n++) {
    const dyImage = dyAt + n * hp * rowIn;
    const dxImage = dxAt + n * h * rowOut;
    // The interior, copied row by row.
    for (let y = 0; y < h; y++) {
      const from = dyImage + (y + t) * rowIn + l * c;
      const to = dxImage + y * rowOut;
      if (sameArray) dx.copyWithin(to, from, from + rowOut);
      else dx.set(dy.subarray(from, from + rowOut), to);
    }
    for (let y = 0; y < hp; y++) {
      const target = dxImage + reflectSource(y, t, h) * rowOut;
      const source = dyImage + y * rowIn;
      // The interior columns of a padded row.
      if (y < t || y >= t + h) addRun(source + l * c, target, rowOut);
      // The padded columns of every row.
      for (let x = 0; x < l; x++) addRun(source + x * c, target + reflectSource(x, l, w) * c, c);
      for (let x = l + w; x < wp; x++) addRun(source + x * c, target + reflectSource(x, l, w) * c, c);
    }
  }
}
