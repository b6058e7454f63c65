// readWeights: the learnt tensors of an ONNX file as `Weights`, whatever way the file stores them
// (raw_data little-endian, float_data, float16, Constant nodes), under the names the description's
// params list; compared with the values the test wrote and with the model package's own reader.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { exportOnnx, readOnnxInitializers } from '../../../model/src/export-onnx.ts';
import { roundToFloat16 } from '../../../model/src/float16.ts';
import type { ModelDescription } from '../src/model/description.ts';
import { decodeOnnx, deriveDescription, encodeOnnx, loadOnnx, readWeights } from '../src/onnx/index.ts';
import { OnnxBuilder } from './helpers/onnx-builder.ts';
import { kerasLike, lenet, smallVgg } from './helpers/onnx-models.ts';

const { onnx } = onnxProto;
const modelDir = new URL('../../../model/', import.meta.url);

describe('readWeights', () => {
  for (const [how, make] of [
    ['raw_data', lenet],
    ['float_data', smallVgg],
    ['float16 (cast in the graph)', kerasLike],
  ] as const) {
    test(`${how}: every initializer, as written, under the names the layers' params list`, async () => {
      const m = make();
      const model = await decodeOnnx(m.bytes);
      const weights = readWeights(model);
      assert.equal(weights.size, m.builder.values.size);
      for (const [name, values] of m.builder.values) assert.deepEqual(weights.get(name)?.data, values, name);
      for (const l of deriveDescription(model).layers)
        for (const [name, dims] of Object.entries(l.params ?? {}))
          assert.deepEqual(weights.get(name)?.dims, dims);
    });
  }

  test('model/cnn.onnx: the same tensors as the model package reads', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('cnn.onnx', modelDir)));
    const weights = readWeights(await decodeOnnx(bytes));
    const reference = readOnnxInitializers(bytes);
    assert.deepEqual([...weights.keys()].sort(), [...reference.keys()].sort());
    for (const [name, t] of reference) {
      assert.deepEqual(weights.get(name)!.dims, t.shape);
      assert.deepEqual(weights.get(name)!.data, t.data);
    }
  });

  test("a float16 training checkpoint the trainer writes: cnn.json's layers, its weights rounded to half", async () => {
    const bytes = new Uint8Array(readFileSync(new URL('cnn.onnx', modelDir)));
    const json = JSON.parse(readFileSync(new URL('cnn.json', modelDir), 'utf8')) as ModelDescription;
    const full = readOnnxInitializers(bytes);
    const tensors = [...full].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
    const checkpoint = exportOnnx(json.layers as Parameters<typeof exportOnnx>[0], tensors, {
      weightType: 'float16',
    });
    const { description, weights } = await loadOnnx(checkpoint);
    assert.deepEqual(
      description.layers.map((l) => [l.name, l.kind, l.shape, l.params]),
      json.layers.map((l) => [l.name, l.kind, l.shape, l.params]),
    );
    for (const [name, t] of full) assert.deepEqual(weights.get(name)!.data, t.data.map(roundToFloat16), name);
  });

  test('weights held by Constant nodes are weights too; integer tensors are not', async () => {
    const b = new OnnxBuilder();
    const kernel = Float32Array.from({ length: 4 * 9 }, (_, i) => (i % 7) / 10 - 0.3);
    b.nodes.push({
      name: 'const_w',
      opType: 'Constant',
      input: [],
      output: ['w'],
      attribute: [
        {
          name: 'value',
          type: onnx.AttributeProto.AttributeType.TENSOR,
          t: { dims: [4, 1, 3, 3], dataType: 1, rawData: new Uint8Array(kernel.slice().buffer) },
        },
      ],
    });
    b.node('Conv', [b.cur, 'w'], { kernel_shape: [3, 3] }, { scope: 'conv', chain: true });
    b.shape = [4, 26, 26];
    b.reshapeFlatten('constant').gemm(10);
    const model = await decodeOnnx(b.build());
    const weights = readWeights(model);
    assert.deepEqual(weights.get('w'), { dims: [4, 1, 3, 3], data: kernel });
    assert.equal(weights.has('reshape1.shape'), false); // int64
    const conv = deriveDescription(model).layers[1];
    assert.deepEqual(conv.params, { w: [4, 1, 3, 3] });
  });

  test('a file whose weights live outside it is refused in words', async () => {
    const model = await decodeOnnx(lenet().bytes);
    const init = model.graph!.initializer![0];
    init.rawData = new Uint8Array(0);
    init.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    init.externalData = [{ key: 'location', value: 'weights.bin' }];
    const reread = await decodeOnnx(await encodeOnnx(model));
    assert.throws(() => readWeights(reread), /conv1\.weight" keeps its values in an external file/);
  });

  test('a tensor whose data does not match its dims is refused, naming it', async () => {
    const model = await decodeOnnx(lenet().bytes);
    const init = model.graph!.initializer![1];
    init.rawData = init.rawData!.subarray(0, 8);
    assert.throws(
      () => readWeights(model),
      /tensor "conv1\.bias" has 2 values for dims \[6\] \(6 expected\)/,
    );
  });
});
