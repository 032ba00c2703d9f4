import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ModelFileError,
  parseTorchCheckpoint,
  writeSafetensors,
  type TorchTensor,
} from '../../src/index.js';
import { floatToHalf, halfToFloat } from '../../src/interop/torch_tensor.js';
import { readFixture } from '../helpers/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A safetensors file from a header object and data bytes (header padded like the reference). */
function file(header: unknown, data: Uint8Array): Uint8Array {
  let json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  json = padded;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the layout the reference reader expects: u64 header length, JSON padded to 8 bytes, data in name order', () => {
    const bytes = writeSafetensors(
      {
        'b.weight': { shape: [2], dtype: 'float32', data: new Float32Array([1.5, -2]) },
        'a.bias': { shape: [1], dtype: 'int64', data: new BigInt64Array([-3n]) },
      },
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      'a.bias': { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
      'b.weight': { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    });
    const data = bytes.subarray(8 + n);
    expect(new DataView(data.buffer, data.byteOffset).getBigInt64(0, true)).toBe(-3n);
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(8, true)).toBe(1.5);
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(12, true)).toBe(-2);
  });

  it("encodes float16 as numpy's astype(float16) does (round to nearest even, overflow to inf, subnormals)", () => {
    const { values, bits } = readFixture<{ float16Bits: { values: number[]; bits: number[] } }>(
      'interop_torch',
    ).float16Bits;
    expect(values.map(floatToHalf)).toEqual(bits);
    // and every half (NaN payloads aside) decodes to a float that encodes back to itself
    const broken: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const nan = ((h >> 10) & 0x1f) === 31 && (h & 0x3ff) !== 0;
      if (!nan && floatToHalf(halfToFloat(h)) !== h) broken.push(h);
    }
    expect(broken).toEqual([]);
  });

  const dtypes = [
    'float32',
    'float64',
    'int32',
    'int16',
    'int8',
    'uint8',
    'bool',
    'int64',
    'float16',
    'bfloat16',
  ] as const;
  const tensorArb = fc
    .record({
      dtype: fc.constantFrom(...dtypes),
      shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
      seed: fc.integer({ min: 0, max: 999 }),
    })
    .map(({ dtype, shape, seed }): TorchTensor => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = Array.from({ length: n }, (_, i) => Math.sin(seed + 3.1 * i) * 60);
      const data =
        dtype === 'float32'
          ? new Float32Array(v)
          : dtype === 'float64'
            ? new Float64Array(v)
            : dtype === 'int32'
              ? new Int32Array(v.map(Math.round))
              : dtype === 'int16'
                ? new Int16Array(v.map(Math.round))
                : dtype === 'int8'
                  ? new Int8Array(v.map(Math.round))
                  : dtype === 'uint8'
                    ? new Uint8Array(v.map((x) => Math.abs(Math.round(x))))
                    : dtype === 'bool'
                      ? new Uint8Array(v.map((x) => (x > 0 ? 1 : 0)))
                      : dtype === 'int64'
                        ? new BigInt64Array(v.map((x) => BigInt(Math.round(x * 1e9))))
                        : // 16-bit floats: values already representable, so the round trip is exact
                          new Float32Array(v.map((x) => (dtype === 'float16' ? halfToFloat(floatToHalf(x)) : bf16(x))));
      return { shape, dtype, data };
    });

  /** The bfloat16 value nearest x (truncating the float32 bits after rounding to nearest even). */
  function bf16(x: number): number {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, x);
    const bits = b.getUint32(0);
    b.setUint32(0, ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16);
    return b.getFloat32(0);
  }

  it('round-trips any named tensors exactly (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.]{0,10}$/), tensorArb, { maxKeys: 6 }), (tensors) => {
        const back = parseTorchCheckpoint(writeSafetensors(tensors));
        expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          const got = back[name] as TorchTensor;
          expect(got.shape).toEqual(t.shape);
          expect(got.dtype).toBe(t.dtype);
          expect(Array.from(got.data as ArrayLike<number | bigint>)).toEqual(
            Array.from(t.data as ArrayLike<number | bigint>),
          );
        }
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('gives a result or a ModelFileError for any corruption or truncation (property)', () => {
    const whole = readFileSync(join(here, '..', 'fixtures', 'interop', 'mapping_network.safetensors'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(whole.length - 1), fc.nat(255)), { maxLength: 6 }),
        fc.nat(whole.length),
        (flips, cut) => {
          const bytes = whole.slice(0, cut);
          for (const [at, v] of flips) if (at < bytes.length) bytes[at] = v;
          try {
            parseTorchCheckpoint(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(ModelFileError);
          }
        },
      ),
      { seed: 9, numRuns: 300 },
    );
  });

  it('refuses headers that disagree with the data: each a ModelFileError naming the tensor', () => {
    const data = new Uint8Array(16);
    const ok = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    };
    expect(Object.keys(parseTorchCheckpoint(file(ok, data)))).toEqual(['a', 'b']);
    const cases: [unknown, RegExp][] = [
      [
        { ...ok, b: { dtype: 'F32', shape: [3], data_offsets: [8, 16] } },
        /tensor 'b': 8 data bytes for shape \[3\] of float32 \(needs 12\)/,
      ],
      [
        { ...ok, b: { dtype: 'F32', shape: [2], data_offsets: [8, 24] } },
        /tensor 'b': data_offsets \[8,24\] lie outside the 16 data bytes/,
      ],
      [{ ...ok, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, /overlaps/],
      [{ a: ok.a }, /8 data bytes after the last tensor/],
      [{ ...ok, b: { dtype: 'Q8', shape: [2], data_offsets: [8, 16] } }, /tensor 'b': dtype "Q8"/],
      [{ ...ok, b: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [8, 16] } }, /allocation refused/],
      [{ ...ok, b: { dtype: 'F32', shape: [-2], data_offsets: [8, 16] } }, /not a size/],
      ['{"a": {"dtype": "F32"', /safetensors header is not valid JSON/],
    ];
    for (const [header, message] of cases) expect(() => parseTorchCheckpoint(file(header, data))).toThrow(message);
    const lying = file(ok, data);
    new DataView(lying.buffer).setBigUint64(0, 1n << 40n, true);
    expect(() => parseTorchCheckpoint(lying)).toThrow(/header declares 1099511627776 bytes/);
  });

  it('refuses bad input to the writer with a ConfigError naming the tensor', () => {
    expect(() => writeSafetensors({ w: { shape: [3], dtype: 'float32', data: new Float32Array(2) } })).toThrow(
      ConfigError,
    );
    expect(() =>
      writeSafetensors({ w: { shape: [2], dtype: 'int64', data: new Float32Array(2) } as unknown as TorchTensor }),
    ).toThrow(/tensors\['w'\]\.data: got 'Float32Array\(2\)', expected a BigInt64Array of 2 elements/);
    expect(() =>
      writeSafetensors({ w: { shape: [2], dtype: 'complex64', data: new Float32Array(2) } as unknown as TorchTensor }),
    ).toThrow(/tensors\['w'\]/);
    expect(() => writeSafetensors({}, { n: 1 } as unknown as Record<string, string>)).toThrow(/metadata/);
  });
});
