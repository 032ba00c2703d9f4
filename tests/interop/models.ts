import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  MappingNetwork,
  MobileSynthesisNetwork,
  ResnetGenerator,
  SuperMobileResnetGenerator,
  extractSubnet,
  resnetConfigFromString,
} from '../../src/index.js';

/*
 * The small models of the interop fixtures (tests/fixtures/scripts/interop_torch.py writes the
 * PyTorch side with the same sizes) and a deterministic weight filler, so that the exported
 * state dicts are byte-identical from run to run and backend to backend.
 */

/** GAN Compression's ResNet sizes here: 9 blocks (the config strings' layout), small widths. */
export const TEACHER_NGF = 4;
export const MOBILE_NGF = 8;
/** A sub-network of the ngf-8 supernet exercising every sliced axis. */
export const SUB_CONFIG = '6_4_6_4_8_6_6_4';
export const IMAGE_SHAPE = [1, 16, 16, 3];
/** MobileStyleGAN: 4² stem, blocks at 8² and 16², image 32². */
export const MSG_CHANNELS = [16, 16, 8];
export const MSG_STYLE_DIM = 8;
export const MAPPING_LAYERS = 3;

/** 32-bit FNV-1a of a string. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Values in [−scale/2, scale/2) from an integer hash of (salt, index): exact in float32 and backend-free. */
export function hashed(n: number, salt: string, scale: number): Float32Array {
  const s = fnv(salt);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let h = Math.imul((i + 1) ^ s, 0x9e3779b1) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77) >>> 0;
    out[i] = ((h >>> 8) / 2 ** 24 - 0.5) * scale;
  }
  return out;
}

/**
 * Fills every weight of every layer from {@link hashed}, keyed by layer and weight name. Values
 * that must stay away from 0 (affine biases, styleInv, noise strengths) are shifted near 1;
 * noise maps are left as they are (the tests set them).
 */
export function fillWeights(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const short = w.originalName.split('/').pop() as string;
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      if (short === 'noise') return tf.clone(w.read());
      const v = hashed(n, `${layer.name}/${short}`, short === 'kernel' || short.endsWith('Kernel') ? 0.8 : 0.4);
      if (short === 'affineBias' || short === 'styleInv' || short === 'noiseStrength')
        for (let i = 0; i < n; i++) v[i] = 1 + (v[i] as number);
      if (layer.name.endsWith('_up') && short === 'bias') for (let i = 0; i < n; i++) v[i] = 1 + (v[i] as number);
      return tf.tensor(v, shape, 'float32');
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** The teacher of the fixtures (hashed weights). */
export function teacher(): tfl.LayersModel {
  const g = ResnetGenerator({ ngf: TEACHER_NGF });
  fillWeights(g);
  return g;
}

/** The sub-network {@link SUB_CONFIG} extracted from a hashed-weight ngf-8 supernet (and the supernet). */
export function subnet(): { supernet: tfl.LayersModel; sub: tfl.LayersModel } {
  const supernet = SuperMobileResnetGenerator({ ngf: MOBILE_NGF });
  fillWeights(supernet);
  return { supernet, sub: extractSubnet(supernet, resnetConfigFromString(SUB_CONFIG)) };
}

/** The MobileStyleGAN synthesis network of the fixtures (hashed weights, noise as built). */
export function synthesis(): tfl.LayersModel {
  const g = MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM });
  fillWeights(g);
  return g;
}

/** The mapping network of the fixtures (hashed weights). */
export function mapping(): tfl.LayersModel {
  const m = MappingNetwork({ styleDim: MSG_STYLE_DIM, numLayers: MAPPING_LAYERS });
  fillWeights(m);
  return m;
}
