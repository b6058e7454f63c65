// The ONNX writer on the layer kinds the small VGG brought (batch normalisation in inference form,
// average pooling, global average pooling): random weights exported, run by onnxruntime-web, and
// compared layer by layer with the trainer's own inference pass; the element's ONNX reader derives
// the same layers from the bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadOnnx } from 'cnn-visualizer/onnx';
import * as ort from 'onnxruntime-web';
import { SMALL_VGG, type LayerSpec } from '../src/architecture.ts';
import { exportOnnx } from '../src/export-onnx.ts';
import { Network, paramLayout } from '../src/network.ts';
import { gaussian, mulberry32 } from '../src/random.ts';
import { randomParams, SMALL } from './helpers/every-kind.ts';

async function exportAndCompare(spec: readonly LayerSpec[], seed: number) {
  const layout = paramLayout(spec);
  const params = randomParams(layout, seed);
  const tensors = layout.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: Float32Array.from(params.subarray(t.offset, t.offset + t.size)),
  }));
  const bytes = exportOnnx(layout.layers, tensors);
  // the trainer computes with the float32-rounded weights the file holds
  const rounded = new Float64Array(params.length);
  for (const t of tensors) rounded.set(t.data, layout.tensors.find((s) => s.name === t.name)!.offset);
  const net = new Network(layout, rounded);
  const rng = mulberry32(seed + 1);
  const input = Float32Array.from({ length: layout.layers[0].shape.reduce((a, b) => a * b) }, () =>
    gaussian(rng),
  );
  net.forward(input);
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor('float32', input, [1, ...layout.layers[0].shape]) });
  await session.release();
  layout.layers.forEach((l, li) => {
    if (l.kind === 'input') return;
    const got = out[l.name];
    assert.deepEqual(got.dims, [1, ...l.shape], `shape of ${l.name}`);
    const onnx = got.data as Float32Array;
    for (let i = 0; i < onnx.length; i++)
      assert.ok(
        Math.abs(onnx[i] - net.acts[li][i]) <= 1e-4 * Math.max(1, Math.abs(net.acts[li][i])),
        `${l.name}[${i}]: onnx ${onnx[i]} vs trainer ${net.acts[li][i]}`,
      );
  });
  return { layout, bytes };
}

test('batch norm, average and global average pooling export to ONNX that computes what the trainer does', async () => {
  const { layout, bytes } = await exportAndCompare(SMALL, 21);
  const { description } = await loadOnnx(bytes);
  assert.deepEqual(
    description.layers.map((l) => [l.kind, l.shape]),
    layout.layers.map((l) => [l.kind, l.shape]),
  );
});

test('the small VGG exports with every layer as a graph output, equal to the trainer layer by layer', async () => {
  const { layout, bytes } = await exportAndCompare(SMALL_VGG, 22);
  const { description } = await loadOnnx(bytes);
  assert.deepEqual(
    description.layers.map((l) => [l.kind, l.shape]),
    layout.layers.map((l) => [l.kind, l.shape]),
  );
});
