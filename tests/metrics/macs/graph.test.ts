import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  ConfigError,
  ShapeError,
  countMacs,
  countParams,
  type CostedLayer,
  type LayerCost,
  type LayerShape,
  type MacConvention,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeak } from '../../helpers/tensors.js';

type ST = tfl.SymbolicTensor;

/** A layer the counter has no rule for (a user's own layer): x·2. */
class Doubler extends tfl.layers.Layer {
  static className = 'TestDoubler';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, 2);
  }
}

/**
 * A stand-in for an elastic layer: it declares `maxChannels` outputs, but passes on only the
 * first `active` channels, and says so through computeCost (MACs: one per output element;
 * params: `active`, as if it held one weight per active channel).
 */
class ActivePrefix extends tfl.layers.Layer implements CostedLayer {
  static className = 'TestActivePrefix';
  active: number;
  constructor(args: { active: number; name?: string }) {
    super({ name: args.name });
    this.active = args.active;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, this.active]);
  }
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    const x = inputShape as LayerShape;
    const out = [...x.slice(0, -1), this.active];
    return { macs: out.reduce((a: number, b) => a * (b ?? Number.NaN), 1), params: this.active, outputShape: out };
  }
}

const conv = (name: string, filters: number, kernelSize = 3): tfl.layers.Layer =>
  tfl.layers.conv2d({ name, filters, kernelSize, padding: 'same' });

