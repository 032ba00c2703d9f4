import * as tfl from '@tensorflow/tfjs-layers';
import { SelectStyle } from '../../layers/modulated/select_style.js';
import type { StyleMode } from './options.js';

/**
 * Hands out the style each layer reads: the W input itself, or (W+) row `i` of the styles, one
 * {@link SelectStyle} layer (`style_w<i>`) per row used.
 */
export class StyleRows {
  private readonly rows = new Map<number, tfl.SymbolicTensor>();
  constructor(
    private readonly input: tfl.SymbolicTensor,
    private readonly mode: StyleMode,
  ) {}

  /** The style of W+ row `index`. */
  row(index: number): tfl.SymbolicTensor {
    if (this.mode === 'w') return this.input;
    let r = this.rows.get(index);
    if (r == null) {
      r = new SelectStyle({ name: `style_w${index}`, index }).apply(this.input) as tfl.SymbolicTensor;
      this.rows.set(index, r);
    }
    return r;
  }
}

/** A per-layer seed source: every layer gets its own stream, 8 apart (layers use seed … seed + 4). */
export class LayerSeeds {
  private next: number;
  constructor(seed: number) {
    this.next = seed * 1009;
  }
  /** The next layer's seed. */
  take(): number {
    const s = this.next;
    this.next += 8;
    return s;
  }
}
