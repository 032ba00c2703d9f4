import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, assertInt, assertOneOf } from '../../util/index.js';
import type { Initializer } from '../core/index.js';
import { ElasticBatchNorm, OnceForAllConv } from '../elastic/index.js';
import { ElasticSPADE } from './elastic_spade.js';
import { MobileSPADE } from './mobile_spade.js';
import { SPADE } from './spade.js';

type ST = tfl.SymbolicTensor;

/**
 * Which layers a SPADE residual block is made of: `'spade'` (GauGAN: {@link SPADE}, static
 * convs), `'mobile'` (GAN Compression's MobileSPADEResnetBlock: {@link MobileSPADE}, static
 * convs) or `'elastic'` (its SuperMobileSPADEResnetBlock: {@link ElasticSPADE},
 * `OnceForAllConv`, `ElasticBatchNorm`).
 */
export type SpadeBlockKind = 'spade' | 'mobile' | 'elastic';

/** Options of {@link spadeResnetBlock}. */
export interface SpadeResnetBlockOptions {
  /**
   * The block's name (`'head_0'`): its layers are `<name>_norm_0` (SPADE), `<name>_norm_0_bn`
   * (the parameter-free batch norm before it), `<name>_actvn_0`, `<name>_conv_0`, likewise `_1`,
   * and `<name>_norm_s`, `<name>_conv_s` for the learned shortcut; its output (the residual add)
   * is `<name>`.
   */
  name: string;
  /** Output width `fout`; the input width `fin` is x's. */
  filters: number;
  /** Hidden width of every SPADE of the block (GauGAN: 2·ngf). */
  hidden: number;
  /** Which layers the block is made of. */
  kind: SpadeBlockKind;
  /**
   * GauGAN's parameter-free normalisation: `'batch'` (default, `spadesyncbatch3x3`: a batch norm
   * without center and scale, ε 1e-5, PyTorch momentum 0.1) or `'instance'` (inside the SPADE
   * layers).
   */
  paramFreeNorm?: 'batch' | 'instance';
  /** Kernel size of the SPADE convs. Default 3. */
  spadeKernelSize?: number;
  /** Seed of the weights: the block's j-th layer with weights draws from `seed + 8·j`. Default 0. */
  seed?: number;
}

/**
 * GauGAN's `SPADEResnetBlock(fin, fout)` applied to `[x, segmap]`: `fmiddle = min(fin, fout)`;
 * the path SPADE → LeakyReLU(0.2) → 3×3 conv (fin → fmiddle) → SPADE → LeakyReLU(0.2) → 3×3 conv
 * (fmiddle → fout), plus the shortcut — x itself, or when `fin ≠ fout` the learned shortcut SPADE →
 * 1×1 conv without bias. The 3×3 convs are zero-padded by 1 and have biases. With `kind:
 * 'elastic'` the block is GAN Compression's super block: every conv is elastic and every SPADE's
 * hidden width too (see `spadeConfigFromString` for how a config string sets them).
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [4, 8, 1024] });
 * const seg = tf.input({ shape: [256, 512, 36] });
 * const y = spadeResnetBlock(x, seg, { name: 'up_0', filters: 512, hidden: 128, kind: 'mobile' }); // [null, 4, 8, 512]
 * ```
 */
export function spadeResnetBlock(x: ST, segmap: ST, options: SpadeResnetBlockOptions): ST {
  if (options == null || typeof options !== 'object')
    throw new ConfigError(
      'options',
      options,
      '{ name, filters, hidden, kind, paramFreeNorm?, spadeKernelSize?, seed? }',
    );
  const { name, filters, hidden, kind } = options;
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('options.name', name, 'a non-empty string');
  assertInt('options.filters', filters, 1);
  assertInt('options.hidden', hidden, 1);
  assertOneOf('options.kind', kind, ['spade', 'mobile', 'elastic'] as const);
  const paramFreeNorm = options.paramFreeNorm ?? 'batch';
  assertOneOf('options.paramFreeNorm', paramFreeNorm, ['batch', 'instance'] as const);
  const spadeKernelSize = options.spadeKernelSize ?? 3;
  assertInt('options.spadeKernelSize', spadeKernelSize, 1);
  if (spadeKernelSize % 2 !== 1) throw new ConfigError('options.spadeKernelSize', spadeKernelSize, 'an odd integer');
  const seed = options.seed ?? 0;
  assertInt('options.seed', seed);
  const fin = x.shape[3];
  if (x.shape.length !== 4 || fin == null)
    throw new ShapeError('x', x.shape, 'rank 4 (NHWC) with a known channel count');

  let layer = 0;
  const init = (): Initializer => tfl.initializers.glorotUniform({ seed: seed + 8 * layer++ });
  const elastic = kind === 'elastic';
  const apply = (l: tfl.layers.Layer, input: ST | ST[]): ST => l.apply(input) as ST;

  const norm = (input: ST, i: string): ST => {
    const base = `${name}_norm_${i}`;
    let normalized = input;
    if (paramFreeNorm === 'batch') {
      const bn = { name: `${base}_bn`, center: false, scale: false, epsilon: 1e-5, momentum: 0.9 };
      normalized = apply(elastic ? new ElasticBatchNorm(bn) : tfl.layers.batchNormalization(bn), input);
    }
    const config = {
      name: base,
      norm: paramFreeNorm === 'instance' ? ('instance' as const) : ('none' as const),
      hidden,
      kernelSize: spadeKernelSize,
      kernelInitializer: init(),
    };
    const spade =
      kind === 'spade' ? new SPADE(config) : kind === 'mobile' ? new MobileSPADE(config) : new ElasticSPADE(config);
    return apply(spade, [normalized, segmap]);
  };
  const conv = (input: ST, i: string, width: number, kernelSize: 1 | 3): ST => {
    const common = { name: `${name}_conv_${i}`, filters: width, kernelSize, useBias: kernelSize === 3 };
    const layerOf = elastic
      ? new OnceForAllConv({ ...common, padding: kernelSize === 3 ? 1 : 'valid', kernelInitializer: init() })
      : tfl.layers.conv2d({ ...common, padding: 'same', kernelInitializer: init() });
    return apply(layerOf, input);
  };
  const actvn = (input: ST, i: string): ST =>
    apply(tfl.layers.leakyReLU({ name: `${name}_actvn_${i}`, alpha: 0.2 }), input);

  const fmiddle = Math.min(fin, filters);
  const shortcut = fin !== filters ? conv(norm(x, 's'), 's', filters, 1) : x;
  let dx = conv(actvn(norm(x, '0'), '0'), '0', fmiddle, 3);
  dx = conv(actvn(norm(dx, '1'), '1'), '1', filters, 3);
  return apply(tfl.layers.add({ name }), [shortcut, dx]);
}
