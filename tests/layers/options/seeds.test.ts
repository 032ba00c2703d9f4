/**
 * Every seeded weight of every layer class equals the tfjs initializer it is documented to draw
 * from, at `seed + offset` — the offsets the option schemas carry.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ConvTranspose2d } from '../../../src/layers/common/index.js';
import {
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticSeparableConv2d,
  OnceForAllConv,
} from '../../../src/layers/elastic/index.js';
import {
  ConstantInput,
  EqualLinear,
  FusedModulatedConv2d,
  ModulatedConv2d,
  StyledConv,
  ToWavelets,
} from '../../../src/layers/modulated/index.js';
import { pytorchLinearInitializer, type Initializer } from '../../../src/layers/core/index.js';
import { IDWTUpsample } from '../../../src/wavelet/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { shortName } from '../../helpers/weights.js';

const normal = (seed: number, stddev = 1): Initializer => tfl.initializers.randomNormal({ mean: 0, stddev, seed });

/** Applies `layer` to symbolic inputs of these shapes (no batch) and checks each listed weight's values. */
function expectWeights(layer: tfl.layers.Layer, inputs: number[][], expected: Record<string, Initializer>): void {
  const symbolic = inputs.map((shape) => tfl.input({ shape }));
  layer.apply(symbolic.length === 1 ? (symbolic[0] as tfl.SymbolicTensor) : symbolic);
  const names = layer.weights.map(shortName);
  for (const [name, init] of Object.entries(expected)) {
    const v = layer.weights.find((w) => shortName(w) === name);
    expect(v, `${layer.name}: weight ${name} among ${names.join(', ')}`).toBeDefined();
    const want = init.apply(v?.shape as number[]);
    expect(Array.from(v?.read().dataSync() ?? []), `${layer.name}/${name}`).toEqual(Array.from(want.dataSync()));
    want.dispose();
  }
  layer.dispose();
}

describeBackends('seeded initial weights', () => {
  it('elastic convs and ConvTranspose2d: kernels from seed (a separable pointwise kernel from seed + 1)', () => {
    const glorot = (seed: number): Initializer => tfl.initializers.glorotUniform({ seed });
    const before = tf.memory().numTensors;
    expectWeights(new OnceForAllConv({ filters: 4, kernelSize: 3, seed: 11 }), [[5, 5, 3]], { kernel: glorot(11) });
    expectWeights(new ElasticDepthwiseConv2d({ kernelSize: 3, seed: 12, depthMultiplier: 2 }), [[5, 5, 3]], {
      depthwiseKernel: glorot(12),
    });
    expectWeights(
      new ElasticSeparableConv2d({ filters: 4, kernelSize: 3, seed: 13, biasInitializer: 'randomNormal' }),
      [[5, 5, 3]],
      {
        depthwiseKernel: glorot(13),
        pointwiseKernel: glorot(14),
        depthwiseBias: tfl.initializers.randomNormal({ seed: 13 }),
        bias: tfl.initializers.randomNormal({ seed: 13 }),
      },
    );
    expectWeights(new ElasticConv2dTranspose({ filters: 4, kernelSize: 3, seed: 15 }), [[5, 5, 3]], {
      kernel: glorot(15),
    });
    expectWeights(
      new ConvTranspose2d({ filters: 4, kernelSize: [3, 2], seed: 16, kernelInitializer: 'heNormal' }),
      [[5, 5, 3]],
      {
        kernel: tfl.initializers.heNormal({ seed: 16 }),
      },
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('modulated convs: affine map from seed, kernel seed + 1, pointwise seed + 2, styleInv seed + 3, noise seed + 4', () => {
    const before = tf.memory().numTensors;
    expectWeights(new ModulatedConv2d({ filters: 4, styleDim: 5, seed: 20 }), [[4, 4, 3], [5]], {
      affineKernel: normal(20),
      affineBias: tfl.initializers.ones(),
      kernel: normal(21),
    });
    expectWeights(new StyledConv({ filters: 4, styleDim: 5, seed: 30 }), [[4, 4, 3], [5]], {
      affineKernel: pytorchLinearInitializer(30),
      depthwise: normal(31),
      pointwise: normal(32),
      styleInv: normal(33),
      noise: normal(34),
    });
    // A named kernel initializer: the pointwise kernel draws the next seed of it.
    expectWeights(
      new StyledConv({ filters: 4, styleDim: 5, seed: 40, kernelInitializer: 'heNormal' }),
      [[4, 4, 3], [5]],
      {
        depthwise: tfl.initializers.heNormal({ seed: 41 }),
        pointwise: tfl.initializers.heNormal({ seed: 42 }),
      },
    );
    expectWeights(new ToWavelets({ styleDim: 5, seed: 50 }), [[4, 4, 3], [5]], {
      affineKernel: pytorchLinearInitializer(50),
      kernel: normal(51),
    });
    expectWeights(
      new FusedModulatedConv2d({ filters: 4, styleDim: 5, seed: 60, affineBiasInitializer: 'heUniform' }),
      [[4, 4, 3], [5]],
      {
        affineKernel: pytorchLinearInitializer(60),
        affineBias: tfl.initializers.heUniform({ seed: 60 }),
        kernel: normal(61),
      },
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('EqualLinear N(0, 1/lrMul), ConstantInput N(0, 1) and IDWTUpsample (PyTorch nn.Linear, ones) from seed', () => {
    const before = tf.memory().numTensors;
    expectWeights(new EqualLinear({ units: 4, lrMul: 0.01, seed: 70 }), [[6]], { kernel: normal(70, 100) });
    expectWeights(new ConstantInput({ channels: 3, size: 2, seed: 71 }), [[6]], { constant: normal(71) });
    expectWeights(new IDWTUpsample({ styleDim: 5, seed: 72 }), [[4, 4, 8], [5]], {
      kernel: pytorchLinearInitializer(72),
      bias: tfl.initializers.ones(),
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
