import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import {
  CONV_LAYOUT,
  CONV_TRANSPOSE_LAYOUT,
  ConfigError,
  DEPTHWISE_LAYOUT,
  FeatureMapper,
  LINEAR_LAYOUT,
  MappingNetwork,
  MobileResnetGenerator,
  MobileSynthesisNetwork,
  NCHW_LAYOUT,
  ResnetGenerator,
  SuperMobileResnetGenerator,
  WeightMappingError,
  extractSubnet,
  fuseDemodulation,
  ganCompressionAdaptorMapping,
  loadTorchWeights,
  readTorchCheckpoint,
  resnetConfigFromString,
  setNoise,
  tensorFromTorch,
  type TorchLayout,
  type TorchStateDict,
  type TorchTensor,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { expectClose } from '../helpers/tensors.js';
import { MOBILE_NGF, MSG_CHANNELS, MSG_STYLE_DIM, MAPPING_LAYERS, SUB_CONFIG, TEACHER_NGF } from './models.js';

interface Fixture {
  image: FixtureTensor;
  unitImage: FixtureTensor;
  teacher: FixtureTensor;
  supernet: FixtureTensor;
  sub: FixtureTensor;
  supernetFp16: FixtureTensor;
  adaptor: { x: FixtureTensor; y: FixtureTensor };
  msg: { z: FixtureTensor; w: FixtureTensor; noise: FixtureTensor[]; outputs: FixtureTensor[] };
}

const here = dirname(fileURLToPath(import.meta.url));
const path = (name: string): string => join(here, '..', 'fixtures', 'interop', name);
const fx = readFixture<Fixture>('interop_torch');
const ckpt: Record<string, TorchStateDict> = {};

beforeAll(async () => {
  for (const name of [
    'resnet_teacher.pth',
    'supernet_mobile_resnet.pth',
    'sub_mobile_resnet.pth',
    'supernet_mobile_resnet_fp16.pth',
    'adaptor_net_A-0.pth',
    'mobile_synthesis.pth',
    'mobilestylegan_lightning.ckpt',
    'mapping_network.safetensors',
  ])
    ckpt[name] = await readTorchCheckpoint(path(name));
});

/** model.predict on a fixture input, compared with the fixture outputs within 1e-4; no tensor left behind. */
function expectPredicts(
  model: tfl.LayersModel,
  input: FixtureTensor,
  expected: FixtureTensor | FixtureTensor[],
  label: string,
): void {
  tf.tidy(() => {
    const out = model.predict(fromFixture(input));
    const outs = Array.isArray(out) ? out : [out];
    const exp = Array.isArray(expected) ? expected : [expected];
    expect(outs.length, label).toBe(exp.length);
    outs.forEach((o, i) => expectClose(o, fromFixture(exp[i] as FixtureTensor), 1e-4, 0, `${label} output ${i}`));
  });
}

function withNoise(g: tfl.LayersModel): void {
  const maps = fx.msg.noise.map(fromFixture);
  setNoise(g, maps);
  tf.dispose(maps);
}

describeBackends('loadTorchWeights: the reference models, outputs equal to PyTorch', () => {
  it("GAN Compression's teacher ResnetGenerator (input clamped), by the built-in mapping", () => {
    const g = ResnetGenerator({ ngf: TEACHER_NGF });
    const before = tf.memory().numTensors;
    const report = loadTorchWeights(g, ckpt['resnet_teacher.pth'] as TorchStateDict);
    expect(tf.memory().numTensors).toBe(before);
    expect(report.mapping).toBe('gan-compression-resnet');
    expect(report.loaded.length).toBe(2 * (3 + 18 + 2 + 1));
    expect(report.loaded).toContain('model.10.conv_block.1.weight');
    expect(report.loaded).toContain('model.19.weight'); // the first ConvTranspose2d (10 + 9 blocks)
    expect(report.loaded).toContain('model.26.bias'); // the head conv (17 + 9)
    expectPredicts(g, fx.image, fx.teacher, 'teacher');
    g.dispose();
  });

  it('the supernet checkpoint into SuperMobileResnetGenerator (full width) and MobileResnetGenerator alike', () => {
    for (const g of [SuperMobileResnetGenerator({ ngf: MOBILE_NGF }), MobileResnetGenerator({ ngf: MOBILE_NGF })]) {
      loadTorchWeights(g, ckpt['supernet_mobile_resnet.pth'] as TorchStateDict);
      expectPredicts(g, fx.unitImage, fx.supernet, g.name);
      g.dispose();
    }
  });

  it("extractSubnet of the loaded supernet equals GAN Compression's exported SubMobileResnetGenerator; its checkpoint loads into the extracted model", () => {
    const superG = SuperMobileResnetGenerator({ ngf: MOBILE_NGF });
    loadTorchWeights(superG, ckpt['supernet_mobile_resnet.pth'] as TorchStateDict);
    const sub = extractSubnet(superG, resnetConfigFromString(SUB_CONFIG));
    expectPredicts(sub, fx.unitImage, fx.sub, 'extracted');
    // A sub-network extracted from other weights, then given the reference sub-network's own checkpoint.
    const other = SuperMobileResnetGenerator({ ngf: MOBILE_NGF, seed: 5 });
    const sub2 = extractSubnet(other, resnetConfigFromString(SUB_CONFIG));
    loadTorchWeights(sub2, ckpt['sub_mobile_resnet.pth'] as TorchStateDict);
    expectPredicts(sub2, fx.unitImage, fx.sub, 'sub checkpoint');
    for (const m of [superG, sub, other, sub2]) m.dispose();
  });

  it('a float16 checkpoint (decoded to float32, the same rounded weights torch used)', () => {
    const g = SuperMobileResnetGenerator({ ngf: MOBILE_NGF });
    loadTorchWeights(g, ckpt['supernet_mobile_resnet_fp16.pth'] as TorchStateDict);
    expectPredicts(g, fx.unitImage, fx.supernetFp16, 'fp16');
    g.dispose();
  });

  it('a 1×1 distillation adaptor (netA) from its own file, into a Conv2D layer and a FeatureMapper model', () => {
    const x = tfl.input({ shape: [4, 4, 32] });
    const conv = tfl.layers.conv2d({ filters: 32, kernelSize: 1 });
    const model = tfl.model({ inputs: x, outputs: conv.apply(x) as tfl.SymbolicTensor });
    const report = loadTorchWeights(conv, ckpt['adaptor_net_A-0.pth'] as TorchStateDict, {
      mapping: ganCompressionAdaptorMapping,
    });
    expect(report.loaded).toEqual(['weight', 'bias']);
    expectPredicts(model, fx.adaptor.x, fx.adaptor.y, 'adaptor');
    model.dispose();
    // the distillation module's FeatureMapper holds the same kernel and bias
    const mapper = new FeatureMapper({ studentChannels: 32, teacherChannels: 32 });
    const y = tfl.input({ shape: [4, 4, 32] });
    const mapped = tfl.model({ inputs: y, outputs: mapper.apply(y) as tfl.SymbolicTensor });
    loadTorchWeights(mapped, ckpt['adaptor_net_A-0.pth'] as TorchStateDict, { mapping: ganCompressionAdaptorMapping });
    expectPredicts(mapped, fx.adaptor.x, fx.adaptor.y, 'FeatureMapper');
    mapped.dispose();
  });

  it("MobileStyleGAN's synthesis network: every output (image and wavelet pyramid) with the same noise; also fused", () => {
    const g = MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM });
    const report = loadTorchWeights(g, ckpt['mobile_synthesis.pth'] as TorchStateDict);
    expect(report.mapping).toBe('mobilestylegan-synthesis');
    expect(report.loaded).toContain('layers.1.up.idwt.g1_row'); // a checked Haar buffer
    withNoise(g);
    expectPredicts(g, fx.msg.w, fx.msg.outputs, 'synthesis');
    const fused = fuseDemodulation(g);
    expectPredicts(fused, fx.msg.w, fx.msg.outputs, 'fused');
    g.dispose();
    fused.dispose();
  });

  it('a Lightning checkpoint: the student and the mapping network by prefix', () => {
    const lightning = ckpt['mobilestylegan_lightning.ckpt'] as TorchStateDict;
    const g = MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM });
    loadTorchWeights(g, lightning, { prefix: 'student.' });
    withNoise(g);
    expectPredicts(g, fx.msg.w, fx.msg.outputs, 'lightning student');
    const m = MappingNetwork({ styleDim: MSG_STYLE_DIM, numLayers: MAPPING_LAYERS });
    expect(loadTorchWeights(m, lightning, { prefix: 'mapping_net.' }).mapping).toBe('stylegan2-mapping-network');
    expectPredicts(m, fx.msg.z, fx.msg.w, 'lightning mapping');
    g.dispose();
    m.dispose();
  });

  it('a safetensors mapping network', () => {
    const m = MappingNetwork({ styleDim: MSG_STYLE_DIM, numLayers: MAPPING_LAYERS });
    loadTorchWeights(m, ckpt['mapping_network.safetensors'] as TorchStateDict);
    expectPredicts(m, fx.msg.z, fx.msg.w, 'safetensors mapping');
    m.dispose();
  });
});

