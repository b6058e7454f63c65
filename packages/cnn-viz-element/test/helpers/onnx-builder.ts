/**
 * Writes small ONNX image classifiers for the tests, with onnx-proto, the way exporters name things
 * (PyTorch-style `/conv1/Conv` nodes and `/conv1/Conv_output_0` tensors) and seeded random weights.
 * Layer methods append one operator to a chain; `node()` appends any node, for the graphs the reader
 * must refuse. The builder tracks channels and sizes only to size the weights it writes: the tests
 * state the shapes they expect themselves.
 */
import onnxProto from 'onnx-proto';
// the trainer's seeded PRNG straight from its module (./mnist.ts reads files: Node only; the builder runs in browsers too)
import { mulberry32 as seededRandom } from '../../../../model/src/random.ts';

const { onnx } = onnxProto;
const FLOAT = 1;
const INT64 = 7;
const FLOAT16 = 10;

type Attr = number | number[] | string | { float: number };
type WeightEncoding = 'raw' | 'float' | 'float16';

/** float → IEEE half bits (round to nearest, no subnormal care: test weights are small normals). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const frac = x & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(frac / 8192);
}

const attribute = (name: string, v: Attr) => {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (typeof v === 'object') return { name, type: A.FLOAT, f: v.float };
  return { name, type: A.INT, i: v };
};

export interface BuilderOptions {
  channels?: number;
  /** H = W = size. */
  size?: number;
  /** The input's dims as declared (default ['N', channels, size, size]). */
  inputDims?: (number | string)[];
  opset?: number;
  seed?: number;
  /** How initializers store their values. */
  weights?: WeightEncoding;
}

export class OnnxBuilder {
  readonly nodes: object[] = [];
  readonly initializers: object[] = [];
  readonly valueInfo: object[] = [];
  /** The tensor the next layer reads. */
  cur = 'input';
  /** Per-sample shape of `cur`, as the builder sizes weights. */
  shape: number[];
  private readonly rng: () => number;
  private readonly opset: number;
  private readonly inputDims: (number | string)[];
  private readonly encoding: WeightEncoding;
  private count = new Map<string, number>();
  /** Weight values by initializer name, as written (after float16 rounding: as stored). */
  readonly values = new Map<string, Float32Array>();

  constructor(o: BuilderOptions = {}) {
    const c = o.channels ?? 1;
    const s = o.size ?? 28;
    this.shape = [c, s, s];
    this.inputDims = o.inputDims ?? ['N', c, s, s];
    this.opset = o.opset ?? 13;
    this.rng = seededRandom(o.seed ?? 7);
    this.encoding = o.weights ?? 'raw';
  }

  /** A fresh PyTorch-style scope for an operator: `conv1`, `relu2`, … */
  scope(op: string): string {
    const n = (this.count.get(op) ?? 0) + 1;
    this.count.set(op, n);
    return `${op.toLowerCase()}${n}`;
  }

