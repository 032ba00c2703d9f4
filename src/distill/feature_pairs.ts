import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue, ShapeError } from '../util/index.js';
import { flattenModel } from '../graph/index.js';
import { FeatureMapper } from './feature_mapper.js';
import { buildTap } from './tap_layers.js';

/** The student side of the distillation: the tapped student and one mapper per feature pair. */
export interface PairSetup {
  /** The student's output followed by its paired features, each layer once (the student itself without pairs). */
  studentTap: tfl.LayersModel;
  /** For each pair, the index of its student feature among `studentTap`'s outputs after the first. */
  studentIndex: number[];
  /** One per pair (null for kernel alignment, which needs none). */
  mappers: (FeatureMapper | null)[];
}

/** Each name once, in order of first appearance. */
export const unique = (names: readonly string[]): string[] => [...new Set(names)];

/** The names a layer of `model` can be tapped by: plain, and 'nested/layer' inside nested models. */
function layerNames(model: tfl.LayersModel): Set<string> {
  const names = new Set<string>();
  for (const n of flattenModel(model).nodes) {
    names.add(n.layer.name);
    names.add(`${n.path}${n.layer.name}`);
  }
  return names;
}

/** Throws a ConfigError naming the first pair whose teacher or student layer does not exist. */
export function checkPairNames(
  teacher: tfl.LayersModel,
  student: tfl.LayersModel,
  pairs: readonly [string, string][],
): void {
  const teacherNames = layerNames(teacher);
  const studentNames = layerNames(student);
  const label = (i: number): string => `options.featurePairs[${i}]`;
  pairs.forEach(([t, s], i) => {
    if (!teacherNames.has(t))
      throw new ConfigError(
        `${label(i)}[0]`,
        t,
        `a layer of the teacher '${teacher.name}' (layers: ${describeValue([...teacherNames])})`,
      );
    if (!studentNames.has(s))
      throw new ConfigError(
        `${label(i)}[1]`,
        s,
        `a layer of the student '${student.name}' (layers: ${describeValue([...studentNames])})`,
      );
  });
}

/**
 * Builds the student tap and the mappers (student width → teacher width, from the two symbolic
 * shapes, checked: spatial sizes where known; slicing their input side when the student is a
 * supernet). `teacherShapes` are the teacher features' symbolic shapes by layer name.
 */
export function setupPairs(
  teacherShapes: ReadonlyMap<string, readonly (number | null)[]>,
  student: tfl.LayersModel,
  pairs: readonly [string, string][],
  kernelAlignment: boolean,
  sliceInput: boolean,
  seed: number,
): PairSetup {
  const label = (i: number): string => `options.featurePairs[${i}]`;
  const studentNames = unique(pairs.map((p) => p[1]));
  const studentTap =
    pairs.length === 0 ? student : buildTap('options.student', student, 'options.featurePairs', studentNames, true);
  const studentIndex = pairs.map((p) => studentNames.indexOf(p[1]));
  const mappers = pairs.map(([t, s], i) => {
    const ts = [...(teacherShapes.get(t) ?? [])];
    const ss = [...(studentTap.outputs[1 + (studentIndex[i] as number)] as tfl.SymbolicTensor).shape];
    if (kernelAlignment) return null; // batch Gram matrices: any widths and sizes
    try {
      const mapper = FeatureMapper.fromShapes(ss, ts, { name: `distill_mapper_${i}`, sliceInput, seed: seed + 2 * i });
      // Built by a symbolic call, so that its weights are named '<mapper>/kernel' (tfjs names them
      // in the layer's scope only there), as a saved mapper model needs.
      mapper.apply(tfl.input({ shape: [ss[1] ?? null, ss[2] ?? null, ss[3] ?? null] }));
      return mapper;
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ShapeError(
        `${label(i)} ('${t}' ↔ '${s}')`,
        ss,
        `a student feature that maps onto the teacher's [${ts.join(',')}]: NHWC with known channels and the same ` +
          `height and width (${e.message})`,
      );
    }
  });
  return { studentTap, studentIndex, mappers };
}
