/**
 * Why a graph cannot be shown, naming the operator and the node: what the element reports as
 * `cnn-error { type: 'model' }`. DOM-free.
 */
import type { OnnxNode } from './proto.js';

export class OnnxModelError extends Error {
  override name = 'OnnxModelError';
  constructor(
    message: string,
    /** The ONNX operator type the problem is at (e.g. `Conv`), if it is at a node. */
    readonly opType?: string,
    /** The node's name (or, for an unnamed node, its first output's name). */
    readonly node?: string,
  ) {
    super(message);
  }
}

/** How a node is named in messages: its name, or its first output for an unnamed node. */
export const nodeName = (node: OnnxNode): string => node.name || node.output?.[0] || '(unnamed)';

/** An error at a node: `Conv "/conv1/Conv": <why>`. */
export const nodeError = (node: OnnxNode, why: string): OnnxModelError =>
  new OnnxModelError(`${node.opType} "${nodeName(node)}": ${why}`, node.opType ?? undefined, nodeName(node));
