import type * as tfl from '@tensorflow/tfjs-layers';
import { allLayers } from '../../layers/core/index.js';
import { ConfigError, assertInt } from '../../util/index.js';

/** Options of {@link upscalerModelDefinition}. */
export interface UpscalerDefinitionOptions {
  /** The model's up-sampling factor. */
  scale: number;
  /** Where UpscalerJS finds model.json, relative to the page or absolute. Default `'model.json'`. */
  path?: string;
  /** Pixel range the model takes. Default [0, 1]. */
  inputRange?: [number, number];
  /** Pixel range the model gives. Default [0, 1]. */
  outputRange?: [number, number];
  /** Plain JSON kept in the definition's `meta` (UpscalerJS shows it; e.g. the config, MACs, PSNR). */
  meta?: Record<string, string | number | boolean | null>;
}

// Each library layer an exported upscaler may hold, as a few lines of plain tfjs that UpscalerJS's setup(tf)
// registers under the same class name — so the page needs UpscalerJS and tfjs, not this library. Each mirrors the
// library layer's call() and config.
const LAYER_SOURCES: Record<string, string> = {
  PixelShuffle: `  class PixelShuffle extends tf.layers.Layer {
    constructor(config) { super(config); this.scale = config.scale; }
    computeOutputShape(s) { const r = this.scale; return [s[0], s[1] == null ? null : s[1] * r, s[2] == null ? null : s[2] * r, s[3] / (r * r)]; }
    call(inputs) { return tf.depthToSpace(Array.isArray(inputs) ? inputs[0] : inputs, this.scale, 'NHWC'); }
    getConfig() { return { ...super.getConfig(), scale: this.scale }; }
  }
  PixelShuffle.className = 'PixelShuffle';`,
  ReflectionPad2d: `  class ReflectionPad2d extends tf.layers.Layer {
    constructor(config) { super(config); const p = config.padding; this.pads = typeof p === 'number' ? [p, p, p, p] : p; }
    computeOutputShape(s) { const [t, b, l, r] = this.pads; return [s[0], s[1] == null ? null : s[1] + t + b, s[2] == null ? null : s[2] + l + r, s[3]]; }
    call(inputs) { const [t, b, l, r] = this.pads; return tf.mirrorPad(Array.isArray(inputs) ? inputs[0] : inputs, [[0, 0], [t, b], [l, r], [0, 0]], 'reflect'); }
    getConfig() { return { ...super.getConfig(), padding: this.pads }; }
  }
  ReflectionPad2d.className = 'ReflectionPad2d';`,
};

/**
 * The source of an UpscalerJS model definition (an ES module whose default export is the definition) for an
 * exported upscaler, so that `new Upscaler({ model: definition })` runs it as it runs `@upscalerjs/esrgan-slim`:
 * scale, model type, path, pixel ranges, `meta`, and a `setup(tf)` that registers plain-tfjs versions of the
 * library layers the model holds (PixelShuffle, ReflectionPad2d) — unless classes of those names are registered
 * already, as the library's are when the page imports it. Built-in tfjs layers need nothing. Throws a
 * `ConfigError` naming any other custom layer.
 *
 * @example
 * ```ts
 * const supernet = SuperResidualUpscaler({ channels: 32, hidden: 32, blocks: 2 }); // trained (see trainUpscaler)
 * const space = SearchSpace.fromModel(supernet, { choices: { multipleOf: 8 } });
 * const config = space.decode(space.smallest()); // or searchUpscaler's result.best.config
 * const student = extractSubnet(supernet, config);
 * fs.writeFileSync('out/student/model-definition.js', upscalerModelDefinition(student, { scale: 4 }));
 * ```
 */
export function upscalerModelDefinition(model: tfl.LayersModel, options: UpscalerDefinitionOptions): string {
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ scale, path?, inputRange?, outputRange?, meta? }');
  for (const key of Object.keys(options))
    if (!['scale', 'path', 'inputRange', 'outputRange', 'meta'].includes(key))
      throw new ConfigError(
        `options.${key}`,
        (options as unknown as Record<string, unknown>)[key],
        'no such option (scale, path, inputRange, outputRange, meta)',
      );
  assertInt('options.scale', options.scale, 2);
  const path = options.path ?? 'model.json';
  if (typeof path !== 'string' || path === '') throw new ConfigError('options.path', path, 'a non-empty path or URL');
  const range = (name: string, r: unknown): [number, number] => {
    if (
      !Array.isArray(r) ||
      r.length !== 2 ||
      !r.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
      !((r[0] as number) < (r[1] as number))
    )
      throw new ConfigError(`options.${name}`, r, '[low, high] with finite low < high');
    return r as [number, number];
  };
  const inputRange = range('inputRange', options.inputRange ?? [0, 1]);
  const outputRange = range('outputRange', options.outputRange ?? [0, 1]);
  const custom = new Set<string>();
  for (const layer of allLayers(model)) {
    const name = layer.getClassName();
    if (name in LAYER_SOURCES) custom.add(name);
    else if (!isBuiltIn(layer))
      throw new ConfigError(
        `model layer '${layer.name}'`,
        name,
        `tfjs built-in layers or ${Object.keys(LAYER_SOURCES).join(', ')} (what an UpscalerJS definition can register in plain tfjs)`,
      );
  }
  const classes = [...custom].sort();
  const setup = [
    '// Registers plain-tfjs versions of the custom layers the model holds (written by gancompress).',
    'const setup = (tf) => {',
    ...classes.map((c) => LAYER_SOURCES[c] as string),
    // A page that also runs gancompress has these names registered with the library's own classes: keep those.
    ...classes.map(
      (c) =>
        `  if (tf.serialization.SerializationMap.getMap().classNameMap['${c}'] == null) tf.serialization.registerClass(${c});`,
    ),
    '};',
  ];
  const definition = {
    scale: options.scale,
    modelType: 'layers',
    path,
    inputRange,
    outputRange,
    meta: options.meta ?? {},
  };
  const body = JSON.stringify(definition, null, 2).replace(/\n}$/, ',\n  setup,\n}');
  return [
    `// UpscalerJS model definition of the model in ${JSON.stringify(path)}, written by gancompress.`,
    "// Use: import definition from './model-definition.js'; new Upscaler({ model: definition })",
    ...setup,
    '',
    `export default ${body};`,
    '',
  ].join('\n');
}

/** True for a layer class tfjs-layers itself defines (its serialization name is not one of the library's). */
function isBuiltIn(layer: tfl.layers.Layer): boolean {
  const builtIns = [
    'InputLayer',
    'Conv2D',
    'Conv2DTranspose',
    'DepthwiseConv2D',
    'SeparableConv2D',
    'Dense',
    'BatchNormalization',
    'Activation',
    'ReLU',
    'LeakyReLU',
    'PReLU',
    'ELU',
    'Softmax',
    'Add',
    'Multiply',
    'Concatenate',
    'Average',
    'Maximum',
    'Minimum',
    'ZeroPadding2D',
    'Cropping2D',
    'UpSampling2D',
    'Reshape',
    'Flatten',
    'Permute',
    'Dropout',
    'AveragePooling2D',
    'MaxPooling2D',
    'GlobalAveragePooling2D',
    'GlobalMaxPooling2D',
    'LayerNormalization',
  ];
  return builtIns.includes(layer.getClassName());
}
