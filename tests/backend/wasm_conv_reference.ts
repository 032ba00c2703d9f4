/**
 * Slow reference convolutions for the wasm kernel tests, written from the definition
 * y[b,oy,ox,o] = Σ x[b, oy·sH + i·dH − top, ox·sW + j·dW − left, ci] · w[i,j,ci,·] (zero outside
 * the input), in float64. The gradients are the exact adjoints of that sum. Used where the cpu
 * backend cannot serve as reference: its depthwise backprop kernels ignore dilations.
 */

/** Geometry of one test convolution (NHWC, tfjs filter layouts). */
export interface RefConv {
  xShape: [number, number, number, number];
  /** [kH, kW, Ci, Co] for a conv, [kH, kW, C, M] for a depthwise conv. */
  wShape: [number, number, number, number];
  depthwise: boolean;
  strides: [number, number];
  dilations: [number, number];
  top: number;
  left: number;
  outH: number;
  outW: number;
}

function outChannels(c: RefConv): number {
  return c.depthwise ? c.wShape[2] * c.wShape[3] : c.wShape[3];
}

/**
 * Calls `visit(xIndex, wIndex, yIndex)` for every product of the forward sum (indices into the
 * flat NHWC / filter / output arrays).
 */
function forEachProduct(c: RefConv, visit: (xi: number, wi: number, yi: number) => void): void {
  const [b, h, w, ci] = c.xShape;
  const [kh, kw, , wLast] = c.wShape;
  const co = outChannels(c);
  for (let n = 0; n < b; n++) {
    for (let oy = 0; oy < c.outH; oy++) {
      for (let ox = 0; ox < c.outW; ox++) {
        for (let i = 0; i < kh; i++) {
          const y = oy * c.strides[0] + i * c.dilations[0] - c.top;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const x = ox * c.strides[1] + j * c.dilations[1] - c.left;
            if (x < 0 || x >= w) continue;
            const xBase = ((n * h + y) * w + x) * ci;
            const yBase = ((n * c.outH + oy) * c.outW + ox) * co;
            for (let ch = 0; ch < ci; ch++) {
              for (let o = 0; o < wLast; o++) {
                const wi = ((i * kw + j) * ci + ch) * wLast + o;
                visit(xBase + ch, wi, yBase + (c.depthwise ? ch * wLast + o : o));
              }
            }
          }
        }
      }
    }
  }
}

/** Forward output of the reference conv. */
export function refForward(c: RefConv, x: Float32Array, w: Float32Array): Float64Array {
  const y = new Float64Array(c.xShape[0] * c.outH * c.outW * outChannels(c));
  forEachProduct(c, (xi, wi, yi) => {
    y[yi] = (y[yi] as number) + (x[xi] as number) * (w[wi] as number);
  });
  return y;
}

/** Gradients of Σ dy·y with respect to x and w. */
export function refGradients(
  c: RefConv,
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  forEachProduct(c, (xi, wi, yi) => {
    dx[xi] = (dx[xi] as number) + (w[wi] as number) * (dy[yi] as number);
    dw[wi] = (dw[wi] as number) + (x[xi] as number) * (dy[yi] as number);
  });
  return { dx, dw };
}