/** A copy of a state dict with some entries replaced or removed. */
function edited(base: TorchStateDict, changes: Record<string, TorchTensor | null>): TorchStateDict {
  const out: TorchStateDict = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v == null) delete out[k];
    else out[k] = v;
  }
  return out;
}

describeBackends('loadTorchWeights: strict mode names every mismatch and changes nothing', () => {
  it('a teacher checkpoint into a mobile generator: missing and unused names, weights untouched, no leak', () => {
    const g = MobileResnetGenerator({ ngf: TEACHER_NGF });
    const before = tf.memory().numTensors;
    const kernel = Array.from(g.getLayer('stem_conv').getWeights()[0]?.dataSync() ?? []);
    let error: unknown;
    try {
      loadTorchWeights(g, ckpt['resnet_teacher.pth'] as TorchStateDict);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightMappingError);
    const e = error as WeightMappingError;
    expect(e.missing).toContain('model.10.conv_block.1.conv.0.weight');
    expect(e.missing).toContain('model.18.conv_block.6.conv.2.bias');
    expect(e.unused).toContain('model.10.conv_block.1.weight');
    expect(e.missing.length).toBe(18 * 4);
    expect(e.unused.length).toBe(18 * 2);
    expect(e.message).toMatch(/72 missing: model\.10\.conv_block\.1\.conv\.0\.weight/);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(g.getLayer('stem_conv').getWeights()[0]?.dataSync() ?? [])).toEqual(kernel);
    g.dispose();
  });

  it('wrong shapes are refused even when not strict; an unused or non-float tensor only when strict', () => {
    const teacher = ckpt['resnet_teacher.pth'] as TorchStateDict;
    const wide = ResnetGenerator({ ngf: 2 * TEACHER_NGF });
    expect(() => loadTorchWeights(wide, teacher, { strict: false })).toThrow(
      /model\.1\.weight: got shape \[4, 3, 7, 7\], expected \[8, 3, 7, 7\]/,
    );
    const g = ResnetGenerator({ ngf: TEACHER_NGF });
    const extra = edited(teacher, { 'model.99.weight': { shape: [1], dtype: 'float32', data: new Float32Array(1) } });
    expect(() => loadTorchWeights(g, extra)).toThrow(/1 unused: model\.99\.weight/);
    expect(loadTorchWeights(g, extra, { strict: false }).unused).toEqual(['model.99.weight']);
    const ints = edited(teacher, { 'model.1.bias': { shape: [4], dtype: 'int64', data: new BigInt64Array(4) } });
    expect(() => loadTorchWeights(g, ints, { strict: false })).toThrow(
      /model\.1\.bias: got int64, expected a floating-point tensor/,
    );
    const partial = edited(teacher, { 'model.26.bias': null });
    const report = loadTorchWeights(g, partial, { strict: false });
    expect(report.missing).toEqual(['model.26.bias']);
    expect(report.loaded.length).toBe(47);
    wide.dispose();
    g.dispose();
  });

  it('refuses a MobileStyleGAN checkpoint whose IDWT buffers are not the Haar filters, and a fused network', () => {
    const base = ckpt['mobile_synthesis.pth'] as TorchStateDict;
    const g = MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM });
    const notHaar = edited(base, {
      'idwt.g1_col': { shape: [1, 1, 2, 1], dtype: 'float32', data: new Float32Array([0.5, 0.5]) },
    });
    expect(() => loadTorchWeights(g, notHaar)).toThrow(
      /idwt\.g1_col: got \[0\.5,0\.5\], expected \[0\.7071067\d*,-0\.7071067\d*\] \(the Haar/,
    );
    const fused = fuseDemodulation(g);
    expect(() => loadTorchWeights(fused, base)).toThrow(/an unfused MobileSynthesisNetwork/);
    g.dispose();
    fused.dispose();
  });

  it('names exactly the tensors removed, renamed or reshaped, for any such edit (property)', () => {
    const teacher = ckpt['resnet_teacher.pth'] as TorchStateDict;
    const names = Object.keys(teacher);
    const g = ResnetGenerator({ ngf: TEACHER_NGF });
    const before = tf.memory().numTensors;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(names.length - 1), { maxLength: 6 }),
        fc.array(fc.constantFrom('remove', 'rename', 'reshape'), { minLength: 6, maxLength: 6 }),
        (picked, actions) => {
          const edits: Record<string, TorchTensor | null> = {};
          const expected = { missing: [] as string[], unused: [] as string[], mismatched: [] as string[] };
          picked.forEach((index, k) => {
            const name = names[index] as string;
            const t = teacher[name] as TorchTensor;
            const action = actions[k];
            if (action === 'remove' || action === 'rename') {
              edits[name] = null;
              expected.missing.push(name);
              if (action === 'rename') {
                edits[`${name}_renamed`] = t;
                expected.unused.push(`${name}_renamed`);
              }
            } else {
              edits[name] = { ...t, shape: [...t.shape, 1] };
              expected.mismatched.push(name);
            }
          });
          const changed = edited(teacher, edits);
          if (picked.length === 0) {
            expect(loadTorchWeights(g, changed).loaded.length).toBe(48);
            return;
          }
          let error: unknown;
          try {
            loadTorchWeights(g, changed);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(WeightMappingError);
          const e = error as WeightMappingError;
          expect([...e.missing].sort()).toEqual([...expected.missing].sort());
          expect([...e.unused].sort()).toEqual([...expected.unused].sort());
          expect(e.mismatched.map((m) => m.split(':')[0]).sort()).toEqual([...expected.mismatched].sort());
          expect(e.unmapped).toEqual([]);
        },
      ),
      { seed: 13, numRuns: 60 },
    );
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });

  it('refuses bad arguments with a ConfigError naming them', () => {
    const g = ResnetGenerator({ ngf: TEACHER_NGF });
    const teacher = ckpt['resnet_teacher.pth'] as TorchStateDict;
    expect(() => loadTorchWeights(g, teacher, { strict: 'yes' as unknown as boolean })).toThrow(
      /options\.strict: got 'yes'/,
    );
    expect(() => loadTorchWeights(g, teacher, { stric: true } as never)).toThrow(/options\.stric/);
    expect(() => loadTorchWeights(g, null as unknown as TorchStateDict)).toThrow(ConfigError);
    const dense = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    expect(() => loadTorchWeights(dense, teacher)).toThrow(
      /options\.mapping: got undefined, expected a mapping: no built-in mapping recognises/,
    );
    expect(() => loadTorchWeights(dense, teacher, { mapping: ganCompressionAdaptorMapping })).toThrow(
      /a 1×1 conv kernel/,
    );
    g.dispose();
    dense.dispose();
  });
});

