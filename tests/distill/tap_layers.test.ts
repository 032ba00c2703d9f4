import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ConfigError, ResnetGenerator, tapLayers } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak, seededTensor } from '../helpers/tensors.js';

type ST = tfl.SymbolicTensor;

/** A custom layer (not from this library): y = x · scale + shift, per channel, learnable. */
class ScaleShift extends tfl.layers.Layer {
  static className = 'TapTestScaleShift';
  private scale: tfl.LayerVariable | null = null;
  override build(shape: tfl.Shape | tfl.Shape[]): void {
    const c = (shape as tfl.Shape)[3] as number;
    this.scale = this.addWeight('scale', [c], 'float32', tfl.initializers.constant({ value: 1.5 }));
    this.built = true;
  }
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() =>
      tf.add(tf.mul(Array.isArray(x) ? (x[0] as tf.Tensor) : x, (this.scale as tfl.LayerVariable).read()), 0.25),
    );
  }
}
tf.serialization.registerClass(ScaleShift);

/** inner: conv → custom → relu, a functional model used as one layer of `outer`. */
function nested(innerName = 'inner', convName = 'conv'): { outer: tfl.LayersModel; inner: tfl.LayersModel } {
  const ii = tfl.input({ shape: [6, 6, 2] });
  const c = tfl.layers
    .conv2d({
      name: convName,
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tfl.initializers.randomNormal({ stddev: 1, seed: 1 }),
    })
    .apply(ii) as ST;
  const s = new ScaleShift({ name: 'scale' }).apply(c) as ST;
  const r = tfl.layers.reLU({ name: 'relu' }).apply(s) as ST;
  const inner = tfl.model({ inputs: ii, outputs: r, name: innerName });
  const oi = tfl.input({ shape: [6, 6, 2] });
  const pre = tfl.layers
    .dense({ name: 'pre', units: 2, kernelInitializer: tfl.initializers.randomNormal({ seed: 2 }) })
    .apply(oi) as ST;
  const mid = inner.apply(pre) as ST;
  const out = tfl.layers
    .conv2d({ name: 'post', filters: 1, kernelSize: 1, kernelInitializer: tfl.initializers.randomNormal({ seed: 3 }) })
    .apply(mid) as ST;
  return { outer: tfl.model({ inputs: oi, outputs: out, name: 'outer' }), inner };
}

