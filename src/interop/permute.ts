/** The typed arrays the interop module moves tensors in. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/** Row-major strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

/**
 * Gathers a strided view into a new contiguous array: element `[i0, …, ik]` of the result is
 * `src[offset + Σ ij·strides[j]]`. `make` allocates the result (its length is `Π shape`). The
 * caller has checked that every index it reads lies inside `src`.
 */
export function gatherStrided<T extends TypedArray>(
  src: T,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
  make: (n: number) => T,
): T {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = make(n);
  if (n === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  const set = out as unknown as { [i: number]: number | bigint };
  const get = src as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < n; i++) {
    set[i] = get[at] as number | bigint;
    // Odometer increment: the innermost axis moves fastest.
    for (let d = rank - 1; d >= 0; d--) {
      const idx = (index[d] as number) + 1;
      if (idx < (shape[d] as number)) {
        index[d] = idx;
        at += strides[d] as number;
        break;
      }
      at -= (idx - 1) * (strides[d] as number);
      index[d] = 0;
    }
  }
  return out;
}

/**
 * `transpose(x, perm)` of a contiguous array of shape `shape`: the result has shape
 * `perm.map((p) => shape[p])`.
 */
export function transposeArray<T extends TypedArray>(
  src: T,
  shape: readonly number[],
  perm: readonly number[],
  make: (n: number) => T,
): T {
  const strides = contiguousStrides(shape);
  return gatherStrided(
    src,
    0,
    perm.map((p) => shape[p] as number),
    perm.map((p) => strides[p] as number),
    make,
  );
}

/** The shape `transposeArray(·, shape, perm)` gives. */
export function permutedShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((p) => shape[p] as number);
}

/** The inverse permutation. */
export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Float32 arrays are made with this (a new zeroed array of length n). */
export const float32 = (n: number): Float32Array => new Float32Array(n);