describeBackends('tensorFromTorch and loading inside a tidy', () => {
  it('turns checkpoint tensors into tfjs tensors (float32, int32, bool, transposed), refusing int64 beyond int32', async () => {
    const views = await readTorchCheckpoint(path('views_and_dtypes.pth'));
    const before = tf.memory().numTensors;
    const t = tensorFromTorch(views['transposed'] as TorchTensor, [1, 0]); // back to arange(24).reshape(4, 6) / 7
    expect(t.shape).toEqual([4, 6]);
    expect(Array.from(t.dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => Math.fround(i / 7)));
    const i32 = tensorFromTorch(views['int32'] as TorchTensor);
    expect([i32.dtype, Array.from(i32.dataSync())]).toEqual(['int32', [-5, 2147483647]]);
    const b = tensorFromTorch(views['bool'] as TorchTensor);
    expect([b.dtype, Array.from(b.dataSync())]).toEqual(['bool', [1, 0, 1]]);
    const f64 = tensorFromTorch(views['float64'] as TorchTensor);
    expect(Array.from(f64.dataSync())).toEqual([0, -2.5, Math.fround(Math.PI)]); // 1e-300 underflows float32
    expect(() => tensorFromTorch(views['int64'] as TorchTensor)).toThrow(
      /t\.data\[0\]: got '-1099511627776n', expected an integer in int32 range/,
    );
    expect(() => tensorFromTorch(views['transposed'] as TorchTensor, [0, 0])).toThrow(/perm/);
    tf.dispose([t, i32, b, f64]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("loads inside the caller's tf.tidy without losing the weights or leaking", () => {
    const g = MobileSynthesisNetwork({ channels: MSG_CHANNELS, styleDim: MSG_STYLE_DIM });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      loadTorchWeights(g, ckpt['mobile_synthesis.pth'] as TorchStateDict);
      withNoise(g);
    });
    expect(tf.memory().numTensors).toBe(before);
    expectPredicts(g, fx.msg.w, fx.msg.outputs, 'after tidy');
    g.dispose();
  });
});

describeBackends('layouts', () => {
  /** torch[o, i, y, x] = 1000o + 100i + 10y + x, so each tfjs entry says where it came from. */
  const coded = (shape: number[]): Float32Array =>
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, flat) => {
      let rest = flat;
      let code = 0;
      let place = 1;
      for (let d = shape.length - 1; d >= 0; d--) {
        code += (rest % (shape[d] as number)) * place;
        rest = Math.floor(rest / (shape[d] as number));
        place *= 10;
      }
      return code;
    });

  it('move every element where the PyTorch → tfjs correspondence puts it', () => {
    // conv: torch [O, I, kh, kw] → tfjs [kh, kw, I, O]
    const conv = CONV_LAYOUT.toTfjs(coded([2, 3, 2, 2]), [2, 2, 3, 2]);
    expect(conv[((1 * 2 + 0) * 3 + 2) * 2 + 1]).toBe(1210); // tfjs [1, 0, 2, 1] ← torch [1, 2, 1, 0]
    expect(CONV_LAYOUT.torchShape([3, 5, 7, 11])).toEqual([11, 7, 3, 5]);
    // depthwise: torch [C·M, 1, kh, kw] → tfjs [kh, kw, C, M]
    const dw = DEPTHWISE_LAYOUT.toTfjs(coded([3, 1, 2, 2]), [2, 2, 3, 1]);
    expect(dw[(1 * 2 + 1) * 3 + 2]).toBe(2011); // tfjs [1, 1, 2, 0] ← torch [2, 0, 1, 1]
    expect(DEPTHWISE_LAYOUT.torchShape([3, 3, 4, 2])).toEqual([8, 1, 3, 3]);
    // transposed conv: torch [I, O, kh, kw] → tfjs [kh, kw, O, I]
    const ct = CONV_TRANSPOSE_LAYOUT.toTfjs(coded([3, 2, 2, 2]), [2, 2, 2, 3]);
    expect(ct[((0 * 2 + 1) * 2 + 1) * 3 + 2]).toBe(2101); // tfjs [0, 1, 1, 2] ← torch [2, 1, 0, 1]
    // linear: torch [out, in] → tfjs [in, out]
    expect(Array.from(LINEAR_LAYOUT.toTfjs(coded([2, 3]), [3, 2]))).toEqual([0, 10, 1, 11, 2, 12]);
    // NCHW → NHWC
    const nhwc = NCHW_LAYOUT.toTfjs(coded([1, 3, 2, 2]), [1, 2, 2, 3]);
    expect(nhwc[(1 * 2 + 0) * 3 + 2]).toBe(210); // [0, 1, 0, 2] ← [0, 2, 1, 0]
  });

  it('invert exactly (property)', () => {
    const layouts: [TorchLayout, number][] = [
      [CONV_LAYOUT, 4],
      [DEPTHWISE_LAYOUT, 4],
      [CONV_TRANSPOSE_LAYOUT, 4],
      [LINEAR_LAYOUT, 2],
      [NCHW_LAYOUT, 4],
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
        (which, dims) => {
          const [layout, rank] = layouts[which] as [TorchLayout, number];
          const shape = dims.slice(0, rank);
          if (layout === DEPTHWISE_LAYOUT) shape[3] = 1;
          if (layout === NCHW_LAYOUT) shape[0] = 1;
          const tfData = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 3);
          const torch = layout.toTorch(tfData, shape);
          expect(torch.length).toBe(layout.torchShape(shape).reduce((a, b) => a * b, 1));
          expect(Array.from(layout.toTfjs(torch, shape))).toEqual(Array.from(tfData));
        },
      ),
      { seed: 2, numRuns: 200 },
    );
  });
});
