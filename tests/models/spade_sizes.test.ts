/**
 * GauGAN's published sizes (GAN Compression, reference notes §2.4 and §5.2), counted from shapes
 * (no forward pass at full size) on the generators, on the supernet at a config string
 * (`options.subnet`) and on the extracted sub-network.
 *
 * The counts do not depend on the backend; the file runs on wasm only because extracting a
 * full-size sub-network copies tens of millions of sliced weights, which the cpu backend's
 * element-by-element slice of a non-contiguous block takes over half a minute to do.
 */
import { expect, it } from 'vitest';
import {
  countMacs,
  countParams,
  extractSubnet,
  getSubnet,
  MobileSPADEGenerator,
  setSubnet,
  SPADEGenerator,
  spadeConfigFromString,
  spadeConfigToString,
  SuperMobileSPADEGenerator,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fixture } from '../layers/conditional/hashed.js';

const sizes = fixture().sizes;
const CITYSCAPES = [1, 256, 512, 36];
const COCO = [1, 256, 256, 184];

/** A count rounded as GAN Compression publishes it (281.36G, 20.4M, ...). */
const published = (value: number, unit: number, digits: number): number => Number((value / unit).toFixed(digits));

describeBackends(
  'GauGAN sizes (torchprofile, batch 1)',
  () => {
    it('SPADEGenerator Cityscapes: 281.36 GMAC and 93.05 M parameters; COCO-Stuff: 191.18 G and 97.48 M', () => {
      for (const [dataset, shape, key, gmacs, mparams] of [
        ['cityscapes', CITYSCAPES, 'spade_cityscapes', 281.36, 93.05],
        ['coco-stuff', COCO, 'spade_coco', 191.18, 97.48],
      ] as const) {
        const g = SPADEGenerator({ dataset });
        const macs = countMacs(g, [...shape]);
        expect(macs.uncounted).toEqual([]);
        expect(macs.total, dataset).toBe(sizes[key]?.macs);
        expect(countParams(g), dataset).toBe(sizes[key]?.params);
        expect(published(macs.total, 1e9, 2)).toBe(gmacs);
        expect(published(countParams(g), 1e6, 2)).toBe(mparams);
        // Batch norm running statistics are buffers, not parameters: tfjs counts them, PyTorch does not.
        const bnStats = g.layers
          .filter((l) => l.getClassName() === 'BatchNormalization')
          .reduce((s, l) => s + l.countParams(), 0);
        expect(g.countParams() - countParams(g)).toBe(bnStats);
        g.dispose();
      }
    });

    it("MobileSPADEGenerator Cityscapes at ngf 64: GAN Compression's 118.8 G / 70.7 M (calc)", () => {
      const g = MobileSPADEGenerator({ ngf: 64 });
      expect(countMacs(g, CITYSCAPES).total).toBe(sizes['mobile_cityscapes']?.macs);
      expect(countParams(g)).toBe(sizes['mobile_cityscapes']?.params);
      expect(published(countMacs(g, CITYSCAPES).total, 1e9, 1)).toBe(118.8);
      expect(published(countParams(g), 1e6, 1)).toBe(70.7);
      g.dispose();
    });

    it("compressed Cityscapes configs: '32_32_48_32_32_32_32_24' at ngf 48 (31.7 G / 20.4 M), '32_40_40_32_40_24_32_24' (31.2 G / 21.0 M) — supernet and extracted model", () => {
      const superG = SuperMobileSPADEGenerator({ ngf: 48 });
      for (const [config, gmacs, mparams] of [
        ['32_32_48_32_32_32_32_24', 31.7, 20.4],
        ['32_40_40_32_40_24_32_24', 31.2, 21.0],
      ] as const) {
        const key = `sub_${config}_ngf48`;
        const subnet = spadeConfigFromString(config);
        const macs = countMacs(superG, CITYSCAPES, { subnet }).total;
        const params = countParams(superG, { subnet });
        expect(macs, config).toBe(sizes[key]?.macs);
        expect(params, config).toBe(sizes[key]?.params);
        expect(published(macs, 1e9, 1)).toBe(gmacs);
        expect(published(params, 1e6, 1)).toBe(mparams);
        if (config === '32_32_48_32_32_32_32_24') {
          const student = extractSubnet(superG, subnet);
          expect(countMacs(student, CITYSCAPES).total).toBe(macs);
          expect(countParams(student)).toBe(params);
          expect(
            student.layers.some((l) => l.getClassName() === 'ElasticSPADE' || l.getClassName() === 'OnceForAllConv'),
          ).toBe(false);
          student.dispose();
        }
      }
      // The supernet is left at its full width.
      expect(spadeConfigToString(getSubnet(superG))).toBe('48_48_48_48_48_48_48_48');
      superG.dispose();
    });

    it("Fast GAN Compression's '32_32_32_48_32_24_24_32' at ngf 64: 31.3 G / 20.2 M — supernet (set and by options.subnet) and extracted model", () => {
      const superG = SuperMobileSPADEGenerator({ ngf: 64 });
      const subnet = spadeConfigFromString('32_32_32_48_32_24_24_32');
      const expected = sizes['sub_32_32_32_48_32_24_24_32_ngf64'];
      expect(countMacs(superG, CITYSCAPES, { subnet }).total).toBe(expected?.macs);
      expect(countParams(superG, { subnet })).toBe(expected?.params);
      expect(published(expected?.macs ?? 0, 1e9, 1)).toBe(31.3);
      expect(published(expected?.params ?? 0, 1e6, 1)).toBe(20.2);
      setSubnet(superG, subnet);
      expect(countMacs(superG, CITYSCAPES).total).toBe(expected?.macs);
      expect(spadeConfigToString(getSubnet(superG))).toBe('32_32_32_48_32_24_24_32');
      const student = extractSubnet(superG);
      expect(countMacs(student, CITYSCAPES).total).toBe(expected?.macs);
      expect(countParams(student)).toBe(expected?.params);
      student.dispose();
      superG.dispose();
    });

    it("COCO-Stuff's '40_32_32_40_32_40_24_24' at ngf 64: 35.5 G / 26.0 M", () => {
      const superG = SuperMobileSPADEGenerator({ ngf: 64, dataset: 'coco-stuff' });
      const subnet = spadeConfigFromString('40_32_32_40_32_40_24_24');
      const macs = countMacs(superG, COCO, { subnet }).total;
      const params = countParams(superG, { subnet });
      expect(macs).toBe(sizes['coco_40_32_32_40_32_40_24_24_ngf64']?.macs);
      expect(params).toBe(sizes['coco_40_32_32_40_32_40_24_24_ngf64']?.params);
      expect([published(macs, 1e9, 1), published(params, 1e6, 1)]).toEqual([35.5, 26.0]);
      superG.dispose();
    });

    it("'exact' differs from torchprofile only by the products x̂·(1 + γ) and the separable branches' instance norms", () => {
      const g = MobileSPADEGenerator({ ngf: 16 });
      const tp = countMacs(g, CITYSCAPES);
      const ex = countMacs(g, CITYSCAPES, { convention: 'exact' });
      let products = 0;
      for (const l of tp.perLayer) {
        if (l.className !== 'MobileSPADE') continue;
        const [n, h, w, c] = l.outputShape as number[];
        // x̂·(1 + γ): C per pixel; two branch norms over the hidden width 2·ngf = 32.
        products += (n as number) * (h as number) * (w as number) * ((c as number) + 2 * 32);
      }
      expect(products).toBeGreaterThan(0);
      expect(tp.total - ex.total).toBe(products);
      g.dispose();
    });
  },
  ['wasm'],
);
