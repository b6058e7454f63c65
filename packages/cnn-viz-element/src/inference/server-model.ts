/**
 * Whether the server runs this page's model: its HELLO (`protocol.ts`) against the page's model
 * description, and what differs, in words a reader (or the page's author) can act on. DOM-free.
 */
import { layerSize, type ModelDescription } from '../model/description.js';
import type { HelloInfo } from './protocol.js';

/** The shape a server that says nothing of its input has: the shipped 1×28×28 LeNet-5. */
const DEFAULT_INPUT = [1, 28, 28];

/**
 * A description's `version` that is a hash of its ONNX file: the first hex digits of its SHA-256 (what
 * the trainer writes in cnn.json and `loadOnnx` derives), comparable with HELLO's `model.sha256`.
 */
const isHashVersion = (version: string) => /^[0-9a-f]{16,64}$/.test(version);

const dims = (shape: readonly number[]) => shape.join('×');

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

type Norm = NonNullable<NonNullable<HelloInfo['input']>['normalization']>;

/** A normalisation in words: "pixel / 255, minus 0.1307, divided by 0.3081". */
function normWords(n: Norm): string {
  const mean = n.perChannel ? n.perChannel.mean.join(', ') : String(n.mean);
  const std = n.perChannel ? n.perChannel.std.join(', ') : String(n.std);
  return `pixel × ${+n.scale.toPrecision(6)}, minus ${mean}, divided by ${std}`;
}

function sameNorm(a: Norm, b: Norm): boolean {
  const same = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((v, i) => close(v, y[i]));
  const channels = (n: Norm) => n.perChannel ?? { mean: [n.mean], std: [n.std] };
  return (
    close(a.scale, b.scale) &&
    same(channels(a).mean, channels(b).mean) &&
    same(channels(a).std, channels(b).std)
  );
}

/**
 * What differs between the server's model (its HELLO) and `model`, the page's; `undefined` when they
 * are the same network with the same weights, fed the same way. The message names both models and
 * says what differs, e.g. "the server runs the model lenet5-mnist (version 3d2a8dbb74e15755, 13
 * layers, input 1×28×28), this page's model is my-cnn (…): their layers differ: layer 4 is …".
 */
export function serverModelMismatch(hello: HelloInfo, model: ModelDescription): string | undefined {
  const theirs = hello.layers;
  const ours = model.layers.slice(1);
  const theirInput = hello.input?.shape ?? DEFAULT_INPUT;
  const differences: string[] = [];
  if (dims(theirInput) !== dims(model.input.shape))
    differences.push(`the server's takes ${dims(theirInput)} inputs, this page's ${dims(model.input.shape)}`);
  if (theirs.length !== ours.length)
    differences.push(`the server's has ${theirs.length} layers after the input, this page's ${ours.length}`);
  else {
    const i = theirs.findIndex((l, k) => l.name !== ours[k].name || layerSize(l) !== layerSize(ours[k]));
    if (i >= 0)
      differences.push(
        `their layer ${i + 1} is ${theirs[i].kind} "${theirs[i].name}" of ${dims(theirs[i].shape)} on the server, ` +
          `${ours[i].kind} "${ours[i].name}" of ${dims(ours[i].shape)} in this page`,
      );
  }
  const sha = hello.model.sha256;
  if (sha && isHashVersion(model.version) && !sha.startsWith(model.version))
    differences.push(
      `their weights differ (the server's ONNX file has SHA-256 ${sha.slice(0, 16)}…, this page's ${model.version.slice(0, 16)}…)`,
    );
  const theirNorm = hello.input?.normalization;
  if (theirNorm && !sameNorm(theirNorm, model.input.normalization))
    differences.push(
      `the server normalises the input as ${normWords(theirNorm)}; this page as ${normWords(model.input.normalization)}`,
    );
  const theirInk = hello.input?.ink ?? 'bright';
  const ourInk = model.input.ink ?? 'bright';
  if (theirInk !== ourInk) {
    const ink = (i: string) =>
      i === 'dark' ? 'dark ink on a light background' : 'bright ink on a dark background';
    differences.push(`the server's model reads ${ink(theirInk)}, this page's ${ink(ourInk)}`);
  }
  if (!differences.length) return undefined;
  const server = `${hello.model.name} (version ${hello.model.version}, ${theirs.length} layers, input ${dims(theirInput)})`;
  const page = `${model.name} (version ${model.version}, ${ours.length} layers, input ${dims(model.input.shape)})`;
  return `the server runs the model ${server}, this page's model is ${page}: ${differences.join('; ')}`;
}

/**
 * Why the server cannot run checkpoint `index` of `model` (an index into `model.checkpoints`), or
 * `undefined` when it can: it must list a checkpoint at that index from the same training step.
 */
export function serverCheckpointProblem(
  hello: HelloInfo,
  model: ModelDescription,
  index: number,
): string | undefined {
  const offered = hello.checkpoints ?? [];
  const ours = model.checkpoints?.[index];
  if (index >= offered.length)
    return offered.length
      ? `the server offers checkpoints 0–${offered.length - 1} of its model, not checkpoint ${index}`
      : `the server runs its model's own weights only: it offers no checkpoints (asked for checkpoint ${index})`;
  if (ours && offered[index].step !== ours.step)
    return `the server's checkpoint ${index} is from training step ${offered[index].step}, this page's from step ${ours.step}`;
  return undefined;
}
