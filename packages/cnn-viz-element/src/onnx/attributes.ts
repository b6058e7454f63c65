/** Reading a node's attributes by name, with ONNX's defaults. DOM-free. */
import { num, type OnnxNode } from './proto.js';

const find = (node: OnnxNode, name: string) => node.attribute?.find((a) => a.name === name);

export const hasAttr = (node: OnnxNode, name: string): boolean => find(node, name) !== undefined;

export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = find(node, name);
  return a ? num(a.i) : fallback;
}

export function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = find(node, name);
  return a ? (a.f ?? 0) : fallback;
}

export function intsAttr(node: OnnxNode, name: string): number[] | undefined {
  const a = find(node, name);
  return a ? (a.ints ?? []).map(num) : undefined;
}

export function stringAttr(node: OnnxNode, name: string, fallback: string): string {
  const a = find(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}
