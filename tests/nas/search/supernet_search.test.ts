import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  countMacs,
  evolutionSearch,
  extractSubnet,
  macsCost,
  maxSubnet,
  MobileResnetGenerator,
  psnr,
  randomSearch,
  resnetConfigFromString,
  SandwichSampler,
  SearchSpace,
  setSubnet,
  sortChannelsByImportance,
  subnetEvaluator,
  SuperMobileResnetGenerator,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';

// Training runs on wasm only: the cpu backend's convolution gradients take about 2 s a step here,
// wasm's 0.1 s.
describeBackends(
  'search on a trained supernet',
  () => {
    it('evolution under a MAC budget beats as many random draws, and the exported model meets the budget', async () => {
      const opts = { ngf: 8, nBlocks: 3 };
      const codec = (s: string) => resnetConfigFromString(s, { nBlocks: 3 });
      // GAN Compression's pipeline in small: the supernet starts from the teacher's weights (its largest
      // sub-network is the teacher), channels sorted by importance, then once-for-all distillation.
      const teacher = MobileResnetGenerator({ ...opts, seed: 7 });
      const supernet = SuperMobileResnetGenerator({ ...opts, seed: 7 });
      sortChannelsByImportance(supernet);
      const space = SearchSpace.fromConfigStrings(Array(8).fill([8, 6, 4, 2]), codec, { model: supernet });
      const sampler = new SandwichSampler(space, { n: 2, seed: 0 });
      const optimizer = tf.train.adam(1e-4);
      for (let step = 0; step < 80; step++) {
        const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 100 + step);
        const y = teacher.predict(x) as tf.Tensor;
        setSubnet(supernet, sampler.next(step));
        const loss = optimizer.minimize(
          () => tf.mean<tf.Scalar>(tf.abs(tf.sub(supernet.apply(x, { training: true }) as tf.Tensor, y))),
          true,
        );
        tf.dispose([x, y]);
        loss?.dispose();
      }
      setSubnet(supernet, maxSubnet(supernet));
      optimizer.dispose();

      const xv = tf.randomNormal([8, 16, 16, 3], 0, 1, 'float32', 999);
      const yv = teacher.predict(xv) as tf.Tensor;
      const evaluate = subnetEvaluator(supernet, (m) => tf.tidy(() => psnr(yv, m.predict(xv) as tf.Tensor, 2)));
      const cost = macsCost(supernet, [1, 16, 16, 3], { space });
      const smallest = cost(space.decode(space.smallest()));
      const largest = cost(space.decode(space.largest()));
      const budget = smallest + 0.35 * (largest - smallest);
      // The objective has the expected shape: the largest sub-network is far closer to the teacher.
      const top = await evaluate(space.decode(space.largest()));
      const bottom = await evaluate(space.decode(space.smallest()));
      expect(top).toBeGreaterThan(bottom + 3);

      const tensors = tf.memory().numTensors;
      // Over seeds 0–9 with this setup, evolution beat random search 9 times (tied once).
      const evolution = await evolutionSearch({
        space,
        evaluate,
        cost,
        budget,
        population: 10,
        mutations: 5,
        crossovers: 5,
        generations: 4,
        seed: 0,
      });
      const random = await randomSearch({ space, evaluate, cost, budget, samples: evolution.evaluations, seed: 0 });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(random.evaluations).toBeLessThanOrEqual(evolution.evaluations);
      expect(evolution.best.score).toBeGreaterThan(random.best.score);

      const student = extractSubnet(supernet, evolution.best.config);
      const exported = countMacs(student, [1, 16, 16, 3]).total;
      expect(exported).toBeLessThanOrEqual(budget);
      expect(exported).toBe(evolution.best.cost);
      expect(psnr(yv, student.predict(xv) as tf.Tensor, 2)).toBeCloseTo(evolution.best.score, 3);
      tf.dispose([xv, yv]);
      [teacher, supernet, student].forEach((m) => m.dispose());
    }, 120_000);
  },
  ['wasm'],
);
