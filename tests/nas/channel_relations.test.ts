import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  ConfigError,
  IDWTUpsample,
  MobileSynthesisNetwork,
  OnceForAllConv,
  getSubnet,
  maxSubnet,
  minSubnet,
  setNoise,
  setSubnet,
  sortChannelsByImportance,
  type ChannelRole,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { randomizeWeights } from '../helpers/weights.js';

type ST = tfl.SymbolicTensor;

/** A 32² MobileSynthesisNetwork: stem 16 → block0 (up 16 → 4, conv1/conv2 16) → block1 (up 16 → 4, conv1/conv2 8). */
function synthesis(): tfl.LayersModel {
  const g = MobileSynthesisNetwork({ channels: [16, 16, 8], styleDim: 8, styleMode: 'wplus', seed: 3 });
  setNoise(g, { seed: 5 });
  return g;
}

/** Sums channels 4i … 4i + 3 into output channel i: the grouped layout a `divisor` without a fixed input width means. */
class GroupSum4 extends tfl.layers.Layer {
  static className = 'GroupSum4ForTest';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      return tf.sum(tf.reshape(x, [n, h, w, c / 4, 4]), -1);
    });
  }
  override computeOutputShape(s: tfl.Shape): tfl.Shape {
    return [s[0] ?? null, s[1] ?? null, s[2] ?? null, (s[3] as number) / 4];
  }
  channelRole(): ChannelRole {
    return { kind: 'follow', divisor: 4 };
  }
}

/**
 * An elastic conv `a` (16 filters) feeding `down` (a weightless IDWTUpsample or a GroupSum4),
 * whose 4 output channels are added to an elastic 1×1 conv `b` (4 filters) of a second input:
 * `a`'s width / 4 must equal `b`'s. With `head`, an elastic 1×1 conv makes the model output
 * from the sum (so the sum's channels are not fixed by the output).
 */
function groupedNet(down: tfl.layers.Layer, head: boolean | 'tap' = false): tfl.LayersModel {
  const x = tfl.input({ shape: [4, 4, 3] });
  const a = new OnceForAllConv({ name: 'a', filters: 16, kernelSize: 3, padding: 'same' }).apply(x) as ST;
  const y = down.apply(a) as ST;
  const z = tfl.input({ shape: y.shape.slice(1, 3).concat([3]) });
  const b = new OnceForAllConv({ name: 'b', filters: 4, kernelSize: 1 }).apply(z) as ST;
  const sum = tfl.layers.add({ name: 'sum' }).apply([y, b]) as ST;
  const out = head ? (new OnceForAllConv({ name: 'head', filters: 3, kernelSize: 1 }).apply(sum) as ST) : sum;
  // Without the head, sum is the model's only output and keeps its declared width; with
  // `head = 'tap'` it is a tapped feature map (also read by the head), so it may narrow.
  const model = tfl.model({ inputs: [x, z], outputs: head === 'tap' ? [sum, out] : out });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 40 + i);
  return model;
}

const FIXED_WIDTH = (layer: string, reader: string, value: number, width: number): string =>
  `${layer}.outChannels: got ${value}, expected ${width}, the width of the input of layer ${reader}, which runs at that width only (it does not slice its input)`;

