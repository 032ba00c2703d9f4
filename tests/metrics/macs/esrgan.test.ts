/**
 * The MAC counter on a real pretrained tfjs layers model: @upscalerjs/esrgan-medium's 2× RDN
 * (loaded with our fileSystem() handler), checked against a sum computed here straight from
 * its model.json, and the package's two custom layers (MultiplyBeta, PixelShuffle) registered
 * through the package's own setup(tf).
 */
import * as tfUnion from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { countMacs, countParams, fileSystem, type CustomCounter } from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeak, seededTensor } from '../../helpers/tensors.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../../node_modules/@upscalerjs/esrgan-medium/', import.meta.url));
const MODEL_JSON = `${PACKAGE_DIR}models/x2/model.json`;
const require = createRequire(import.meta.url);

interface KerasLayer {
  class_name: string;
  name: string;
  config: {
    filters?: number;
    kernel_size?: number[];
    strides?: number[];
    padding?: string;
    size?: number[];
    axis?: number;
  };
  inbound_nodes: [string, number, number, object][][];
}

/**
 * MACs and params of the model.json topology, by hand: every conv is stride 1 with 'same' or
 * 1×1 kernels (asserted), so it keeps H×W and costs H·W·Cout·Cin·kh·kw; concat adds channels;
 * the nearest upsample multiplies H and W; add/activation cost nothing.
 */
function analyticCount(h: number, w: number): { macs: number; params: number; order: string[] } {
  const json = JSON.parse(readFileSync(MODEL_JSON, 'utf8')) as {
    modelTopology: { model_config: { config: { layers: KerasLayer[] } } };
  };
  const layers = json.modelTopology.model_config.config.layers;
  const shape = new Map<string, { h: number; w: number; c: number }>();
  let macs = 0;
  let params = 0;
  const order: string[] = [];
  for (const layer of layers) {
    const ins = (layer.inbound_nodes[0] ?? []).map(([name]) => shape.get(name) as { h: number; w: number; c: number });
    const x = ins[0] as { h: number; w: number; c: number };
    switch (layer.class_name) {
      case 'InputLayer':
        shape.set(layer.name, { h, w, c: 3 });
        continue;
      case 'Conv2D': {
        const [kh, kw] = layer.config.kernel_size as [number, number];
        expect(layer.config.strides).toEqual([1, 1]);
        expect(layer.config.padding === 'same' || kh * kw === 1).toBe(true);
        const cout = layer.config.filters as number;
        macs += x.h * x.w * cout * x.c * kh * kw;
        params += kh * kw * x.c * cout + cout;
        shape.set(layer.name, { ...x, c: cout });
        break;
      }
      case 'Concatenate':
        expect(layer.config.axis).toBe(3);
        shape.set(layer.name, { ...x, c: ins.reduce((s, i) => s + i.c, 0) });
        break;
      case 'UpSampling2D': {
        const [sh, sw] = layer.config.size as [number, number];
        shape.set(layer.name, { h: x.h * sh, w: x.w * sw, c: x.c });
        break;
      }
      case 'Add':
      case 'Activation':
        shape.set(layer.name, x);
        break;
      default:
        throw new Error(`model.json has a ${layer.class_name} layer this hand count does not cover`);
    }
    order.push(layer.name);
  }
  return { macs, params, order };
}

