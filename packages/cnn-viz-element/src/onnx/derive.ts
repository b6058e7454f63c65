/**
 * The layer list of an ONNX image classifier, read from its graph alone: a walk from the single
 * image input to the output, one drawn layer per operator, each layer's per-sample shape computed
 * from the attributes and the weights' dims (no runtime), cross-checked against the shapes the graph
 * declares. What cannot be shown faithfully is refused with an `OnnxModelError` naming the operator
 * and the node, never described wrongly. DOM-free, synchronous.
 */
import {
  layerSize,
  type LayerDescription,
  type LayerKind,
  type ModelDescription,
  type Normalization,
} from '../model/description.js';
import { NORMALIZATION_PRESETS } from '../model/normalization.js';
import { floatAttr, intAttr, intsAttr } from './attributes.js';
import { BATCH, GraphIndex, type Stored } from './graph-index.js';
import { baseLabel, uniqueLabels } from './labels.js';
import { nodeError, nodeName, OnnxModelError } from './model-error.js';
import { num, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './proto.js';
import { readWindow, windowOutput } from './windows.js';

/** Over this many activations in total (input included), the description carries a warning. */
export const WARN_ACTIVATIONS = 100_000;
/** Over this many, the model is refused: the renderer would need hundreds of MB and crawl. */
export const MAX_ACTIVATIONS = 500_000;
/** The largest input side a model may have (the draw pad is resized to the model's H×W). */
export const MAX_INPUT_SIDE = 64;

/** The operators a graph may use. Dropout and Identity pass through without being drawn. */
export const SUPPORTED_OPERATORS = [
  'Conv',
  'BatchNormalization',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Flatten',
  'Reshape',
  'Gemm',
  'MatMul',
  'Add',
  'Softmax',
  'LogSoftmax',
  'Dropout',
  'Identity',
] as const;

export interface DeriveOptions {
  /** The model's name (default: the graph's name). */
  name?: string;
  /** Changes whenever the weights do (`loadOnnx` sets a hash of the bytes). */
  version?: string;
  /** The ONNX file's name or URL, as `ModelDescription.onnx` (default `model.onnx`). */
  onnx?: string;
  /** One name per output unit (default "0" … "N−1"). */
  classes?: string[];
  /** Default: the `unit` preset (pixel / 255, ink = 1). */
  normalization?: Normalization;
  /** Default `bright` (ink is the high value, as in MNIST). */
  ink?: 'bright' | 'dark';
  warnActivations?: number;
  maxActivations?: number;
}

type Layer = Omit<LayerDescription, 'name' | 'from'>;

/** What one step of the walk did: a drawn layer, or a tensor passed through (Dropout, Identity). */
interface Step {
  layer?: Layer;
  /** The tensor the step ends at. */
  out: string;
  /** The nodes the step consumed (two for MatMul + Add, Transpose + Flatten). */
  nodes: OnnxNode[];
}

const FLOAT = 1;

const dimsOf = (v: OnnxValueInfo | undefined): (number | string | undefined)[] | undefined => {
  const shape = v?.type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : undefined,
  );
};

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const list = (xs: readonly unknown[]) => `[${xs.join(', ')}]`;

/** Conv and pooling fields: per axis always, and the scalar ones cnn.json has when both axes agree. */
function windowFields(w: ReturnType<typeof readWindow>): Partial<LayerDescription> {
  const f: Partial<LayerDescription> = { kernelShape: w.kernel, strides: w.strides, pads: w.pads };
  if (w.kernel[0] === w.kernel[1]) f.kernel = w.kernel[0];
  if (w.strides[0] === w.strides[1]) f.stride = w.strides[0];
  if (w.pads.every((p) => p === w.pads[0])) f.padding = w.pads[0];
  if (w.ceilMode) f.ceilMode = true;
  return f;
}

