/**
 * Type-checks code samples with tsc: each becomes a module under .tmp/samples/ that imports `gancompress` (mapped to
 * src/index.ts). Markdown blocks must be complete programs; TSDoc `@example`s are fragments, so they also see every
 * public name of the library, `tf` and `tfl`, and the variables of {@link PRELUDE}, declared with their types.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT, sourceFiles, type CodeSample } from './extract.js';

/**
 * Variables TSDoc examples may use without defining them: the things an example is "about" (a model, a layer, an
 * input), typed as a user would have them. The metrics' inputs: features `[n, d]` of real and generated images
 * (from an extractor such as Inception), images `[N, H, W, C]`, and int32 segmentation labels `[N, H, W]`.
 */
export const PRELUDE = `
declare const model: tfl.LayersModel;
declare const supernet: tfl.LayersModel;
declare const teacher: tfl.LayersModel;
declare const student: tfl.LayersModel;
declare const synthesis: tfl.LayersModel;
declare const layer: tfl.layers.Layer;
declare const x: tf.Tensor4D;
declare const images: tf.Tensor4D;
declare const style: tf.Tensor2D;
declare const w: tf.Tensor2D;
declare const realFeatures: tf.Tensor2D;
declare const fakeFeatures: tf.Tensor2D;
declare const realImages: tf.Tensor4D;
declare const fakeImages: tf.Tensor4D;
declare const labels: tf.Tensor3D;
`;

/**
 * A compiler host that parses each file of src/ and node_modules once for all the programs of this process (the
 * samples are written anew for each check and are not cached).
 */
const host = ((): ts.CompilerHost => {
  const base = ts.createCompilerHost(compilerOptions());
  const parsed = new Map<string, ts.SourceFile>();
  const tmp = join(ROOT, '.tmp');
  return {
    ...base,
    getSourceFile(fileName, languageVersion, onError, shouldCreate) {
      if (fileName.startsWith(tmp)) return base.getSourceFile(fileName, languageVersion, onError, shouldCreate);
      let sf = parsed.get(fileName);
      if (sf == null) {
        sf = base.getSourceFile(fileName, languageVersion, onError, shouldCreate);
        if (sf != null) parsed.set(fileName, sf);
      }
      return sf;
    },
  };
})();

let sourceProgram: ts.Program | null = null;

/** One program over every file of src/, for the names modules export. */
function sources(): ts.Program {
  sourceProgram ??= ts.createProgram(sourceFiles(), compilerOptions(), host);
  return sourceProgram;
}

/** Every public export of src/index.ts, values and types apart. */
export function publicNames(): { values: string[]; types: string[] } {
  const file = join(ROOT, 'src', 'index.ts');
  const program = sources();
  const checker = program.getTypeChecker();
  const sym = checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile) as ts.Symbol;
  const values: string[] = [];
  const types: string[] = [];
  for (const e of checker.getExportsOfModule(sym)) {
    const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(e.name);
  }
  return { values, types };
}

export function compilerOptions(): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    noEmit: true,
    useDefineForClassFields: false,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    baseUrl: ROOT,
    paths: { gancompress: ['src/index.ts'] },
  };
}

const IMPORT_LINE = /^\s*import\s[^;]*;\s*$/;

/** The module a sample becomes. */
export function sampleModule(
  sample: CodeSample,
  kind: 'program' | 'fragment',
  names: { values: string[]; types: string[] },
): string {
  if (kind === 'program') return `${sample.code}\nexport {};\n`;
  const lines = sample.code.split('\n');
  // An example's own imports stay imports; they win over the prelude's names.
  const imports: string[] = [];
  const body: string[] = [];
  let open = '';
  for (const line of lines) {
    if (open !== '' || /^\s*import\s/.test(line)) {
      open += `${line}\n`;
      if (IMPORT_LINE.test(open.replace(/\n/g, ' '))) {
        imports.push(open);
        open = '';
      }
    } else body.push(line);
  }
  const own = new Set(imports.join(' ').match(/[A-Za-z_$][\w$]*/g) ?? []);
  const values = names.values.filter((n) => !own.has(n));
  // Examples of module-internal helpers see their own file's exports too.
  const ownFile = fileExports(sample.file).filter(
    (n) => !own.has(n) && !names.values.includes(n) && !names.types.includes(n),
  );
  const types = names.types.filter((n) => !own.has(n));
  return [
    // Users write `tf` for the union package (core, layers, converter).
    ...(own.has('tf') ? [] : ["import * as tf from '@tensorflow/tfjs';"]),
    ...(own.has('tfl') ? [] : ["import * as tfl from '@tensorflow/tfjs-layers';"]),
    ...(own.has('fs') ? [] : ["import * as fs from 'node:fs';"]),
    ...(ownFile.length > 0 ? [`import { ${ownFile.join(', ')} } from '${sample.file.replace(/\.ts$/, '.js')}';`] : []),
    `import { ${values.join(', ')} } from 'gancompress';`,
    `import type { ${types.join(', ')} } from 'gancompress';`,
    ...imports,
    PRELUDE,
    'export async function example(): Promise<void> {',
    ...body.map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
}

/** The names `file` (a file of src/) exports, values and types. */
function fileExports(file: string): string[] {
  const program = sources();
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(file);
  const sym = sf == null ? undefined : checker.getSymbolAtLocation(sf);
  return sym == null ? [] : checker.getExportsOfModule(sym).map((e) => e.name);
}

/** Type-checks the samples; returns one message per sample with errors (empty when all compile). */
export function typecheckSamples(
  samples: { sample: CodeSample; kind: 'program' | 'fragment' }[],
  dirName: string,
): string[] {
  const dir = join(ROOT, '.tmp', dirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = publicNames();
  const files = new Map<string, CodeSample>();
  samples.forEach(({ sample, kind }, i) => {
    const file = join(dir, `sample_${String(i).padStart(3, '0')}.ts`);
    writeFileSync(file, sampleModule(sample, kind, names));
    files.set(file, sample);
  });
  const program = ts.createProgram([...files.keys()], compilerOptions(), host);
  // Only the samples are checked: the library's own sources are tsc's business (and checking every file of src/
  // would triple the time). A sample still fails when what it uses from src/ does not fit.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((file) => {
      const sf = program.getSourceFile(file);
      return sf == null ? [] : [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    }),
  ];
  const problems = new Map<string, string[]>();
  for (const d of diagnostics) {
    const fileName = d.file?.fileName;
    const sample = fileName == null ? undefined : files.get(fileName);
    // The label says where the sample is shown; line numbers are those of the generated module.
    const where =
      sample != null
        ? `${sample.label} (${relative(ROOT, fileName as string)})`
        : fileName == null
          ? '(program)'
          : relative(ROOT, fileName);
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const line = d.file != null && d.start != null ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    if (!problems.has(where)) problems.set(where, []);
    problems.get(where)?.push(`  line ${line}: ${text}`);
  }
  return [...problems].map(([where, msgs]) => `${where}\n${msgs.join('\n')}`);
}
