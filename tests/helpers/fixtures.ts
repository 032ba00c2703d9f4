import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A tensor as the fixture scripts (tests/fixtures/scripts) write it. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** Reads tests/fixtures/<name>.json. */
export function readFixture<T>(name: string): T {
  const here = dirname(fileURLToPath(import.meta.url));
  return JSON.parse(readFileSync(join(here, '..', 'fixtures', `${name}.json`), 'utf8')) as T;
}

/** The fixture entry as a float32 tensor. */
export function fromFixture(e: FixtureTensor): tf.Tensor {
  return tf.tensor(e.data, e.shape, 'float32');
}