const data = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describeBackends('tapLayers', () => {
  it('top-level layers of a ResnetGenerator: the model output first, then each tap, equal to running the layers by hand', async () => {
    const g = ResnetGenerator({ ngf: 4, nBlocks: 2, seed: 1 });
    const before = tf.memory().numTensors;
    const tapped = tapLayers(g, ['stem_relu', 'block2', 'head_tanh']);
    expect(tf.memory().numTensors - before, 'no weight copied').toBe(0);
    expect(tapped.weights.map((w) => w.read().id)).toEqual(g.weights.map((w) => w.read().id));
    const x = seededTensor([2, 8, 8, 3], 4);
    const [y, stem, block2, head] = tapped.predict(x) as tf.Tensor[];
    const ref = g.predict(x) as tf.Tensor;
    expect(data(y as tf.Tensor)).toEqual(data(ref));
    expect(data(head as tf.Tensor)).toEqual(data(ref));
    // stem by hand: clamp, reflection pad 3, 7×7 conv, instance norm, ReLU — each layer applied eagerly
    const byHand = tf.tidy(() =>
      ['input_clamp', 'stem_pad', 'stem_conv', 'stem_norm', 'stem_relu'].reduce(
        (t, name) => g.getLayer(name).apply(t) as tf.Tensor,
        x,
      ),
    );
    expect(data(stem as tf.Tensor)).toEqual(data(byHand));
    expect(block2?.shape).toEqual([2, 2, 2, 16]);
    await expectNoLeak(() => tf.dispose(tapped.predict(x) as tf.Tensor[]));
    tf.dispose([x, ref, byHand, y, stem, block2, head]);
  });

  it('shares weights: training through the tapped model changes the original', () => {
    const g = ResnetGenerator({ ngf: 2, nBlocks: 1, seed: 2 });
    const tapped = tapLayers(g, ['down2_relu']);
    const x = seededTensor([1, 8, 8, 3], 5);
    const before = g.predict(x) as tf.Tensor;
    const conv = data(g.getLayer('stem_conv').getWeights()[0] as tf.Tensor); // getWeights reads the variable itself
    const vars = tapped.trainableWeights.map((w) => w.read() as tf.Variable);
    const target = seededTensor([1, 2, 2, 8], 6);
    tf.train
      .sgd(0.5)
      .minimize(
        () => tf.mean(tf.square(tf.sub((tapped.apply(x) as tf.Tensor[])[1] as tf.Tensor, target))),
        false,
        vars,
      );
    const after = g.predict(x) as tf.Tensor;
    expect(data(g.getLayer('stem_conv').getWeights()[0] as tf.Tensor)).not.toEqual(conv);
    expect(data(after)).not.toEqual(data(before));
    tf.dispose([x, before, after, target]);
  });

  it('reaches into nested models (qualified or unique names) with custom layers, sharing the layer objects', () => {
    const { outer, inner } = nested();
    const tapped = tapLayers(outer, ['inner/scale', 'relu', 'pre']);
    const x = seededTensor([2, 6, 6, 2], 6);
    const [y, scaled, relu, pre] = tapped.predict(x) as tf.Tensor[];
    expect(data(y as tf.Tensor)).toEqual(data(outer.predict(x) as tf.Tensor));
    const byHand = tf.tidy(() => {
      const p = outer.getLayer('pre').apply(x) as tf.Tensor;
      const s = inner.getLayer('scale').apply(inner.getLayer('conv').apply(p)) as tf.Tensor;
      return [p, s, tf.relu(s)];
    });
    expect(data(pre as tf.Tensor)).toEqual(data(byHand[0] as tf.Tensor));
    expect(data(scaled as tf.Tensor)).toEqual(data(byHand[1] as tf.Tensor));
    expect(data(relu as tf.Tensor)).toEqual(data(byHand[2] as tf.Tensor));
    expect(Math.min(...data(scaled as tf.Tensor))).toBeLessThan(0); // the tap is before the ReLU
    expect(new Set(tapped.weights.map((w) => w.read().id))).toEqual(new Set(outer.weights.map((w) => w.read().id)));
    tf.dispose([x, y, scaled, relu, pre, ...byHand]);
  });

  it('sequential models', () => {
    const seq = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4], units: 3, name: 'd1', kernelInitializer: tfl.initializers.ones() }),
        tfl.layers.dense({ units: 2, name: 'd2' }),
      ],
    });
    const tapped = tapLayers(seq, ['d1']);
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const [y, d1] = tapped.predict(x) as tf.Tensor[];
    expect(data(d1 as tf.Tensor)).toEqual([10, 10, 10]);
    expect(data(y as tf.Tensor)).toEqual(data(seq.predict(x) as tf.Tensor));
    tf.dispose([x, y, d1]);
  });

  it('errors name the unknown, ambiguous, repeated or shared layer', () => {
    const g = ResnetGenerator({ ngf: 2, nBlocks: 1 });
    expect(() => tapLayers(g, ['block7'])).toThrow(ConfigError);
    expect(() => tapLayers(g, ['block7'])).toThrow(
      /names: got 'block7', expected the name of a layer of model 'resnet_generator' \(layers: \["input_clamp","stem_pad"/,
    );
    expect(() => tapLayers(g, ['block1', 'block1'])).toThrow(/each layer once \('block1' is named twice\)/);
    expect(() => tapLayers(g, [])).toThrow(/names: got \[\], expected a non-empty array of layer names/);
    expect(() => tapLayers({} as tfl.LayersModel, ['x'])).toThrow(/model: got \{\}, expected a tf.LayersModel/);
    // a qualified name that does not exist
    expect(() => tapLayers(nested().outer, ['outer/conv'])).toThrow(/layers: \["pre","inner\/conv"/);
    // a layer called twice
    const shared = tfl.layers.dense({ units: 2, name: 'shared' });
    const si = tfl.input({ shape: [2] });
    const so = shared.apply(shared.apply(si)) as ST;
    const nestedShared = tfl.model({ inputs: si, outputs: so, name: 'n' });
    const oi = tfl.input({ shape: [2] });
    const outer = tfl.model({ inputs: oi, outputs: nestedShared.apply(oi) as ST });
    expect(() => tapLayers(outer, ['shared'])).toThrow(/'shared' is called 2 times/);
  });
});
