/**
 * Conv and pooling windows: kernel, strides and padding per axis read from a node's attributes
 * (auto_pad resolved to explicit pads), and the output size they give. DOM-free.
 */
import { hasAttr, intAttr, intsAttr, stringAttr } from './attributes.js';
import { nodeError } from './model-error.js';
import type { OnnxNode } from './proto.js';

export interface Window {
  /** [height, width] */
  kernel: [number, number];
  /** [vertical, horizontal] */
  strides: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  ceilMode: boolean;
}

const pair = (
  node: OnnxNode,
  name: string,
  values: number[] | undefined,
  fallback: number,
): [number, number] => {
  if (values === undefined) return [fallback, fallback];
  if (values.length !== 2)
    throw nodeError(node, `${name} has ${values.length} values, 2 expected (a 2-D window)`);
  return [values[0], values[1]];
};

/**
 * Reads the window of a Conv, MaxPool or AveragePool node over an input of `[height, width]`.
 * `kernel` is the conv weight's spatial size when the node has no `kernel_shape`. Rejects
 * dilations other than 1.
 */
export function readWindow(
  node: OnnxNode,
  input: [number, number],
  kernelFromWeight?: [number, number],
): Window {
  const kernelAttr = intsAttr(node, 'kernel_shape');
  if (kernelAttr === undefined && !kernelFromWeight) throw nodeError(node, 'has no kernel_shape');
  const kernel = kernelAttr ? pair(node, 'kernel_shape', kernelAttr, 1) : kernelFromWeight!;
  if (kernelFromWeight && (kernel[0] !== kernelFromWeight[0] || kernel[1] !== kernelFromWeight[1]))
    throw nodeError(node, `kernel_shape [${kernel}] does not match the weight's [${kernelFromWeight}]`);
  const strides = pair(node, 'strides', intsAttr(node, 'strides'), 1);
  const dilations = intsAttr(node, 'dilations');
  if (dilations?.some((d) => d !== 1))
    throw nodeError(node, `dilation [${dilations.join(', ')}] is not supported (only 1)`);
  const ceilMode = intAttr(node, 'ceil_mode', 0) === 1;
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    for (let axis = 0; axis < 2; axis++) {
      const out = Math.ceil(input[axis] / strides[axis]);
      const total = Math.max((out - 1) * strides[axis] + kernel[axis] - input[axis], 0);
      const small = Math.floor(total / 2);
      const [begin, end] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      pads[axis] = begin;
      pads[axis + 2] = end;
    }
  } else if (autoPad === 'NOTSET') {
    const p = intsAttr(node, 'pads');
    if (p !== undefined) {
      if (p.length !== 4) throw nodeError(node, `pads has ${p.length} values, 4 expected`);
      pads = [p[0], p[1], p[2], p[3]];
    }
  } else if (autoPad !== 'VALID') throw nodeError(node, `auto_pad "${autoPad}" is not an ONNX value`);
  if (hasAttr(node, 'pads') && autoPad !== 'NOTSET')
    throw nodeError(node, `has both auto_pad ${autoPad} and explicit pads`);
  return { kernel, strides, pads, ceilMode };
}

/** Output [height, width] of a window over `input` (ONNX's formula, ceil_mode included). */
export function windowOutput(node: OnnxNode, input: [number, number], w: Window): [number, number] {
  const out: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const span = input[axis] + w.pads[axis] + w.pads[axis + 2] - w.kernel[axis];
    let n = (w.ceilMode ? Math.ceil(span / w.strides[axis]) : Math.floor(span / w.strides[axis])) + 1;
    // ceil_mode: a last window starting in the bottom/right padding is dropped (as onnxruntime does)
    if (w.ceilMode && (n - 1) * w.strides[axis] >= input[axis] + w.pads[axis]) n--;
    if (span < 0 || n < 1)
      throw nodeError(node, `its ${w.kernel.join('×')} window does not fit the ${input.join('×')} input`);
    out.push(n);
  }
  return [out[0], out[1]];
}
