import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import type { TeacherOutputs } from './batch.js';
import { buildTap } from './tap_layers.js';

/**
 * Runs a frozen teacher: its output and the named features, in inference mode, outside any
 * gradient tape. The Distiller and {@link cacheTeacher} both run the teacher through this, so a
 * cached batch holds exactly what a live step computes.
 */
export class TeacherRunner {
  readonly features: readonly string[];
  /** The symbolic shape of each feature, by layer name. */
  readonly featureShapes: ReadonlyMap<string, readonly (number | null)[]>;
  private readonly model: tfl.LayersModel;

  constructor(argument: string, teacher: tfl.LayersModel, featuresArg: string, features: readonly string[]) {
    if (!(teacher instanceof tfl.LayersModel)) throw new ConfigError(argument, teacher, 'a tf.LayersModel');
    if (teacher.outputs.length !== 1)
      throw new ConfigError(argument, `a model with ${teacher.outputs.length} outputs`, 'a model with one output');
    this.features = [...features];
    this.model = features.length === 0 ? teacher : buildTap(argument, teacher, featuresArg, features, true);
    this.featureShapes = new Map(
      this.features.map((name, i) => [name, [...(this.model.outputs[i + 1] as tfl.SymbolicTensor).shape]]),
    );
  }

  /** The teacher's output shape (symbolic). */
  get outputShape(): readonly (number | null)[] {
    return (this.model.outputs[0] as tfl.SymbolicTensor).shape;
  }

  /** The teacher's output and features for `input` (new tensors, owned by the caller). */
  run(input: tf.Tensor): TeacherOutputs {
    const out = tf.tidy(() => {
      const y = this.model.apply(input, { training: false }) as tf.Tensor | tf.Tensor[];
      return Array.isArray(y) ? y : [y];
    });
    const features: Record<string, tf.Tensor> = {};
    this.features.forEach((name, i) => (features[name] = out[i + 1] as tf.Tensor));
    return { output: out[0] as tf.Tensor, features };
  }
}
