import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ModelFileError, type RandomState } from '../util/index.js';
import { fileSystem } from '../io/index.js';
import type { SamplerState, SubnetSampler } from '../nas/index.js';
import { nodeFs } from './cache_store.js';
import type { DistillerLosses, DistillerOptions, ResolvedLosses } from './distiller_options.js';
import type { FeatureMapper } from './feature_mapper.js';
import {
  getOptimizerState,
  optimizerConfig,
  optimizerFromConfig,
  setOptimizerState,
  type NamedTensor,
} from './optimizer_state.js';
// Not exported by io's index yet (the io module is being reworked): imported from its file.
import { writeFileAtomic } from '../io/index.js';

const FORMAT = 'gancompress-distiller-checkpoint';
/** The file naming the current checkpoint; written last, atomically. */
export const CHECKPOINT_FILE = 'checkpoint.json';
const OPTIMIZER_PREFIX = /^opt\/\d+\//;

/** What {@link Distiller.saveCheckpoint} wrote. */
export interface CheckpointInfo {
  /** The step the checkpoint continues from. */
  step: number;
  /** The checkpoint directory. */
  dir: string;
  /** The folder inside `dir` holding this checkpoint's model files (`step-N`). */
  files: string;
}

/** Options of {@link Distiller.restore}. */
export interface RestoreOptions {
  /** The teacher the checkpoint was made with (checked by digest). */
  teacher: tfl.LayersModel;
  /** A student to load the checkpoint's weights into (same layers and shapes); default: loaded from the checkpoint. */
  student?: tfl.LayersModel;
  /** A discriminator to load the checkpoint's weights into; default: loaded from the checkpoint. */
  discriminator?: tfl.LayersModel;
  /** The sampler, when the run had one: its state is restored. */
  sampler?: SubnetSampler;
  /** The perceptual extractor, when the losses had one. */
  extractor?: tfl.LayersModel;
  /** Optimizers to restore the state into (same classes); default: rebuilt from the checkpoint's configs. */
  optimizers?: { generator?: tf.Optimizer; discriminator?: tf.Optimizer };
}

type SerializedLosses = Omit<DistillerLosses, 'perceptual'> & {
  perceptual?: Omit<NonNullable<DistillerLosses['perceptual']>, 'extractor'>;
};

interface CheckpointMeta {
  format: typeof FORMAT;
  version: 1;
  step: number;
  files: string;
  seed: number;
  paired: boolean;
  featurePairs: [string, string][];
  losses: SerializedLosses;
  clipGradNorm: number | null;
  discriminator: boolean;
  mappers: boolean;
  optimizers: {
    generator: ReturnType<typeof optimizerConfig>;
    discriminator: ReturnType<typeof optimizerConfig> | null;
  };
  teacher: string;
  student: { name: string; weights: [string, number[]][] };
  sampler: SamplerState | null;
  rng: RandomState;
}

/** The model saved by itself, or — with `state` — with the tensors appended in the `optimizer` weight group. */
async function saveModel(model: tfl.LayersModel, dir: string, state: NamedTensor[] | null): Promise<void> {
  const handler = fileSystem(dir);
  if (state == null) {
    await model.save(handler);
    return;
  }
  const named = state.map((s, i) => ({ name: `opt/${i}/${s.name}`, tensor: s.tensor }));
  const { data, specs } = await tf.io.encodeWeights(named, 'optimizer');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const own =
        artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const save = handler.save as (a: tf.io.ModelArtifacts) => Promise<tf.io.SaveResult>;
      return save({
        ...artifacts,
        weightSpecs: [...(artifacts.weightSpecs ?? []), ...specs],
        weightData: tf.io.concatenateArrayBuffers([own, data]),
      });
    }),
  );
}

