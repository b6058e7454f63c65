/**
 * Where every cube goes, computed from the model's layer list alone (no Babylon here).
 *
 * Layers stand left to right along x in the plane z = 0, in the model's order, one cube per activation
 * (so the picture has exactly as many cubes as the network has activations). A feature-map layer
 * (C×H×W) tiles its C maps in a near-square grid; a vector layer (N) wraps into columns of at most
 * `VECTOR_COLUMN` cubes; a layer of ≤ 10 units is one column of larger cubes (the outputs, labelled).
 * Cubes rise out of the plane (towards +z) with the strength of their activation.
 */
import type { LayerDescription } from '../model/description.js';

export const SPACING = 1;
const MAP_GAP = 2;
const LAYER_GAP = 9;
const VECTOR_COLUMN = 12;
const OUTPUT_SPACING = 2.6;

export interface CellAddress {
  channel: number;
  /** −1 for vector layers. */
  row: number;
  col: number;
}

export interface LayerLayout {
  name: string;
  kind: LayerDescription['kind'];
  shape: number[];
  index: number;
  /** Number of cubes (= activations). */
  count: number;
  /** Cube centres in the z = 0 plane: x, y per cube. */
  xy: Float32Array;
  /** Edge length of this layer's cubes. */
  cube: number;
  /** Bounding box in the plane. */
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** Feature map geometry (C, H, W) or, for vectors, (1, N, 1). */
  channels: number;
  height: number;
  width: number;
  /** Where the maps' grid tiles go: map c starts at (tileX[c], tileY[c]) (top-left cube centre). */
  isMap: boolean;
  /** Layers of ≤ 10 units get a text label per cube (0–9 for the outputs). */
  labelled: boolean;
}

export interface NetworkLayout {
  layers: LayerLayout[];
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  total: number;
}

export function layoutNetwork(layers: readonly LayerDescription[]): NetworkLayout {
  const out: LayerLayout[] = [];
  let x = 0;
  let total = 0;
  layers.forEach((l, index) => {
    const count = l.shape.reduce((a, b) => a * b, 1);
    const isMap = l.shape.length === 3 && l.shape[1] > 1 && l.shape[2] > 1;
    const xy = new Float32Array(count * 2);
    let width: number;
    let height: number;
    let cube = SPACING * 0.86;
    const labelled = !isMap && count <= 10;
    if (isMap) {
      const [c, h, w] = l.shape;
      const cols = Math.ceil(Math.sqrt(c));
      const rows = Math.ceil(c / cols);
      width = cols * w * SPACING + (cols - 1) * MAP_GAP;
      height = rows * h * SPACING + (rows - 1) * MAP_GAP;
      for (let ch = 0; ch < c; ch++) {
        const gx = ch % cols;
        const gy = Math.floor(ch / cols);
        const ox = x + gx * (w * SPACING + MAP_GAP) + SPACING / 2;
        const oy = height / 2 - gy * (h * SPACING + MAP_GAP) - SPACING / 2;
        for (let r = 0; r < h; r++) {
          for (let q = 0; q < w; q++) {
            const i = (ch * h + r) * w + q;
            xy[2 * i] = ox + q * SPACING;
            xy[2 * i + 1] = oy - r * SPACING;
          }
        }
      }
    } else if (labelled) {
      cube = SPACING * 1.8;
      width = OUTPUT_SPACING;
      height = count * OUTPUT_SPACING;
      for (let i = 0; i < count; i++) {
        xy[2 * i] = x + OUTPUT_SPACING / 2;
        xy[2 * i + 1] = height / 2 - (i + 0.5) * OUTPUT_SPACING;
      }
    } else {
      const rows = Math.min(VECTOR_COLUMN, count);
      const cols = Math.ceil(count / rows);
      width = cols * SPACING;
      height = rows * SPACING;
      for (let i = 0; i < count; i++) {
        xy[2 * i] = x + Math.floor(i / rows) * SPACING + SPACING / 2;
        xy[2 * i + 1] = height / 2 - (i % rows) * SPACING - SPACING / 2;
      }
    }
    const [channels, h, w] = isMap ? l.shape : [1, count, 1];
    out.push({
      name: l.name,
      kind: l.kind,
      shape: l.shape,
      index,
      count,
      xy,
      cube,
      minX: x,
      maxX: x + width,
      minY: -height / 2,
      maxY: height / 2,
      channels,
      height: h,
      width: w,
      isMap,
      labelled,
    });
    total += count;
    x += width + LAYER_GAP;
  });
  return {
    layers: out,
    total,
    minX: 0,
    maxX: x - LAYER_GAP,
    minY: Math.min(...out.map((l) => l.minY)),
    maxY: Math.max(...out.map((l) => l.maxY)),
  };
}

/** Which cube of which layer lies under the point (x, y) of the plane, if any. */
export function cubeAt(
  layout: NetworkLayout,
  x: number,
  y: number,
): { layer: LayerLayout; index: number } | null {
  for (const layer of layout.layers) {
    if (x < layer.minX - 1 || x > layer.maxX + 1 || y < layer.minY - 1 || y > layer.maxY + 1) continue;
    const half = layer.labelled ? layer.cube / 2 + 0.3 : SPACING / 2;
    for (let i = 0; i < layer.count; i++) {
      if (Math.abs(layer.xy[2 * i] - x) <= half && Math.abs(layer.xy[2 * i + 1] - y) <= half)
        return { layer, index: i };
    }
  }
  return null;
}

export function addressOf(layer: LayerLayout, index: number): CellAddress {
  if (!layer.isMap) return { channel: 0, row: -1, col: index };
  const plane = layer.height * layer.width;
  const channel = Math.floor(index / plane);
  const rest = index - channel * plane;
  return { channel, row: Math.floor(rest / layer.width), col: rest % layer.width };
}

/**
 * The cubes of `source` that output cube `index` of `layer` reads: its receptive field. Conv and
 * pooling read a window (all input channels for conv, the same channel for pooling); element-wise
 * layers read the same position; dense and flatten read everything. Writes indices into `out`,
 * returns how many.
 */
export function receptiveField(
  layer: LayerDescription,
  target: LayerLayout,
  source: LayerLayout,
  index: number,
  out: Int32Array,
): number {
  const max = out.length;
  let n = 0;
  if ((layer.kind === 'conv' || layer.kind === 'maxpool') && source.isMap && target.isMap) {
    const plane = target.height * target.width;
    const channel = Math.floor(index / plane);
    const row = Math.floor((index - channel * plane) / target.width);
    const col = (index - channel * plane) % target.width;
    const k = layer.kernel ?? 1;
    const s = layer.stride ?? 1;
    const p = layer.padding ?? 0;
    // conv reads every input channel; pooling reads only its own
    const c0 = layer.kind === 'conv' ? 0 : channel;
    const c1 = layer.kind === 'conv' ? source.channels : channel + 1;
    for (let c = c0; c < c1; c++) {
      for (let ky = 0; ky < k; ky++) {
        const y = row * s + ky - p;
        if (y < 0 || y >= source.height) continue;
        for (let kx = 0; kx < k; kx++) {
          const x = col * s + kx - p;
          if (x < 0 || x >= source.width || n >= max) continue;
          out[n++] = (c * source.height + y) * source.width + x;
        }
      }
    }
  } else if (layer.kind === 'relu' || layer.kind === 'flatten') {
    // element-wise: the same position
    if (max > 0) out[n++] = index;
  } else {
    // dense and softmax read the whole previous layer
    for (let i = 0; i < source.count && n < max; i++) out[n++] = i;
  }
  return n;
}
