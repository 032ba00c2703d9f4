import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  getSubnet,
  HaarIDWT,
  initBackend,
  OnceForAllConv,
  Random,
  resnetConfigFromString,
  SearchSpace,
  setSubnet,
  SuperMobileResnetGenerator,
  type ChannelRole,
  type SearchDimension,
  type SubnetConfig,
} from '../../../src/index.js';
import { buildSupernet } from '../supernet.js';

const out = (layer: string, scale = 1) => ({ layer, field: 'outChannels' as const, scale });

/** A small synthetic space: `sizes[i]` choices 1..n for dimension d<i> (layer l<i>). */
function syntheticSpace(sizes: readonly number[]): SearchSpace {
  return new SearchSpace(
    sizes.map((n, i) => ({
      name: `d${i}`,
      choices: Array.from({ length: n }, (_, c) => 8 * (c + 1)),
      targets: [out(`l${i}`)],
    })),
    { head: { outChannels: 3 } },
  );
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('SearchSpace.fromModel', () => {
  it('makes one dimension per set of tied free widths, one per kernel-elastic layer, and fixes the rest', () => {
    // buildSupernet: stem, sep2 and conv3 are tied by two residual adds; dw follows its input (depth
    // multiplier 2) and has no width of its own; head feeds the model output (3 channels, fixed).
    const model = buildSupernet();
    const space = SearchSpace.fromModel(model, { choices: { multipleOf: 2 } });
    expect(space.dimensions).toEqual([
      { name: 'stem', choices: [2, 4, 6, 8], targets: [out('stem'), out('sep2'), out('conv3')] },
      { name: 'sep1', choices: [2, 4, 6, 8, 10, 12], targets: [out('sep1')] },
      { name: 'up', choices: [2, 4, 6], targets: [out('up')] },
      { name: 'stem.kernelSize', choices: [3, 5], targets: [{ layer: 'stem', field: 'kernelSize', scale: 1 }] },
      { name: 'sep1.kernelSize', choices: [1, 3], targets: [{ layer: 'sep1', field: 'kernelSize', scale: 1 }] },
      { name: 'dw.kernelSize', choices: [1, 3], targets: [{ layer: 'dw', field: 'kernelSize', scale: 1 }] },
    ]);
    expect(space.fixed).toEqual({
      sep2: { kernelSize: 3 },
      conv3: { kernelSize: 3 },
      head: { outChannels: 3, kernelSize: 3 },
    });
    expect(space.size).toBe(4 * 6 * 3 * 2 * 2 * 2);
    // The largest point is the supernet as built; every point is accepted by the model.
    expect(space.decode(space.largest())).toEqual(getSubnet(model));
    space.check(model);
    model.dispose();
  });

  it('multiples of 8 keep the maximum; a dimension left with one choice is fixed', () => {
    const model = buildSupernet();
    const space = SearchSpace.fromModel(model, { kernelSizes: false });
    // stem group max 8 -> [8] (fixed), sep1 max 12 -> [8, 12], up max 6 -> [6] (fixed).
    expect(space.dimensions.map((d) => [d.name, d.choices])).toEqual([['sep1', [8, 12]]]);
    expect(space.fixed['stem']).toEqual({ outChannels: 8, kernelSize: 5 });
    expect(space.fixed['up']).toEqual({ outChannels: 6 });
    model.dispose();
  });

  it('ratios round to the nearest width; a choices function sees each dimension', () => {
    const model = buildSupernet();
    const ratios = SearchSpace.fromModel(model, { choices: { ratios: [0.25, 0.5, 1] }, kernelSizes: false });
    // round(0.25·8)=2, round(0.5·8)=4; 12 -> 3, 6, 12; 6 -> round(1.5)=2, 3, 6.
    expect(ratios.dimensions.map((d) => [d.name, d.choices])).toEqual([
      ['stem', [2, 4, 8]],
      ['sep1', [3, 6, 12]],
      ['up', [2, 3, 6]],
    ]);
    const seen: [string, readonly string[], number][] = [];
    const custom = SearchSpace.fromModel(model, {
      kernelSizes: false,
      choices: (d) => {
        seen.push([d.name, d.layers, d.max]);
        return [d.max, Math.ceil(d.max / 2)];
      },
    });
    expect(seen).toEqual([
      ['stem', ['stem', 'sep2', 'conv3'], 8],
      ['sep1', ['sep1'], 12],
      ['up', ['up'], 6],
    ]);
    expect(custom.dimensions.map((d) => d.choices)).toEqual([
      [4, 8],
      [6, 12],
      [3, 6],
    ]);
    model.dispose();
  });

  it('keeps only widths a layer that combines channels in groups can take', () => {
    // A follower that sums groups of 4 channels (as an IDWT combines sub-bands, but taking any width).
    class GroupSum extends tfl.layers.Layer {
      static readonly className = 'TestGroupSum';
      channelRole(): ChannelRole {
        return { kind: 'follow', divisor: 4 };
      }
      override computeOutputShape(shape: tfl.Shape): tfl.Shape {
        return [...shape.slice(0, -1), (shape[shape.length - 1] as number) / 4];
      }
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
        const c = x.shape[x.rank - 1] as number;
        return tf.sum(tf.reshape(x, [...x.shape.slice(0, -1), c / 4, 4]), -1);
      }
    }
    const input = tfl.input({ shape: [4, 4, 3] });
    const a = new OnceForAllConv({ name: 'a', filters: 16, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const grouped = new GroupSum({ name: 'groups' }).apply(a) as tfl.SymbolicTensor;
    const b = new OnceForAllConv({ name: 'b', filters: 3, kernelSize: 1 }).apply(grouped) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: b });
    const space = SearchSpace.fromModel(model, { choices: { multipleOf: 2 } });
    expect(space.dimensions.map((d) => [d.name, d.choices])).toEqual([['a', [4, 8, 12, 16]]]);
    space.check(model);
    expect(() => SearchSpace.fromModel(model, { choices: () => [6, 16] })).toThrow(
      /options\.choices \(for dimension 'a'\).*6 is not one/,
    );
    // A layer that reads a width it cannot slice (HaarIDWT's sub-bands are blocks of the full width) fixes it.
    const up = new HaarIDWT({ name: 'idwt' }).apply(a) as tfl.SymbolicTensor;
    const c = new OnceForAllConv({ name: 'c', filters: 3, kernelSize: 1 }).apply(up) as tfl.SymbolicTensor;
    const fixed = SearchSpace.fromModel(tfl.model({ inputs: input, outputs: c }), { choices: { multipleOf: 2 } });
    expect(fixed.dimensions).toEqual([]);
    expect(fixed.fixed['a']).toEqual({ outChannels: 16, kernelSize: 1 });
    model.dispose();
  });

  it('groups tie further widths (GAN Compression: the hidden width of each group of three blocks)', () => {
    const model = SuperMobileResnetGenerator({ ngf: 16 });
    const hidden = (from: number) => [`block${from}_conv1`, `block${from + 1}_conv1`, `block${from + 2}_conv1`];
    const space = SearchSpace.fromModel(model, { groups: [hidden(1), hidden(4), hidden(7)] });
    expect(space.dimensions.map((d) => d.name)).toEqual([
      'stem_conv',
      'down1_conv',
      'down2_conv',
      'block1_conv1',
      'block4_conv1',
      'block7_conv1',
      'up1_convt',
      'up2_convt',
    ]);
    expect(space.dimensions[2]?.targets.map((t) => t.layer)).toEqual([
      'down2_conv',
      ...Array.from({ length: 9 }, (_, i) => `block${i + 1}_conv2`),
    ]);
    expect(space.dimensions[3]?.targets.map((t) => t.layer)).toEqual(hidden(1));
    expect(() => SearchSpace.fromModel(model, { groups: [['head_conv', 'stem_conv']] })).toThrow(
      /options\.groups\[0\]\[0\]: got 'head_conv', expected a layer with a free width/,
    );
    model.dispose();
  });

  it('refuses bad options, naming them', () => {
    const model = buildSupernet();
    expect(() => SearchSpace.fromModel(model, { choices: { multipleOf: 0 } })).toThrow(
      /options\.choices\.multipleOf: got 0/,
    );
    expect(() => SearchSpace.fromModel(model, { choices: { ratios: [0, 1] } })).toThrow(/options\.choices\.ratios/);
    expect(() => SearchSpace.fromModel(model, { kernelSize: true } as never)).toThrow(
      /options\.kernelSize: got true, expected no such option/,
    );
    model.dispose();
  });
});

