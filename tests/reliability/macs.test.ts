/**
 * Reliability of MAC and parameter counting: the cases of issue 12 — a two-input model counted
 * at batches 1 and 2 (a Dense came out NaN and the total 0), a 'valid' conv on an input smaller
 * than its kernel (a negative or zero output shape, counted as if real) — and properties over
 * random models of tfjs and library layers at random input sizes: the count is linear in the
 * batch, adds up over the layers (each layer counted alone at the shape it receives sums to the
 * model's total), lists every layer once, leaves the sub-network as it was, and matches the
 * parameters the layers create; or it is a GanCompressError naming the argument or the layer.
 * Counting never creates a tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  ConvTranspose2d,
  countMacs,
  countParams,
  ElasticBatchNorm,
  getSubnet,
  HaarDWT,
  InstanceNorm,
  OnceForAllConv,
  ReflectionPad2d,
  ShapeError,
  type MacCount,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { anyNumber, check, JUNK, probe, Tally } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('macs')));

type ST = tfl.SymbolicTensor;

describeBackends(
  'macs: issue 12 cases',
  () => {
    it('countMacs of a two-input model refuses inputs at different batch sizes (a Dense was NaN and the total 0)', () => {
      const a = tfl.input({ shape: [4], name: 'a' });
      const b = tfl.input({ shape: [4], name: 'b' });
      const sum = tfl.layers.add({ name: 'sum' }).apply([a, b]) as ST;
      const model = tfl.model({ inputs: [a, b], outputs: tfl.layers.dense({ units: 2, name: 'fc' }).apply(sum) as ST });
      expect(() =>
        countMacs(model, [
          [1, 4],
          [2, 4],
        ]),
      ).toThrow(ShapeError);
      expect(() =>
        countMacs(model, [
          [1, 4],
          [2, 4],
        ]),
      ).toThrow(/^inputShape\[1\]: got shape \[2,4\], expected batch 1, the batch of inputShape\[0\]/);
      const counted = countMacs(model, [
        [2, 4],
        [2, 4],
      ]);
      expect(counted.perLayer.map((l) => [l.name, l.macs, l.outputShape])).toEqual([
        ['sum', 0, [2, 4]],
        ['fc', 2 * 4 * 2, [2, 2]],
      ]);
      expect(counted.total).toBe(16);
      expect(counted.uncounted).toEqual([]);
      model.dispose();
    });

    it("countMacs refuses a 'valid' conv or pool on an input smaller than its window (the output was 0 or negative)", () => {
      const x = tfl.input({ shape: [null, null, 1] });
      const conv = tfl.model({
        inputs: x,
        outputs: tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'conv' }).apply(x) as ST,
      });
      expect(() => countMacs(conv, [1, 2, 2, 1])).toThrow(ShapeError);
      expect(() => countMacs(conv, [1, 2, 2, 1])).toThrow(
        /^layer 'conv' \(Conv2D\) output: got shape \[1,0,0,2\], expected sizes >= 1: its input \[1,2,2,1\] is too small for it/,
      );
      expect(() => countMacs(conv, [1, 1, 5, 1])).toThrow(/output: got shape \[1,-1,3,2\]/);
      expect(countMacs(conv, [1, 3, 3, 1]).total).toBe(2 * 9);
      const pool = tfl.model({
        inputs: x,
        outputs: tfl.layers.maxPooling2d({ poolSize: 4, name: 'pool' }).apply(x) as ST,
      });
      expect(() => countMacs(pool, [1, 3, 8, 1])).toThrow(/^layer 'pool' \(MaxPooling2D\) output/);
      conv.dispose();
      pool.dispose();
    });
  },
  ['cpu'],
);

/** One layer of a generated model: how to build it for an input of `c` channels. */
type Step =
  | { kind: 'conv'; filters: number; kernel: number; strides: number; padding: 'same' | 'valid' }
  | { kind: 'depthwise'; kernel: number; padding: 'same' | 'valid' }
  | { kind: 'separable'; filters: number; kernel: number }
  | { kind: 'convTranspose'; filters: number; strides: number }
  | { kind: 'pool'; size: number; average: boolean }
  | { kind: 'batchNorm' }
  | { kind: 'relu' }
  | { kind: 'zeroPad'; pad: number }
  | { kind: 'ofa'; filters: number; kernel: number; active: number }
  | { kind: 'elasticBn' }
  | { kind: 'instanceNorm' }
  | { kind: 'reflectionPad'; pad: number }
  | { kind: 'torchConvTranspose'; filters: number }
  | { kind: 'haar' };

