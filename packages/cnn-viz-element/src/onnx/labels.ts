/**
 * Short names for people from ONNX node names: PyTorch's `/features/features.0/Conv` → `features.0`,
 * `/conv1/Conv` → `conv1`, tf2onnx's `sequential/conv2d/BiasAdd` → `conv2d`; numeric tensor names
 * never reach the screen. DOM-free.
 */
import type { LayerKind } from '../model/description.js';

/** An operator-looking last path part (`Conv`, `Relu_1`, `BiasAdd`, `MatMul:0`), dropped when a scope precedes it. */
const OP_PART = /^[A-Z][A-Za-z0-9]*(_\d+)?(:\d+)?$/;

/** A readable base name for a node (or, for an unnamed node, its output tensor). */
export function baseLabel(nodeName: string, kind: LayerKind): string {
  const parts = nodeName
    .split('/')
    .map((p) => p.replace(/:\d+$/, ''))
    .filter(Boolean);
  if (parts.length > 1 && OP_PART.test(parts[parts.length - 1])) parts.pop();
  const last = parts[parts.length - 1] ?? '';
  // numeric or generated names ("12", "onnx::Gemm_5") say nothing: use the layer's kind
  if (!last || /^\d+$/.test(last) || last.includes('::')) return kind;
  return last;
}

/** Makes labels unique in order: a repeated base gets its kind, then a number (`conv2d relu`, `relu 2`). */
export function uniqueLabels(bases: { base: string; kind: LayerKind }[]): string[] {
  const used = new Set<string>();
  return bases.map(({ base, kind }) => {
    let label = base;
    if (used.has(label) && base !== kind) label = `${base} ${kind}`;
    for (let n = 2; used.has(label); n++) label = `${base === kind ? kind : `${base} ${kind}`} ${n}`;
    used.add(label);
    return label;
  });
}
