import * as tfl from '@tensorflow/tfjs-layers';
import { countMacs, countParams, type CountMacsOptions } from '../src/metrics/macs/index.js';
import {
  MobileResnetGenerator,
  ResnetGenerator,
  SuperMobileResnetGenerator,
  resnetConfigFromString,
} from '../src/models/index.js';
import { defineBench, fmt, medianMs, status, useBackend } from './harness.js';

type ST = tfl.SymbolicTensor;

/**
 * A StyleGAN2-shaped synthesis stand-in built from built-in layers: a 4×4 constant-sized input,
 * then for every resolution up to 1024²: nearest ×2 upsample, six 3×3 convs with leaky ReLU, a
 * 1×1 toRGB added to the upsampled previous RGB — 63 convs, 9 of them at 1024². Widths are
 * kept small (64 → 16) so that building it is cheap; counting time depends on the number of
 * layers, not on widths or resolution.
 */
function styleGanSizedStandIn(): tfl.LayersModel {
  const widths = [64, 64, 64, 64, 64, 48, 32, 24, 16];
  const input = tfl.input({ shape: [4, 4, 64] });
  let x: ST = input;
  let rgb: ST | null = null;
  widths.forEach((c, level) => {
    if (level > 0) x = tfl.layers.upSampling2d({ size: [2, 2] }).apply(x) as ST;
    for (let k = 0; k < 6; k++) {
      x = tfl.layers.conv2d({ filters: c, kernelSize: 3, padding: 'same' }).apply(x) as ST;
      x = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(x) as ST;
    }
    const toRgb = tfl.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(x) as ST;
    rgb =
      rgb == null
        ? toRgb
        : (tfl.layers.add().apply([tfl.layers.upSampling2d({ size: [2, 2] }).apply(rgb) as ST, toRgb]) as ST);
  });
  return tfl.model({ inputs: input, outputs: rgb as unknown as ST });
}

export default defineBench('MAC counter', async (progress) => {
  await useBackend('wasm');
  const subnet = resnetConfigFromString('16_16_32_16_32_32_16_16');
  const cases: {
    name: string;
    build: () => tfl.LayersModel;
    input: number[];
    options?: CountMacsOptions;
    paperMacs?: number;
    paperParams?: number;
    targetMs: number;
  }[] = [
    {
      name: 'ResnetGenerator()',
      build: () => ResnetGenerator(),
      input: [1, 256, 256, 3],
      paperMacs: 56_831_770_624,
      paperParams: 11_378_179,
      targetMs: 50,
    },
    {
      name: 'MobileResnetGenerator({ ngf: 64 })',
      build: () => MobileResnetGenerator({ ngf: 64 }),
      input: [1, 256, 256, 3],
      paperMacs: 18_365_808_640,
      paperParams: 1_987_075,
      targetMs: 50,
    },
    {
      name: "SuperMobileResnetGenerator at '16_16_32_16_32_32_16_16' (options.subnet)",
      build: () => SuperMobileResnetGenerator({ ngf: 64 }),
      input: [1, 256, 256, 3],
      options: { subnet },
      paperMacs: 2_546_204_672,
      paperParams: 356_867,
      targetMs: 50,
    },
    {
      name: '1024² StyleGAN-shaped stand-in (63 convs)',
      build: styleGanSizedStandIn,
      input: [1, 4, 4, 64],
      targetMs: 100,
    },
  ];
  const rows: (string | number)[][] = [];
  for (const c of cases) {
    progress(c.name);
    const model = c.build();
    const macs = countMacs(model, c.input, c.options).total;
    const params = countParams(model, c.options);
    const ms = await medianMs(
      () => {
        countMacs(model, c.input, c.options);
      },
      { minTotalMs: 500, maxRuns: 500 },
    );
    rows.push([
      c.name,
      `[${c.input.join(',')}]`,
      macs.toLocaleString('en-US'),
      c.paperMacs == null ? '—' : `${c.paperMacs.toLocaleString('en-US')} ${status(macs === c.paperMacs)}`,
      params.toLocaleString('en-US'),
      c.paperParams == null ? '—' : `${c.paperParams.toLocaleString('en-US')} ${status(params === c.paperParams)}`,
      fmt(ms, 2),
      `< ${c.targetMs} ${status(ms < c.targetMs)}`,
    ]);
    model.dispose();
  }
  return [
    {
      title: 'countMacs: counted totals vs the papers, and time to count (median)',
      columns: [
        'model',
        'input',
        'MACs (torchprofile)',
        'paper MACs',
        'params',
        'paper params',
        'count ms',
        'target ms',
      ],
      rows,
      notes: [
        'Counting walks the graph with shapes only (no tensor, no kernel), so its time grows with the number of layers, not with resolution or width.',
        'The subnet row includes applying the sub-network config and restoring the previous one.',
        "Paper numbers: GAN Compression's README and exact integers (torchprofile 0.0.1), see docs/macs.md.",
      ],
    },
  ];
});
