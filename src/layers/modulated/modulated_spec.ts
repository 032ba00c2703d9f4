import { ConfigError } from '../../util/index.js';
import { assertFinite, assertInt, assertOneOf } from '../../util/index.js';
import type { InitializerSpec, LayerArgs } from '../core/index.js';
import { DEMODULATIONS, type Demodulation } from './modulated_conv_op.js';

/** The conv a modulated layer runs: one dense k×k conv, or depthwise k×k then pointwise 1×1. */
export type ModulatedConvKind = 'dense' | 'depthwise';

/**
 * The style's affine map: `'equalized'` (StyleGAN2's EqualLinear: weights N(0, 1) used with
 * the runtime scale 1/√styleDim) or `'linear'` (a plain `nn.Linear`, MobileStyleGAN's). Both
 * start with the bias at 1.
 */
export type StyleAffine = 'equalized' | 'linear';

/** Where noise comes from: a fresh seeded draw per call (`'random'`) or the stored map (`'fixed'`). */
export type NoiseMode = 'random' | 'fixed';

/** The activation after noise and bias. */
export type StyledActivation = 'lrelu' | 'linear';

/** Options every modulated conv layer takes. */
export interface ModulatedConvOptions extends LayerArgs {
  /** Output channels (the maximum width for elastic layers). */
  filters: number;
  /** Length of the style vector `w`. */
  styleDim: number;
  /** Odd kernel size, padded `'same'` (PyTorch's `k // 2`). Default 3. */
  kernelSize?: number;
  /** The style's affine map. */
  affine?: StyleAffine;
  /** How the output is normalised (see {@link Demodulation}). */
  demodulation?: Demodulation;
  /**
   * The fan-in of the equalized-learning-rate scale `1/√fanIn`. Default `Cin·k²` for the width
   * the layer is built with. Sub-networks exported from an elastic layer keep the full layer's.
   */
  fanIn?: number;
  /**
   * Whether MobileStyleGAN's `styleInv` is trained (its paper) or a fixed random buffer saved
   * with the model (its released code; default false).
   */
  styleInvTrainable?: boolean;
  /** Initializer of the conv kernels. Default N(0, 1). */
  kernelInitializer?: InitializerSpec;
  /** Initializer of the affine kernel. Default N(0, 1) for `'equalized'`, PyTorch `nn.Linear`'s U(±1/√styleDim) for `'linear'`. */
  affineKernelInitializer?: InitializerSpec;
  /** Initializer of the affine bias. Default `'ones'`. */
  affineBiasInitializer?: InitializerSpec;
  /** Seed of the initializers and of the random noise. */
  seed?: number;
}

/** Noise injection, bias and activation after the conv ({@link StyledConv}, {@link ToWavelets}). */
export interface StyledOutputOptions {
  /** Add `strength · noise` (a learned scalar, initialised to 0, times a `[1, H, W, 1]` map). */
  noise?: boolean;
  /** Where the noise map comes from. Default `'random'`. */
  noiseMode?: NoiseMode;
  /** Add a per-channel bias (initialised to 0). */
  useBias?: boolean;
  /** `'lrelu'` or `'linear'`. */
  activation?: StyledActivation;
  /** Leaky ReLU slope. Default 0.2. */
  negativeSlope?: number;
  /** Multiplies the activation's output: 1 for MobileStyleGAN, √2 for StyleGAN2's FusedLeakyReLU. */
  activationGain?: number;
}

/** Every option, resolved. */
export interface ModulatedSpec {
  conv: ModulatedConvKind;
  filters: number;
  styleDim: number;
  kernelSize: number;
  affine: StyleAffine;
  demodulation: Demodulation;
  upsample: boolean;
  fanIn: number | null;
  styleInvTrainable: boolean;
  noise: boolean;
  noiseMode: NoiseMode;
  useBias: boolean;
  activation: StyledActivation;
  negativeSlope: number;
  activationGain: number;
  /** Fold the style into the filter at batch 1 (see the ops' `foldStyle`); no layer sets it today. */
  foldStyle: boolean;
}