describe('SearchSpace.fromConfigStrings', () => {
  it("decodes every point of GAN Compression's channels-32 set exactly as resnetConfigFromString", () => {
    const model = SuperMobileResnetGenerator({ ngf: 32 });
    const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString, { model });
    expect(space.size).toBe(6561);
    expect(space.names).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    // Scales read off the codec: c1 -> 2·c1, c2 -> 4·c2 for down2 and every block's second conv.
    expect(space.dimensions[1]?.targets).toEqual([out('down1_conv', 2)]);
    expect(space.dimensions[2]?.targets.length).toBe(10);
    expect(space.dimensions[2]?.targets.every((t) => t.scale === 4)).toBe(true);
    let n = 0;
    for (const point of space.enumerate()) {
      const s = space.toConfigString(point);
      const expected = resnetConfigFromString(s);
      const got = space.decode(point);
      for (const [layer, setting] of Object.entries(expected))
        expect(got[layer]?.outChannels, `${s} ${layer}`).toBe(setting.outChannels);
      expect(space.fromConfigString(s)).toEqual(point);
      n++;
    }
    expect(n).toBe(6561);
    // The model's kernel sizes are fixed, so the supernet's own config encodes.
    setSubnet(model, resnetConfigFromString('16_24_32_16_24_32_24_16'));
    expect(space.toConfigString(getSubnet(model))).toBe('16_24_32_16_24_32_24_16');
    model.dispose();
  });

  it('reads the legacy 6-integer form too', () => {
    const space = SearchSpace.fromConfigStrings(Array(6).fill([16, 8]), resnetConfigFromString);
    // c3 sets the hidden width of all nine blocks.
    expect(space.dimensions[3]?.targets.map((t) => t.layer)).toEqual(
      Array.from({ length: 9 }, (_, i) => `block${i + 1}_conv1`),
    );
    expect(space.decode(space.fromConfigString('8_16_8_8_16_8'))).toEqual(
      expect.objectContaining(resnetConfigFromString('8_16_8_8_16_8')),
    );
  });

  it('refuses a codec that is not one position times a constant, and bad lists', () => {
    const squared = (s: string): SubnetConfig => {
      const [a, b] = s.split('_').map(Number) as [number, number];
      return { x: { outChannels: a * a }, y: { outChannels: b } };
    };
    expect(() => SearchSpace.fromConfigStrings([[2, 3], [4]], squared)).toThrow(/decodeString: got function squared/);
    const mixed = (s: string): SubnetConfig => {
      const [a, b] = s.split('_').map(Number) as [number, number];
      return { x: { outChannels: a * b } };
    };
    expect(() =>
      SearchSpace.fromConfigStrings(
        [
          [2, 3],
          [4, 5],
        ],
        mixed,
      ),
    ).toThrow(/also moves with position 0/);
    expect(() => SearchSpace.fromConfigStrings([[2, 2]], resnetConfigFromString)).toThrow(/lists\[0\]: got \[2,2\]/);
    expect(() => SearchSpace.fromConfigStrings([], resnetConfigFromString)).toThrow(/^lists: got \[\]/);
  });
});

