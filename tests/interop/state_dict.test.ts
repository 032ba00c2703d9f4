import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  ConfigError,
  MappingNetwork,
  MobileSynthesisNetwork,
  ResnetGenerator,
  SuperMobileResnetGenerator,
  extractSubnet,
  loadTorchWeights,
  parseTorchCheckpoint,
  resnetConfigFromString,
  setNoise,
  toTorchStateDict,
  torchTensors,
  type TorchTensor,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { expectClose } from '../helpers/tensors.js';
import {
  MAPPING_LAYERS,
  MOBILE_NGF,
  MSG_CHANNELS,
  MSG_STYLE_DIM,
  SUB_CONFIG,
  TEACHER_NGF,
  mapping,
  subnet,
  synthesis,
  teacher,
} from './models.js';
import { EXPORT_DIR, exportFixtures } from './write_export_fixtures.js';

interface Fixture {
  image: FixtureTensor;
  unitImage: FixtureTensor;
  msg: { z: FixtureTensor; w: FixtureTensor; noise: FixtureTensor[] };
  exports: { teacher: FixtureTensor; sub: FixtureTensor; msg: FixtureTensor[]; mapping: FixtureTensor };
}
const fx = readFixture<Fixture>('interop_torch');

function expectOutputs(
  model: tfl.LayersModel,
  input: FixtureTensor,
  expected: FixtureTensor | FixtureTensor[],
  label: string,
): void {
  tf.tidy(() => {
    const out = model.predict(fromFixture(input));
    const outs = Array.isArray(out) ? out : [out];
    const exp = Array.isArray(expected) ? expected : [expected];
    expect(outs.length).toBe(exp.length);
    outs.forEach((o, i) => expectClose(o, fromFixture(exp[i] as FixtureTensor), 1e-4, 0, `${label} ${i}`));
  });
}

function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

