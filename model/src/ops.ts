/**
 * The forward and backward passes of each layer kind, on one sample, over plain typed arrays.
 * Layout is channel-first (C×H×W), the same as ONNX's NCHW, so exported weights need no reordering.
 * Gradients are accumulated (`+=`) so a batch sums into one buffer.
 *
 * Loop order puts the long spatial loops innermost; V8 turns these into tight float64 loops.
 */

export type Vec = Float64Array;

export interface ConvGeometry {
  inC: number;
  inH: number;
  inW: number;
  outC: number;
  outH: number;
  outW: number;
  k: number;
  stride: number;
  pad: number;
}

/** Copies `src` (C×H×W) into `dst` (C×(H+2p)×(W+2p)), zero borders. `dst` must be zeroed at the borders. */
export function padInto(src: Vec, dst: Vec, c: number, h: number, w: number, p: number): void {
  const pw = w + 2 * p;
  const ph = h + 2 * p;
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      const s = (ch * h + y) * w;
      const d = (ch * ph + y + p) * pw + p;
      for (let x = 0; x < w; x++) dst[d + x] = src[s + x];
    }
  }
}

/**
 * im2col in both layouts: `col[r][p]` and `colT[p][r]`, where r = (c·k+ky)·k+kx indexes the kernel
 * window and p = y·outW+x the output position; the value is in[c, y·s+ky, x·s+kx] of the padded
 * input. A convolution then becomes dot products over contiguous memory, the fastest loops in JS.
 */
export function im2col(inPad: Vec, col: Vec, colT: Vec, g: ConvGeometry): void {
  const { inC, outH, outW, k, stride } = g;
  const pw = g.inW + 2 * g.pad;
  const ph = g.inH + 2 * g.pad;
  const plane = outH * outW;
  const rows = inC * k * k;
  let r = 0;
  for (let c = 0; c < inC; c++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++, r++) {
        const rb = r * plane;
        for (let y = 0; y < outH; y++) {
          const ib = (c * ph + y * stride + ky) * pw + kx;
          const p0 = y * outW;
          for (let x = 0; x < outW; x++) {
            const v = inPad[ib + x * stride];
            col[rb + p0 + x] = v;
            colT[(p0 + x) * rows + r] = v;
          }
        }
      }
    }
  }
}

/** Σ a[ai..ai+n) · b[bi..bi+n), unrolled by four. */
export function dot(a: Vec, ai: number, b: Vec, bi: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[ai + i] * b[bi + i];
    s1 += a[ai + i + 1] * b[bi + i + 1];
    s2 += a[ai + i + 2] * b[bi + i + 2];
    s3 += a[ai + i + 3] * b[bi + i + 3];
  }
  for (; i < n; i++) s0 += a[ai + i] * b[bi + i];
  return s0 + s1 + s2 + s3;
}

/** y[yi..yi+n) += alpha · x[xi..xi+n), unrolled by four. */
export function axpy(alpha: number, x: Vec, xi: number, y: Vec, yi: number, n: number): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    y[yi + i] += alpha * x[xi + i];
    y[yi + i + 1] += alpha * x[xi + i + 1];
    y[yi + i + 2] += alpha * x[xi + i + 2];
    y[yi + i + 3] += alpha * x[xi + i + 3];
  }
  for (; i < n; i++) y[yi + i] += alpha * x[xi + i];
}

/** out[o,p] = bias[o] + W[o,:] · colT[p,:] (W stored [outC, inC·k·k], ONNX's layout flattened). */
export function convForward(
  colT: Vec,
  params: Vec,
  wOff: number,
  bOff: number,
  out: Vec,
  g: ConvGeometry,
): void {
  const plane = g.outH * g.outW;
  const rows = g.inC * g.k * g.k;
  for (let o = 0; o < g.outC; o++) {
    const ob = o * plane;
    const bias = params[bOff + o];
    const wb = wOff + o * rows;
    for (let p = 0; p < plane; p++) out[ob + p] = bias + dot(params, wb, colT, p * rows, rows);
  }
}

/**
 * Accumulates dL/dW and dL/db into `grads` and, when `gInPad` is given, writes dL/d(padded input)
 * into it (via `gColT`, a scratch buffer the size of `colT`).
 */
export function convBackward(
  col: Vec,
  params: Vec,
  grads: Vec,
  wOff: number,
  bOff: number,
  gOut: Vec,
  gColT: Vec,
  gInPad: Vec | null,
  g: ConvGeometry,
): void {
  const plane = g.outH * g.outW;
  const rows = g.inC * g.k * g.k;
  for (let o = 0; o < g.outC; o++) {
    const ob = o * plane;
    let gb = 0;
    for (let p = 0; p < plane; p++) gb += gOut[ob + p];
    grads[bOff + o] += gb;
    const wb = wOff + o * rows;
    for (let r = 0; r < rows; r++) grads[wb + r] += dot(gOut, ob, col, r * plane, plane);
  }
  if (!gInPad) return;
  gColT.fill(0, 0, rows * plane);
  for (let p = 0; p < plane; p++) {
    for (let o = 0; o < g.outC; o++) {
      const go = gOut[o * plane + p];
      if (go !== 0) axpy(go, params, wOff + o * rows, gColT, p * rows, rows);
    }
  }
  // col2im: scatter-add each window entry back to the input position it was read from
  const { inC, outH, outW, k, stride } = g;
  const pw = g.inW + 2 * g.pad;
  const ph = g.inH + 2 * g.pad;
  gInPad.fill(0);
  let r = 0;
  for (let c = 0; c < inC; c++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++, r++) {
        for (let y = 0; y < outH; y++) {
          const ib = (c * ph + y * stride + ky) * pw + kx;
          const p0 = y * outW;
          for (let x = 0; x < outW; x++) gInPad[ib + x * stride] += gColT[(p0 + x) * rows + r];
        }
      }
    }
  }
}