/**
 * Derives the `ModelDescription` of an ONNX image classifier: input N×C×H×W (C 1 or 3, H and W up
 * to 64, batch symbolic or 1), then a chain of the `SUPPORTED_OPERATORS`, ending in a vector of class
 * scores. Layer names are the tensor names (what a backend asks onnxruntime for, once
 * `exposeLayers` has made them graph outputs); labels are short names for people.
 *
 * @throws OnnxModelError naming the operator type and the node for an unsupported operator or
 *   attribute, a branch or skip connection, a weight computed in the graph, a shape that disagrees
 *   with the graph's own; or naming the input for an input of another rank, type or size; and when
 *   the model has more than `maxActivations` activations.
 */
export function deriveDescription(model: OnnxModel, options: DeriveOptions = {}): ModelDescription {
  const graph = model.graph;
  if (!graph?.node?.length) throw new OnnxModelError('the ONNX model has no graph');
  const opset = num((model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version) || 1;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? ''));
  if (inputs.length !== 1)
    throw new OnnxModelError(
      `the graph has ${inputs.length} inputs (${inputs.map((v) => `"${v.name}"`).join(', ')}): only one image input is supported`,
    );
  const input = inputs[0];
  const inputName = input.name ?? '';
  const index = new GraphIndex(graph, inputName);

  // --- the input: N×C×H×W float
  const firstReader = index.readers(inputName)[0];
  const readBy = firstReader ? `, read by ${firstReader.opType} "${nodeName(firstReader)}"` : '';
  const inputError = (why: string) =>
    new OnnxModelError(
      `input "${inputName}"${readBy}: ${why}`,
      firstReader?.opType ?? undefined,
      firstReader ? nodeName(firstReader) : undefined,
    );
  const elemType = input.type?.tensorType?.elemType;
  if (elemType !== FLOAT)
    throw inputError(`its type is ONNX data type ${elemType}, only float32 (1) is supported`);
  const dims = dimsOf(input) ?? [];
  const shown = list(dims.map((d) => d ?? '?'));
  if (dims.length !== 4)
    throw inputError(`it has rank ${dims.length} ${shown}: only N×C×H×W images (rank 4) are supported`);
  const [n, c, h, w] = dims;
  if (typeof n === 'number' && n !== 1 && n !== 0)
    throw inputError(`its batch is fixed at ${n}: export it with batch 1 or a symbolic (dynamic) batch`);
  if (typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number')
    throw inputError(`its shape ${shown} must fix C, H and W`);
  if (c !== 1 && c !== 3) {
    const nhwc = w === 1 || w === 3;
    throw inputError(
      `it has ${c} channels ${shown}: 1 or 3 are supported` +
        (nhwc ? ' (channels-last N×H×W×C? export with tf2onnx --inputs-as-nchw)' : ''),
    );
  }
  if (h > MAX_INPUT_SIDE || w > MAX_INPUT_SIDE || h < 1 || w < 1)
    throw inputError(`its images are ${h}×${w}: at most ${MAX_INPUT_SIDE}×${MAX_INPUT_SIDE} are supported`);
  let batch: 'symbolic' | 1 = typeof n === 'number' && n === 1 ? 1 : 'symbolic';

  // --- merges: a node reading two activations (Add of a skip connection, Concat, Mul, …)
  for (const node of index.nodes) {
    const reads = (node.input ?? []).filter((i) => index.activations.has(i));
    if (reads.length > 1)
      throw nodeError(
        node,
        `it reads two activations (${reads.map((r) => `"${r}"`).join(', ')}): branches and skip connections are not supported, only a chain of layers`,
      );
  }

  // shapes the graph declares, to cross-check ours
  const declared = new Map<string, (number | string | undefined)[]>();
  for (const v of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const d = dimsOf(v);
    if (d && v.name) declared.set(v.name, d);
  }

  const shapes = new Map<string, number[]>([[inputName, [c, h, w]]]);
  const drawn: { layer: Layer; name: string; from: string; node: OnnxNode }[] = [];
  let cur = inputName;
  let from = inputName;

  for (;;) {
    const readers = index.readers(cur);
    if (readers.length === 0) break;
    if (readers.length > 1) {
      const producer = index.producer.get(cur);
      const who = producer ? `${producer.opType} "${nodeName(producer)}"` : `input "${cur}"`;
      const to = readers.map((r) => `${r.opType} "${nodeName(r)}"`).join(', ');
      throw new OnnxModelError(
        `${who}: its output "${cur}" feeds ${readers.length} nodes (${to}): branches and skip connections are not supported, only a chain of layers`,
        producer?.opType ?? readers[0].opType ?? undefined,
        producer ? nodeName(producer) : nodeName(readers[0]),
      );
    }
    const shape = shapes.get(cur)!;
    const step = stepAt(readers[0], cur, shape, index, shapes, opset);
    if (shapes.has(step.out))
      throw nodeError(readers[0], `its output "${step.out}" loops back into the graph`);
    if (step.layer?.kind === 'flatten' && step.nodes.some((nd) => nd.opType === 'Reshape')) {
      const target = index.evaluate(
        step.nodes[step.nodes.length - 1].input?.[1] ?? '',
        shapes,
        step.nodes[0],
      );
      if (target[0] === 1) batch = 1; // a Reshape to [1, -1] only works one image at a time
    }
    // every output a step does not pass on must be unused (Dropout's mask, MaxPool's indices, …)
    const inner = new Set(step.nodes.flatMap((nd) => nd.output?.[0] ?? []));
    for (const nd of step.nodes)
      for (const o of nd.output ?? [])
        if (o && o !== step.out && !inner.has(o) && index.used(o))
          throw nodeError(
            nd,
            `its extra output "${o}" is used: only the first output of ${nd.opType} is supported`,
          );
    const outShape = step.layer ? step.layer.shape : shape;
    const last = step.nodes[step.nodes.length - 1];
    const d = declared.get(step.out);
    if (
      d &&
      (d.length !== outShape.length + 1 ||
        d.slice(1).some((x, i) => typeof x === 'number' && x !== outShape[i]))
    )
      throw nodeError(
        last,
        `its output "${step.out}" has shape ${list(['N', ...outShape])} by its attributes and weights, the graph says ${list(d.map((x) => x ?? '?'))}`,
      );
    shapes.set(step.out, outShape);
    if (step.layer) {
      // named after its main node: the Reshape of Transpose + Reshape, the MatMul of MatMul + Add
      const named = step.layer.kind === 'flatten' ? last : step.nodes[0];
      drawn.push({ layer: step.layer, name: step.out, from, node: named });
      from = step.out;
    }
    cur = step.out;
  }

  if (!drawn.length) throw new OnnxModelError(`the graph draws no layer from input "${inputName}"`);
  if (!index.outputs.has(cur)) {
    const producer = index.producer.get(cur)!;
    throw nodeError(producer, `the chain from the input ends at "${cur}", which is not a graph output`);
  }
  const final = drawn[drawn.length - 1];
  if (final.layer.shape.length !== 1)
    throw nodeError(
      final.node,
      `the model ends with a map ${list(final.layer.shape)}: a classifier ends with a vector of class scores`,
    );

  const units = final.layer.shape[0];
  const classes = options.classes ?? Array.from({ length: units }, (_, i) => String(i));
  if (classes.length !== units)
    throw new OnnxModelError(`${classes.length} class names for a model with ${units} outputs`);

  const labels = uniqueLabels(
    drawn.map((l) => ({ base: baseLabel(nodeName(l.node), l.layer.kind), kind: l.layer.kind })),
  );
  const layers: LayerDescription[] = [
    { name: inputName, kind: 'input', shape: [c, h, w], label: inputName },
    ...drawn.map(({ layer: { kind, shape, ...extra }, name, from }, i) => ({
      name,
      kind,
      shape,
      from,
      label: labels[i],
      ...extra,
    })),
  ];

  const total = layers.reduce((s, l) => s + layerSize(l), 0);
  const max = options.maxActivations ?? MAX_ACTIVATIONS;
  const warn = options.warnActivations ?? WARN_ACTIVATIONS;
  if (total > max)
    throw new OnnxModelError(
      `the model has ${total.toLocaleString('en')} activations, more than the ${max.toLocaleString('en')} the view can draw (fewer or smaller feature maps would fit)`,
    );
  const warnings: string[] = [];
  if (total > warn)
    warnings.push(
      `The model has ${total.toLocaleString('en')} activations: above ${warn.toLocaleString('en')} the 3D view gets crowded and slower.`,
    );

  const kind = final.layer.kind;
  const description: ModelDescription = {
    format: 'cnn-visualizer/model@1',
    name: options.name ?? (graph.name || 'onnx-model'),
    version: options.version ?? '',
    onnx: options.onnx ?? 'model.onnx',
    input: {
      name: inputName,
      shape: [c, h, w],
      normalization: options.normalization ?? { ...NORMALIZATION_PRESETS.unit },
      ink: options.ink ?? 'bright',
      batch,
    },
    layers,
    classes,
    scores: kind === 'softmax' ? 'probabilities' : kind === 'logsoftmax' ? 'log-probabilities' : 'logits',
  };
  if (warnings.length) description.warnings = warnings;
  return description;
}

