/**
 * UpscalerJS's hand-designed models, the teacher and the anchors of every report: loaded from node_modules with
 * the library's fileSystem(), their custom layers registered through each package's own model definition.
 */
import * as tfUnion from '@tensorflow/tfjs';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileSystem, type UpscalerModel } from '../../src/index.js';

export type AnchorName = 'slim' | 'medium' | 'thick';

interface Definition {
  scale: number;
  inputRange: [number, number];
  outputRange: [number, number];
  setup?: (tf: typeof tfUnion) => void;
  _internals: { path: string };
}

const require = createRequire(import.meta.url);

/** Loads `@upscalerjs/esrgan-<name>`'s ×4 model with the ranges its definition declares. */
export async function loadAnchor(name: AnchorName): Promise<UpscalerModel> {
  const definition = require(`@upscalerjs/esrgan-${name}/4x`) as Definition;
  definition.setup?.(tfUnion);
  // The package exports no package.json: find its directory from the entry point.
  const entry = require.resolve(`@upscalerjs/esrgan-${name}/4x`);
  const marker = `${sep}@upscalerjs${sep}esrgan-${name}${sep}`;
  const packageDir = entry.slice(0, entry.indexOf(marker) + marker.length);
  const model = await tfl.loadLayersModel(fileSystem(join(packageDir, dirname(definition._internals.path))));
  return { model, scale: definition.scale, inputRange: definition.inputRange, outputRange: definition.outputRange };
}
