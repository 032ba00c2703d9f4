/**
 * The models the page runs: the exported student and the once-for-all supernet (`npm run demo`'s output, loaded
 * with tfjs once `gancompress` is imported: its layers are registered), and UpscalerJS's ESRGAN-thick (the
 * teacher) and ESRGAN-slim (the latency budget), their custom layers registered by each package's own definition.
 */
import * as tf from '@tensorflow/tfjs';
import thickDefinition from '@upscalerjs/esrgan-thick/4x';
import slimDefinition from '@upscalerjs/esrgan-slim/4x';
import type { UpscalerModel } from 'gancompress';

/** What the student's exported UpscalerJS definition (model-definition.js) holds. */
export interface StudentDefinition {
  scale: number;
  modelType: 'layers';
  path: string;
  inputRange: [number, number];
  outputRange: [number, number];
  meta: Record<string, string | number | boolean | null>;
  setup: (tfjs: typeof tf) => void;
}

/** UpscalerJS's model packages' definitions, as far as the page uses them. */
interface PackageDefinition {
  scale?: number;
  inputRange?: [number, number];
  outputRange?: [number, number];
  setup?: (tfjs: typeof tf) => void | Promise<void>;
}

async function loadPackageModel(definition: PackageDefinition, url: string): Promise<UpscalerModel> {
  await definition.setup?.(tf);
  const { scale, inputRange, outputRange } = definition;
  if (scale == null || inputRange == null || outputRange == null)
    throw new Error(`the definition of ${url} has no scale, inputRange or outputRange`);
  return { model: await tf.loadLayersModel(url), scale, inputRange, outputRange };
}

/** ESRGAN-thick ×4 (pixels in [0, 1]), on the current backend. */
export function loadThick(): Promise<UpscalerModel> {
  return loadPackageModel(thickDefinition, 'esrgan-thick/x4/model.json');
}

/** ESRGAN-slim ×4 (pixels in [0, 255]), on the current backend. */
export function loadSlim(): Promise<UpscalerModel> {
  return loadPackageModel(slimDefinition, 'esrgan-slim/x4/model.json');
}

/**
 * The exported student through the library's layers, on the current backend, with the scale and pixel ranges its
 * definition declares.
 */
export async function loadStudent(definition: StudentDefinition): Promise<UpscalerModel> {
  const { scale, inputRange, outputRange } = definition;
  return { model: await tf.loadLayersModel(definition.path), scale, inputRange, outputRange };
}

/** The trained once-for-all supernet (elastic layers: loads only with gancompress imported), on the current backend. */
export function loadSupernet(models: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(`${models}supernet/model.json`);
}

/**
 * The student's UpscalerJS definition, imported from the file the demo wrote, as any page would import it. Its
 * `path` is resolved by UpscalerJS against the page, so the page points it at the model beside the definition.
 */
export async function loadStudentDefinition(models: string): Promise<StudentDefinition> {
  const url = new URL(`${models}student/model-definition.js`, document.baseURI).href;
  const module = (await import(/* @vite-ignore */ url)) as { default: StudentDefinition };
  return { ...module.default, path: new URL('model.json', url).href };
}