describeBackends('toTorchStateDict', () => {
  it('regenerates the committed exports byte for byte (the files PyTorch loaded strictly)', () => {
    const before = tf.memory().numTensors;
    const files = exportFixtures();
    expect(tf.memory().numTensors).toBe(before);
    for (const [name, bytes] of Object.entries(files)) {
      const committed = readFileSync(join(EXPORT_DIR, name));
      expect(bytes.length, name).toBe(committed.length);
      expect(Buffer.compare(Buffer.from(bytes), committed), name).toBe(0);
    }
  });

  it('PyTorch, given those files with load_state_dict(strict=True), computes what tfjs computes', () => {
    const t = teacher();
    expectOutputs(t, fx.image, fx.exports.teacher, 'teacher');
    const { supernet, sub } = subnet();
    expectOutputs(sub, fx.unitImage, fx.exports.sub, 'sub-network');
    const s = synthesis();
    const maps = fx.msg.noise.map(fromFixture);
    setNoise(s, maps);
    tf.dispose(maps);
    expectOutputs(s, fx.msg.w, fx.exports.msg, 'synthesis');
    const m = mapping();
    expectOutputs(m, fx.msg.z, fx.exports.mapping, 'mapping');
    for (const model of [t, supernet, sub, s, m]) model.dispose();
  });

  it('names every tensor as the reference does, in its layout (hand-checked shapes and buffers)', () => {
    const t = ResnetGenerator({ ngf: TEACHER_NGF });
    const names = Object.keys(torchTensors(t));
    expect(names.length).toBe(48);
    const tensors = torchTensors(t);
    expect((tensors['model.1.weight'] as TorchTensor).shape).toEqual([4, 3, 7, 7]); // Conv2d(3, ngf, 7)
    expect((tensors['model.18.conv_block.6.weight'] as TorchTensor).shape).toEqual([16, 16, 3, 3]);
    expect((tensors['model.19.weight'] as TorchTensor).shape).toEqual([16, 8, 3, 3]); // ConvTranspose2d(4ngf, 2ngf): [in, out, k, k]
    expect((tensors['model.26.weight'] as TorchTensor).shape).toEqual([3, 4, 7, 7]);
    const s = MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM });
    const st = torchTensors(s);
    expect((st['layers.0.conv1.conv.weight_dw'] as TorchTensor).shape).toEqual([4, 1, 3, 3]);
    expect((st['layers.0.conv1.conv.weight_permute'] as TorchTensor).shape).toEqual([16, 4, 1, 1]);
    expect((st['layers.0.conv1.conv.style_inv'] as TorchTensor).shape).toEqual([1, 1, 4, 1, 1]);
    expect((st['layers.1.to_img.bias'] as TorchTensor).shape).toEqual([1, 12, 1, 1]);
    expect((st['layers.0.up.modulation.weight'] as TorchTensor).shape).toEqual([16, MSG_STYLE_DIM]);
    expect(Array.from((st['idwt.g1_row'] as TorchTensor).data as Float32Array)).toEqual([
      Math.fround(Math.SQRT1_2),
      -Math.fround(Math.SQRT1_2),
    ]);
    expect(Object.keys(st).some((n) => n.endsWith('noise.noise'))).toBe(false);
    const prefixed = parseTorchCheckpoint(
      toTorchStateDict(s, { prefix: 'student.', metadata: { source: 'gancompress' } }),
    );
    expect(Object.keys(prefixed).every((n) => n.startsWith('student.'))).toBe(true);
    t.dispose();
    s.dispose();
  });

  it('round-trips through loadTorchWeights exactly, for every reference model (and leaks nothing)', () => {
    const pairs: [() => tfl.LayersModel, () => tfl.LayersModel][] = [
      [() => ResnetGenerator({ ngf: TEACHER_NGF, seed: 1 }), () => ResnetGenerator({ ngf: TEACHER_NGF, seed: 2 })],
      [
        () => SuperMobileResnetGenerator({ ngf: MOBILE_NGF, seed: 1 }),
        () => SuperMobileResnetGenerator({ ngf: MOBILE_NGF, seed: 2 }),
      ],
      [
        () =>
          extractSubnet(SuperMobileResnetGenerator({ ngf: MOBILE_NGF, seed: 1 }), resnetConfigFromString(SUB_CONFIG)),
        () =>
          extractSubnet(SuperMobileResnetGenerator({ ngf: MOBILE_NGF, seed: 2 }), resnetConfigFromString(SUB_CONFIG)),
      ],
      [
        () => MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM, seed: 1 }),
        () => MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM, seed: 2 }),
      ],
      [
        () => MappingNetwork({ styleDim: MSG_STYLE_DIM, numLayers: MAPPING_LAYERS, seed: 1 }),
        () => MappingNetwork({ styleDim: MSG_STYLE_DIM, numLayers: MAPPING_LAYERS, seed: 2 }),
      ],
    ];
    for (const [makeA, makeB] of pairs) {
      const a = makeA();
      const b = makeB();
      const before = tf.memory().numTensors;
      const report = loadTorchWeights(b, parseTorchCheckpoint(toTorchStateDict(a)));
      expect(tf.memory().numTensors, a.name).toBe(before);
      expect(report.unused).toEqual([]);
      // noise maps are not part of a reference state dict: compare every other weight
      const keep = (m: tfl.LayersModel): Float32Array[] =>
        weightsOf(m).filter((_, i) => !m.weights[i]?.originalName.endsWith('/noise'));
      expect(keep(b), a.name).toEqual(keep(a));
      a.dispose();
      b.dispose();
    }
  });

  it('refuses bad options with a ConfigError naming them', () => {
    const t = ResnetGenerator({ ngf: TEACHER_NGF });
    expect(() => toTorchStateDict(t, { prefix: 3 } as never)).toThrow(/options\.prefix: got 3/);
    expect(() => toTorchStateDict(t, { format: 'pt' } as never)).toThrow(/options\.format/);
    expect(() => toTorchStateDict({} as never)).toThrow(ConfigError);
    t.dispose();
  });
});
