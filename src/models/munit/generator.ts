import * as tfl from '@tensorflow/tfjs-layers';
import { InstanceNorm, ReflectionPad2d } from '../../layers/common/index.js';
import type { Initializer } from '../../layers/core/index.js';
import { ElasticSeparableConv2d, OnceForAllConv } from '../../layers/elastic/index.js';
import {
  AdaptiveInstanceNorm,
  ElasticAdaptiveInstanceNorm,
  ElasticMUNITLayerNorm,
  MUNITLayerNorm,
} from '../../layers/conditional/index.js';
import { GlobalAveragePool2d } from './global_average_pool.js';
import type { ResolvedAdaINOptions } from './options.js';

type ST = tfl.SymbolicTensor;

/** The layers the MUNIT generators differ in; pads, norms without parameters, ReLUs and adds are shared. */
export interface MunitLayers {
  /** A k×k conv with stride `strides` and bias, padded by `pad` (reflect or zeros), applied to x. */
  conv(name: string, x: ST, filters: number, kernelSize: number, strides: number, pad: number, init: Initializer): ST;
  /** The conv of a residual or upsampling block (k×k, stride 1, padded by k//2). */
  blockConv(name: string, x: ST, filters: number, kernelSize: number, init: () => Initializer): ST;
  /** MUNIT's AdaIN on `[x, style]`. */
  adain(name: string, init: Initializer): tfl.layers.Layer;
  /** MUNIT's LayerNorm. */
  layerNorm(name: string, init: Initializer): tfl.layers.Layer;
}

/** The teacher's static layers: pad layers + built-in convs; residual and upsampling convs regular. */
export function staticMunitLayers(padType: 'reflect' | 'zero'): MunitLayers {
  const conv: MunitLayers['conv'] = (name, x, filters, kernelSize, strides, pad, init) => {
    let padded = x;
    if (pad > 0)
      padded = (
        padType === 'reflect'
          ? new ReflectionPad2d({ name: `${name}_pad`, padding: pad })
          : tfl.layers.zeroPadding2d({ name: `${name}_pad`, padding: pad })
      ).apply(x) as ST;
    return tfl.layers
      .conv2d({ name, filters, kernelSize, strides, padding: 'valid', kernelInitializer: init })
      .apply(padded) as ST;
  };
  return {
    conv,
    blockConv: (name, x, filters, k, init) => conv(name, x, filters, k, 1, Math.floor(k / 2), init()),
    adain: (name, init) => new AdaptiveInstanceNorm({ name, kernelInitializer: init }),
    layerNorm: (name, init) => new MUNITLayerNorm({ name, gammaInitializer: init }),
  };
}

/**
 * GAN Compression's super modules for MUNIT: SuperConv2d (`OnceForAllConv`, padding inside) for
 * the stems, downsamplings, style encoder and output; SuperSeparableConv2d
 * (`ElasticSeparableConv2d`: depthwise → instance norm → pointwise) for the residual and
 * upsampling blocks; SuperAdaptiveInstanceNorm2d and SuperLayerNorm.
 */
export function elasticMunitLayers(padType: 'reflect' | 'zero'): MunitLayers {
  const padMode = padType === 'reflect' ? ('reflect' as const) : ('zeros' as const);
  return {
    conv: (name, x, filters, kernelSize, strides, pad, init) =>
      new OnceForAllConv({ name, filters, kernelSize, strides, padding: pad, padMode, kernelInitializer: init }).apply(
        x,
      ) as ST,
    blockConv: (name, x, filters, kernelSize, init) =>
      new ElasticSeparableConv2d({
        name,
        filters,
        kernelSize,
        padding: Math.floor(kernelSize / 2),
        padMode,
        depthwiseInitializer: init(),
        pointwiseInitializer: init(),
      }).apply(x) as ST,
    adain: (name, init) => new ElasticAdaptiveInstanceNorm({ name, kernelInitializer: init }),
    layerNorm: (name, init) => new ElasticMUNITLayerNorm({ name, gammaInitializer: init }),
  };
}

/**
 * MUNIT's AdaIN generator (Huang et al. 2018) as GAN Compression's teacher and supernet build
 * it: a style encoder (7×7 conv, two 4×4 stride-2 convs doubling the width, two more at that
 * width, global average pool, 1×1 conv to the style code; ReLUs, no norm), an MLP from the style
 * code (two linear + ReLU layers to `mlpDim`; the third layer's rows live in the AdaIN layers), a
 * content encoder (7×7 conv, `nDownsample` 4×4 stride-2 convs, `nRes` residual blocks; instance
 * norm + ReLU) and a decoder (`nRes` residual blocks with AdaIN, `nDownsample` × [×2 nearest
 * upsampling, 5×5 conv halving the width, MUNIT LayerNorm, ReLU], 7×7 conv, tanh).
 */