/** Copies the interior of a padded gradient back to an unpadded one (C×H×W). */
export function unpadInto(srcPad: Vec, dst: Vec, c: number, h: number, w: number, p: number): void {
  const pw = w + 2 * p;
  const ph = h + 2 * p;
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      const s = (ch * ph + y + p) * pw + p;
      const d = (ch * h + y) * w;
      for (let x = 0; x < w; x++) dst[d + x] = srcPad[s + x];
    }
  }
}

export function reluForward(input: Vec, out: Vec, n: number): void {
  for (let i = 0; i < n; i++) out[i] = input[i] > 0 ? input[i] : 0;
}

/** gIn = gOut where the input was positive (ONNX's Relu has derivative 0 at 0). */
export function reluBackward(input: Vec, gOut: Vec, gIn: Vec, n: number): void {
  for (let i = 0; i < n; i++) gIn[i] = input[i] > 0 ? gOut[i] : 0;
}

export interface PoolGeometry {
  c: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  k: number;
  stride: number;
}

/** Max over each k×k window; `argmax` remembers the winning input index for the backward pass. */
export function maxPoolForward(input: Vec, out: Vec, argmax: Int32Array, g: PoolGeometry): void {
  const { c, inH, inW, outH, outW, k, stride } = g;
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        let best = -Infinity;
        let bi = 0;
        for (let ky = 0; ky < k; ky++) {
          const row = (ch * inH + y * stride + ky) * inW + x * stride;
          for (let kx = 0; kx < k; kx++) {
            const v = input[row + kx];
            // strict ">" keeps the first maximum, as onnxruntime does
            if (v > best) {
              best = v;
              bi = row + kx;
            }
          }
        }
        const oi = (ch * outH + y) * outW + x;
        out[oi] = best;
        argmax[oi] = bi;
      }
    }
  }
}

export function maxPoolBackward(
  gOut: Vec,
  argmax: Int32Array,
  gIn: Vec,
  inSize: number,
  outSize: number,
): void {
  gIn.fill(0, 0, inSize);
  for (let i = 0; i < outSize; i++) gIn[argmax[i]] += gOut[i];
}

/** out = W·x + b with W stored [units, inputs] (ONNX Gemm with transB = 1). */
export function denseForward(
  x: Vec,
  params: Vec,
  wOff: number,
  bOff: number,
  out: Vec,
  inputs: number,
  units: number,
): void {
  for (let j = 0; j < units; j++) out[j] = params[bOff + j] + dot(params, wOff + j * inputs, x, 0, inputs);
}

export function denseBackward(
  x: Vec,
  params: Vec,
  grads: Vec,
  wOff: number,
  bOff: number,
  gOut: Vec,
  gIn: Vec | null,
  inputs: number,
  units: number,
): void {
  if (gIn) gIn.fill(0, 0, inputs);
  for (let j = 0; j < units; j++) {
    const go = gOut[j];
    grads[bOff + j] += go;
    if (go === 0) continue;
    const row = wOff + j * inputs;
    axpy(go, x, 0, grads, row, inputs);
    if (gIn) axpy(go, params, row, gIn, 0, inputs);
  }
}

export function softmaxForward(logits: Vec, out: Vec, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(logits[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
}

/** Mean of each k×k window (no padding: every window lies inside the map and counts k·k values). */
export function avgPoolForward(input: Vec, out: Vec, g: PoolGeometry): void {
  const { c, inH, inW, outH, outW, k, stride } = g;
  const scale = 1 / (k * k);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        let sum = 0;
        for (let ky = 0; ky < k; ky++) {
          const row = (ch * inH + y * stride + ky) * inW + x * stride;
          for (let kx = 0; kx < k; kx++) sum += input[row + kx];
        }
        out[(ch * outH + y) * outW + x] = sum * scale;
      }
    }
  }
}

/** Each window's input gets 1/(k·k) of its output's gradient (inputs in no window get 0). */
export function avgPoolBackward(gOut: Vec, gIn: Vec, g: PoolGeometry): void {
  const { c, inH, inW, outH, outW, k, stride } = g;
  const scale = 1 / (k * k);
  gIn.fill(0, 0, c * inH * inW);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const go = gOut[(ch * outH + y) * outW + x] * scale;
        for (let ky = 0; ky < k; ky++) {
          const row = (ch * inH + y * stride + ky) * inW + x * stride;
          for (let kx = 0; kx < k; kx++) gIn[row + kx] += go;
        }
      }
    }
  }
}

/** Mean of each channel's whole map (C×H×W → C×1×1), ONNX's GlobalAveragePool. */
export function globalAvgPoolForward(input: Vec, out: Vec, c: number, plane: number): void {
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let p = 0; p < plane; p++) sum += input[ch * plane + p];
    out[ch] = sum / plane;
  }
}

export function globalAvgPoolBackward(gOut: Vec, gIn: Vec, c: number, plane: number): void {
  for (let ch = 0; ch < c; ch++) gIn.fill(gOut[ch] / plane, ch * plane, (ch + 1) * plane);
}