  /**
   * A float initializer with seeded values in ±scale (or the given values); returns the name to read
   * it by (for float16, the output of a Cast to float32).
   */
  weight(name: string, dims: number[], scale = 0.3, values?: Float32Array, encoding = this.encoding): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = values ?? Float32Array.from({ length: n }, () => (this.rng() * 2 - 1) * scale);
    if (encoding === 'float16') {
      const bits = Array.from(data, toHalf);
      const stored = new Float32Array(n);
      const buf = new Uint16Array(bits);
      for (let i = 0; i < n; i++) {
        const h = buf[i];
        const e = (h >> 10) & 0x1f;
        stored[i] = (h & 0x8000 ? -1 : 1) * (e === 0 ? 0 : 2 ** (e - 15) * (1 + (h & 0x3ff) / 1024));
      }
      this.values.set(name, stored);
      this.initializers.push({ name, dims, dataType: FLOAT16, int32Data: bits });
      // as a float16 checkpoint does: cast to float32 inside the graph
      return this.node('Cast', [name], { to: FLOAT }, { name: `${name}/Cast` });
    } else if (encoding === 'float') {
      this.values.set(name, data);
      this.initializers.push({ name, dims, dataType: FLOAT, floatData: Array.from(data) });
    } else {
      this.values.set(name, data);
      this.initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.slice().buffer) });
    }
    return name;
  }

  /** An int64 initializer (a Reshape's target shape). */
  ints(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  }

  /**
   * Appends a node `/<scope>/<op>` reading `inputs` and writing `<node>_output_k`; returns its first
   * output's name. Does not move `cur` unless `chain` is set.
   */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, Attr> = {},
    o: { scope?: string; outputs?: number; chain?: boolean; name?: string } = {},
  ): string {
    const name = o.name ?? `/${o.scope ?? this.scope(op)}/${op}`;
    const output = Array.from({ length: o.outputs ?? 1 }, (_, k) => `${name}_output_${k}`);
    this.nodes.push({
      name,
      opType: op,
      input: inputs,
      output,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    if (o.chain) this.cur = output[0];
    return output[0];
  }

  private layer(
    op: string,
    inputs: string[],
    attrs: Record<string, Attr>,
    scope: string,
    shape: number[],
  ): this {
    this.node(op, [this.cur, ...inputs], attrs, { scope, chain: true });
    this.shape = shape;
    return this;
  }

  private windowOut(k: number, stride: number, pads: number[], ceil = false): number[] {
    const [c, h, w] = this.shape;
    const f = ceil ? Math.ceil : Math.floor;
    return [c, f((h + pads[0] + pads[2] - k) / stride) + 1, f((w + pads[1] + pads[3] - k) / stride) + 1];
  }

  conv(
    filters: number,
    k: number,
    o: { stride?: number; pad?: number; autoPad?: string; bias?: boolean; attrs?: Record<string, Attr> } = {},
  ): this {
    const scope = this.scope('conv');
    const stride = o.stride ?? 1;
    const pad = o.pad ?? 0;
    const inputs = [
      this.weight(`${scope}.weight`, [filters, this.shape[0], k, k], 1 / Math.sqrt(this.shape[0] * k * k)),
    ];
    if (o.bias !== false) inputs.push(this.weight(`${scope}.bias`, [filters], 0.1));
    const attrs: Record<string, Attr> = { kernel_shape: [k, k], strides: [stride, stride], ...o.attrs };
    if (o.autoPad) attrs.auto_pad = o.autoPad;
    else attrs.pads = [pad, pad, pad, pad];
    const [, h, w] =
      o.autoPad === 'SAME_UPPER' || o.autoPad === 'SAME_LOWER'
        ? [0, Math.ceil(this.shape[1] / stride), Math.ceil(this.shape[2] / stride)]
        : this.windowOut(k, stride, [pad, pad, pad, pad]);
    return this.layer('Conv', inputs, attrs, scope, [filters, h, w]);
  }

  batchNorm(): this {
    const scope = this.scope('bn');
    const c = this.shape[0];
    const ins = [
      this.weight(
        `${scope}.weight`,
        [c],
        0.5,
        Float32Array.from({ length: c }, () => 0.5 + this.rng()),
      ),
      this.weight(`${scope}.bias`, [c], 0.2),
      this.weight(`${scope}.running_mean`, [c], 0.2),
      this.weight(
        `${scope}.running_var`,
        [c],
        1,
        Float32Array.from({ length: c }, () => 0.5 + this.rng()),
      ),
    ];
    return this.layer('BatchNormalization', ins, { epsilon: { float: 1e-5 } }, scope, this.shape);
  }

  act(op: 'Relu' | 'Sigmoid' | 'Tanh' | 'Dropout' | 'Identity', attrs: Record<string, Attr> = {}): this {
    return this.layer(op, [], attrs, this.scope(op), this.shape);
  }

  leakyRelu(alpha: number): this {
    return this.layer('LeakyRelu', [], { alpha: { float: alpha } }, this.scope('LeakyRelu'), this.shape);
  }

  pool(
    op: 'MaxPool' | 'AveragePool',
    k: number,
    o: { stride?: number; pad?: number; ceil?: boolean } = {},
  ): this {
    const stride = o.stride ?? k;
    const pad = o.pad ?? 0;
    const attrs: Record<string, Attr> = { kernel_shape: [k, k], strides: [stride, stride] };
    if (pad) attrs.pads = [pad, pad, pad, pad];
    if (o.ceil) attrs.ceil_mode = 1;
    return this.layer(op, [], attrs, this.scope(op), this.windowOut(k, stride, [pad, pad, pad, pad], o.ceil));
  }

  globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): this {
    return this.layer(op, [], {}, this.scope(op), [this.shape[0], 1, 1]);
  }

  flatten(): this {
    const n = this.shape.reduce((a, b) => a * b, 1);
    return this.layer('Flatten', [], { axis: 1 }, this.scope('Flatten'), [n]);
  }

  /** Reshape to a flatten: a constant [-1, n] target, or PyTorch's `x.view(x.size(0), -1)` graph. */
  reshapeFlatten(how: 'constant' | 'shape-of' = 'constant'): this {
    const n = this.shape.reduce((a, b) => a * b, 1);
    const scope = this.scope('Reshape');
    let target: string;
    if (how === 'constant') target = this.ints(`${scope}.shape`, [-1, n]);
    else {
      const shape = this.node('Shape', [this.cur], {}, { scope: `${scope}/size` });
      const zero = this.ints(`${scope}.zero`, [0]);
      const batch = this.node('Gather', [shape, zero], { axis: 0 }, { scope: `${scope}/gather` });
      const minus = this.ints(`${scope}.minus_one`, [-1]);
      target = this.node('Concat', [batch, minus], { axis: 0 }, { scope: `${scope}/concat` });
    }
    return this.layer('Reshape', [target], {}, scope, [n]);
  }

  gemm(units: number, o: { transB?: boolean } = {}): this {
    const scope = this.scope('fc');
    const k = this.shape[0];
    const transB = o.transB ?? true;
    const w = this.weight(`${scope}.weight`, transB ? [units, k] : [k, units], 1 / Math.sqrt(k));
    const b = this.weight(`${scope}.bias`, [units], 0.1);
    return this.layer('Gemm', [w, b], { transB: transB ? 1 : 0 }, scope, [units]);
  }

  /** Keras/tf2onnx style dense: MatMul by [in, out], then Add of the bias. */
  matmulAdd(units: number): this {
    const scope = this.scope('dense');
    const k = this.shape[0];
    const w = this.weight(`${scope}/kernel`, [k, units], 1 / Math.sqrt(k));
    this.node('MatMul', [this.cur, w], {}, { name: `sequential/${scope}/MatMul`, chain: true });
    const b = this.weight(`${scope}/bias`, [units], 0.1);
    this.node('Add', [this.cur, b], {}, { name: `sequential/${scope}/BiasAdd`, chain: true });
    this.shape = [units];
    return this;
  }

  softmax(op: 'Softmax' | 'LogSoftmax' = 'Softmax'): this {
    return this.layer(op, [], { axis: 1 }, this.scope(op), this.shape);
  }

  /** Declares value_info for a tensor (to test the cross-check). */
  declare(name: string, dims: (number | string)[]): this {
    this.valueInfo.push(valueInfo(name, dims));
    return this;
  }

  /** The ONNX bytes: graph output = the current tensor (plus `outputs`). */
  build(o: { outputs?: string[]; outputDims?: (number | string)[] } = {}): Uint8Array {
    const outs = [this.cur, ...(o.outputs ?? [])];
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'onnx-builder (tests)',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: 'test-cnn',
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo('input', this.inputDims)],
        output: outs.map((name, i) =>
          valueInfo(name, i === 0 && o.outputDims ? o.outputDims : ['N', ...this.shape]),
        ),
        valueInfo: this.valueInfo,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
