/**
 * ONNX's protobuf schema, through the `onnx-proto` package (protobufjs), imported lazily: only a page
 * that reads an `.onnx` graph downloads it (≈ 30 KB gz), never the element's main bundle.
 */
import type { onnx } from 'onnx-proto';

export type OnnxModel = onnx.IModelProto;
export type OnnxGraph = onnx.IGraphProto;
export type OnnxNode = onnx.INodeProto;
export type OnnxTensor = onnx.ITensorProto;
export type OnnxValueInfo = onnx.IValueInfoProto;
export type OnnxAttribute = onnx.IAttributeProto;

type OnnxNamespace = typeof onnx;

let loading: Promise<OnnxNamespace> | undefined;

/** The generated classes (ModelProto, …), loaded on first use. */
export function loadSchema(): Promise<OnnxNamespace> {
  // onnx-proto is CommonJS (`module.exports = { onnx }`): Node and bundlers put it under `default`
  loading ??= import('onnx-proto').then((m) => {
    const mod = m as unknown as { default?: { onnx?: OnnxNamespace }; onnx?: OnnxNamespace };
    const schema = mod.default?.onnx ?? mod.onnx;
    if (!schema) throw new Error('onnx-proto did not load');
    return schema;
  });
  return loading;
}

/** Decodes an ONNX file's bytes. Throws an Error in words if they are not an ONNX model. */
export async function decodeOnnx(bytes: Uint8Array): Promise<OnnxModel> {
  const schema = await loadSchema();
  let model: OnnxModel;
  try {
    model = schema.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model (${(e as Error).message})`, { cause: e });
  }
  if (!model.graph?.node?.length) throw new Error('not an ONNX model: it has no graph');
  return model;
}

/** Encodes a model (decoded or built as a plain object) back into ONNX bytes. */
export async function encodeOnnx(model: OnnxModel): Promise<Uint8Array> {
  const schema = await loadSchema();
  return schema.ModelProto.encode(model).finish();
}

/**
 * A protobuf int64 as a number: protobufjs gives a `Long` where the `long` package is around (Node),
 * a plain number otherwise (bundled for the browser).
 */
export function num(
  v: number | { toNumber(): number } | { low: number; high: number } | null | undefined,
): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  if ('toNumber' in v) return v.toNumber();
  return v.high * 2 ** 32 + (v.low >>> 0);
}
