import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { countParams, fileSystem, PatchGanDiscriminator } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { expectClose, expectNoLeak } from '../helpers/tensors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Fixture {
  patchganCounts: {
    ndf: number;
    nLayers: number;
    norm: 'instance' | 'batch';
    inputChannels: number;
    params: number;
    outputShape256: number[];
  }[];
  patchganForward: { norm: 'instance' | 'batch'; x: FixtureTensor; weights: FixtureTensor[]; y: FixtureTensor }[];
}

const fx = readFixture<Fixture>('distill_torch');

describeBackends('PatchGanDiscriminator', () => {
  it('parameter counts and patch-map sizes equal pix2pix NLayerDiscriminator (PyTorch), incl. ndf 64 × 3 layers', () => {
    expect(fx.patchganCounts.find((c) => c.ndf === 64 && c.nLayers === 3 && c.norm === 'instance')?.params).toBe(
      2764737,
    );
    for (const c of fx.patchganCounts) {
      const D = PatchGanDiscriminator({ ndf: c.ndf, nLayers: c.nLayers, norm: c.norm, inputChannels: c.inputChannels });
      expect(countParams(D), JSON.stringify(c)).toBe(c.params);
      expect(D.outputs[0]?.shape.slice(1)).toEqual([null, null, 1]);
      const shape = D.computeOutputShape([1, 256, 256, c.inputChannels]) as number[];
      expect(shape).toEqual(c.outputShape256);
      D.dispose();
    }
  });

  for (const f of fx.patchganForward) {
    it(`forward pass with PyTorch's weights equals NLayerDiscriminator (ndf 4, 2 layers, ${f.norm} norm${f.norm === 'batch' ? ', training mode' : ''})`, async () => {
      const D = PatchGanDiscriminator({ ndf: 4, nLayers: 2, norm: f.norm });
      const weights = f.weights.map(fromFixture);
      // layer by layer, in PyTorch's module order (model.weights lists trainable weights first)
      let next = 0;
      for (const layer of D.layers) {
        const n = layer.weights.length;
        if (n === 0) continue;
        const values = weights.slice(next, next + n);
        expect(
          layer.weights.map((w) => w.shape),
          layer.name,
        ).toEqual(values.map((w) => w.shape));
        layer.setWeights(values);
        next += n;
      }
      expect(next).toBe(weights.length);
      const x = fromFixture(f.x);
      const y = D.apply(x, { training: f.norm === 'batch' }) as tf.Tensor;
      await expectNoLeak(() => tf.dispose(D.apply(x, { training: f.norm === 'batch' }) as tf.Tensor));
      expectClose(y, fromFixture(f.y), 2e-5, 1e-5, `${f.norm} logits`);
      tf.dispose([x, y, ...weights]);
      D.dispose();
    });
  }

  it('layer names, bias placement and initialisation follow pix2pix (N(0, 0.02), biases 0); seeds reproduce', () => {
    const D = PatchGanDiscriminator({ ndf: 8, nLayers: 3, norm: 'batch', seed: 3 });
    const names = D.layers.map((l) => l.name).filter((n) => !n.endsWith('_input'));
    expect(names.filter((n) => /^conv\d$|^head$/.test(n))).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'head']);
    const biased = D.weights.filter((w) => w.originalName.endsWith('bias')).map((w) => w.originalName.split('/')[0]);
    expect(biased).toEqual(['conv1', 'head']); // batch norm: the inner convs have none
    const inst = PatchGanDiscriminator({ ndf: 8, nLayers: 3, seed: 3 });
    expect(
      inst.weights.filter((w) => w.originalName.endsWith('bias')).map((w) => w.originalName.split('/')[0]),
    ).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'head']);
    const k = D.getLayer('conv3').getWeights()[0] as tf.Tensor;
    const v = Array.from(k.dataSync());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    const again = PatchGanDiscriminator({ ndf: 8, nLayers: 3, norm: 'batch', seed: 3 });
    expect(Array.from((again.getLayer('conv3').getWeights()[0] as tf.Tensor).dataSync())).toEqual(Array.from(v));
    D.dispose();
    inst.dispose();
    again.dispose();
  });

  it('saves and loads through fileSystem (InstanceNorm registered) with identical logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchgan-'));
    try {
      const D = PatchGanDiscriminator({ ndf: 4, nLayers: 2, inputChannels: 6, seed: 1 });
      await D.save(fileSystem(join(dir, 'd')));
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'd')));
      const x = tf.randomUniform([1, 32, 32, 6], -1, 1, 'float32', 2);
      const [a, b] = [D.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(a.shape).toEqual([1, 6, 6, 1]);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, a, b]);
      D.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad options name the field', () => {
    expect(() => PatchGanDiscriminator({ ndf: 0 })).toThrow(/options.ndf: got 0, expected an integer >= 1/);
    expect(() => PatchGanDiscriminator({ norm: 'spectral' as 'batch' })).toThrow(
      /options.norm: got 'spectral', expected one of 'instance', 'batch'/,
    );
    expect(() => PatchGanDiscriminator({ nLayer: 3 } as never)).toThrow(
      /options.nLayer: got 3, expected no such option/,
    );
    expect(() => PatchGanDiscriminator({ inputSize: [10] as never })).toThrow(/options.inputSize/);
  });
});