const width = fc.integer({ min: 1, max: 4 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('conv' as const),
    filters: width,
    kernel: fc.integer({ min: 1, max: 3 }),
    strides: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom('same' as const, 'valid' as const),
  }),
  fc.record({
    kind: fc.constant('depthwise' as const),
    kernel: fc.integer({ min: 1, max: 3 }),
    padding: fc.constantFrom('same' as const, 'valid' as const),
  }),
  fc.record({ kind: fc.constant('separable' as const), filters: width, kernel: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('convTranspose' as const), filters: width, strides: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('pool' as const), size: fc.integer({ min: 1, max: 3 }), average: fc.boolean() }),
  fc.record({ kind: fc.constant('batchNorm' as const) }),
  fc.record({ kind: fc.constant('relu' as const) }),
  fc.record({ kind: fc.constant('zeroPad' as const), pad: fc.integer({ min: 1, max: 2 }) }),
  fc.record({
    kind: fc.constant('ofa' as const),
    filters: width,
    kernel: fc.constantFrom(3, 5),
    active: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('elasticBn' as const) }),
  fc.record({ kind: fc.constant('instanceNorm' as const) }),
  fc.record({ kind: fc.constant('reflectionPad' as const), pad: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('torchConvTranspose' as const), filters: width }),
  fc.record({ kind: fc.constant('haar' as const) }),
);

function makeLayer(s: Step, name: string): tfl.layers.Layer {
  switch (s.kind) {
    case 'conv':
      return tfl.layers.conv2d({
        name,
        filters: s.filters,
        kernelSize: s.kernel,
        strides: s.strides,
        padding: s.padding,
      });
    case 'depthwise':
      return tfl.layers.depthwiseConv2d({ name, kernelSize: s.kernel, padding: s.padding });
    case 'separable':
      return tfl.layers.separableConv2d({ name, filters: s.filters, kernelSize: s.kernel, padding: 'same' });
    case 'convTranspose':
      return tfl.layers.conv2dTranspose({
        name,
        filters: s.filters,
        kernelSize: 3,
        strides: s.strides,
        padding: 'same',
      });
    case 'pool':
      return s.average
        ? tfl.layers.averagePooling2d({ name, poolSize: s.size })
        : tfl.layers.maxPooling2d({ name, poolSize: s.size });
    case 'batchNorm':
      return tfl.layers.batchNormalization({ name });
    case 'relu':
      return tfl.layers.reLU({ name });
    case 'zeroPad':
      return tfl.layers.zeroPadding2d({ name, padding: s.pad });
    case 'ofa': {
      const layer = new OnceForAllConv({
        name,
        filters: s.filters,
        kernelSize: 5,
        kernelSizeChoices: [3, 5],
        padding: 'same',
      });
      layer.setActive({ outChannels: Math.min(s.active, s.filters), kernelSize: s.kernel });
      return layer;
    }
    case 'elasticBn':
      return new ElasticBatchNorm({ name });
    case 'instanceNorm':
      return new InstanceNorm({ name, affine: true });
    case 'reflectionPad':
      return new ReflectionPad2d({ name, padding: s.pad });
    case 'torchConvTranspose':
      return new ConvTranspose2d({ name, filters: s.filters, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 });
    case 'haar':
      return new HaarDWT({ name });
  }
}

/** A model of `steps` on `[null, null, channels]`; steps tfjs refuses to build are skipped. */
function buildModel(channels: number, steps: Step[]): { model: tfl.LayersModel; layers: tfl.layers.Layer[] } {
  const input = tfl.input({ shape: [null, null, channels] });
  let x: ST = input;
  const layers: tfl.layers.Layer[] = [];
  steps.forEach((s, i) => {
    const layer = makeLayer(s, `${s.kind}_${i}`);
    try {
      x = layer.apply(x) as ST;
      layers.push(layer);
    } catch {
      // a step that does not fit the previous one (HaarDWT on an odd declared size cannot happen
      // here: sizes are unknown); tfjs refuses at build, so it is not part of the model
    }
  });
  return { model: tfl.model({ inputs: input, outputs: x }), layers };
}

const shapeArb = fc.tuple(
  fc.integer({ min: 1, max: 3 }),
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: 10 }),
);

