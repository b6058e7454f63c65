/**
 * `cnn.json`: the network described as data for every consumer (the element's renderer lays out
 * exactly these layers; the server checks its model against it). Written next to `cnn.onnx`.
 */
import { createHash } from 'node:crypto';
import { INPUT_NORMALIZATION, type ResolvedLayer } from './architecture.ts';
import type { EpochReport, TrainSettings } from './trainer.ts';

export interface ModelMetadata {
  format: 'cnn-visualizer/model@1';
  name: string;
  /** First 16 hex digits of the SHA-256 of the ONNX bytes: changes whenever the weights do. */
  version: string;
  onnx: string;
  input: {
    name: string;
    /** Per-sample shape; the ONNX input has a leading batch dimension. */
    shape: number[];
    /** x = (pixel · scale − mean) / std, pixel 0–255 with 255 = ink (MNIST's convention). */
    normalization: { scale: number; mean: number; std: number };
    preprocessing: string;
  };
  /** In execution order. Every layer but the input is an ONNX graph output of the same name. */
  layers: Array<{
    name: string;
    kind: ResolvedLayer['kind'];
    shape: number[];
    from?: string;
    kernel?: number;
    stride?: number;
    padding?: number;
    filters?: number;
    units?: number;
    params?: Record<string, number[]>;
  }>;
  classes: string[];
  metrics: {
    testAccuracy: number;
    testSet: string;
    /** confusion[label][prediction] on the test set. */
    confusionMatrix: number[][];
  };
  training: {
    trainer: string;
    settings: TrainSettings;
    seconds: number;
    machine: string;
    node: string;
    history: Array<Pick<EpochReport, 'epoch' | 'loss' | 'trainAccuracy' | 'testAccuracy' | 'seconds'>>;
  };
}

export function modelVersion(onnx: Uint8Array): string {
  return createHash('sha256').update(onnx).digest('hex').slice(0, 16);
}

export function describeLayers(
  layers: ResolvedLayer[],
  tensors: { name: string; shape: number[] }[],
): ModelMetadata['layers'] {
  return layers.map((l) => {
    const own = tensors.filter((t) => t.name.startsWith(`${l.name}.`));
    const { kind, name, shape } = l;
    const out: ModelMetadata['layers'][number] = { name, kind, shape };
    if (l.kind !== 'input') out.from = l.from;
    if (l.kind === 'conv') Object.assign(out, { kernel: l.kernel, stride: l.stride, padding: l.padding, filters: l.filters });
    if (l.kind === 'maxpool') Object.assign(out, { kernel: l.kernel, stride: l.stride, padding: 0 });
    if (l.kind === 'dense') out.units = l.units;
    if (own.length) out.params = Object.fromEntries(own.map((t) => [t.name, t.shape]));
    return out;
  });
}

export const INPUT_DESCRIPTION = {
  normalization: { ...INPUT_NORMALIZATION },
  preprocessing:
    'MNIST style: crop to the ink, scale the larger side to 20 px keeping the aspect ratio, ' +
    'centre the centre of mass in 28×28 (see cnn-visualizer/preprocess)',
};
