import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, Random, ShapeError } from '../util/index.js';
import { checkSubnet, getElasticLayers, withSubnet, type SubnetConfig } from '../graph/index.js';
import type { SubnetSampler } from '../nas/index.js';
import { PatchGanDiscriminator } from '../models/index.js';
import { toBatch, type BatchLike, type DataSource } from './batch.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointInfo, type RestoreOptions } from './distiller_checkpoint.js';
import { checkOptions, resolveLosses, type DistillerOptions, type ResolvedLosses } from './distiller_options.js';
import { distillStep, type StepParts, type StepRecord } from './distiller_step.js';
import { runFit, type FitOptions, type FitResult } from './distiller_fit.js';
import { digestModel } from './digest.js';
import type { FeatureMapper } from './feature_mapper.js';
import { checkPairNames, setupPairs, unique } from './feature_pairs.js';
import { ganLoss } from './gan_loss.js';
import { perceptualLoss } from './perceptual_loss.js';
import { TeacherCache } from './teacher_cache.js';
import { TeacherRunner } from './teacher_runner.js';

const variablesOf = (weights: readonly tfl.LayerVariable[]): tf.Variable[] =>
  weights.map((w) => w.read() as tf.Variable);

/** Output channels of a model's single output, or null when unknown. */
const channelsOf = (model: tfl.LayersModel): number | null => {
  const shape = (model.outputs[0] as tfl.SymbolicTensor).shape;
  return shape[shape.length - 1] ?? null;
};

/**
 * Distils a frozen teacher into a student, as GAN Compression does (and MobileStyleGAN, CAT):
 * reconstruction of the ground truth (`paired: true`) or of the teacher's output (`paired: false`,
 * pseudo-pairs), feature distillation between `featurePairs` through learnable 1×1
 * {@link FeatureMapper}s (or kernel alignment), and optionally an adversarial loss against a
 * discriminator (DiffAugment on its inputs, conditional or not), a perceptual loss and
 * MobileStyleGAN's wavelet loss. With a `sampler` the student is a once-for-all supernet: each
 * step trains the sub-network `sampler.next(step)` and the mappers read its active width.
 *
 * The teacher is frozen: it runs in inference mode outside the gradient tape, and its weights are
 * never in an optimizer. {@link TeacherCache} batches carry its results, so it does not run at all.
 *
 * Steps are deterministic given the seed, the sampler and the data: {@link Distiller.saveCheckpoint}
 * stores the student, the mappers, the discriminator, both optimizers' state (Adam's moments and
 * β-power accumulators), the step, the sampler's and the random generator's state, and
 * {@link Distiller.restore} continues exactly (bit-identical losses on the cpu backend).
 *
 * @example
 * ```ts
 * const teacher = ResnetGenerator({ ngf: 16, nBlocks: 3, seed: 1 });
 * const student = MobileResnetGenerator({ ngf: 8, nBlocks: 3, seed: 2 });
 * const distiller = new Distiller({
 *   teacher,
 *   student,
 *   featurePairs: [['down2_relu', 'down2_relu'], ['block3', 'block3']],
 *   paired: false,
 *   losses: { recon: { type: 'l1', weight: 10 }, distill: { weight: 1 } },
 *   seed: 0,
 * });
 * const record = await distiller.trainStep(tf.randomUniform([2, 32, 32, 3], -1, 1));
 * record.total; // the weighted loss of this step
 * ```
 */