/** A model directory's artifacts: the model's weights by name, and the `optimizer` group in order. */
async function loadArtifacts(
  dir: string,
): Promise<{ artifacts: tf.io.ModelArtifacts; weights: tf.NamedTensorMap; optimizer: NamedTensor[] }> {
  const handler = fileSystem(dir);
  const artifacts = await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
  const specs = artifacts.weightSpecs ?? [];
  const all = artifacts.weightData == null ? {} : tf.io.decodeWeights(artifacts.weightData, specs);
  const weights: tf.NamedTensorMap = {};
  const optimizer: NamedTensor[] = [];
  for (const s of specs) {
    const t = all[s.name] as tf.Tensor;
    if (s.group === 'optimizer') optimizer.push({ name: s.name.replace(OPTIMIZER_PREFIX, ''), tensor: t });
    else weights[s.name] = t;
  }
  return { artifacts, weights, optimizer };
}

/** The weights a model has, by original name and shape: what a checkpoint's student must match. */
const signature = (model: tfl.LayersModel): [string, number[]][] =>
  model.weights.map((w) => [w.originalName, w.shape as number[]]);

/** A model holding the mappers (one input each), for saving them as a tfjs model. */
function mapperModel(mappers: readonly (FeatureMapper | null)[]): tfl.LayersModel | null {
  const list = mappers.filter((m): m is FeatureMapper => m != null);
  if (list.length === 0) return null;
  const inputs = list.map((m) => tfl.input({ shape: [null, null, m.studentChannels] }));
  const outputs = list.map((m, i) => m.apply(inputs[i] as tfl.SymbolicTensor) as tfl.SymbolicTensor);
  return tfl.model({ inputs, outputs, name: 'distill_mappers' });
}

/**
 * What a checkpoint reads from a Distiller (its public state), written out here so that this file
 * does not import the Distiller (which imports it).
 */
export interface Checkpointable {
  readonly teacher: tfl.LayersModel;
  readonly student: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel | null;
  readonly mappers: readonly (FeatureMapper | null)[];
  readonly featurePairs: readonly [string, string][];
  readonly paired: boolean;
  readonly losses: ResolvedLosses;
  readonly sampler: SubnetSampler | null;
  readonly clipGradNorm: number | null;
  readonly seed: number;
  readonly optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer | null };
  readonly options: DistillerOptions;
  readonly step: number;
  teacherDigest(): Promise<string>;
}

const mapperModels = new WeakMap<Checkpointable, tfl.LayersModel | null>();

/** Writes a checkpoint of `d` into `dir` (see {@link Distiller.saveCheckpoint}). */
export async function saveCheckpoint(
  d: Checkpointable,
  dir: string,
  extra: { rng: RandomState },
): Promise<CheckpointInfo> {
  if (typeof dir !== 'string' || dir.length === 0) throw new ConfigError('dir', dir, 'a directory path');
  const { fs, path } = await nodeFs();
  await fs.mkdir(dir, { recursive: true });
  const files = `step-${String(d.step).padStart(8, '0')}`;
  const base = path.join(dir, files);
  // Leftovers of an interrupted save of this same step are not referenced by checkpoint.json.
  await fs.rm(base, { recursive: true, force: true });
  await saveModel(d.student, path.join(base, 'student'), await getOptimizerState(d.optimizers.generator));
  if (d.discriminator != null && d.optimizers.discriminator != null)
    await saveModel(
      d.discriminator,
      path.join(base, 'discriminator'),
      await getOptimizerState(d.optimizers.discriminator),
    );
  if (!mapperModels.has(d)) mapperModels.set(d, mapperModel(d.mappers));
  const mappers = mapperModels.get(d) ?? null;
  if (mappers != null) await saveModel(mappers, path.join(base, 'mappers'), null);

  const o = d.options;
  const { perceptual, ...rest } = o.losses;
  const losses: SerializedLosses = { ...rest };
  if (perceptual != null) {
    const { extractor: _extractor, ...p } = perceptual;
    losses.perceptual = p;
  }
  const meta: CheckpointMeta = {
    format: FORMAT,
    version: 1,
    step: d.step,
    files,
    seed: d.seed,
    paired: d.paired,
    featurePairs: d.featurePairs.map(([t, s]) => [t, s]),
    losses,
    clipGradNorm: d.clipGradNorm,
    discriminator: d.discriminator != null,
    mappers: mappers != null,
    optimizers: {
      generator: optimizerConfig(d.optimizers.generator),
      discriminator: d.optimizers.discriminator == null ? null : optimizerConfig(d.optimizers.discriminator),
    },
    teacher: await d.teacherDigest(),
    student: { name: d.student.name, weights: signature(d.student) },
    sampler: d.sampler?.getState() ?? null,
    rng: extra.rng,
  };
  await writeFileAtomic(path.join(dir, CHECKPOINT_FILE), JSON.stringify(meta));
  for (const name of await fs.readdir(dir))
    if (/^step-\d+$/.test(name) && name !== files) await fs.rm(path.join(dir, name), { recursive: true, force: true });
  return { step: d.step, dir, files };
}