export function adainGenerator(o: ResolvedAdaINOptions, f: MunitLayers): tfl.LayersModel {
  let seed = o.seed;
  const init = (): Initializer => tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: seed++ });
  const apply = (layer: tfl.layers.Layer, x: ST | ST[]): ST => layer.apply(x) as ST;
  const relu = (name: string, x: ST): ST => apply(tfl.layers.reLU({ name }), x);
  const shape = [o.inputSize?.[0] ?? null, o.inputSize?.[1] ?? null, o.channels];
  const image = tfl.input({ shape, name: `${o.name}_image` });
  const inputs = [image];

  // Style code, then the MLP's two hidden layers (the AdaIN layers hold the last one's rows).
  let style: ST;
  if (o.styleInput) {
    style = tfl.input({ shape: [o.styleDim], name: `${o.name}_style` });
    inputs.push(style);
  } else {
    const d = o.ngf;
    let s = relu('style_relu1', f.conv('style_conv1', image, d, 7, 1, 3, init()));
    [2 * d, 4 * d, 4 * d, 4 * d].forEach((w, i) => {
      s = relu(`style_relu${i + 2}`, f.conv(`style_conv${i + 2}`, s, w, 4, 2, 1, init()));
    });
    s = apply(new GlobalAveragePool2d({ name: 'style_pool' }), s);
    style = f.conv('style_code', s, o.styleDim, 1, 1, 0, init());
  }
  let mlp = apply(
    tfl.layers.dense({ name: 'mlp_fc1', units: o.mlpDim, activation: 'relu', kernelInitializer: init() }),
    style,
  );
  mlp = apply(
    tfl.layers.dense({ name: 'mlp_fc2', units: o.mlpDim, activation: 'relu', kernelInitializer: init() }),
    mlp,
  );

  // Content encoder.
  const normRelu = (name: string, x: ST): ST =>
    relu(`${name}_relu`, apply(new InstanceNorm({ name: `${name}_norm` }), x));
  let x = normRelu('content_stem', f.conv('content_stem_conv', image, o.ngf, 7, 1, 3, init()));
  let dim = o.ngf;
  for (let i = 1; i <= o.nDownsample; i++) {
    dim *= 2;
    x = normRelu(`content_down${i}`, f.conv(`content_down${i}_conv`, x, dim, 4, 2, 1, init()));
  }
  for (let b = 1; b <= o.nRes; b++) {
    const p = `content_block${b}`;
    const h = relu(
      `${p}_relu`,
      apply(new InstanceNorm({ name: `${p}_norm1` }), f.blockConv(`${p}_conv1`, x, dim, 3, init)),
    );
    const y = apply(new InstanceNorm({ name: `${p}_norm2` }), f.blockConv(`${p}_conv2`, h, dim, 3, init));
    x = apply(tfl.layers.add({ name: p }), [x, y]);
  }

  // Decoder.
  for (let b = 1; b <= o.nRes; b++) {
    const p = `dec_block${b}`;
    const h = relu(
      `${p}_relu`,
      apply(f.adain(`${p}_adain1`, init()), [f.blockConv(`${p}_conv1`, x, dim, 3, init), mlp]),
    );
    const y = apply(f.adain(`${p}_adain2`, init()), [f.blockConv(`${p}_conv2`, h, dim, 3, init), mlp]);
    x = apply(tfl.layers.add({ name: p }), [x, y]);
  }
  for (let i = 1; i <= o.nDownsample; i++) {
    const p = `dec_up${i}`;
    dim = Math.floor(dim / 2);
    x = apply(tfl.layers.upSampling2d({ name: `${p}_upsample`, size: [2, 2] }), x);
    x = relu(
      `${p}_relu`,
      apply(
        f.layerNorm(`${p}_norm`, tfl.initializers.randomUniform({ minval: 0, maxval: 1, seed: seed++ })),
        f.blockConv(`${p}_conv`, x, dim, 5, init),
      ),
    );
  }
  x = f.conv('dec_out_conv', x, o.channels, 7, 1, 3, init());
  const output = apply(tfl.layers.activation({ name: 'dec_out_tanh', activation: 'tanh' }), x);
  return tfl.model({ inputs, outputs: output, name: o.name });
}