/** Options as a config or a class gives them (any subset of the spec, `fanIn` unset when absent). */
export type SpecInput = Partial<Omit<ModulatedSpec, 'fanIn'>> & { fanIn?: number };

/** Keys of {@link ModulatedSpec} a class writes into its config. */
export type SpecKey = Exclude<keyof ModulatedSpec, 'foldStyle' | 'fanIn'>;

const AFFINES: readonly StyleAffine[] = ['equalized', 'linear'];
const NOISE_MODES: readonly NoiseMode[] = ['random', 'fixed'];
const ACTIVATIONS: readonly StyledActivation[] = ['lrelu', 'linear'];
/** The initializer options a modulated layer's config may give. */
export const INITIALIZER_KEYS = ['kernelInitializer', 'affineKernelInitializer', 'affineBiasInitializer'] as const;

/** Validates and completes a spec (every field named after the layer). */
export function resolveSpec(layerName: string, config: SpecInput, defaults: SpecInput): ModulatedSpec {
  if (config == null || typeof config !== 'object')
    throw new ConfigError(`${layerName} config`, config, 'a config object');
  const pick = <K extends keyof ModulatedSpec>(key: K, fallback: ModulatedSpec[K]): ModulatedSpec[K] =>
    ((config as Record<string, unknown>)[key] ?? defaults[key] ?? fallback) as ModulatedSpec[K];
  const spec: ModulatedSpec = {
    conv: pick('conv', 'dense'),
    filters: config.filters as number,
    styleDim: config.styleDim as number,
    kernelSize: pick('kernelSize', 3),
    affine: pick('affine', 'equalized'),
    demodulation: pick('demodulation', 'style'),
    upsample: pick('upsample', false),
    fanIn: config.fanIn ?? defaults.fanIn ?? null,
    styleInvTrainable: pick('styleInvTrainable', false),
    noise: pick('noise', false),
    noiseMode: pick('noiseMode', 'random'),
    useBias: pick('useBias', false),
    activation: pick('activation', 'linear'),
    negativeSlope: pick('negativeSlope', 0.2),
    activationGain: pick('activationGain', 1),
    foldStyle: pick('foldStyle', false),
  };
  const n = (key: string): string => `${layerName}.${key}`;
  assertInt(n('filters'), spec.filters, 1);
  assertInt(n('styleDim'), spec.styleDim, 1);
  assertInt(n('kernelSize'), spec.kernelSize, 1);
  if (spec.kernelSize % 2 !== 1)
    throw new ConfigError(n('kernelSize'), spec.kernelSize, "an odd kernel size (padded 'same' as PyTorch's k // 2)");
  assertOneOf(n('conv'), spec.conv, ['dense', 'depthwise'] as const);
  assertOneOf(n('affine'), spec.affine, AFFINES);
  assertOneOf(n('demodulation'), spec.demodulation, DEMODULATIONS);
  if (typeof spec.upsample !== 'boolean') throw new ConfigError(n('upsample'), spec.upsample, 'true or false');
  if (spec.upsample && spec.conv !== 'dense')
    throw new ConfigError(n('upsample'), spec.upsample, "false: only the dense conv ('conv: dense') up-samples");
  if (spec.fanIn != null) assertFinite(n('fanIn'), spec.fanIn, { positive: true });
  for (const key of ['styleInvTrainable', 'noise', 'useBias'] as const) {
    if (typeof spec[key] !== 'boolean') throw new ConfigError(n(key), spec[key], 'true or false');
  }
  assertOneOf(n('noiseMode'), spec.noiseMode, NOISE_MODES);
  assertOneOf(n('activation'), spec.activation, ACTIVATIONS);
  assertFinite(n('negativeSlope'), spec.negativeSlope);
  assertFinite(n('activationGain'), spec.activationGain, { positive: true });
  return spec;
}
