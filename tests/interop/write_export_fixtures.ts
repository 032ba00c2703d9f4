/**
 * Writes the state dicts this library exports (toTorchStateDict) for the interop fixtures:
 * tests/fixtures/interop/export_*.safetensors. tests/fixtures/scripts/interop_torch.py then
 * loads each into the reference PyTorch classes with load_state_dict(strict=True) and records
 * their outputs; tests/interop/state_dict.test.ts checks the bytes are regenerated identically
 * and that the outputs agree. Run before the Python script:
 *
 *   npx tsx tests/interop/write_export_fixtures.ts
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, toTorchStateDict } from '../../src/index.js';
import { mapping, subnet, synthesis, teacher } from './models.js';

/** The exported files by name. */
export function exportFixtures(): Record<string, Uint8Array> {
  const t = teacher();
  const { supernet, sub } = subnet();
  const s = synthesis();
  const m = mapping();
  const files = {
    'export_resnet_teacher.safetensors': toTorchStateDict(t),
    'export_sub_mobile_resnet.safetensors': toTorchStateDict(sub),
    'export_mobile_synthesis.safetensors': toTorchStateDict(s),
    'export_mapping_network.safetensors': toTorchStateDict(m),
  };
  for (const model of [t, supernet, sub, s, m]) model.dispose();
  return files;
}

const here = dirname(fileURLToPath(import.meta.url));
export const EXPORT_DIR = join(here, '..', 'fixtures', 'interop');

if (process.argv[1] != null && fileURLToPath(import.meta.url) === process.argv[1]) {
  await initBackend('cpu');
  mkdirSync(EXPORT_DIR, { recursive: true });
  for (const [name, bytes] of Object.entries(exportFixtures())) {
    const path = join(EXPORT_DIR, name);
    writeFileSync(`${path}.tmp`, bytes);
    renameSync(`${path}.tmp`, path);
    console.log('wrote', path, bytes.length, 'bytes');
  }
}
