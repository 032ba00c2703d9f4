import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import { assertOneOf } from '../util/index.js';
import type { ChannelPermutable } from '../layers/core/index.js';
import { isElasticLayer } from '../layers/core/index.js';
import { expandPermutation } from '../layers/core/index.js';
import { channelGraph, type ChannelLink, type ChannelSpace, type SpaceMember } from '../graph/index.js';

/** Options of {@link sortChannelsByImportance}. */
export interface SortChannelsOptions {
  /**
   * How a channel's importance is measured (summed over tied layers):
   * - `'producer'` (default, GAN Compression): L1 norm of the producing layers' output filter;
   * - `'consumer'` (OFA's re_organize_middle_weights): L1 norm of the consuming layers' weights
   *   on that input channel.
   */
  importance?: 'producer' | 'consumer';
}

/** What {@link sortChannelsByImportance} did, per channel space (named by its producers). */
export interface SortReport {
  /** Re-ordered spaces: `permutation[i]` is the old index of the channel now at `i`. */
  sorted: { layers: string[]; width: number; permutation: number[] }[];
  /** Spaces with an elastic producer that were left alone, and why. */
  skipped: { layers: string[]; reason: string }[];
}

/**
 * Re-orders channels by importance so that the first-k slices an elastic layer runs hold its most
 * important channels, without changing what the full network computes. For every channel space
 * written by an elastic layer — tied producers (residual adds) share one permutation, with the
 * importance summed over them — it permutes the producers' output filters and biases, every
 * consumer's input channels, and every per-channel parameter on the way (elastic and built-in
 * batch norm with running statistics, instance norm, depthwise convs, including built-in
 * Conv2D / Dense / DepthwiseConv2D / SeparableConv2D / Conv2DTranspose / BatchNormalization);
 * activations, pads, crops, pooling, up-sampling and dropout pass channels through.
 *
 * Spaces are left alone (and reported) when they reach a model input or output, a layer with no
 * known channel behaviour, or a layer that does not implement `ChannelPermutable`. `groups` ties
 * the outputs of further layers (by name) that the graph does not show as tied.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 }); // trained
 * const report = sortChannelsByImportance(supernet);
 * report.sorted.forEach((s) => console.log(s.layers.join('+'), s.permutation.slice(0, 8)));
 * ```
 */
export function sortChannelsByImportance(
  model: tfl.LayersModel,
  groups: string[][] = [],
  options: SortChannelsOptions = {},
): SortReport {
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.every((n) => typeof n === 'string'))) {
    throw new ConfigError('groups', groups, 'an array of arrays of layer names');
  }
  const importance = options.importance ?? 'producer';
  assertOneOf('options.importance', importance, ['producer', 'consumer'] as const);
  const cg = channelGraph(model, groups);
  const report: SortReport = { sorted: [], skipped: [] };
  for (const space of cg.spaces) {
    if (!space.producers.some((p) => isElasticLayer(p.layer))) continue;
    const layers = space.producers.map((p) => p.layer.name);
    const reason =
      space.parent == null
        ? whyNot(space)
        : `its channels are also the output of layer '${space.parent.layer}', which derives them from its input's channels: they can only move with those`;
    if (reason != null) {
      report.skipped.push({ layers, reason });
      continue;
    }
    const width = space.width as number;
    const scores = importance === 'producer' ? producerImportance(space, width) : consumerImportance(space, width);
    const permutation = Array.from({ length: width }, (_, i) => i).sort(
      (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
    );
    apply(space, permutation, true);
    report.sorted.push({ layers, width, permutation });
  }
  return report;
}

function members(space: ChannelSpace): SpaceMember[] {
  return [
    ...space.producers,
    ...space.consumers,
    ...space.followers,
    ...space.derived.flatMap((d) => members(d.space)),
  ];
}

function whyNot(space: ChannelSpace): string | null {
  if (space.fixed.length > 0) return `its channels are fixed by ${space.fixed.join('; ')}`;
  if (space.width == null) return 'its width is unknown';
  const stuck = members(space).find((m) => m.permutable == null);
  if (stuck != null) return `layer '${stuck.layer.name}' does not implement ChannelPermutable`;
  const grouped = divisorLink(space);
  if (grouped != null)
    return `layer '${grouped.layer}' combines these channels in groups of ${grouped.divisor} (its output channel i reads ${grouped.divisor} of them), and channels are not sorted across such a layer`;
  const derivedProducer = space.derived.find((d) => d.space.producers.length > 0);
  if (derivedProducer != null)
    return `a depthwise-expanded copy of these channels is tied to layer '${derivedProducer.space.producers[0]?.layer.name}'`;
  return null;
}

/** The first link with a divisor among the spaces derived from `space`. */
function divisorLink(space: ChannelSpace): ChannelLink | null {
  for (const d of space.derived) {
    const found = d.divisor > 1 ? d : divisorLink(d.space);
    if (found != null) return found;
  }
  return null;
}

function check(scores: Float32Array, width: number, layer: string): Float32Array {
  if (scores.length !== width)
    throw new ConfigError(
      `layer '${layer}' importance`,
      `${scores.length} values`,
      `${width} (the width of its channel space)`,
    );
  return scores;
}

function producerImportance(space: ChannelSpace, width: number): Float64Array {
  const total = new Float64Array(width);
  for (const p of space.producers) {
    const permutable = p.permutable as ChannelPermutable;
    if (permutable.outputChannelImportance == null)
      throw new ConfigError(
        `layer '${p.layer.name}'`,
        'no outputChannelImportance',
        'a producer implementing outputChannelImportance',
      );
    check(permutable.outputChannelImportance(), width, p.layer.name).forEach((v, i) => (total[i]! += v));
  }
  return total;
}

function consumerImportance(space: ChannelSpace, width: number, block = 1): Float64Array {
  const total = new Float64Array(width);
  for (const c of space.consumers) {
    const permutable = c.permutable as ChannelPermutable;
    if (permutable.inputChannelImportance == null)
      throw new ConfigError(
        `layer '${c.layer.name}'`,
        'no inputChannelImportance',
        'a consumer implementing inputChannelImportance',
      );
    check(permutable.inputChannelImportance(), width * block, c.layer.name).forEach(
      (v, i) => (total[Math.floor(i / block)]! += v),
    );
  }
  for (const d of space.derived)
    consumerImportance(d.space, width, block * d.multiplier).forEach((v, i) => (total[i]! += v));
  return total;
}

function apply(space: ChannelSpace, perm: number[], root: boolean): void {
  if (root) for (const p of space.producers) p.permutable?.permuteOutputChannels?.(perm);
  for (const m of [...space.consumers, ...space.followers]) m.permutable?.permuteInputChannels(perm);
  for (const d of space.derived) apply(d.space, expandPermutation(perm, d.multiplier), false);
}
