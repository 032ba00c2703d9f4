import * as tfl from '@tensorflow/tfjs-layers';
import { ConstantInput } from '../../layers/modulated/index.js';
import { SelectStyle } from '../../layers/modulated/index.js';
import type { ResolvedSynthesisOptions } from './options.js';

type ST = tfl.SymbolicTensor;

/**
 * What the synthesis networks share while they are built: the style input (W or W+), the style
 * each layer reads, per-layer seeds and the learned constant.
 */
export class SynthesisBuilder {
  /** The model's style input: `[N, styleDim]` (W) or `[N, numStyles, styleDim]` (W+). */
  readonly styleInput: ST;
  private readonly rows = new Map<number, ST>();
  private nextSeed: number;

  constructor(
    private readonly o: ResolvedSynthesisOptions,
    numStyles: number,
  ) {
    this.styleInput = tfl.input({
      shape: o.styleMode === 'w' ? [o.styleDim] : [numStyles, o.styleDim],
      name: `${o.name}_style`,
    });
    this.nextSeed = o.seed * 1009;
  }

  /** The style of W+ row `index` (one `SelectStyle` layer `style_w<i>` per row used), or W itself. */
  style(index: number): ST {
    if (this.o.styleMode === 'w') return this.styleInput;
    let r = this.rows.get(index);
    if (r == null) {
      r = this.apply(new SelectStyle({ name: `style_w${index}`, index }), this.styleInput);
      this.rows.set(index, r);
    }
    return r;
  }

  /** The next layer's seed: each layer gets its own stream, 8 apart (a layer uses seed … seed + 4). */
  seed(): number {
    const s = this.nextSeed;
    this.nextSeed += 8;
    return s;
  }

  /** Applies `layer` to symbolic inputs. */
  apply(layer: tfl.layers.Layer, inputs: ST | ST[]): ST {
    return layer.apply(inputs) as ST;
  }

  /** The learned 4×4 constant with the first width, repeated over the style's batch (`const_input`). */
  constant(): ST {
    return this.apply(
      new ConstantInput({ name: 'const_input', channels: this.o.channels[0] as number, seed: this.seed() }),
      this.styleInput,
    );
  }
}
