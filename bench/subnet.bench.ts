import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ElasticConv2dTranspose,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  extractSubnet,
  maxSubnet,
  OnceForAllConv,
  setSubnet,
  type SubnetConfig,
} from '../src/index.js';
import { alternatingRounds, defineBench, disposeAll, fmt, median, status, useBackend } from './harness.js';

const st = (x: unknown): tfl.SymbolicTensor => x as tfl.SymbolicTensor;

/** A MobileResnet-like supernet at 64×64: stem, down, 3 separable residual blocks, transposed up, head. */
function supernet(): tfl.LayersModel {
  const input = tfl.input({ shape: [64, 64, 3] });
  let x = st(
    new OnceForAllConv({
      name: 'stem',
      filters: 32,
      kernelSize: 7,
      kernelSizeChoices: [3, 5, 7],
      padding: 3,
      padMode: 'reflect',
      seed: 1,
    }).apply(input),
  );
  x = st(tfl.layers.reLU().apply(st(new ElasticInstanceNorm({ name: 'stem_in' }).apply(x))));
  x = st(new OnceForAllConv({ name: 'down', filters: 64, kernelSize: 3, strides: 2, padding: 1, seed: 2 }).apply(x));
  x = st(tfl.layers.reLU().apply(st(new ElasticInstanceNorm({ name: 'down_in' }).apply(x))));
  for (let b = 1; b <= 3; b++) {
    let h = st(
      new ElasticSeparableConv2d({
        name: `b${b}_sep1`,
        filters: 128,
        kernelSize: 3,
        padding: 1,
        padMode: 'reflect',
        seed: 10 + b,
      }).apply(x),
    );
    h = st(tfl.layers.reLU().apply(h));
    h = st(
      new ElasticSeparableConv2d({
        name: `b${b}_sep2`,
        filters: 64,
        kernelSize: 3,
        padding: 1,
        padMode: 'reflect',
        seed: 20 + b,
      }).apply(h),
    );
    x = st(tfl.layers.add().apply([x, h]));
  }
  x = st(
    new ElasticConv2dTranspose({
      name: 'up',
      filters: 32,
      kernelSize: 3,
      strides: 2,
      padding: 1,
      outputPadding: 1,
      seed: 3,
    }).apply(x),
  );
  x = st(tfl.layers.reLU().apply(st(new ElasticInstanceNorm({ name: 'up_in' }).apply(x))));
  x = st(
    new OnceForAllConv({ name: 'head', filters: 3, kernelSize: 7, padding: 3, padMode: 'reflect', seed: 4 }).apply(x),
  );
  return tfl.model({ inputs: input, outputs: st(tfl.layers.activation({ activation: 'tanh' }).apply(x)) });
}

const MID: SubnetConfig = {
  stem: { outChannels: 16, kernelSize: 5 },
  down: { outChannels: 32 },
  b1_sep1: { outChannels: 64 },
  b2_sep1: { outChannels: 48 },
  b3_sep1: { outChannels: 64 },
  b1_sep2: { outChannels: 32 },
  b2_sep2: { outChannels: 32 },
  b3_sep2: { outChannels: 32 },
  up: { outChannels: 16 },
};

export default defineBench('Sub-networks: supernet slice vs extracted static model', async (progress) => {
  await useBackend('wasm');
  const model = supernet();
  const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 5);
  const rows: (string | number)[][] = [];
  for (const [label, config] of [
    ['mid config', MID],
    ['max config', maxSubnet(model)],
  ] as const) {
    progress(label);
    setSubnet(model, config);
    const sub = extractSubnet(model);
    // Alternate the two so drift on the shared machine hits both alike.
    const { sup, ext } = await alternatingRounds(
      { sup: () => model.predict(x) as tf.Tensor, ext: () => sub.predict(x) as tf.Tensor },
      { rounds: 5, minTotalMs: 800 },
    );
    const ratio = median(sup) / median(ext);
    // The target is for a sub-network (slicing at call time); the max row shows the full supernet's overhead.
    const targeted = config === MID;
    rows.push([
      label,
      fmt(median(sup)),
      fmt(median(ext)),
      fmt(ratio),
      targeted ? '≤ 1.15' : '—',
      targeted ? status(ratio <= 1.15) : '',
    ]);
    sub.dispose();
  }
  disposeAll(x);
  model.dispose();
  return [
    {
      title: 'Forward latency on wasm, batch 1, 64×64 (median ms)',
      columns: ['sub-network', 'supernet (sliced at call time)', 'extractSubnet (static)', 'ratio', 'target', 'status'],
      rows,
      notes: [
        'Supernet: OnceForAllConv stem (k7, elastic 3/5/7, reflect) → strided OnceForAllConv → 3 residual blocks of two ElasticSeparableConv2d → ElasticConv2dTranspose (k3 s2 p1 op1) → OnceForAllConv head, instance norms and ReLUs between.',
        'mid config: stem 16 channels at k5, residual width 32, hidden 64/48/64, up 16. The extracted model is built-in Conv2D / DepthwiseConv2D / Conv2DTranspose + Cropping2D with ReflectionPad2d / InstanceNorm.',
        'Ratio = supernet / extracted, measured alternately five times in one run; the median of each is used. In inference the elastic layers keep their sliced/transformed weights cached per active setting (made on the second call, dropped on setActive or any weight write).',
      ],
    },
  ];
});
