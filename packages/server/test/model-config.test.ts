// Choosing the model: MODEL_PATH, MODEL_NORMALIZATION and MODEL_INK are checked at start with messages
// naming the variable; a model that cannot be read, shown or normalised that way is refused in words; a
// listed checkpoint whose file is missing fails its requests (naming it), not the server.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { OnnxBuilder } from '../../cnn-viz-element/test/helpers/onnx-builder.ts';
import { lenet } from '../../cnn-viz-element/test/helpers/onnx-models.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import {
  CheckpointUnavailableError,
  ModelRunner,
  UnknownCheckpointError,
} from '../src/inference/model-runner.ts';
import { mnistDigits } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnn-model-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const shippedJson = loadConfig({}).modelPath;

test('MODEL_PATH, MODEL_NORMALIZATION and MODEL_INK are checked at start, each named', () => {
  assert.match(shippedJson, /model[/\\]cnn\.json$/);
  assert.throws(() => loadConfig({ MODEL_PATH: 'weights.txt' }), {
    name: ConfigError.name,
    message: /MODEL_PATH must name a cnn\.json description or an \.onnx file, got "weights\.txt"/,
  });
  assert.throws(
    () => loadConfig({ MODEL_NORMALIZATION: 'cifar' }),
    /MODEL_NORMALIZATION: normalization "cifar"/,
  );
  assert.throws(() => loadConfig({ MODEL_INK: 'grey' }), /MODEL_INK must be bright or dark, got "grey"/);
  assert.equal(loadConfig({ MODEL_NORMALIZATION: 'imagenet' }).modelNormalization, 'imagenet');
  assert.equal(loadConfig({ MODEL_DIR: '/srv/models' }).modelPath, join('/srv/models', 'cnn.json'));
  assert.equal(loadConfig({ MODEL_DIR: '/srv/models', MODEL_PATH: '/srv/x.onnx' }).modelPath, '/srv/x.onnx');
});

test('a model that cannot be read, shown or normalised as asked is refused in words', async () => {
  await assert.rejects(
    ModelRunner.load(join(dir, 'missing.onnx')),
    /cannot read the model .*missing\.onnx: ENOENT/,
  );
  writeFileSync(join(dir, 'garbage.onnx'), 'not a model at all');
  await assert.rejects(
    ModelRunner.load(join(dir, 'garbage.onnx')),
    /garbage\.onnx cannot be served: not an ONNX model/,
  );
  const b = new OnnxBuilder({ channels: 1, size: 28 });
  b.conv(4, 3, { pad: 1 });
  b.node('Sin', [b.cur], {}, { chain: true });
  writeFileSync(join(dir, 'sin.onnx'), b.build());
  await assert.rejects(ModelRunner.load(join(dir, 'sin.onnx')), /sin\.onnx cannot be served: .*Sin/);
  writeFileSync(join(dir, 'lenet.onnx'), lenet().bytes);
  await assert.rejects(
    ModelRunner.load(join(dir, 'lenet.onnx'), { normalization: 'imagenet' }),
    /MODEL_NORMALIZATION does not fit .*lenet\.onnx: normalization "imagenet" is for 3 channels, the model has 1/,
  );
  const dark = await ModelRunner.load(join(dir, 'lenet.onnx'), { normalization: 'mnist', ink: 'dark' });
  assert.deepEqual([dark.description.input.normalization.mean, dark.description.input.ink], [0.1307, 'dark']);
  await dark.close();
});

test('a listed checkpoint whose file is missing fails its requests, naming it; the rest keeps working', async () => {
  // cnn.json and cnn.onnx without the checkpoints folder
  const copy = join(dir, 'no-checkpoints');
  mkdirSync(copy);
  for (const f of ['cnn.json', 'cnn.onnx']) copyFileSync(join(dirname(shippedJson), f), join(copy, f));
  const runner = await ModelRunner.load(join(copy, 'cnn.json'));
  try {
    const [d] = await mnistDigits(1, 10);
    await assert.rejects(runner.infer(d.pixels, 0), (e: Error) => {
      assert.ok(e instanceof CheckpointUnavailableError);
      assert.match(e.message, /checkpoint 0 \(step 0\) is missing on the server: ENOENT/);
      return true;
    });
    await assert.rejects(runner.infer(d.pixels, runner.checkpoints.length), UnknownCheckpointError);
    assert.equal((await runner.infer(d.pixels)).prediction, d.label);
    // the last checkpoint is cnn.onnx itself: it runs
    assert.equal((await runner.infer(d.pixels, runner.checkpoints.length - 1)).prediction, d.label);
  } finally {
    await runner.close();
  }
});
