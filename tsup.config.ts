import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Browsers and bundlers consume the ESM build; keep syntax they all parse.
  target: 'es2020',
  // `import.meta.url` is used to locate the wasm binaries in Node; shim it in the CJS build.
  shims: true,
  // The tfjs packages are peers: bundling a copy would create a second tfjs-core at run time
  // (a second serialization registry, duplicate kernels).
  external: [/^@tensorflow\//],
});
