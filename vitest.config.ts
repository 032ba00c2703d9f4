import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Code in README.md and docs/ imports the package by name; tests run it against the sources.
  resolve: { alias: { gancompress: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['tests/**/*.test.ts'],
    // Each file gets its own process: tfjs keeps global engine state (backends, kernels).
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
