/**
 * A model's learnt tensors, read from its ONNX file's initializers (in the page or in Node): what
 * the explanations compute with. DOM-free.
 */
export interface Tensor {
  /** ONNX dims, e.g. [out, in, kh, kw] for a conv kernel, [out, in] for a Gemm weight with transB. */
  dims: number[];
  data: Float32Array;
}

/** Initializer name → tensor (the names `LayerDescription.params` lists). */
export type Weights = ReadonlyMap<string, Tensor>;
