import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import { flattenModel } from '../graph/index.js';

const encoder = new TextEncoder();

/** SHA-256 (WebCrypto: Node ≥ 18 and browsers) of the concatenated parts, as hex. */
export async function sha256Hex(parts: readonly (Uint8Array | string)[]): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle == null)
    throw new ConfigError('crypto.subtle', undefined, 'WebCrypto (Node >= 18, or a browser page in a secure context)');
  const bytes = parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : p));
  const joined = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of bytes) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  const digest = await subtle.digest('SHA-256', joined);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The bytes of a tensor's values (a view, no copy). */
export async function tensorBytes(t: tf.Tensor): Promise<Uint8Array> {
  const values = await t.data<'float32' | 'int32' | 'bool'>();
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Digest of tensors: each one's dtype, shape and values, in order. */
export async function digestTensors(tensors: readonly tf.Tensor[]): Promise<string> {
  const parts: (Uint8Array | string)[] = [];
  for (const t of tensors) parts.push(`${t.dtype}[${t.shape.join(',')}]`, await tensorBytes(t));
  return sha256Hex(parts);
}

/**
 * A digest of what a model computes: its layer calls in order (class, config without the name,
 * which tfjs may number differently from run to run, and wiring) and every weight's values. Two
 * models with this digest compute the same function.
 */
export async function digestModel(model: tfl.LayersModel): Promise<string> {
  const flat = flattenModel(model);
  const calls = flat.nodes.map((n) => {
    const config: Record<string, unknown> = { ...n.layer.getConfig() };
    delete config['name'];
    delete config['trainable'];
    return [n.layer.getClassName(), config, n.inputs, n.outputs];
  });
  const architecture = JSON.stringify([flat.inputs, flat.outputs, calls]);
  const weights: string[] = [];
  for (const w of model.weights) weights.push(await digestTensors([w.read()]));
  return sha256Hex([architecture, ...weights]);
}