describeBackends('channel relations: IDWT upsamplers and layers that need one input width', () => {
  it('setSubnet refuses a width feeding a style-modulated IDWTUpsample, naming the layer, the value and the upsampler, before anything changes', () => {
    const g = synthesis();
    expect((g.getLayer('block1_up') as IDWTUpsample).channelRole()).toEqual({
      kind: 'follow',
      divisor: 4,
      fixedInputWidth: true,
    });
    const before = getSubnet(g);
    expect(() => setSubnet(g, { block0_conv1: { outChannels: 6 }, block0_conv2: { outChannels: 8 } })).toThrow(
      ConfigError,
    );
    expect(() => setSubnet(g, { block0_conv1: { outChannels: 6 }, block0_conv2: { outChannels: 8 } })).toThrow(
      FIXED_WIDTH('block0_conv2', "'block1_up' (IDWTUpsample)", 8, 16),
    );
    expect(() => setSubnet(g, { stem_conv: { outChannels: 12 } })).toThrow(
      FIXED_WIDTH('stem_conv', "'block0_up' (IDWTUpsample)", 12, 16),
    );
    expect(getSubnet(g)).toEqual(before);
    // The widths the upsamplers do not read stay free; the network runs at them.
    setSubnet(g, {
      block0_conv1: { outChannels: 6 },
      block1_conv1: { outChannels: 3 },
      block1_conv2: { outChannels: 5 },
    });
    const styles = seededTensor([1, 8, 8], 2);
    const outputs = g.predict(styles) as tf.Tensor[];
    expect(outputs.map((t) => t.shape)).toEqual([
      [1, 32, 32, 3],
      [1, 4, 4, 12],
      [1, 8, 8, 12],
      [1, 16, 16, 12],
    ]);
    tf.dispose([styles, ...outputs]);
    g.dispose();
  });

  it('maxSubnet and minSubnet keep the upsamplers’ inputs at the width they were built for', () => {
    const g = synthesis();
    expect(maxSubnet(g)).toEqual({
      stem_conv: { outChannels: 16 },
      block0_conv1: { outChannels: 16 },
      block0_conv2: { outChannels: 16 },
      block1_conv1: { outChannels: 8 },
      block1_conv2: { outChannels: 8 },
    });
    expect(
      minSubnet(g, {
        stem_conv: { outChannels: [16] },
        block0_conv1: { outChannels: [4, 8] },
        block1_conv2: { outChannels: [2, 4] },
      }),
    ).toEqual({
      stem_conv: { outChannels: 16 },
      block0_conv1: { outChannels: 4 },
      block0_conv2: { outChannels: 16 },
      block1_conv1: { outChannels: 8 },
      block1_conv2: { outChannels: 2 },
    });
    expect(() => minSubnet(g, { block0_conv2: { outChannels: [4, 8] } })).toThrow(
      "choices: got [\"block0_conv2\"], expected widths that layer 'block0_conv2' (fixed at 16 by the input of layer 'block1_up' (IDWTUpsample)) allows",
    );
    g.dispose();
  });

  it('sortChannelsByImportance refuses, with the reason, the channels an upsampler reads in groups of 4, and sorts the rest without changing the outputs', async () => {
    const g = synthesis();
    const styles = seededTensor([2, 8, 8], 4);
    const before = g.predict(styles) as tf.Tensor[];
    const report = await expectNoLeak(() => sortChannelsByImportance(g));
    const groups = (up: string): string =>
      `layer '${up}' combines these channels in groups of 4 (its output channel i reads 4 of them), and channels are not sorted across such a layer`;
    expect(report.skipped).toEqual([
      { layers: ['stem_conv'], reason: groups('block0_up') },
      { layers: ['block0_conv2'], reason: groups('block1_up') },
    ]);
    expect(report.sorted.map((r) => [r.layers, r.width])).toEqual([
      [['block0_conv1'], 16],
      [['block1_conv1'], 8],
      [['block1_conv2'], 8],
    ]);
    // N(0, 1) kernels have distinct filter norms, so at least one permutation really moves channels.
    expect(report.sorted.some((r) => r.permutation.some((p, i) => p !== i))).toBe(true);
    const after = g.predict(styles) as tf.Tensor[];
    after.forEach((t, i) => expectClose(t, before[i] as tf.Tensor, 1e-5, 1e-5, `sorted output ${i}`));
    tf.dispose([styles, ...before, ...after]);
    g.dispose();
  });

  it('an upsampler without style pins its input too (its sub-bands are blocks of the full width); its output width reaches what it is added to', () => {
    const model = groupedNet(new IDWTUpsample({ name: 'up', channelLayout: 'interleaved' }), 'tap');
    expect(() => setSubnet(model, { a: { outChannels: 8 }, b: { outChannels: 2 } })).toThrow(
      FIXED_WIDTH('a', "'up' (IDWTUpsample)", 8, 16),
    );
    expect(() => setSubnet(model, { b: { outChannels: 2 } })).toThrow(
      "b.outChannels: got 2, expected 4, the width of the output of layer 'up' (its input width / 4): their output channels are tied (added together or merged), so the widths must be equal",
    );
    // b follows the upsampler's output (16 / 4), not its own smallest choice.
    expect(minSubnet(model, { b: { outChannels: [1, 2, 4] } })).toEqual({
      a: { outChannels: 16, kernelSize: 3 },
      b: { outChannels: 4, kernelSize: 1 },
      head: { outChannels: 3, kernelSize: 1 },
    });
    model.dispose();
  });

  it('a divisor without a fixed width takes multiples of it and passes width / d on: the sub-network is the first channels of the full one', () => {
    const model = groupedNet(new GroupSum4({ name: 'group' }), 'tap');
    expect(() => setSubnet(model, { a: { outChannels: 10 }, b: { outChannels: 2 } })).toThrow(
      "a.outChannels: got 10, expected a multiple of 4: layer 'group' combines its input channels in groups of 4",
    );
    expect(() => setSubnet(model, { a: { outChannels: 8 } })).toThrow(
      "b.outChannels: got 4, expected 2, the width of the output of layer 'group' (its input width / 4): their output channels are tied (added together or merged), so the widths must be equal",
    );
    const inputs = [seededTensor([1, 4, 4, 3], 8), seededTensor([1, 4, 4, 3], 9)];
    const [full, fullHead] = model.predict(inputs) as tf.Tensor[];
    setSubnet(model, { a: { outChannels: 8 }, b: { outChannels: 2 } });
    const [sub, subHead] = model.predict(inputs) as [tf.Tensor, tf.Tensor];
    expect(sub.shape).toEqual([1, 4, 4, 2]);
    expect(subHead.shape, 'the head, a terminal output, keeps its width').toEqual([1, 4, 4, 3]);
    // First-k filters of a and b; output channels 0 and 1 read a's channels 0 … 7 only.
    const firstTwo = tf.slice(full as tf.Tensor, [0, 0, 0, 0], [1, 4, 4, 2]);
    expectClose(sub, firstTwo, 1e-5, 1e-5, 'sub-network vs first channels of the full network');
    expect(maxSubnet(model)).toEqual({
      a: { outChannels: 16, kernelSize: 3 },
      b: { outChannels: 4, kernelSize: 1 },
      head: { outChannels: 3, kernelSize: 1 },
    });
    // 6 is not a multiple of 4; b follows a's choice through the layer (8 / 4), not its own minimum.
    expect(minSubnet(model, { a: { outChannels: [6, 8, 12] }, b: { outChannels: [1, 2, 3] } })).toEqual({
      a: { outChannels: 8, kernelSize: 3 },
      b: { outChannels: 2, kernelSize: 1 },
      head: { outChannels: 3, kernelSize: 1 },
    });
    tf.dispose([...inputs, full, fullHead, sub, subHead, firstTwo] as tf.Tensor[]);
    model.dispose();
    const headed = groupedNet(new GroupSum4({ name: 'group' }), true);
    const report = sortChannelsByImportance(headed);
    expect(report.sorted).toEqual([]);
    expect(report.skipped.map((r) => r.layers)).toEqual([['a'], ['b'], ['head']]);
    expect(report.skipped[0]?.reason).toBe(
      "layer 'group' combines these channels in groups of 4 (its output channel i reads 4 of them), and channels are not sorted across such a layer",
    );
    expect(report.skipped[1]?.reason).toBe(
      "its channels are also the output of layer 'group', which derives them from its input's channels: they can only move with those",
    );
    headed.dispose();
  });

  it('a built-in layer with weights pins the width it reads: setSubnet refuses to narrow what feeds it', () => {
    const x = tfl.input({ shape: [6, 6, 3] });
    const a = new OnceForAllConv({ name: 'a', filters: 8, kernelSize: 3, padding: 'same' }).apply(x) as ST;
    const b = tfl.layers.conv2d({ name: 'b', filters: 4, kernelSize: 1 }).apply(a) as ST;
    const model = tfl.model({ inputs: x, outputs: b });
    expect(() => setSubnet(model, { a: { outChannels: 4 } })).toThrow(FIXED_WIDTH('a', "'b' (Conv2D)", 4, 8));
    expect(minSubnet(model, {})).toEqual({ a: { outChannels: 8, kernelSize: 3 } });
    model.dispose();
  });

  it('a channel role is checked when the graph reads it', () => {
    class BadRole extends tfl.layers.Layer {
      static className = 'BadRoleForTest';
      channelRole(): ChannelRole {
        return { kind: 'follow', divisor: 0 };
      }
    }
    const x = tfl.input({ shape: [4, 4, 8] });
    const a = new OnceForAllConv({ name: 'a', filters: 8, kernelSize: 1 }).apply(x) as ST;
    const model = tfl.model({ inputs: x, outputs: new BadRole({ name: 'bad' }).apply(a) as ST });
    expect(() => setSubnet(model, { a: { outChannels: 4 } })).toThrow(
      "layer 'bad' channelRole().divisor: got 0, expected an integer >= 1",
    );
    model.dispose();
  });
});
