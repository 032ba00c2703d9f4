import { ConfigError } from '../../util/index.js';
import { ONNX_ATTRIBUTE, ONNX_DTYPE } from './onnx_proto.js';

/**
 * Where a value's axes are: `'nchw'` — a rank-4 tfjs tensor `[N, H, W, C]` stored as ONNX's
 * `[N, C, H, W]` (what Conv and its kin read); `'plain'` — stored exactly as tfjs holds it.
 */
export type OnnxLayout = 'nchw' | 'plain';

/** A value of the graph being built: its ONNX name, its tfjs shape and how it is stored. */
export interface OnnxValue {
  name: string;
  /** The tfjs shape (NHWC for images), every dimension known. */
  shape: number[];
  layout: OnnxLayout;
}

/** An attribute value: a float, an int, a list of ints or floats, or a string. */
export type OnnxAttribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

/** Attribute constructors. */
export const attr = {
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  ints: (value: number[]): OnnxAttribute => ({ kind: 'ints', value }),
  floats: (value: number[]): OnnxAttribute => ({ kind: 'floats', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
};

/** The protobufjs plain objects of onnx.proto's messages (camel-case field names). */
export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Record<string, unknown>[];
}
export interface TensorMessage {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** Permutations between tfjs's NHWC and ONNX's NCHW. */
export const TO_NCHW = [0, 3, 1, 2];
export const TO_NHWC = [0, 2, 3, 1];

function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(values.byteLength);
  const view = new DataView(out.buffer);
  if (values instanceof Float32Array) values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else values.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return out;
}

function attributeMessage(name: string, a: OnnxAttribute): Record<string, unknown> {
  switch (a.kind) {
    case 'float':
      return { name, type: ONNX_ATTRIBUTE.FLOAT, f: a.value };
    case 'int':
      return { name, type: ONNX_ATTRIBUTE.INT, i: a.value };
    case 'ints':
      return { name, type: ONNX_ATTRIBUTE.INTS, ints: a.value };
    case 'floats':
      return { name, type: ONNX_ATTRIBUTE.FLOATS, floats: a.value };
    case 'string':
      return { name, type: ONNX_ATTRIBUTE.STRING, s: new TextEncoder().encode(a.value) };
  }
}

/**
 * Collects the nodes and initializers of one ONNX graph. Names are made unique; layout changes
 * between NHWC and NCHW are inserted on demand and shared, so a value read by several convs is
 * transposed once.
 */
export class OnnxGraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private readonly used = new Set<string>();
  private readonly converted = new Map<string, string>();

  constructor(readonly opset: number) {}

  /** `base`, or `base_1`, `base_2`, … — a name no other value or node has taken. */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'value';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Whether `name` is taken. */
  has(name: string): boolean {
    return this.used.has(name);
  }

  /** Reserves a name given from outside (graph inputs), refusing duplicates. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new ConfigError('model', `two values named '${name}'`, 'distinct input names');
    this.used.add(name);
    return name;
  }

  /** A float32 initializer of shape `dims`. */
  floats(base: string, data: Float32Array | readonly number[], dims: number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    if (values.length !== dims.reduce((a, b) => a * b, 1))
      throw new ConfigError(`initializer '${base}'`, `${values.length} values`, `[${dims.join(', ')}]`);
    const name = this.unique(base);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_DTYPE.FLOAT, rawData: littleEndianBytes(values) });
    return name;
  }

  /** An int64 initializer (shapes, pads, axes, indices); a 0-d scalar when `dims` is `[]`. */
  ints(base: string, data: readonly number[], dims: number[] = [data.length]): string {
    const name = this.unique(base);
    const values = BigInt64Array.from(data.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_DTYPE.INT64, rawData: littleEndianBytes(values) });
    return name;
  }

  /** Adds a node; returns its output names (`outputs` of them, named after `base`). */
  node(
    opType: string,
    inputs: string[],
    base: string,
    attributes: Record<string, OnnxAttribute> = {},
    outputs = 1,
  ): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.unique(outputs === 1 ? base : `${base}_${i}`));
    this.nodes.push({
      input: inputs,
      output: outs,
      name: this.unique(`${base}/${opType}`),
      opType,
      attribute: Object.entries(attributes).map(([k, a]) => attributeMessage(k, a)),
    });
    return outs;
  }

  /** Adds a one-output node writing the (reserved) value `output`. */
  opTo(opType: string, inputs: string[], output: string): void {
    this.nodes.push({
      input: inputs,
      output: [output],
      name: this.unique(`${output}/${opType}`),
      opType,
      attribute: [],
    });
  }

  /** Adds a one-output node. */
  op(opType: string, inputs: string[], base: string, attributes: Record<string, OnnxAttribute> = {}): string {
    return this.node(opType, inputs, base, attributes, 1)[0] as string;
  }

  /** The value in `layout` (rank-4 values only change), transposing once per value. */
  as(v: OnnxValue, layout: OnnxLayout): string {
    if (v.layout === layout || v.shape.length !== 4) return v.name;
    const key = `${v.name}→${layout}`;
    let out = this.converted.get(key);
    if (out == null) {
      out = this.op('Transpose', [v.name], `${v.name}_${layout}`, {
        perm: attr.ints(layout === 'nchw' ? TO_NCHW : TO_NHWC),
      });
      this.converted.set(key, out);
    }
    return out;
  }

  /** A rank-4 value in NCHW, a value of another rank as it is. */
  nchw(v: OnnxValue): string {
    return this.as(v, 'nchw');
  }

  /** The value as tfjs holds it. */
  plain(v: OnnxValue): string {
    return this.as(v, 'plain');
  }

  /** `ReduceMean` over `axes`, keeping them: an attribute before opset 18, an input from 18 on. */
  reduceMean(input: string, axes: number[], base: string): string {
    if (this.opset >= 18)
      return this.op('ReduceMean', [input, this.ints(`${base}_axes`, axes)], base, { keepdims: attr.int(1) });
    return this.op('ReduceMean', [input], base, { axes: attr.ints(axes), keepdims: attr.int(1) });
  }
}

/** The axis of stored value `v` that holds tfjs axis `axis` (negative counts from the end). */
export function storedAxis(v: OnnxValue, axis: number): number {
  const rank = v.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  return v.layout === 'nchw' && rank === 4 ? (TO_NHWC[a] as number) : a;
}