/** One step of the walk: the node reading the current tensor `x` (per-sample `shape`). */
function stepAt(
  node: OnnxNode,
  x: string,
  shape: number[],
  index: GraphIndex,
  shapes: ReadonlyMap<string, number[]>,
  opset: number,
): Step {
  const op = node.opType ?? '';
  const out = node.output?.[0] ?? '';
  const isMap = shape.length === 3;
  const fail = (why: string) => nodeError(node, why);
  if (node.domain && node.domain !== 'ai.onnx')
    throw fail(`operators of domain "${node.domain}" are not supported (only standard ONNX)`);
  if (node.input?.[0] !== x) throw fail(`it reads the activation "${x}" as a weight input`);
  const needMap = () => {
    if (!isMap) throw fail(`it needs a C×H×W feature map, it gets a vector of ${shape[0]}`);
  };
  const needVector = () => {
    if (isMap) throw fail(`it needs a vector, it gets a ${shape.join('×')} map (missing Flatten?)`);
  };
  const weight = (k: number, what: string, rank?: number): Stored => {
    const s = index.stored(node.input?.[k] ?? '');
    if (!s)
      throw fail(`its ${what} "${node.input?.[k] ?? ''}" is not a stored tensor (initializer or Constant)`);
    if (rank !== undefined && s.dims.length !== rank)
      throw fail(`its ${what} "${s.name}" has dims ${list(s.dims)}, rank ${rank} expected`);
    return s;
  };
  const optionalWeight = (k: number, what: string) => (node.input?.[k] ? weight(k, what) : undefined);
  const params = (...ws: (Stored | undefined)[]) =>
    Object.fromEntries(ws.filter((s): s is Stored => !!s).map((s) => [s.name, s.dims]));
  const vectorOf = (s: Stored | undefined, m: number, what: string) => {
    if (s && !(same(s.dims, [m]) || same(s.dims, [1, m])))
      throw fail(`its ${what} "${s.name}" has dims ${list(s.dims)}, [${m}] expected`);
  };
  const drawnAs = (kind: LayerKind, layer: Omit<Layer, 'kind' | 'op'> = { shape }): Step => ({
    layer: { kind, op, ...layer },
    out,
    nodes: [node],
  });

  switch (op) {
    case 'Conv': {
      needMap();
      const W = weight(1, 'weight', 4);
      const B = optionalWeight(2, 'bias');
      const group = intAttr(node, 'group', 1);
      if (group !== 1)
        throw fail(`group ${group} is not supported (only 1: no grouped or depthwise convolution)`);
      const [m, cin, kh, kw] = W.dims;
      if (cin !== shape[0])
        throw fail(
          `its weight "${W.name}" ${list(W.dims)} expects ${cin} input channels, it gets ${shape[0]}`,
        );
      vectorOf(B, m, 'bias');
      const win = readWindow(node, [shape[1], shape[2]], [kh, kw]);
      const [oh, ow] = windowOutput(node, [shape[1], shape[2]], win);
      return drawnAs('conv', {
        shape: [m, oh, ow],
        filters: m,
        ...windowFields(win),
        params: params(W, B),
        tensors: B ? { weight: W.name, bias: B.name } : { weight: W.name },
      });
    }
    case 'BatchNormalization': {
      if (intAttr(node, 'training_mode', 0) !== 0)
        throw fail('training_mode 1 is not supported: export in eval mode');
      const ch = shape[0];
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((k) =>
        weight(k, ['scale', 'bias', 'mean', 'variance'][k - 1]),
      );
      for (const [s, what] of [
        [scale, 'scale'],
        [bias, 'bias'],
        [mean, 'mean'],
        [variance, 'variance'],
      ] as const)
        if (!same(s.dims, [ch]))
          throw fail(`its ${what} "${s.name}" has dims ${list(s.dims)}, [${ch}] expected`);
      return drawnAs('batchnorm', {
        shape,
        epsilon: floatAttr(node, 'epsilon', 1e-5),
        params: params(scale, bias, mean, variance),
        tensors: { scale: scale.name, bias: bias.name, mean: mean.name, variance: variance.name },
      });
    }
    case 'Relu':
      return drawnAs('relu');
    case 'LeakyRelu':
      return drawnAs('leakyrelu', { shape, alpha: floatAttr(node, 'alpha', 0.01) });
    case 'Sigmoid':
      return drawnAs('sigmoid');
    case 'Tanh':
      return drawnAs('tanh');
    case 'MaxPool':
    case 'AveragePool': {
      needMap();
      const win = readWindow(node, [shape[1], shape[2]]);
      const [oh, ow] = windowOutput(node, [shape[1], shape[2]], win);
      const layer: Omit<Layer, 'kind' | 'op'> = { shape: [shape[0], oh, ow], ...windowFields(win) };
      if (op === 'AveragePool') layer.countIncludePad = intAttr(node, 'count_include_pad', 0) === 1;
      return drawnAs(op === 'MaxPool' ? 'maxpool' : 'avgpool', layer);
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      needMap();
      return drawnAs(op === 'GlobalAveragePool' ? 'globalavgpool' : 'globalmaxpool', {
        shape: [shape[0], 1, 1],
      });
    case 'Flatten': {
      const rank = shape.length + 1;
      let axis = intAttr(node, 'axis', 1);
      if (axis < 0) axis += rank;
      if (axis !== 1) throw fail(`axis ${axis} is not supported (only 1: keep the batch, flatten the rest)`);
      return isMap ? drawnAs('flatten', { shape: [shape[0] * shape[1] * shape[2]] }) : { out, nodes: [node] };
    }
    case 'Reshape': {
      const size = shape.reduce((a, b) => a * b, 1);
      if (!flattens(node, index.evaluate(node.input?.[1] ?? '', shapes, node), size))
        throw fail(
          `it reshapes to ${list(index.evaluate(node.input?.[1] ?? '', shapes, node))}: only a flatten to [batch, ${size}] is supported`,
        );
      return isMap ? drawnAs('flatten', { shape: [size] }) : { out, nodes: [node] };
    }
    case 'Transpose': {
      // a channels-last model (Keras through tf2onnx) transposes to N×H×W×C right before flattening
      const perm = intsAttr(node, 'perm');
      const next = index.readers(out);
      const flat = next.length === 1 ? next[0] : undefined;
      const size = shape.reduce((a, b) => a * b, 1);
      const ok =
        isMap &&
        perm !== undefined &&
        same(perm, [0, 2, 3, 1]) &&
        !index.outputs.has(out) &&
        flat !== undefined &&
        ((flat.opType === 'Flatten' && [1, -3].includes(intAttr(flat, 'axis', 1))) ||
          (flat.opType === 'Reshape' &&
            flattens(flat, index.evaluate(flat.input?.[1] ?? '', shapes, flat), size)));
      if (!ok)
        throw fail(
          'Transpose is only supported as perm [0, 2, 3, 1] right before a Flatten or Reshape (a channels-last flatten)',
        );
      return {
        layer: { kind: 'flatten', op: `Transpose+${flat!.opType}`, shape: [size], order: 'hwc' },
        out: flat!.output?.[0] ?? '',
        nodes: [node, flat!],
      };
    }
    case 'Gemm': {
      needVector();
      if (intAttr(node, 'transA', 0) !== 0) throw fail('transA 1 is not supported');
      if (floatAttr(node, 'alpha', 1) !== 1 || floatAttr(node, 'beta', 1) !== 1)
        throw fail('alpha and beta other than 1 are not supported');
      const transB = intAttr(node, 'transB', 0) === 1;
      const W = weight(1, 'weight', 2);
      const [k, m] = transB ? [W.dims[1], W.dims[0]] : W.dims;
      if (k !== shape[0])
        throw fail(`its weight "${W.name}" ${list(W.dims)} expects ${k} inputs, it gets ${shape[0]}`);
      const B = optionalWeight(2, 'bias');
      vectorOf(B, m, 'bias');
      return drawnAs('dense', {
        shape: [m],
        units: m,
        weightLayout: transB ? 'out-in' : 'in-out',
        params: params(W, B),
        tensors: B ? { weight: W.name, bias: B.name } : { weight: W.name },
      });
    }
    case 'MatMul': {
      needVector();
      const W = weight(1, 'weight', 2);
      const [k, m] = W.dims;
      if (k !== shape[0])
        throw fail(`its weight "${W.name}" ${list(W.dims)} expects ${k} inputs, it gets ${shape[0]}`);
      // MatMul followed by an Add of a stored vector: one dense layer, the Add being its bias
      const next = index.readers(out);
      const add = next.length === 1 && next[0].opType === 'Add' ? next[0] : undefined;
      const other = add?.input?.find((i) => i !== out);
      const B = other ? index.stored(other) : undefined;
      if (add && B && (same(B.dims, [m]) || same(B.dims, [1, m])))
        return {
          layer: {
            kind: 'dense',
            op: 'MatMul+Add',
            shape: [m],
            units: m,
            weightLayout: 'in-out',
            params: params(W, B),
            tensors: { weight: W.name, bias: B.name },
          },
          out: add.output?.[0] ?? '',
          nodes: [node, add],
        };
      return drawnAs('dense', {
        shape: [m],
        units: m,
        weightLayout: 'in-out',
        params: params(W),
        tensors: { weight: W.name },
      });
    }
    case 'Softmax':
    case 'LogSoftmax': {
      needVector();
      const axis = intAttr(node, 'axis', opset >= 13 ? -1 : 1);
      if (axis !== 1 && axis !== -1) throw fail(`axis ${axis} is not supported (only the class axis, 1)`);
      return drawnAs(op === 'Softmax' ? 'softmax' : 'logsoftmax');
    }
    case 'Dropout':
    case 'Identity':
      return { out, nodes: [node] };
    case 'Add':
      throw fail(
        'Add is only supported as the bias of a MatMul (an Add of two activations is a skip connection)',
      );
    default:
      throw fail(`the operator ${op} is not supported (supported: ${SUPPORTED_OPERATORS.join(', ')})`);
  }
}

/**
 * Whether a Reshape to `target` (evaluated, batch as `BATCH`) keeps the batch and flattens the rest
 * of `size` values per sample: [N, size], [N, -1], [0, -1], [-1, size], [1, size] or [1, -1].
 */
function flattens(node: OnnxNode, target: (number | typeof BATCH)[], size: number): boolean {
  if (target.length !== 2) return false;
  const [b, rest] = target;
  const allowZero = intAttr(node, 'allowzero', 0) === 1;
  const keepsBatch = b === BATCH || (b === 0 && !allowZero) || b === 1;
  if (keepsBatch) return rest === -1 || rest === size;
  return b === -1 && rest === size;
}
