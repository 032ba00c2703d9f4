import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ConfigError, countMacs, spadeResnetBlock, type SpadeBlockKind } from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { checkGradient } from '../../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { fillModel, fixture, fromFixture, hashedInput } from './hashed.js';

const ref = fixture();

function blockModel(
  name: string,
  filters: number,
  kind: SpadeBlockKind,
  paramFreeNorm: 'batch' | 'instance' = 'batch',
): tfl.LayersModel {
  const x = tfl.input({ shape: [4, 6, 4] });
  const seg = tfl.input({ shape: [8, 12, 3] });
  const y = spadeResnetBlock(x, seg, { name, filters, hidden: 3, kind, paramFreeNorm });
  return tfl.model({ inputs: [x, seg], outputs: y });
}

describeBackends('spadeResnetBlock', () => {
  it('equals the PyTorch SPADEResnetBlock: learned shortcut (4 → 2, MobileSPADE) and identity shortcut (4 → 4, SPADE)', async () => {
    const x = hashedInput('block_x', [1, 4, 6, 4]);
    const seg = hashedInput('block_seg', [1, 8, 12, 3]);
    for (const [name, filters, kind, key] of [
      ['blk_a', 2, 'mobile', 'learned_mobile'],
      ['blk_b', 4, 'spade', 'plain_spade'],
    ] as const) {
      const model = blockModel(name, filters, kind);
      fillModel(model, ref.scale);
      await expectNoLeak(() =>
        tf.tidy(() => expectClose(model.predict([x, seg]) as tf.Tensor, fromFixture(ref.blocks[key]), 1e-5, 0, key)),
      );
      model.dispose();
    }
    tf.dispose([x, seg]);
  });

  it('has the learned shortcut exactly when fin ≠ fout, named as the PyTorch modules', () => {
    const learned = blockModel('up_0', 2, 'mobile');
    const plain = blockModel('head_0', 4, 'mobile');
    const names = (m: tfl.LayersModel): string[] => m.layers.map((l) => l.name).filter((n) => /_(norm|conv)_/.test(n));
    expect(names(learned).sort()).toEqual(
      [
        'up_0_norm_0_bn',
        'up_0_norm_0',
        'up_0_conv_0',
        'up_0_norm_1_bn',
        'up_0_norm_1',
        'up_0_conv_1',
        'up_0_norm_s_bn',
        'up_0_norm_s',
        'up_0_conv_s',
      ].sort(),
    );
    expect(names(plain).some((n) => n.endsWith('_s'))).toBe(false);
    expect(learned.getLayer('up_0_conv_s').getConfig()['useBias']).toBe(false);
    // fmiddle = min(fin, fout): the learned block's first conv outputs 2, the identity block's 4.
    expect(learned.getLayer('up_0_conv_0').outputShape).toEqual([null, 4, 6, 2]);
    expect(plain.getLayer('head_0_conv_0').outputShape).toEqual([null, 4, 6, 4]);
    learned.dispose();
    plain.dispose();
  });

  it('the elastic block at full width computes what the mobile block computes with the same weights', () => {
    const mobile = blockModel('b', 2, 'mobile');
    const elastic = blockModel('b', 2, 'elastic');
    fillModel(mobile, 0.8);
    fillModel(elastic, 0.8);
    const inputs = [seededTensor([2, 4, 6, 4], 1), seededTensor([2, 8, 12, 3], 2)];
    tf.tidy(() => expectClose(elastic.predict(inputs) as tf.Tensor, mobile.predict(inputs) as tf.Tensor, 1e-5));
    expect(
      countMacs(elastic, [
        [1, 4, 6, 4],
        [1, 8, 12, 3],
      ]).total,
    ).toBe(
      countMacs(mobile, [
        [1, 4, 6, 4],
        [1, 8, 12, 3],
      ]).total,
    );
    tf.dispose(inputs);
    mobile.dispose();
    elastic.dispose();
  });

  it("'instance' parameter-free norm: no batch norms, the SPADE layers normalise; its gradient w.r.t. x equals finite differences", () => {
    const model = blockModel('i', 2, 'mobile', 'instance');
    expect(model.layers.some((l) => l.name.endsWith('_bn'))).toBe(false);
    fillModel(model, 0.8);
    const seg = seededTensor([1, 8, 12, 3], 3);
    const x = seededTensor([1, 4, 6, 4], 4);
    const w = seededTensor([1, 4, 6, 2], 5);
    checkGradient((p) => tf.sum(tf.mul(model.apply([p, seg]) as tf.Tensor, w)), x, 2e-3, 3e-3);
    tf.dispose([seg, x, w]);
    model.dispose();
  });

  it('refuses bad options, naming them', () => {
    const x = tfl.input({ shape: [4, 6, 4] });
    const seg = tfl.input({ shape: [8, 12, 3] });
    const ok = { name: 'b', filters: 2, hidden: 3, kind: 'mobile' as const };
    expect(() => spadeResnetBlock(x, seg, { ...ok, filters: 0 })).toThrow(/options.filters: got 0/);
    expect(() => spadeResnetBlock(x, seg, { ...ok, kind: 'super' as never })).toThrow(/options.kind: got 'super'/);
    expect(() => spadeResnetBlock(x, seg, { ...ok, spadeKernelSize: 4 })).toThrow(
      /options.spadeKernelSize: got 4, expected an odd integer/,
    );
    expect(() => spadeResnetBlock(x, seg, { ...ok, paramFreeNorm: 'sync' as never })).toThrow(ConfigError);
    expect(() => spadeResnetBlock(x, seg, null as never)).toThrow(/options: got null/);
  });
});
