/** The demo's photos as super-resolution pairs, split as data/images/split.json says. */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { centreCrop, superResolutionPair, type SrPair } from '../../src/index.js';
import { readPng } from './png.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SCALE = 4;

/** How many training photos (whole) and the centre crops of the validation and test photos. */
export interface DataPlan {
  trainImages: number;
  validationCrop: number;
  testCrop: number;
}

/** Training pairs from whole photos; validation and test pairs from centre crops (never seen in training). */
export function loadData(p: DataPlan): { train: SrPair[]; validation: SrPair[]; test: SrPair[] } {
  const split = JSON.parse(readFileSync(join(ROOT, 'data', 'images', 'split.json'), 'utf8')) as Record<
    'train' | 'validation' | 'test',
    string[]
  >;
  const pairOf = (name: string, crop: number | null): SrPair =>
    tf.tidy(() => {
      const image = readPng(join(ROOT, 'data', 'images', `${name}.png`));
      return superResolutionPair(
        crop == null ? image : centreCrop(image, crop),
        SCALE,
      ) as unknown as tf.TensorContainer;
    }) as unknown as SrPair;
  return {
    train: split.train.slice(0, p.trainImages).map((n) => pairOf(n, null)),
    validation: split.validation.map((n) => pairOf(n, p.validationCrop)),
    test: split.test.map((n) => pairOf(n, p.testCrop)),
  };
}