describe('SearchSpace points', () => {
  const space = syntheticSpace([3, 1, 4, 2]);

  it('enumerates every point once, in mixed-radix order', () => {
    const all = [...space.enumerate()];
    expect(all.length).toBe(space.size);
    expect(space.size).toBe(24);
    expect(new Set(all.map((p) => p.join(','))).size).toBe(24);
    expect(all[0]).toEqual([0, 0, 0, 0]);
    expect(all[1]).toEqual([0, 0, 0, 1]);
    expect(all[2]).toEqual([0, 0, 1, 0]);
    expect(all[23]).toEqual([2, 0, 3, 1]);
    expect(space.smallest()).toEqual([0, 0, 0, 0]);
    expect(space.largest()).toEqual([2, 0, 3, 1]);
  });

  it('decodes to complete configs, values and config strings', () => {
    expect(space.decode([1, 0, 3, 0])).toEqual({
      head: { outChannels: 3 },
      l0: { outChannels: 16 },
      l1: { outChannels: 8 },
      l2: { outChannels: 32 },
      l3: { outChannels: 8 },
    });
    expect(space.values([1, 0, 3, 0])).toEqual({ d0: 16, d1: 8, d2: 32, d3: 8 });
    expect(space.fromValues({ d0: 16, d1: 8, d2: 32, d3: 8 })).toEqual([1, 0, 3, 0]);
    expect(space.toConfigString([1, 0, 3, 0])).toBe('16_8_32_8');
  });

  it('encode inverts decode, and any integer array is a point or a named error (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 3, maxLength: 5 }), (indices) => {
        let config: SubnetConfig;
        try {
          config = space.decode(indices);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          expect((e as Error).message).toMatch(/^indices(\[\d\])?: got/);
          const inRange = indices.length === 4 && indices.every((v, i) => v >= 0 && v < [3, 1, 4, 2][i]!);
          expect(inRange).toBe(false);
          return;
        }
        expect(space.encode(config)).toEqual(indices);
        expect(space.contains(config)).toBe(true);
        expect(SearchSpace.fromJSON(JSON.parse(JSON.stringify(space))).decode(indices)).toEqual(config);
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('encode refuses configs outside the space, naming the setting', () => {
    const ok = space.decode([1, 0, 3, 0]);
    const bad =
      (patch: SubnetConfig): (() => number[]) =>
      () =>
        space.encode({ ...ok, ...patch });
    expect(bad({ l0: { outChannels: 12 } })).toThrow(
      /config\.l0\.outChannels: got 12, expected one of \[8,16,24\] \(dimension 'd0'\)/,
    );
    expect(bad({ l0: { outChannels: 8, kernelSize: 3 } })).toThrow(
      /config\.l0\.kernelSize: got 3, expected nothing: this search space does not set it/,
    );
    expect(bad({ other: { outChannels: 8 } })).toThrow(/config\.other\.outChannels: got 8/);
    expect(bad({ head: { outChannels: 4 } })).toThrow(/config\.head\.outChannels: got 4, expected 3 \(fixed/);
    const { l2: _omitted, ...missing } = ok;
    expect(() => space.encode(missing)).toThrow(/config\.l2\.outChannels: got undefined, expected a value/);
    expect(space.contains({ ...ok, l0: { outChannels: 12 } })).toBe(false);
    // Tied settings must agree.
    const tied = new SearchSpace([{ name: 't', choices: [4, 8], targets: [out('a'), out('b', 2)] }]);
    expect(tied.encode({ a: { outChannels: 4 }, b: { outChannels: 8 } })).toEqual([0]);
    expect(() => tied.encode({ a: { outChannels: 4 }, b: { outChannels: 16 } })).toThrow(
      /config\.b\.outChannels: got 16, expected 8, matching config\.a\.outChannels/,
    );
  });

  it('samples each dimension uniformly and reproducibly', () => {
    const counts = space.dimensions.map((d) => new Array<number>(d.choices.length).fill(0));
    const rng = new Random(5);
    const n = 6000;
    for (let i = 0; i < n; i++) space.sampleIndices(rng).forEach((v, d) => (counts[d]![v]! += 1));
    counts.forEach((row) => row.forEach((c) => expect(Math.abs(c / n - 1 / row.length)).toBeLessThan(0.025)));
    expect(space.sample(new Random(9))).toEqual(space.sample(new Random(9)));
  });

  it('refuses malformed dimensions, naming them', () => {
    const dim = (d: Partial<SearchDimension>): SearchDimension => ({ name: 'a', choices: [1], targets: [], ...d });
    expect(() => new SearchSpace([dim({ choices: [] })])).toThrow(/dimensions\[0\]\.choices: got \[\]/);
    expect(() => new SearchSpace([dim({ choices: [4, 4] })])).toThrow(/lists 4 twice/);
    expect(() => new SearchSpace([dim({ choices: [1.5] })])).toThrow(/dimensions\[0\]\.choices/);
    expect(() => new SearchSpace([dim({}), dim({})])).toThrow(/dimensions\[1\]\.name: got 'a'/);
    expect(
      () => new SearchSpace([dim({ name: 'a', targets: [out('x')] }), dim({ name: 'b', targets: [out('x')] })]),
    ).toThrow(/'x\.outChannels' is set by dimension 'a'/);
    expect(() => new SearchSpace([dim({ targets: [out('x')] })], { x: { outChannels: 3 } })).toThrow(
      /fixed\.x\.outChannels: got 3, expected nothing: dimension 'a' sets it/,
    );
    expect(() => new SearchSpace([dim({ targets: [{ layer: 'x', field: 'depth' as never, scale: 1 }] })])).toThrow(
      /dimensions\[0\]\.targets\[0\]\.field: got 'depth'/,
    );
    expect(() => SearchSpace.fromJSON({ format: 'other' })).toThrow(/json\.format: got 'other'/);
    expect(() => space.fromConfigString('8_8')).toThrow(/configString: got '8_8', expected 4 positive integers/);
    expect(() => space.sampleIndices(Math.random as never)).toThrow(/rng: got function random/);
  });

  it('check() reports the point a model refuses', () => {
    const model = buildSupernet();
    const space = new SearchSpace([{ name: 's', choices: [4, 9], targets: [out('stem')] }]);
    expect(() => space.check(model)).toThrow(
      /space point \{"s":9\}: stem\.outChannels: got 9, expected an integer in \[1, 8\]/,
    );
    model.dispose();
  });
});
