/**
 * A graph, indexed for walking it: who produces and who consumes each tensor, which tensors carry
 * the image's activations (everything computed from the graph input) and which are stored constants,
 * and a small evaluator for the integer shape computations exporters emit for a Reshape
 * (`x.view(x.size(0), -1)` → Shape, Gather, Unsqueeze, Concat). DOM-free.
 */
import { intAttr, intsAttr } from './attributes.js';
import { nodeError } from './model-error.js';
import { num, type OnnxGraph, type OnnxNode, type OnnxTensor } from './proto.js';

/** A symbolic or fixed batch size inside evaluated shape values. */
export const BATCH = 'N';
export type ShapeValue = (number | typeof BATCH)[];

const INT32 = 6;
const INT64 = 7;

/** The stored tensor behind a weight input: its name (an initializer or a Constant's output) and dims. */
export interface Stored {
  name: string;
  dims: number[];
}

function intValues(t: OnnxTensor): number[] {
  const raw = t.rawData && t.rawData.length ? t.rawData : undefined;
  if (t.dataType === INT64) {
    if (!raw) return (t.int64Data ?? []).map(num);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  }
  if (t.dataType === INT32) {
    if (!raw) return [...(t.int32Data ?? [])];
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
  }
  throw new Error(`tensor "${t.name}" is not an integer tensor`);
}

export class GraphIndex {
  readonly nodes: OnnxNode[];
  readonly initializers = new Map<string, OnnxTensor>();
  readonly producer = new Map<string, OnnxNode>();
  readonly consumers = new Map<string, OnnxNode[]>();
  readonly outputs: Set<string>;
  /** Tensors computed from the image input (Shape's outputs excluded: they are sizes, not pixels). */
  readonly activations = new Set<string>();

  constructor(graph: OnnxGraph, input: string) {
    this.nodes = graph.node ?? [];
    for (const t of graph.initializer ?? []) this.initializers.set(t.name ?? '', t);
    for (const node of this.nodes) {
      for (const o of node.output ?? []) if (o) this.producer.set(o, node);
      for (const i of node.input ?? []) {
        if (!i) continue;
        const list = this.consumers.get(i) ?? [];
        list.push(node);
        this.consumers.set(i, list);
      }
    }
    this.outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
    this.activations.add(input);
    // nodes are topologically sorted in valid ONNX; loop until stable so an unsorted file still works
    for (let changed = true; changed;) {
      changed = false;
      for (const node of this.nodes) {
        if (node.opType === 'Shape' || node.opType === 'Size') continue;
        if (!(node.input ?? []).some((i) => this.activations.has(i))) continue;
        for (const o of node.output ?? [])
          if (o && !this.activations.has(o)) {
            this.activations.add(o);
            changed = true;
          }
      }
    }
  }

  /** Nodes reading `tensor`, with Shape/Size nodes (which only read its size) left out. */
  readers(tensor: string): OnnxNode[] {
    return (this.consumers.get(tensor) ?? []).filter((n) => n.opType !== 'Shape' && n.opType !== 'Size');
  }

  /** Whether a tensor is read by a node or is a graph output. */
  used(tensor: string): boolean {
    return (this.consumers.get(tensor)?.length ?? 0) > 0 || this.outputs.has(tensor);
  }

  /**
   * The stored tensor behind a node's weight input: an initializer or a Constant node's output,
   * possibly through Cast or Identity (float16 checkpoints cast their weights to float32 in the
   * graph). Undefined if the input is computed from the image or otherwise not stored.
   */
  stored(name: string): Stored | undefined {
    if (this.activations.has(name)) return undefined;
    const init = this.initializers.get(name);
    if (init) return { name, dims: (init.dims ?? []).map(num) };
    const node = this.producer.get(name);
    if (!node) return undefined;
    if (node.opType === 'Constant') {
      const a = node.attribute?.[0];
      if (a?.name === 'value' && a.t) return { name, dims: (a.t.dims ?? []).map(num) };
      if (a?.name === 'value_float') return { name, dims: [] };
      if (a?.name === 'value_floats') return { name, dims: [a.floats?.length ?? 0] };
      return undefined;
    }
    if (node.opType === 'Cast' || node.opType === 'Identity') return this.stored(node.input?.[0] ?? '');
    return undefined;
  }

  /**
   * Evaluates an integer tensor of the shape computation (e.g. Reshape's target shape), with the
   * batch dimension as `BATCH`. `shapes` gives the per-sample shapes of activations met so far.
   * Throws at the first node it cannot evaluate.
   */
  evaluate(name: string, shapes: ReadonlyMap<string, number[]>, at: OnnxNode): ShapeValue {
    const init = this.initializers.get(name);
    if (init) return intValues(init);
    const node = this.producer.get(name);
    const fail = (why: string) => nodeError(at, `cannot work out its ${why}`);
    if (!node) throw fail(`input "${name}"`);
    const input = (k: number) => this.evaluate(node.input?.[k] ?? '', shapes, at);
    const has = (k: number) => !!node.input?.[k];
    switch (node.opType) {
      case 'Constant': {
        const a = node.attribute?.[0];
        if (a?.name === 'value' && a.t) return intValues(a.t);
        if (a?.name === 'value_int') return [num(a.i)];
        if (a?.name === 'value_ints') return (a.ints ?? []).map(num);
        throw fail(`constant "${name}"`);
      }
      case 'Shape': {
        const per = shapes.get(node.input?.[0] ?? '');
        if (!per) throw fail(`shape of "${node.input?.[0]}"`);
        const full: ShapeValue = [BATCH, ...per];
        const start = intAttr(node, 'start', 0);
        const end = intAttr(node, 'end', full.length);
        const norm = (i: number) => Math.min(Math.max(i < 0 ? i + full.length : i, 0), full.length);
        return full.slice(norm(start), norm(end));
      }
      case 'Cast':
      case 'Identity':
      case 'Squeeze':
      case 'Unsqueeze':
        return input(0);
      case 'Gather': {
        if (intAttr(node, 'axis', 0) !== 0) throw fail(`Gather "${node.name}" (axis ≠ 0)`);
        const data = input(0);
        return input(1).map((i) => {
          const v = data[typeof i === 'number' && i < 0 ? i + data.length : (i as number)];
          if (v === undefined) throw fail(`Gather "${node.name}" (index out of range)`);
          return v;
        });
      }
      case 'Concat':
        return (node.input ?? []).flatMap((_, k) => input(k));
      case 'Slice': {
        const data = input(0);
        const ints = (k: number, attr: string) =>
          (has(k) ? input(k) : intsAttr(node, attr)) as number[] | undefined;
        const starts = ints(1, 'starts') ?? [0];
        const ends = ints(2, 'ends') ?? [data.length];
        const axes = ints(3, 'axes') ?? [0];
        const steps = ints(4, 'steps') ?? [1];
        if (axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1) || steps[0] !== 1)
          throw fail(`Slice "${node.name}"`);
        const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + data.length : i, 0), data.length);
        return data.slice(clamp(starts[0]), clamp(ends[0]));
      }
      default:
        throw fail(`input "${name}", computed by ${node.opType} "${node.name}"`);
    }
  }
}
