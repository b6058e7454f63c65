/**
 * `cnn.json`: the network described as data for every consumer (the element's renderer lays out
 * exactly these layers; the server checks its model against it). Written next to `cnn.onnx`.
 */
import { createHash } from 'node:crypto';
import { BATCH_NORM_TENSORS, INPUT_NORMALIZATION, type ResolvedLayer } from './architecture.ts';
import type { ModelDescription } from 'cnn-visualizer/description';
import type { EpochReport, TrainSettings } from './trainer.ts';

/** What the trainer writes: the element's `ModelDescription` (the one definition of cnn.json), complete. */
export type ModelMetadata = ModelDescription & {
  format: 'cnn-visualizer/model@1';
  input: ModelDescription['input'] & { preprocessing: string };
  metrics: Required<NonNullable<ModelDescription['metrics']>>;
  checkpoints: NonNullable<ModelDescription['checkpoints']>;
  training: {
    trainer: string;
    settings: TrainSettings;
    seconds: number;
    machine: string;
    node: string;
    history: Array<Pick<EpochReport, 'epoch' | 'loss' | 'trainAccuracy' | 'testAccuracy' | 'seconds'>>;
  };
};

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
    if (l.kind === 'conv')
      Object.assign(out, { kernel: l.kernel, stride: l.stride, padding: l.padding, filters: l.filters });
    if (l.kind === 'maxpool' || l.kind === 'avgpool')
      Object.assign(out, { kernel: l.kernel, stride: l.stride, padding: 0 });
    if (l.kind === 'batchnorm') {
      const [scale, bias, mean, variance] = BATCH_NORM_TENSORS.map((t) => `${l.name}.${t}`);
      Object.assign(out, { epsilon: l.epsilon, tensors: { scale, bias, mean, variance } });
    }
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