describeBackends('countMacs / countParams over model graphs', () => {
  it('walks a sequential model, scaling with the batch', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ name: 'c1', filters: 8, kernelSize: 3, padding: 'same', inputShape: [16, 16, 3] }),
        tfl.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
        tfl.layers.flatten({ name: 'flat' }),
        tfl.layers.dense({ name: 'fc', units: 10 }),
      ],
    });
    const one = countMacs(model, [1, 16, 16, 3]);
    expect(one.perLayer.map((l) => [l.name, l.macs, l.outputShape])).toEqual([
      ['c1', 16 * 16 * 8 * 3 * 9, [1, 16, 16, 8]],
      ['pool', 0, [1, 8, 8, 8]],
      ['flat', 0, [1, 512]],
      ['fc', 512 * 10, [1, 10]],
    ]);
    expect(one.total).toBe(16 * 16 * 8 * 27 + 5120);
    expect(countMacs(model, [3, 16, 16, 3]).total).toBe(3 * one.total);
    expect(countParams(model)).toBe(model.countParams());
    expect(countParams(model)).toBe(8 * 27 + 8 + 512 * 10 + 10);
    model.dispose();
  });

  it('walks nested models, names their layers with a prefix, and lists calls in the order they were written', () => {
    // An inner functional block and an inner sequential, both used inside an outer model.
    const blockIn = tfl.input({ shape: [null, null, 8] });
    const blockOut = tfl.layers.add({ name: 'sum' }).apply([conv('b_conv1', 8).apply(blockIn) as ST, blockIn]) as ST;
    const block = tfl.model({ inputs: blockIn, outputs: blockOut, name: 'block' });
    const head = tfl.sequential({
      name: 'head',
      layers: [
        tfl.layers.conv2d({ name: 'h_conv', filters: 2, kernelSize: 1, inputShape: [null, null, 8] }),
        tfl.layers.activation({ name: 'h_tanh', activation: 'tanh' }),
      ],
    });

    const x = tfl.input({ shape: [10, 12, 3] });
    const stem = conv('stem', 8).apply(x) as ST;
    const branchA = conv('branch_a', 8, 1).apply(stem) as ST; // written before the block, shallower than it
    const y = block.apply(stem) as ST;
    const merged = tfl.layers.concatenate({ name: 'cat' }).apply([y, branchA]) as ST;
    const squeezed = conv('squeeze', 8, 1).apply(merged) as ST;
    const out = head.apply(squeezed) as ST;
    const model = tfl.model({ inputs: x, outputs: out });

    const hw = 10 * 12;
    const result = countMacs(model, [1, 10, 12, 3]);
    expect(result.perLayer.map((l) => [l.name, l.className, l.macs])).toEqual([
      ['stem', 'Conv2D', hw * 8 * 3 * 9],
      ['branch_a', 'Conv2D', hw * 8 * 8],
      ['block/b_conv1', 'Conv2D', hw * 8 * 8 * 9],
      ['block/sum', 'Add', 0],
      ['cat', 'Concatenate', 0],
      ['squeeze', 'Conv2D', hw * 8 * 16],
      ['head/h_conv', 'Conv2D', hw * 2 * 8],
      ['head/h_tanh', 'Activation', 0],
    ]);
    expect(result.perLayer.at(-1)?.outputShape).toEqual([1, 10, 12, 2]);
    expect(result.total).toBe(hw * (8 * 27 + 64 + 8 * 72 + 128 + 16));
    expect(countParams(model)).toBe(model.countParams());
    model.dispose();
  });

  it('counts parameters as PyTorch does: batch-norm running statistics are buffers, freezing changes nothing', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ name: 'c', filters: 6, kernelSize: 3, inputShape: [8, 8, 2] }),
        tfl.layers.batchNormalization({ name: 'bn' }),
        tfl.layers.dense({ name: 'fc', units: 3 }),
      ],
    });
    const expected = 6 * 2 * 9 + 6 + 2 * 6 + 6 * 3 + 3; // conv, BN gamma+beta (not moving mean/variance), dense
    expect(countParams(model)).toBe(expected);
    expect(model.countParams()).toBe(expected + 2 * 6); // tfjs's own count includes the running statistics
    model.getLayer('c').trainable = false;
    model.getLayer('bn').trainable = false;
    expect(countParams(model)).toBe(expected);
    model.dispose();
  });

  it('counts every call of a shared layer, and its weights once', () => {
    const x = tfl.input({ shape: [8, 8, 4] });
    const shared = conv('shared', 4);
    const y = shared.apply(shared.apply(x)) as ST;
    const model = tfl.model({ inputs: x, outputs: y });
    const result = countMacs(model, [1, 8, 8, 4]);
    expect(result.perLayer.map((l) => l.name)).toEqual(['shared', 'shared']);
    expect(result.total).toBe(2 * 64 * 4 * 4 * 9);
    expect(countParams(model)).toBe(4 * 4 * 9 + 4);
    model.dispose();
  });

  it('propagates the shape a costed layer really produces, and takes its MACs and params', () => {
    const x = tfl.input({ shape: [6, 6, 3] });
    const wide = conv('wide', 16).apply(x) as ST;
    const prefix = new ActivePrefix({ active: 5, name: 'prefix' });
    const y = conv('after', 4).apply(prefix.apply(wide)) as ST; // built for 16 inputs, fed 5
    const model = tfl.model({ inputs: x, outputs: y });
    const result = countMacs(model, [1, 6, 6, 3]);
    expect(result.perLayer.map((l) => [l.name, l.macs, l.outputShape])).toEqual([
      ['wide', 36 * 16 * 27, [1, 6, 6, 16]],
      ['prefix', 36 * 5, [1, 6, 6, 5]],
      ['after', 36 * 4 * 5 * 9, [1, 6, 6, 4]],
    ]);
    // Built-in layers count their whole weights; the costed layer reports its own (5).
    expect(countParams(model)).toBe(16 * 27 + 16 + 5 + 4 * 16 * 9 + 4);
    model.dispose();
  });

  it('reports a layer it cannot count by name, and counts it with a custom counter', async () => {
    const x = tfl.input({ shape: [4, 4, 2] });
    const d = new Doubler({ name: 'dbl' }).apply(conv('c', 3).apply(x)) as ST;
    const model = tfl.model({ inputs: x, outputs: conv('c2', 2, 1).apply(d) as ST });
    const plain = countMacs(model, [1, 4, 4, 2]);
    expect(plain.uncounted).toEqual(['dbl']);
    expect(plain.perLayer[1]).toMatchObject({ name: 'dbl', className: 'TestDoubler' });
    expect(plain.perLayer[1]?.macs).toBeNaN();
    expect(plain.total).toBe(16 * 3 * 18 + 16 * 2 * 3);

    const seen: LayerShape[][] = [];
    const custom = await expectNoLeak(() =>
      countMacs(model, [1, 4, 4, 2], {
        customCounters: {
          TestDoubler: (layer, inputShapes, convention) => {
            seen.push(inputShapes);
            expect(layer.name).toBe('dbl');
            expect(convention).toBe('exact');
            return { macs: (inputShapes[0] as number[]).reduce((a, b) => a * b, 1) };
          },
        },
        convention: 'exact',
      }),
    );
    expect(seen).toEqual([[[1, 4, 4, 3]]]);
    expect(custom.uncounted).toEqual([]);
    expect(custom.total).toBe(plain.total + 48);
    model.dispose();
  });

  it('lets a custom counter override a built-in rule and set the output shape', () => {
    const x = tfl.input({ shape: [4, 4, 2] });
    const model = tfl.model({
      inputs: x,
      outputs: conv('c2', 2, 1).apply(tfl.layers.upSampling2d({ name: 'up', size: [2, 2] }).apply(x)) as ST,
    });
    const result = countMacs(model, [1, 4, 4, 2], {
      customCounters: { UpSampling2D: () => ({ macs: 7, outputShape: [1, 3, 3, 2] }) },
    });
    expect(result.perLayer.map((l) => [l.name, l.macs])).toEqual([
      ['up', 7],
      ['c2', 9 * 2 * 2],
    ]);
  });

  it('counts a transposed conv cropped by a Cropping2D (a padded PyTorch ConvTranspose2d) at the cropped output', () => {
    // ConvTranspose2d(k3, s2, p1, output_padding 1) written with built-ins: 'valid' (2H + 1) then crop [1, 0].
    const x = tfl.input({ shape: [null, null, 4] });
    const t = tfl.layers
      .conv2dTranspose({ name: 'ct', filters: 2, kernelSize: 3, strides: 2, padding: 'valid' })
      .apply(x) as ST;
    const y = tfl.layers
      .cropping2D({
        name: 'crop',
        cropping: [
          [1, 0],
          [1, 0],
        ],
      })
      .apply(t) as ST;
    const model = tfl.model({ inputs: x, outputs: y });
    const r = countMacs(model, [1, 5, 6, 4]);
    expect(r.perLayer.map((l) => [l.name, l.macs, l.outputShape])).toEqual([
      ['ct', 10 * 12 * 2 * 4 * 9, [1, 11, 13, 2]],
      ['crop', 0, [1, 10, 12, 2]],
    ]);
    // 'exact' counts the input side, crop or not.
    expect(countMacs(model, [1, 5, 6, 4], { convention: 'exact' }).total).toBe(5 * 6 * 4 * 2 * 9);
    // Unknown sizes stay unknown through the crop (tfjs would make them negative).
    expect(countParams(model)).toBe(9 * 2 * 4 + 2);

    // When the uncropped output is also read elsewhere, the conv is counted at its own output.
    const z = tfl.layers.activation({ name: 'tap', activation: 'relu' }).apply(t) as ST;
    const both = tfl.model({ inputs: x, outputs: [y, z] });
    expect(countMacs(both, [1, 5, 6, 4]).perLayer[0]?.macs).toBe(11 * 13 * 2 * 4 * 9);
    model.dispose();
  });

  it('rejects bad arguments with errors that name them', () => {
    const x = tfl.input({ shape: [8, null, 3] });
    const model = tfl.model({ inputs: x, outputs: conv('c', 2).apply(x) as ST });
    expect(() => countMacs({} as tfl.LayersModel, [1, 8, 8, 3])).toThrow(ConfigError);
    expect(() => countMacs(model, [8, 8, 3])).toThrow(ShapeError);
    expect(() => countMacs(model, [8, 8, 3])).toThrow(/inputShape: got shape \[8,8,3\], expected .*\[any,8,any,3\]/);
    expect(() => countMacs(model, [1, 9, 8, 3])).toThrow(ShapeError);
    expect(() => countMacs(model, [1, 8, 8.5, 3])).toThrow(/inputShape: got \[1,8,8.5,3\]/);
    expect(() => countMacs(model, [1, 8, 0, 3])).toThrow(ConfigError);
    expect(() =>
      countMacs(model, [
        [1, 8, 8, 3],
        [1, 8, 8, 3],
      ]),
    ).toThrow(/inputShape: .*expected 1 shape/);
    expect(() => countMacs(model, [1, 8, 8, 3], { convention: 'fvcore' as MacConvention })).toThrow(
      /options.convention: got 'fvcore', expected one of 'torchprofile', 'exact'/,
    );
    expect(() => countMacs(model, [1, 8, 8, 3], { customCounters: { Conv2D: 3 as never } })).toThrow(
      /options.customCounters\['Conv2D'\]/,
    );
    expect(() => countMacs(model, [1, 8, 8, 3], { customCounters: { Conv2D: () => ({ macs: -1 }) } })).toThrow(
      /customCounters\['Conv2D'\] \(layer 'c'\) result: got \{"macs":-1\}/,
    );
    expect(() => countMacs(model, [1, 8, 8, 3], { customCounters: { Conv2D: () => ({ macs: Number.NaN }) } })).toThrow(
      ConfigError,
    );
    expect(() => countParams(5 as never)).toThrow(ConfigError);
    expect(() => countMacs(model, [1, 8, 8, 3], null as never)).toThrow(/options: got null/);
    expect(() => countParams(model, 'x' as never)).toThrow(/options: got 'x'/);
    model.dispose();
  });

  it('accepts one shape per input for a multi-input model', () => {
    const a = tfl.input({ shape: [4, 4, 2] });
    const b = tfl.input({ shape: [4, 4, 3] });
    const y = conv('c', 1, 1).apply(tfl.layers.concatenate({ name: 'cat' }).apply([a, b])) as ST;
    const model = tfl.model({ inputs: [a, b], outputs: y });
    expect(
      countMacs(model, [
        [2, 4, 4, 2],
        [2, 4, 4, 3],
      ]).total,
    ).toBe(2 * 16 * 1 * 5);
    expect(() => countMacs(model, [2, 4, 4, 2])).toThrow(/expected 2 shapes/);
    model.dispose();
  });
});
