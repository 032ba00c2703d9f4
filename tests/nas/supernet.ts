import * as tfl from '@tensorflow/tfjs-layers';
import {
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  OnceForAllConv,
  type Random,
  type SubnetConfig,
} from '../../src/index.js';
import { randomizeWeights } from '../helpers/weights.js';

const st = (x: unknown): tfl.SymbolicTensor => x as tfl.SymbolicTensor;

/**
 * A small supernet with every elastic layer, built-in BN/activations/pads/dropout and two
 * residual adds: stem → [sep1 → sep2] + stem → dw → conv3 → bn2 + (…) → up → head → head_bn.
 * Weights (running statistics included) are random, so every parameter matters.
 */
export function buildSupernet(seed = 1, size = 8, dropoutRate = 0.3): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 3] });
  let x = st(
    new OnceForAllConv({
      name: 'stem',
      filters: 8,
      kernelSize: 5,
      kernelSizeChoices: [3, 5],
      padding: 2,
      padMode: 'reflect',
    }).apply(input),
  );
  x = st(new ElasticBatchNorm({ name: 'stem_bn', momentum: 0.9, epsilon: 1e-5 }).apply(x));
  const a = st(tfl.layers.reLU({ name: 'stem_relu' }).apply(x));
  let h = st(
    new ElasticSeparableConv2d({
      name: 'sep1',
      filters: 12,
      kernelSize: 3,
      kernelSizeChoices: [1, 3],
      padding: 1,
    }).apply(a),
  );
  h = st(tfl.layers.activation({ name: 'sep1_act', activation: 'relu' }).apply(h));
  h = st(tfl.layers.dropout({ name: 'drop', rate: dropoutRate }).apply(h));
  h = st(new ElasticSeparableConv2d({ name: 'sep2', filters: 8, kernelSize: 3, padding: 1 }).apply(h));
  h = st(new ElasticInstanceNorm({ name: 'sep2_in', affine: true }).apply(h));
  const b = st(tfl.layers.add({ name: 'add1' }).apply([a, h]));
  let d = st(
    new ElasticDepthwiseConv2d({
      name: 'dw',
      kernelSize: 3,
      kernelSizeChoices: [1, 3],
      depthMultiplier: 2,
      padding: 'same',
    }).apply(b),
  );
  d = st(tfl.layers.zeroPadding2d({ name: 'zpad', padding: 1 }).apply(d));
  d = st(new OnceForAllConv({ name: 'conv3', filters: 8, kernelSize: 3 }).apply(d));
  d = st(new ElasticBatchNorm({ name: 'bn2' }).apply(d));
  const c = st(tfl.layers.add({ name: 'add2' }).apply([b, d]));
  let u = st(
    new ElasticConv2dTranspose({
      name: 'up',
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 1,
      outputPadding: 1,
    }).apply(c),
  );
  u = st(tfl.layers.leakyReLU({ name: 'up_act', alpha: 0.2 }).apply(u));
  u = st(new OnceForAllConv({ name: 'head', filters: 3, kernelSize: 3, padding: 1 }).apply(u));
  u = st(tfl.layers.batchNormalization({ name: 'head_bn', axis: -1 }).apply(u));
  const out = st(tfl.layers.activation({ name: 'tanh', activation: 'tanh' }).apply(u));
  const model = tfl.model({ inputs: input, outputs: out, name: 'supernet' });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, seed * 1000 + i * 7);
  return model;
}

/** The elastic layers of buildSupernet, in model order. */
export const ELASTIC_NAMES = ['stem', 'sep1', 'sep2', 'dw', 'conv3', 'up', 'head'];

/** A random sub-network of buildSupernet (stem, sep2 and conv3 are tied by the residual adds). */
export function randomConfig(rng: Random): SubnetConfig {
  const tied = 1 + rng.int(8);
  return {
    stem: { outChannels: tied, kernelSize: rng.choice([3, 5]) },
    sep1: { outChannels: 1 + rng.int(12), kernelSize: rng.choice([1, 3]) },
    sep2: { outChannels: tied },
    dw: { kernelSize: rng.choice([1, 3]) },
    conv3: { outChannels: tied },
    up: { outChannels: 1 + rng.int(6) },
  };
}
