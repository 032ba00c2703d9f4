import * as tfl from '@tensorflow/tfjs-layers';
import { InstanceNorm, ReflectionPad2d } from '../../layers/common/index.js';
import type { Initializer } from '../../layers/core/index.js';
import { Clamp } from './clamp.js';
import { StemPad } from './stem_pad.js';
import type { ResolvedResnetOptions } from './options.js';

type ST = tfl.SymbolicTensor;

/**
 * Builds the layers the ResNet generators differ in; everything else (pads, norms, ReLUs, the
 * residual adds) is shared. Convs are unpadded (`'valid'`) with bias: the generators pad
 * explicitly, as PyTorch does.
 */
export interface ResnetConvFactory {
  /** A k×k conv with stride `strides` and bias, no padding. */
  conv(
    name: string,
    filters: number,
    kernelSize: number,
    strides: number,
    kernelInitializer: Initializer,
  ): tfl.layers.Layer;
  /** GAN Compression's upsampling: ConvTranspose2d(k3, s2, p1, output_padding 1), bias. */
  convTranspose(name: string, filters: number, kernelInitializer: Initializer): tfl.layers.Layer;
  /** The 3×3 conv of a residual block applied to its (reflection-padded) input: `dim` → `filters`. */
  blockConv(name: string, x: ST, filters: number, init: () => Initializer): ST;
}

/**
 * Hands out the generators' weight initializers: normal with std 0.02 (pix2pix / CycleGAN's
 * `init_type='normal'`), each conv drawing from its own seed so that models are reproducible.
 */
export class SeededInit {
  private next: number;
  constructor(seed: number) {
    this.next = seed;
  }
  /** The initializer of the next conv. */
  readonly normal = (): Initializer => tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.next++ });
}

const apply = (layer: tfl.layers.Layer, x: ST | ST[]): ST => layer.apply(x) as ST;

/** Instance norm without affine (and so without parameters), then ReLU. */
function normRelu(prefix: string, x: ST): ST {
  return apply(tfl.layers.reLU({ name: `${prefix}_relu` }), apply(new InstanceNorm({ name: `${prefix}_norm` }), x));
}

/**
 * model.0–3: ReflectionPad2d(3), 7×7 conv to `ngf`, IN, ReLU. The pad is a {@link StemPad}: it
 * refuses sizes the two stride-2 stages would not give back.
 */
export function stem(f: ResnetConvFactory, init: SeededInit, x: ST, ngf: number): ST {
  const padded = apply(new StemPad({ name: 'stem_pad', padding: 3, sizeMultiple: 4 }), x);
  return normRelu('stem', apply(f.conv('stem_conv', ngf, 7, 1, init.normal()), padded));
}

/** A downsampling stage: zero pad 1, 3×3 conv with stride 2, IN, ReLU (`down{i}_relu`). */
export function downsample(f: ResnetConvFactory, init: SeededInit, x: ST, i: number, filters: number): ST {
  const padded = apply(tfl.layers.zeroPadding2d({ name: `down${i}_pad`, padding: 1 }), x);
  return normRelu(`down${i}`, apply(f.conv(`down${i}_conv`, filters, 3, 2, init.normal()), padded));
}

/**
 * A residual block, output `block{i}`: [ReflPad 1, conv, IN, ReLU, ReflPad 1, conv, IN] + x
 * (dropout 0 is omitted). The first conv outputs `hidden` channels, the second returns to x's.
 */
export function residualBlock(
  f: ResnetConvFactory,
  init: SeededInit,
  x: ST,
  i: number,
  hidden: number,
  dim: number,
): ST {
  const p = `block${i}`;
  const pad1 = apply(new ReflectionPad2d({ name: `${p}_pad1`, padding: 1 }), x);
  const h = apply(
    tfl.layers.reLU({ name: `${p}_relu` }),
    apply(new InstanceNorm({ name: `${p}_norm1` }), f.blockConv(`${p}_conv1`, pad1, hidden, init.normal)),
  );
  const pad2 = apply(new ReflectionPad2d({ name: `${p}_pad2`, padding: 1 }), h);
  const y = apply(new InstanceNorm({ name: `${p}_norm2` }), f.blockConv(`${p}_conv2`, pad2, dim, init.normal));
  return apply(tfl.layers.add({ name: p }), [x, y]);
}

/** An upsampling stage: ConvTranspose2d(k3, s2, p1, op1), IN, ReLU (`up{i}_relu`). */
export function upsample(f: ResnetConvFactory, init: SeededInit, x: ST, i: number, filters: number): ST {
  return normRelu(`up${i}`, apply(f.convTranspose(`up${i}_convt`, filters, init.normal()), x));
}

/** ReflectionPad2d(3), 7×7 conv to the image channels, tanh. */
export function head(f: ResnetConvFactory, init: SeededInit, x: ST, outputChannels: number): ST {
  const padded = apply(new ReflectionPad2d({ name: 'head_pad', padding: 3 }), x);
  return apply(
    tfl.layers.activation({ name: 'head_tanh', activation: 'tanh' }),
    apply(f.conv('head_conv', outputChannels, 7, 1, init.normal()), padded),
  );
}

/**
 * The whole generator: [clamp], stem, two downsamplings to `4·ngf`, `nBlocks` residual blocks,
 * two upsamplings, head. The three generators differ only in `f` and the clamp.
 */
export function resnetGenerator(o: ResolvedResnetOptions, f: ResnetConvFactory, clampInput: boolean): tfl.LayersModel {
  const init = new SeededInit(o.seed);
  const input = tfl.input({
    shape: [o.inputSize?.[0] ?? null, o.inputSize?.[1] ?? null, o.inputChannels],
    name: `${o.name}_input`,
  });
  let x = clampInput ? apply(new Clamp({ name: 'input_clamp', min: -1, max: 1 }), input) : input;
  x = stem(f, init, x, o.ngf);
  x = downsample(f, init, x, 1, 2 * o.ngf);
  x = downsample(f, init, x, 2, 4 * o.ngf);
  for (let i = 1; i <= o.nBlocks; i++) x = residualBlock(f, init, x, i, 4 * o.ngf, 4 * o.ngf);
  x = upsample(f, init, x, 1, 2 * o.ngf);
  x = upsample(f, init, x, 2, o.ngf);
  return tfl.model({ inputs: input, outputs: head(f, init, x, o.outputChannels), name: o.name });
}

/** The three groups of blocks GAN Compression's mobile generators use (one hidden width per group). */
export function blockGroup(i: number, nBlocks: number): 0 | 1 | 2 {
  const n1 = Math.floor(nBlocks / 3);
  return i <= n1 ? 0 : i <= 2 * n1 ? 1 : 2;
}