async function readMeta(dir: string): Promise<CheckpointMeta> {
  const { fs, path } = await nodeFs();
  const file = path.join(dir, CHECKPOINT_FILE);
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ModelFileError(
      file,
      e.code === 'ENOENT' ? 'no such file (not a Distiller checkpoint directory)' : e.message,
    );
  });
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text) as CheckpointMeta;
  } catch (e) {
    throw new ModelFileError(file, `malformed JSON: ${(e as Error).message}`);
  }
  if (
    meta == null ||
    meta.format !== FORMAT ||
    meta.version !== 1 ||
    !Number.isInteger(meta.step) ||
    typeof meta.files !== 'string'
  )
    throw new ModelFileError(file, `not a Distiller checkpoint (expected format '${FORMAT}', version 1)`);
  return meta;
}

/** Reads a checkpoint and builds the Distiller through `make` (see {@link Distiller.restore}). */
export async function loadCheckpoint<D extends Checkpointable>(
  dir: string,
  options: RestoreOptions,
  make: (o: DistillerOptions, state: { step: number; rng: RandomState }) => D,
): Promise<D> {
  if (options == null || typeof options !== 'object')
    throw new ConfigError(
      'options',
      options,
      '{ teacher, student?, discriminator?, sampler?, extractor?, optimizers? }',
    );
  if (!(options.teacher instanceof tfl.LayersModel))
    throw new ConfigError('options.teacher', options.teacher, 'a tf.LayersModel');
  const { path } = await nodeFs();
  const meta = await readMeta(dir);
  const base = path.join(dir, meta.files);

  // Every check before anything is built.
  const { digestModel } = await import('./digest.js');
  const teacherKey = await digestModel(options.teacher);
  if (teacherKey !== meta.teacher)
    throw new ConfigError(
      'options.teacher',
      `a teacher with digest ${teacherKey.slice(0, 12)}…`,
      `the teacher the checkpoint in ${dir} was made with (digest ${meta.teacher.slice(0, 12)}…)`,
    );
  if (options.student != null && JSON.stringify(signature(options.student)) !== JSON.stringify(meta.student.weights))
    throw new ConfigError(
      'options.student',
      `model '${options.student.name}' with weights ${JSON.stringify(signature(options.student)).slice(0, 80)}…`,
      `a student with the checkpoint's weights (model '${meta.student.name}', ${meta.student.weights.length} weights)`,
    );
  if (meta.sampler != null && options.sampler == null)
    throw new ConfigError('options.sampler', undefined, `the sampler the run used (state kind '${meta.sampler.kind}')`);
  if (meta.sampler == null && options.sampler != null)
    throw new ConfigError('options.sampler', options.sampler, 'none: the checkpoint was trained without a sampler');
  if (meta.losses.perceptual != null && !(options.extractor instanceof tfl.LayersModel))
    throw new ConfigError('options.extractor', options.extractor, 'the perceptual loss extractor the run used');

  const made: { dispose(): void }[] = [];
  try {
    const studentFiles = await loadArtifacts(path.join(base, 'student'));
    let student = options.student;
    if (student == null) {
      student = await tfl.loadLayersModel(tf.io.fromMemory(studentFiles.artifacts));
      made.push(student);
    } else {
      student.loadWeights(studentFiles.weights, true);
    }
    tf.dispose(Object.values(studentFiles.weights));
    let discriminator: tfl.LayersModel | undefined;
    let dOptimizerState: NamedTensor[] = [];
    if (meta.discriminator) {
      const dFiles = await loadArtifacts(path.join(base, 'discriminator'));
      discriminator = options.discriminator;
      if (discriminator == null) {
        discriminator = await tfl.loadLayersModel(tf.io.fromMemory(dFiles.artifacts));
        made.push(discriminator);
      } else {
        discriminator.loadWeights(dFiles.weights, true);
      }
      tf.dispose(Object.values(dFiles.weights));
      dOptimizerState = dFiles.optimizer;
    }
    const generator =
      options.optimizers?.generator ??
      optimizerFromConfig('checkpoint optimizers.generator', meta.optimizers.generator);
    const dOptimizer =
      meta.optimizers.discriminator == null
        ? undefined
        : (options.optimizers?.discriminator ??
          optimizerFromConfig('checkpoint optimizers.discriminator', meta.optimizers.discriminator));
    const losses = { ...meta.losses } as DistillerLosses;
    if (meta.losses.perceptual != null)
      losses.perceptual = { ...meta.losses.perceptual, extractor: options.extractor as tfl.LayersModel };
    const distillerOptions: DistillerOptions = {
      teacher: options.teacher,
      student,
      featurePairs: meta.featurePairs,
      paired: meta.paired,
      losses,
      optimizers: { generator, ...(dOptimizer == null ? {} : { discriminator: dOptimizer }) },
      seed: meta.seed,
      ...(discriminator == null ? {} : { discriminator }),
      ...(options.sampler == null ? {} : { sampler: options.sampler }),
      ...(meta.clipGradNorm == null ? {} : { clipGradNorm: meta.clipGradNorm }),
    };
    const d = make(distillerOptions, { step: meta.step, rng: meta.rng });
    if (meta.mappers) {
      const files = await loadArtifacts(path.join(base, 'mappers'));
      for (const m of d.mappers) {
        if (m == null) continue;
        const values = m.weights.map((w) => files.weights[w.originalName]);
        if (values.some((v) => v == null))
          throw new ConfigError('checkpoint mappers', Object.keys(files.weights), `the weights of ${m.name}`);
        m.setWeights(values as tf.Tensor[]);
      }
      tf.dispose(Object.values(files.weights));
    }
    await setOptimizerState(
      'checkpoint optimizers.generator',
      d.optimizers.generator,
      studentFiles.optimizer,
      countVars(d, 'generator'),
    );
    if (d.optimizers.discriminator != null)
      await setOptimizerState(
        'checkpoint optimizers.discriminator',
        d.optimizers.discriminator,
        dOptimizerState,
        countVars(d, 'discriminator'),
      );
    tf.dispose([...studentFiles.optimizer, ...dOptimizerState].map((s) => s.tensor));
    if (meta.sampler != null) {
      try {
        options.sampler?.setState(meta.sampler);
      } catch (e) {
        throw new ConfigError('options.sampler', options.sampler, `the sampler the run used (${(e as Error).message})`);
      }
    }
    return d;
  } catch (e) {
    for (const m of made) m.dispose();
    if (
      e instanceof Error &&
      !(e instanceof ConfigError) &&
      !(e instanceof ModelFileError) &&
      /weight|shape/i.test(e.message)
    )
      throw new ConfigError('checkpoint', dir, `weights that fit the given models (${e.message})`);
    throw e;
  }
}

/** The number of variables an optimizer of `d` steps. */
function countVars(d: Checkpointable, which: 'generator' | 'discriminator'): number {
  if (which === 'discriminator') return d.discriminator?.trainableWeights.length ?? 0;
  return d.student.trainableWeights.length + d.mappers.reduce((n, m) => n + (m?.trainableWeights.length ?? 0), 0);
}
