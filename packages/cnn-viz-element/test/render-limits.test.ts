// The size check of the 3D view (issue 12.2: a model over the size the renderer shows well says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerDescription, ModelDescription } from '../src/model/description.ts';
import { checkRenderable, MAX_CUBES, MAX_LAYERS, ModelTooLargeError } from '../src/render/limits.ts';

const model = (maps: number): ModelDescription => {
  const layers: LayerDescription[] = [
    { name: 'input', kind: 'input', shape: [3, 32, 32] },
    { name: '/conv1/Conv_output_0', label: 'conv1', kind: 'conv', shape: [maps, 32, 32], from: 'input' },
    { name: 'relu1', kind: 'relu', shape: [maps, 32, 32], from: '/conv1/Conv_output_0' },
    { name: 'fc', kind: 'dense', shape: [10], from: 'relu1' },
  ];
  return {
    format: 'cnn-visualizer/1',
    name: 'test',
    version: '0',
    onnx: 'x.onnx',
    input: { name: 'input', shape: [3, 32, 32], normalization: { scale: 1 / 255, mean: 0, std: 1 } },
    classes: [...'0123456789'],
    layers,
  } as unknown as ModelDescription;
};

test('a model of about 100k cubes (32 maps of 32×32 twice) is shown', () => {
  // 3·32·32 + 2 · 32·32·32 + 10 = 3,072 + 65,536 + 10
  assert.doesNotThrow(() => checkRenderable(model(32)));
  assert.ok(3072 + 2 * 32 * 32 * 32 + 10 <= MAX_CUBES);
});

test('a model over the limit is refused with its count, the limit and its largest layers named', () => {
  const cubes = 3072 + 2 * 128 * 32 * 32 + 10; // 265,226
  assert.ok(cubes > MAX_CUBES);
  assert.throws(
    () => checkRenderable(model(128)),
    (e: unknown) => {
      assert.ok(e instanceof ModelTooLargeError);
      assert.equal(e.type, 'model');
      assert.equal(e.cubes, cubes);
      assert.equal(e.limit, MAX_CUBES);
      assert.match(e.message, /265,226 activations/);
      assert.match(e.message, new RegExp(`up to ${MAX_CUBES.toLocaleString('en')}`));
      // the layer's readable label, not its tensor name
      assert.match(e.message, /conv1 128×32×32 = 131,072/);
      assert.match(e.message, /relu1 128×32×32 = 131,072/);
      return true;
    },
  );
});

test('the limit can be given: exactly at it passes, one over fails', () => {
  const cubes = 3072 + 2 * 8 * 32 * 32 + 10;
  assert.doesNotThrow(() => checkRenderable(model(8), cubes));
  assert.throws(() => checkRenderable(model(8), cubes - 1), ModelTooLargeError);
});

test('a model with more layers than the view has reveal slots for is refused, saying how many', () => {
  const deep = (n: number): ModelDescription => {
    const m = model(1);
    const layers: LayerDescription[] = [m.layers[0]];
    for (let i = 1; i < n; i++)
      layers.push({ name: `fc${i}`, kind: 'dense', shape: [10], from: layers[i - 1].name });
    return { ...m, layers };
  };
  assert.doesNotThrow(() => checkRenderable(deep(100)));
  assert.throws(
    () => checkRenderable(deep(101)),
    (e: unknown) => {
      assert.ok(e instanceof ModelTooLargeError);
      assert.equal(e.type, 'model');
      assert.equal(MAX_LAYERS, 100);
      assert.match(e.message, /101 layers to draw; the 3D view shows up to 100/);
      return true;
    },
  );
});