describeBackends('countMacs on @upscalerjs/esrgan-medium', () => {
  it('the 2× model is a plain layers model (RDN): its definition needs no setup()', () => {
    const definition = require('@upscalerjs/esrgan-medium/2x') as { meta: { architecture: string }; setup?: unknown };
    expect(definition.meta.architecture).toBe('rdn');
    expect(definition.setup).toBeUndefined();
  });

  it('loads with fileSystem() and counts to the analytic sum over its layers', async () => {
    const model = await tfl.loadLayersModel(fileSystem(MODEL_JSON));
    const expected = analyticCount(48, 40);
    const result = await expectNoLeak(() => countMacs(model, [1, 48, 40, 3]));
    expect(result.uncounted).toEqual([]);
    expect(result.perLayer.map((l) => l.name)).toEqual(expected.order);
    expect(result.total).toBe(expected.macs);
    expect(result.perLayer.at(-1)?.outputShape).toEqual([1, 96, 80, 3]);
    expect(countParams(model)).toBe(expected.params);
    expect(countParams(model)).toBe(model.countParams());
    // Batch 2 doubles everything; torchprofile and exact agree (no transposed conv, no norm).
    expect(countMacs(model, [2, 48, 40, 3]).total).toBe(2 * expected.macs);
    expect(countMacs(model, [1, 48, 40, 3], { convention: 'exact' }).total).toBe(expected.macs);
    model.dispose();
  });

  it("counts the package's custom layers with custom counters, and reports them without", async () => {
    // The shared ESRGAN definition of the same package registers MultiplyBeta and
    // PixelShuffle<scale>x through setup(tf) for its non-RDN (RRDN) models.
    const shared = require(`${PACKAGE_DIR}dist/cjs/packages/shared/src/esrgan/esrgan.js`) as {
      getESRGANModelDefinition(args: object): { setup(tf: unknown): void };
    };
    shared
      .getESRGANModelDefinition({
        scale: 2,
        name: '@upscalerjs/esrgan-medium',
        version: '1.0.0',
        meta: { architecture: 'rrdn' },
      })
      .setup(tfUnion);
    const classes = tf.serialization.SerializationMap.getMap().classNameMap;
    const registered = (name: string): new () => tfl.layers.Layer =>
      (classes[name] as unknown as [new () => tfl.layers.Layer])[0];
    const MultiplyBeta = registered('MultiplyBeta');
    const PixelShuffle = registered('PixelShuffle2x');

    const x = tfl.input({ shape: [null, null, 3] });
    const feat = tfl.layers
      .conv2d({ name: 'feat', filters: 12, kernelSize: 3, padding: 'same' })
      .apply(x) as tfl.SymbolicTensor;
    const beta = new MultiplyBeta();
    const shuffle = new PixelShuffle();
    const up = shuffle.apply(beta.apply(feat)) as tfl.SymbolicTensor;
    const out = tfl.layers
      .conv2d({ name: 'out', filters: 3, kernelSize: 3, padding: 'same' })
      .apply(up) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: out });

    // Without counters both custom layers are reported by name.
    const plain = countMacs(model, [1, 8, 6, 3]);
    expect(plain.uncounted).toEqual([beta.name, shuffle.name]);

    // MultiplyBeta is x·0.2 (an aten::mul: one per element); PixelShuffle is depthToSpace (free),
    // and its own computeOutputShape forgets the ×2, so the counter gives the real shape.
    const counters: Record<string, CustomCounter> = {
      MultiplyBeta: (_layer, [s]) => ({ macs: (s as number[]).reduce((a, b) => a * b, 1) }),
      PixelShuffle2x: (_layer, [s]) => {
        const [n, h, w, c] = s as number[];
        return { macs: 0, outputShape: [n as number, (h as number) * 2, (w as number) * 2, (c as number) / 4] };
      },
    };
    const counted = countMacs(model, [1, 8, 6, 3], { customCounters: counters });
    expect(counted.uncounted).toEqual([]);
    expect(counted.perLayer.map((l) => [l.name, l.macs, l.outputShape])).toEqual([
      ['feat', 8 * 6 * 12 * 3 * 9, [1, 8, 6, 12]],
      [beta.name, 8 * 6 * 12, [1, 8, 6, 12]],
      [shuffle.name, 0, [1, 16, 12, 3]],
      ['out', 16 * 12 * 3 * 3 * 9, [1, 16, 12, 3]],
    ]);
    // The shape the counter gave is the one the model really produces.
    const probe = seededTensor([1, 8, 6, 3], 1);
    const y = model.predict(probe) as tf.Tensor;
    expect(y.shape).toEqual([1, 16, 12, 3]);
    tf.dispose([probe, y]);
    model.dispose();
  });
});
