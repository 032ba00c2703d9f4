import { ConfigError } from '../../util/index.js';
import {
  normalInitializer,
  option,
  optionSchema,
  pytorchLinearInitializer,
  SIZE_LIMITS,
  type InitializerSpec,
  type LayerArgs,
  type OptionValues,
} from '../core/index.js';
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

/**
 * @deprecated The modulated layers' options are an `OptionSchema` now
 * (`MODULATED_CONV_OPTIONS`); kept for code that named this type.
 */
export type SpecInput = Partial<Omit<ModulatedSpec, 'fanIn'>> & { fanIn?: number };

/**
 * @deprecated Each modulated layer's `static options` schema says what its config holds; kept
 * for code that named this type.
 */
export type SpecKey = Exclude<keyof ModulatedSpec, 'foldStyle' | 'fanIn'>;

const AFFINES: readonly StyleAffine[] = ['equalized', 'linear'];
const NOISE_MODES: readonly NoiseMode[] = ['random', 'fixed'];
const ACTIVATIONS: readonly StyledActivation[] = ['lrelu', 'linear'];
const KINDS: readonly ModulatedConvKind[] = ['dense', 'depthwise'];

/**
 * The options of every modulated conv ({@link ModulatedConvOptions}), with the conv kind and the
 * output stage ({@link StyledOutputOptions}) fixed at a plain dense conv: the layers that offer
 * those extend this with {@link CONV_KIND_OPTIONS} and {@link STYLED_OUTPUT_OPTIONS}. Defaults are
 * StyleGAN2's; each layer sets its own (`withDefaults`). The kernels draw N(0, 1) from
 * `seed + 1` (a depthwise-separable conv's pointwise kernel from `seed + 2`), the affine map from
 * `seed`.
 *
 * @example
 * ```ts
 * const values = MODULATED_CONV_OPTIONS.parse('conv', { filters: 8, styleDim: 4, seed: 1 });
 * ```
 */
export const MODULATED_CONV_OPTIONS = optionSchema({
  filters: option.int({ min: 1, limit: SIZE_LIMITS.width }),
  styleDim: option.int({ min: 1, limit: SIZE_LIMITS.width }),
  kernelSize: option.int({
    min: 1,
    limit: SIZE_LIMITS.kernel,
    odd: true,
    expected: "an odd kernel size (padded 'same' as PyTorch's k // 2)",
    default: 3,
  }),
  conv: option.fixed<ModulatedConvKind>('dense'),
  affine: option.oneOf(AFFINES, 'equalized'),
  demodulation: option.oneOf(DEMODULATIONS, 'style'),
  upsample: option.fixed<boolean>(false),
  fanIn: option.number({ positive: true, optional: true }),
  styleInvTrainable: option.bool(false),
  noise: option.fixed<boolean>(false),
  noiseMode: option.fixed<NoiseMode>('random'),
  useBias: option.fixed<boolean>(false),
  activation: option.fixed<StyledActivation>('linear'),
  negativeSlope: option.fixed<number>(0.2),
  activationGain: option.fixed<number>(1),
  kernelInitializer: option.initializer({ default: normalInitializer(1), seedOffset: 1 }),
  affineKernelInitializer: option.initializer({
    default: normalInitializer(1),
    defaultFrom: (resolved) => (resolved['affine'] === 'linear' ? pytorchLinearInitializer : normalInitializer(1)),
  }),
  affineBiasInitializer: option.initializer({ default: 'ones' }),
  seed: option.seed(),
});

/** The resolved options of a modulated conv (every layer's include these). */
export type ModulatedConvValues = OptionValues<typeof MODULATED_CONV_OPTIONS>;

/** `conv` and `upsample` as options (up-sampling is the dense conv's only). */
export const CONV_KIND_OPTIONS = optionSchema({
  conv: option.oneOf(KINDS, 'dense'),
  upsample: option.custom<boolean>({
    expected: 'true or false (true only for the dense conv)',
    parse(argument, value, resolved) {
      if (typeof value !== 'boolean') throw new ConfigError(argument, value, 'true or false');
      if (value && resolved['conv'] !== 'dense')
        throw new ConfigError(argument, value, "false: only the dense conv ('conv: dense') up-samples");
      return value;
    },
    write: (v) => v,
    default: false,
  }),
});

/** {@link StyledOutputOptions} as options. */
export const STYLED_OUTPUT_OPTIONS = optionSchema({
  noise: option.bool(false),
  noiseMode: option.oneOf(NOISE_MODES, 'random'),
  useBias: option.bool(false),
  activation: option.oneOf(ACTIVATIONS, 'linear'),
  negativeSlope: option.number({ default: 0.2 }),
  activationGain: option.number({ positive: true, default: 1 }),
});

/** The {@link ModulatedSpec} of resolved options. */
export function modulatedSpec(values: ModulatedConvValues): ModulatedSpec {
  const { conv, filters, styleDim, kernelSize, affine, demodulation, upsample, fanIn, styleInvTrainable } = values;
  const { noise, noiseMode, useBias, activation, negativeSlope, activationGain } = values;
  return {
    conv,
    filters,
    styleDim,
    kernelSize,
    affine,
    demodulation,
    upsample,
    fanIn: fanIn ?? null,
    styleInvTrainable,
    noise,
    noiseMode,
    useBias,
    activation,
    negativeSlope,
    activationGain,
    foldStyle: false,
  };
}
