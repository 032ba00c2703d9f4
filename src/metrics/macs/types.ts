import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerShape, MacConvention } from '../../layers/core/index.js';
import type { SubnetConfig } from '../../graph/index.js';

/** One layer call in a {@link MacCount}, in graph (topological) order. */
export interface LayerMacs {
  /**
   * The layer's name. Layers inside a nested model are prefixed with the nested model's name
   * and a slash (`'encoder/conv1'`). A layer applied several times appears once per call.
   */
  name: string;
  /** The layer's `className` (`'Conv2D'`, `'OnceForAllConv'`, ...). */
  className: string;
  /** Multiply-accumulates of this call (batch included); `NaN` when the layer is in `uncounted`. */
  macs: number;
  /** The output shape this call really produces (the active width for elastic layers). */
  outputShape: LayerShape | LayerShape[];
}

/** What {@link countMacs} returns. */
export interface MacCount {
  /** Sum of `macs` over the counted layers (the layers in `uncounted` are left out). */
  total: number;
  /** Every layer call that computes or reshapes, in graph order (input layers are omitted). */
  perLayer: LayerMacs[];
  /**
   * Names of the layers the counter could not count (no rule, no `computeCost`, no custom
   * counter). Empty when `total` covers the whole network.
   */
  uncounted: string[];
}

/** What a {@link CustomCounter} returns for one layer call. */
export interface CustomCount {
  /** Multiply-accumulates of the call, batch included (a finite number ≥ 0). */
  macs: number;
  /**
   * The output shape(s) the call produces. Defaults to `layer.computeOutputShape(inputShape)`;
   * give it when that method is wrong or missing for your layer.
   */
  outputShape?: LayerShape | LayerShape[];
}

/**
 * Counts one call of a layer the library does not know. `inputShapes` always holds one shape
 * per input tensor (batch first, fully known).
 */
export type CustomCounter = (
  layer: tfl.layers.Layer,
  inputShapes: LayerShape[],
  convention: MacConvention,
) => CustomCount;

/** Options of {@link countMacs}. */
export interface CountMacsOptions {
  /** `'torchprofile'` (default: torchprofile 0.0.1's rules, as the papers report) or `'exact'`. */
  convention?: MacConvention;
  /**
   * Count a supernet at this sub-network (a `setSubnet` config, e.g. from
   * `resnetConfigFromString`) without changing its state: the config is applied, the network
   * counted, and every elastic layer's previous setting restored.
   */
  subnet?: SubnetConfig;
  /**
   * Counters for layers this library has no rule for, keyed by `className`. They take
   * precedence over every built-in rule and over a layer's own `computeCost`.
   */
  customCounters?: Record<string, CustomCounter>;
}

/** Options of {@link countParams}. */
export interface CountParamsOptions {
  /** Count a supernet at this sub-network without changing its state (see {@link CountMacsOptions.subnet}). */
  subnet?: SubnetConfig;
}