export class Distiller {
  readonly teacher: tfl.LayersModel;
  readonly student: tfl.LayersModel;
  /** The discriminator being trained, or null. */
  readonly discriminator: tfl.LayersModel | null;
  /** One mapper per feature pair (null for kernel-alignment distillation). */
  readonly mappers: readonly (FeatureMapper | null)[];
  readonly featurePairs: readonly [string, string][];
  readonly paired: boolean;
  readonly losses: ResolvedLosses;
  readonly sampler: SubnetSampler | null;
  readonly clipGradNorm: number | null;
  readonly seed: number;
  /** The optimizers: the generator's (student and mappers) and the discriminator's. */
  readonly optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer | null };
  /** @internal */
  readonly options: DistillerOptions;
  private stepCount = 0;
  private rng: Random;
  private readonly parts: StepParts;
  private readonly owned: { optimizers: tf.Optimizer[]; discriminator: boolean };
  private teacherKey: Promise<string> | null = null;
  private disposed = false;

  constructor(options: DistillerOptions) {
    checkOptions(options);
    this.options = options;
    this.teacher = options.teacher;
    this.student = options.student;
    this.paired = options.paired;
    this.seed = options.seed;
    this.sampler = options.sampler ?? null;
    this.clipGradNorm = options.clipGradNorm ?? null;
    const pairs = (options.featurePairs ?? []).map(([t, s]) => [t, s] as [string, string]);
    this.featurePairs = pairs;
    checkPairNames(this.teacher, this.student, pairs);
    this.losses = resolveLosses(options.losses, pairs.length, options.discriminator !== undefined);
    if (this.losses.output != null && !this.paired)
      throw new ConfigError(
        'options.losses.output',
        options.losses.output,
        "nothing with paired: false (recon already reconstructs the teacher's output)",
      );
    const runner = new TeacherRunner(
      'options.teacher',
      this.teacher,
      'options.featurePairs',
      unique(pairs.map((p) => p[0])),
    );
    const ts = runner.outputShape;
    const ss = (this.student.outputs[0] as tfl.SymbolicTensor).shape;
    if (ts.length !== ss.length || ts.some((d, i) => i > 0 && d != null && ss[i] != null && d !== ss[i]))
      throw new ShapeError(
        'options.student output',
        [...ss],
        `the teacher's output shape [${ts.join(',')}] (the student learns to produce it)`,
      );
    const supernet = this.sampler != null || getElasticLayers(this.student).length > 0;
    const setup = setupPairs(
      runner.featureShapes,
      this.student,
      pairs,
      this.losses.distill?.type === 'ka',
      supernet,
      this.seed + 1000,
    );
    this.mappers = setup.mappers;

    const created: tf.Optimizer[] = [];
    const adam = (): tf.Optimizer => {
      const o = tf.train.adam(2e-4, 0.5, 0.999);
      created.push(o);
      return o;
    };
    this.discriminator = this.buildDiscriminator(options);
    this.owned = {
      optimizers: created,
      discriminator: this.discriminator != null && !(options.discriminator instanceof tfl.LayersModel),
    };
    this.optimizers = {
      generator: options.optimizers?.generator ?? adam(),
      discriminator: this.discriminator == null ? null : (options.optimizers?.discriminator ?? adam()),
    };
    const mapperVars = setup.mappers.flatMap((m) => (m == null ? [] : variablesOf(m.trainableWeights)));
    this.parts = {
      runner,
      studentTap: setup.studentTap,
      pairs,
      studentIndex: setup.studentIndex,
      mappers: setup.mappers,
      paired: this.paired,
      losses: this.losses,
      gan: this.losses.gan == null ? null : ganLoss(this.losses.gan.type),
      perceptual:
        this.losses.perceptual == null
          ? null
          : perceptualLoss(this.losses.perceptual.extractor, {
              layers: this.losses.perceptual.layers,
              ...(this.losses.perceptual.weights === undefined ? {} : { weights: this.losses.perceptual.weights }),
              ...(this.losses.perceptual.norm === undefined ? {} : { norm: this.losses.perceptual.norm }),
            }),
      discriminator: this.discriminator,
      generatorVars: [...variablesOf(this.student.trainableWeights), ...mapperVars],
      discriminatorVars: this.discriminator == null ? [] : variablesOf(this.discriminator.trainableWeights),
      generatorOptimizer: this.optimizers.generator,
      discriminatorOptimizer: this.optimizers.discriminator,
      clipGradNorm: this.clipGradNorm,
    };
    this.rng = new Random(this.seed);
  }

  /** The given discriminator (its input channels checked) or a fresh PatchGAN. */
  private buildDiscriminator(options: DistillerOptions): tfl.LayersModel | null {
    const d = options.discriminator;
    if (d === undefined) return null;
    const outC = channelsOf(this.student);
    const inC = (this.student.inputs[0] as tfl.SymbolicTensor).shape[3] ?? null;
    const conditional = this.losses.gan?.conditional === true;
    const expected = outC == null || (conditional && inC == null) ? null : outC + (conditional ? (inC as number) : 0);
    if (d instanceof tfl.LayersModel) {
      const got = (d.inputs[0] as tfl.SymbolicTensor).shape;
      if (d.inputs.length !== 1 || (expected != null && got[3] != null && got[3] !== expected))
        throw new ShapeError(
          'options.discriminator input',
          [...got],
          `${expected} channels (the student's output${conditional ? ' after its input, options.losses.gan.conditional' : ''})`,
        );
      return d;
    }
    if (expected == null)
      throw new ConfigError(
        'options.student',
        'unknown channel counts',
        'known input and output channels to build a discriminator',
      );
    return PatchGanDiscriminator({ ...d, inputChannels: expected, seed: this.seed + 2000 });
  }

  /** Steps done (the index of the next step). */
  get step(): number {
    return this.stepCount;
  }

  /** The state of the Distiller's random generator (augmentation draws), for checkpoints. */
  get randomState(): ReturnType<Random['getState']> {
    return this.rng.getState();
  }

  /**
   * One training step on `batch`: an input tensor, or `{ input, target?, teacher? }` (`target`
   * is required when paired; `teacher` holds a {@link TeacherCache}'s results). Returns every
   * loss term, the total and the gradient norms. A step that throws (a bad batch, a sub-network
   * the student refuses) changes nothing: step, random and sampler state are as before.
   *
   * @throws {@link ConfigError} for a batch without the target paired training needs, a missing
   *   cached feature, or a sampler config the student refuses; {@link ShapeError} when the
   *   student's output or a paired feature does not match the teacher's.
   */
  async trainStep(batch: BatchLike): Promise<StepRecord> {
    this.assertLive();
    const b = toBatch('batch', batch);
    if (this.paired && b.target == null)
      throw new ConfigError('batch.target', undefined, 'the ground truth (options.paired is true)');
    const step = this.stepCount;
    const rngState = this.rng.getState();
    const samplerState = this.sampler?.getState();
    let config: SubnetConfig | undefined;
    try {
      if (this.sampler != null) {
        config = this.sampler.next(step);
        try {
          checkSubnet(this.student, config);
        } catch (e) {
          throw new ConfigError(
            `options.sampler.next(${step})`,
            config,
            `a sub-network the student accepts (${(e as Error).message})`,
          );
        }
      }
      const seed = this.rng.nextUint32();
      const record = await withSubnet(this.student, config, () => distillStep(this.parts, b, step, seed));
      if (config != null) record.subnet = config;
      this.stepCount++;
      return record;
    } catch (e) {
      this.rng = Random.fromState(rngState);
      if (samplerState != null) this.sampler?.setState(samplerState);
      throw e;
    }
  }

  /**
   * Trains on `data` — an array of batches (step k uses `data[k mod length]`, so a restored run
   * reads the same batches), a {@link TeacherCache} (likewise, by index), a tf.data.Dataset or an
   * (async) iterable (read in order, restarted when it ends). Calls `onStep` after every step,
   * `onLog` every `logEvery` steps with the means since the last log, and saves a checkpoint to
   * `checkpointDir` every `checkpointEvery` steps and at the end (`onCheckpoint`). Batches from
   * arrays are the caller's; batches a cache, dataset or iterable yields are disposed after their step.
   */
  async fit(data: DataSource<BatchLike> | TeacherCache, options: FitOptions = {}): Promise<FitResult> {
    this.assertLive();
    if (data instanceof TeacherCache) {
      const key = await this.teacherDigest();
      if (data.key !== key)
        throw new ConfigError(
          'data',
          `a TeacherCache of teacher ${data.key.slice(0, 12)}…`,
          `a cache of this teacher (${key.slice(0, 12)}…)`,
        );
      const missing = unique(this.featurePairs.map((p) => p[0])).filter((f) => !data.features.includes(f));
      if (missing.length > 0)
        throw new ConfigError(
          'data',
          `a TeacherCache of features ${JSON.stringify(data.features)}`,
          `one holding the paired teacher features ${JSON.stringify(missing)}`,
        );
    }
    return runFit(this, data, options);
  }

  /** Digest of the teacher (architecture and weights), computed once. */
  teacherDigest(): Promise<string> {
    this.teacherKey ??= digestModel(this.teacher);
    return this.teacherKey;
  }

  /**
   * Saves everything needed to continue training into `dir` (Node): the student, the mappers and
   * the discriminator through `fileSystem` (the optimizers' state in their files' `optimizer`
   * weight group), and `checkpoint.json` — written atomically, last — with the step, the options,
   * the teacher's digest, the sampler's and the random state. Each checkpoint's files go to a
   * new `step-N` folder that `checkpoint.json` names; older ones are removed after it is written.
   */
  async saveCheckpoint(dir: string): Promise<CheckpointInfo> {
    this.assertLive();
    return saveCheckpoint(this, dir, { rng: this.rng.getState() });
  }

  /**
   * A Distiller continuing the checkpoint in `dir` (from {@link Distiller.saveCheckpoint}): pass
   * the teacher (its digest must match), the sampler if there was one (its state is restored),
   * the perceptual extractor if the losses had one, and optionally a student or discriminator
   * model to load the weights into (else they are loaded from the checkpoint) and optimizers.
   *
   * @throws {@link ConfigError} for a teacher, student or sampler other than the checkpoint's;
   *   {@link ModelFileError} for a missing or corrupt file.
   */
  static async restore(dir: string, options: RestoreOptions): Promise<Distiller> {
    return loadCheckpoint(dir, options, (o, state) => {
      const d = new Distiller(o);
      d.stepCount = state.step;
      d.rng = Random.fromState(state.rng);
      return d;
    });
  }

  /** Frees what the Distiller created: mappers, default optimizers, a discriminator it built. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // a mapper applied to tensors only was never 'used' symbolically, so Layer.dispose refuses it
    for (const m of this.mappers) for (const w of m?.weights ?? []) w.dispose();
    for (const o of this.owned.optimizers) o.dispose();
    if (this.owned.discriminator) this.discriminator?.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new ConfigError('distiller', 'a disposed Distiller', 'a live one');
  }
}