describeBackends(
  'macs: properties',
  () => {
    it('countMacs: linear in the batch, adds up over the layers, every layer listed once; or a named error', () => {
      check(
        fc.property(
          fc.integer({ min: 1, max: 3 }),
          fc.array(stepArb, { minLength: 1, maxLength: 5 }),
          shapeArb,
          (channels, steps, [batch, h, w]) => {
            const { model, layers } = buildModel(channels, steps);
            const before = JSON.stringify(getSubnet(model));
            let one: MacCount | null = null;
            probe(
              tally,
              'countMacs',
              () => countMacs(model, [1, h, w, channels]),
              (count) => {
                one = count;
                expect(count.uncounted).toEqual([]);
                expect(count.perLayer.map((l) => l.name)).toEqual(layers.map((l) => l.name));
                expect(count.total).toBe(count.perLayer.reduce((s, l) => s + l.macs, 0));
                expect(count.perLayer.every((l) => Number.isInteger(l.macs) && l.macs >= 0)).toBe(true);
              },
            );
            expect(JSON.stringify(getSubnet(model)), 'the sub-network is left as it was').toBe(before);
            if (one != null) {
              const single: MacCount = one;
              probe(
                tally,
                'countMacs',
                () => countMacs(model, [batch, h, w, channels], { convention: 'exact' }),
                () => undefined,
              );
              probe(
                tally,
                'countMacs',
                () => countMacs(model, [batch, h, w, channels]),
                (count) => {
                  expect(count.total).toBe(batch * single.total);
                },
              );
              // each layer alone, at the shape it receives in the model, counts what it counts in the model
              let shape = [1, h, w, channels];
              let sum = 0;
              for (const [i, layer] of layers.entries()) {
                const input = tfl.input({ shape: [null, null, shape[3] as number] });
                const alone = tfl.model({ inputs: input, outputs: layer.apply(input) as ST });
                const c = countMacs(alone, shape);
                expect(c.total, layer.name).toBe(single.perLayer[i]?.macs);
                sum += c.total;
                shape = single.perLayer[i]?.outputShape as number[];
              }
              expect(sum).toBe(single.total);
            }
            probe(
              tally,
              'countParams',
              () => countParams(model),
              (params) => {
                // every weight a layer creates trainable is a parameter (an OFA conv at a narrower width uses fewer)
                const created = model.layers.reduce(
                  (s, l) =>
                    s +
                    (l instanceof OnceForAllConv
                      ? 0
                      : l.trainableWeights.reduce((t, v) => t + (v.shape as number[]).reduce((a, b) => a * b, 1), 0)),
                  0,
                );
                expect(params).toBeGreaterThanOrEqual(created);
              },
            );
            model.dispose();
          },
        ),
        60,
      );
    });

    it('countMacs / countParams: junk models, shapes and options are named errors that change nothing', () => {
      const { model } = buildModel(2, [{ kind: 'ofa', filters: 4, kernel: 3, active: 2 }]);
      const subnet = JSON.stringify(getSubnet(model));
      const shapes = fc.oneof(
        JUNK,
        fc.array(fc.oneof(fc.integer({ min: -1, max: 5 }), anyNumber), { maxLength: 5 }),
        fc.constant([
          [1, 4, 4, 2],
          [1, 4, 4, 2],
        ]),
      );
      const options = fc.oneof(
        JUNK,
        fc.record(
          {
            convention: fc.constantFrom<unknown>('torchprofile', 'exact', 'fvcore', 1),
            subnet: fc.constantFrom<unknown>(
              undefined,
              { ofa_0: { outChannels: 3 } },
              { ofa_0: { outChannels: 9 } },
              { nope: {} },
              3,
            ),
            customCounters: fc.constantFrom<unknown>(
              undefined,
              {},
              { OnceForAllConv: () => ({ macs: 7 }) },
              { OnceForAllConv: () => ({ macs: NaN }) },
              { X: 1 },
            ),
          },
          { requiredKeys: [] },
        ),
      );
      check(
        fc.property(fc.oneof(fc.constant(model), JUNK), shapes, options, (m, shape, opts) => {
          probe(
            tally,
            'countMacs',
            () => countMacs(m as never, shape as never, opts as never),
            (count) => {
              expect(Number.isFinite(count.total)).toBe(true);
            },
          );
          probe(
            tally,
            'countParams',
            () => countParams(m as never, opts as never),
            (n) => expect(Number.isInteger(n)).toBe(true),
          );
          expect(JSON.stringify(getSubnet(model))).toBe(subnet);
        }),
        150,
      );
      expect(tf.memory().numTensors).toBeGreaterThan(0);
      model.dispose();
    });
  },
  ['cpu'],
);

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.macs));
