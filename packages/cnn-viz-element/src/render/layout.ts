/**
 * Where every cube goes, computed from the model's layer list alone (no Babylon here).
 *
 * Layers stand left to right along x in the plane z = 0, in the model's order, one cube per activation
 * (so the picture has exactly as many cubes as the network has activations). Every layer is a column
 * about as tall as the largest one: a feature-map layer (C×H×W) tiles its C maps in a tall grid, with
 * bigger cubes when its maps are smaller; a vector layer (N) wraps into columns as tall as the
 * network; a layer of ≤ 10 units is one column of big cubes (the outputs, labelled).
 * Cubes rise out of the plane (towards +z) with the strength of their activation.
 */
import { layerSize, type LayerDescription } from '../model/description.js';

/** Distance between neighbouring cubes of the largest layer; smaller layers get bigger cubes. */
export const SPACING = 1;
/** A cube's edge as a fraction of its layer's spacing (the rest is the gap that separates cubes). */
const CUBE_FILL = 0.9;
/** Gap between the maps of one layer, in that layer's spacings. */
const MAP_GAP = 1.5;
const LAYER_GAP = 4;
/** Grid shapes tried for the layers' maps: how many times taller than wide each grid should be. */
const GRID_ASPECTS = [0.6, 1, 1.5, 2, 3, 4, 6];
/** Smaller layers are drawn with bigger cubes, up to this spacing, so each fills the height. */
const MAX_SPACING = 2.5;
/** Vector layers: spacing of their cubes (they wrap into columns as tall as the network). */
const VECTOR_SPACING = 1.5;
/** Layers of ≤ 10 units (the outputs): one labelled column of big cubes, at most this spacing. */
const MAX_OUTPUT_SPACING = 6;

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
  /** Distance between neighbouring cube centres in this layer. */
  spacing: number;
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

const isMapShape = (shape: readonly number[]) => shape.length === 3 && shape[1] > 1 && shape[2] > 1;

/** Columns of a layer's grid of maps: the grid closest to `aspect` (height / width). */
function gridColumns(c: number, h: number, w: number, aspect: number): number {
  let best = 1;
  let bestScore = Infinity;
  for (let cols = 1; cols <= c; cols++) {
    const rows = Math.ceil(c / cols);
    const height = rows * h + (rows - 1) * MAP_GAP;
    const width = cols * w + (cols - 1) * MAP_GAP;
    const score = Math.abs(Math.log(height / width / aspect));
    if (score < bestScore) {
      best = cols;
      bestScore = score;
    }
  }
  return best;
}

export interface LayoutOptions {
  /** Width / height of the stage the network should fill (the oblique view narrows it a little). */
  aspect?: number;
}

/**
 * Lays the network out as a row of columns of equal height, shaped to fill a stage of the given
 * aspect ratio: each layer's maps are tiled in a grid, layers smaller than the largest get
 * proportionally bigger cubes (a pooled map is drawn as large as the map it summarises), and the
 * grids' shape is chosen so the whole network's proportions come closest to the stage's.
 */
export function layoutNetwork(
  layers: readonly LayerDescription[],
  options: LayoutOptions = {},
): NetworkLayout {
  const want = (options.aspect ?? 1.9) * 1.15;
  let best: NetworkLayout | undefined;
  let bestScore = Infinity;
  for (const gridAspect of GRID_ASPECTS) {
    const layout = layoutWith(layers, gridAspect);
    const score = Math.abs(Math.log((layout.maxX - layout.minX) / (layout.maxY - layout.minY) / want));
    if (score < bestScore - 1e-9) {
      best = layout;
      bestScore = score;
    }
  }
  return best!;
}

function layoutWith(layers: readonly LayerDescription[], gridAspect: number): NetworkLayout {
  // the tallest layer at unit spacing sets the height every layer fills
  const natural = layers.map((l) => {
    if (!isMapShape(l.shape)) return 0;
    const [c, h, w] = l.shape;
    const cols = gridColumns(c, h, w, gridAspect);
    const rows = Math.ceil(c / cols);
    return rows * h + (rows - 1) * MAP_GAP;
  });
  const target = Math.max(24, ...natural);
  const out: LayerLayout[] = [];
  let x = 0;
  let total = 0;
  layers.forEach((l, index) => {
    const count = layerSize(l);
    const isMap = isMapShape(l.shape);
    const xy = new Float32Array(count * 2);
    let width: number;
    let height: number;
    let spacing: number;
    const labelled = !isMap && count <= 10;
    if (isMap) {
      const [c, h, w] = l.shape;
      const cols = gridColumns(c, h, w, gridAspect);
      const rows = Math.ceil(c / cols);
      spacing = Math.max(SPACING, Math.min(MAX_SPACING, target / natural[index]));
      const gap = MAP_GAP * spacing;
      width = cols * w * spacing + (cols - 1) * gap;
      height = rows * h * spacing + (rows - 1) * gap;
      for (let ch = 0; ch < c; ch++) {
        const gx = ch % cols;
        const gy = Math.floor(ch / cols);
        const ox = x + gx * (w * spacing + gap) + spacing / 2;
        const oy = height / 2 - gy * (h * spacing + gap) - spacing / 2;
        for (let r = 0; r < h; r++) {
          for (let q = 0; q < w; q++) {
            const i = (ch * h + r) * w + q;
            xy[2 * i] = ox + q * spacing;
            xy[2 * i + 1] = oy - r * spacing;
          }
        }
      }
    } else if (labelled) {
      spacing = Math.min(MAX_OUTPUT_SPACING, target / count);
      width = spacing;
      height = count * spacing;
      for (let i = 0; i < count; i++) {
        xy[2 * i] = x + spacing / 2;
        xy[2 * i + 1] = height / 2 - (i + 0.5) * spacing;
      }
    } else {
      spacing = VECTOR_SPACING;
      const rows = Math.min(count, Math.max(1, Math.floor(target / spacing)));
      const cols = Math.ceil(count / rows);
      const used = Math.ceil(count / cols); // balance the columns
      width = cols * spacing;
      height = used * spacing;
      for (let i = 0; i < count; i++) {
        xy[2 * i] = x + Math.floor(i / used) * spacing + spacing / 2;
        xy[2 * i + 1] = height / 2 - (i % used) * spacing - spacing / 2;
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
      spacing,
      cube: spacing * (labelled ? 0.7 : CUBE_FILL),
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
    const half = layer.spacing / 2;
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
