import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import {
  countMacs,
  exportOnnx,
  extractSubnet,
  resnetConfigFromString,
  SuperMobileResnetGenerator,
} from '../src/index.js';
import { alternatingRounds, defineBench, disposeAll, fmt, median, useBackend } from './harness.js';

const CONFIG = '16_16_32_16_32_32_16_16';
const SHAPE = [1, 256, 256, 3];

export default defineBench('Interop: ONNX export served by onnxruntime-node vs tfjs-wasm', async (progress) => {
  await useBackend('wasm');
  progress('building the student');
  // GAN Compression's CycleGAN student, extracted from an ngf-32 supernet (the config's widths need ngf ≥ 32).
  const supernet = SuperMobileResnetGenerator({ ngf: 32, seed: 1 });
  const student = extractSubnet(supernet, resnetConfigFromString(CONFIG));
  const macs = countMacs(student, SHAPE).total;
  const onnx = exportOnnx(student, { inputShape: SHAPE });
  const x = tf.randomUniform(SHAPE, -1, 1, 'float32', 3);
  const xData = x.dataSync() as Float32Array;
  const feedsFor = (session: ort.InferenceSession): Record<string, ort.Tensor> => ({
    [session.inputNames[0] ?? '']: new ort.Tensor('float32', xData, SHAPE),
  });
  const all = await ort.InferenceSession.create(onnx);
  const one = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feedsAll = feedsFor(all);
  const feedsOne = feedsFor(one);

  // The two runtimes must agree before their speeds mean anything.
  const expected = student.predict(x) as tf.Tensor;
  const got = (await all.run(feedsAll))[all.outputNames[0] ?? ''] as ort.Tensor;
  const expectedData = expected.dataSync();
  let maxDiff = 0;
  (got.data as Float32Array).forEach(
    (v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (expectedData[i] as number)))),
  );
  expected.dispose();

  progress('timing');
  const times = await alternatingRounds(
    {
      wasm: () => student.predict(x) as tf.Tensor,
      ortAll: async () => {
        await all.run(feedsAll);
      },
      ortOne: async () => {
        await one.run(feedsOne);
      },
    },
    { rounds: 5, minTotalMs: 1500 },
  );
  const wasm = median(times.wasm);
  const rows = [
    ['tfjs-wasm (predict)', fmt(wasm), '1.00'],
    ['onnxruntime-node, default threads', fmt(median(times.ortAll)), fmt(wasm / median(times.ortAll))],
    ['onnxruntime-node, 1 thread', fmt(median(times.ortOne)), fmt(wasm / median(times.ortOne))],
  ];
  await all.release();
  await one.release();
  disposeAll(x);
  student.dispose();
  supernet.dispose();
  return [
    {
      title: `GAN Compression student ${CONFIG} at 256², batch 1 (median ms)`,
      columns: ['runtime', 'median ms', 'speed-up vs tfjs-wasm'],
      rows,
      notes: [
        `The student extracted from SuperMobileResnetGenerator({ ngf: 32 }) (${(macs / 1e9).toFixed(3)} GMAC, torchprofile convention), exported with exportOnnx (opset 17, ${(onnx.length / 2 ** 20).toFixed(2)} MiB) and run by onnxruntime-node 1.30 on the CPU.`,
        `Outputs agree: max |onnxruntime − tfjs| = ${maxDiff.toExponential(1)}.`,
        'Measured alternately five times in one run (each round times every runtime once); medians of the rounds. The issue measured 57 ms (onnxruntime-node) against 271 ms (tfjs-wasm) for this student.',
      ],
    },
  ];
});
