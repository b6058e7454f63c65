// The ONNX graph reader (cnn-visualizer/onnx): the layer list and shapes it derives for each
// supported operator, the graphs it refuses (and that it names the operator and node when it does),
// and the shipped model/cnn.onnx read back as model/cnn.json describes it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { layerSize, validateDescription, type ModelDescription } from '../src/model/description.ts';
import { NORMALIZATION_PRESETS, parseNormalization } from '../src/model/normalization.ts';
import { decodeOnnx, deriveDescription, loadOnnx, modelVersion, OnnxModelError } from '../src/onnx/index.ts';
import { OnnxBuilder } from './helpers/onnx-builder.ts';
import { allModels, kerasLike, lenet, paddedPools, smallVgg } from './helpers/onnx-models.ts';

const modelDir = new URL('../../../model/', import.meta.url);
const describe_ = async (bytes: Uint8Array, options = {}) =>
  deriveDescription(await decodeOnnx(bytes), options);

/** Asserts that reading `bytes` fails with an OnnxModelError whose message names all of `words`. */
async function rejects(bytes: Uint8Array, words: string[], fields?: { opType?: string; node?: string }) {
  await assert.rejects(describe_(bytes), (e: unknown) => {
    assert.ok(e instanceof OnnxModelError, `expected an OnnxModelError, got ${e}`);
    for (const w of words) assert.ok(e.message.includes(w), `"${e.message}" does not mention ${w}`);
    if (fields?.opType) assert.equal(e.opType, fields.opType);
    if (fields?.node) assert.equal(e.node, fields.node);
    return true;
  });
}

describe('layer lists and shapes', () => {
  for (const make of [lenet, smallVgg, kerasLike, paddedPools]) {
    const m = make();
    test(`${m.name}: every operator becomes the layer and per-sample shape worked out by hand`, async () => {
      const d = await describe_(m.bytes);
      assert.deepEqual(
        d.layers.slice(1).map((l) => [l.kind, l.shape]),
        m.expected,
      );
      assert.equal(d.layers[0].kind, 'input');
      assert.deepEqual([d.layers[0].shape, d.input.shape], [m.input, m.input]);
      assert.equal(d.scores, m.scores);
      // a chain: each layer reads the one before it
      for (let i = 1; i < d.layers.length; i++) assert.equal(d.layers[i].from, d.layers[i - 1].name);
      validateDescription(d);
    });
  }

  test('layer names are the tensors onnxruntime returns; labels are short and unique', async () => {
    const d = await describe_(lenet().bytes);
    assert.equal(d.layers[1].name, '/conv1/Conv_output_0');
    assert.deepEqual(
      d.layers.map((l) => l.label),
      [
        'input',
        'conv1',
        'relu1',
        'maxpool1',
        'conv2',
        'relu2',
        'maxpool2',
        'flatten1',
        'fc1',
        'relu3',
        'fc2',
        'relu4',
        'fc3',
        'softmax1',
      ],
    );
    const k = await describe_(kerasLike().bytes);
    // tf2onnx-style names: sequential/dense1/MatMul + sequential/dense1/BiasAdd → dense1
    assert.deepEqual(
      k.layers.map((l) => l.label),
      [
        'input',
        'conv1',
        'tanh1',
        'maxpool1',
        'conv2',
        'relu1',
        'reshape1',
        'dense1',
        'relu2',
        'dense2',
        'logsoftmax1',
      ],
    );
    assert.equal(new Set(k.layers.map((l) => l.label)).size, k.layers.length);
  });

  test('conv and pooling windows: per axis, auto_pad resolved, scalar fields when both axes agree', async () => {
    const v = await describe_(smallVgg().bytes);
    const [conv1, bn1] = v.layers.slice(1);
    assert.deepEqual([conv1.kernel, conv1.stride, conv1.padding, conv1.filters], [3, 1, 1, 8]);
    assert.deepEqual(conv1.params, { 'conv1.weight': [8, 3, 3, 3] }); // bias=False
    assert.deepEqual(conv1.tensors, { weight: 'conv1.weight' });
    assert.deepEqual(bn1.params, {
      'bn1.weight': [8],
      'bn1.bias': [8],
      'bn1.running_mean': [8],
      'bn1.running_var': [8],
    });
    assert.deepEqual(bn1.tensors, {
      scale: 'bn1.weight',
      bias: 'bn1.bias',
      mean: 'bn1.running_mean',
      variance: 'bn1.running_var',
    });
    assert.ok(Math.abs(bn1.epsilon! - 1e-5) < 1e-9);
    assert.equal(v.layers[6].alpha !== undefined && Math.abs(v.layers[6].alpha - 0.1) < 1e-6, true);
    // SAME_UPPER, 3×3, stride 2 on 16×16: out 8, total padding (8 − 1)·2 + 3 − 16 = 1 → [0, 0, 1, 1]
    const same = v.layers[8];
    assert.deepEqual(
      [same.kernelShape, same.strides, same.pads],
      [
        [3, 3],
        [2, 2],
        [0, 0, 1, 1],
      ],
    );
    assert.equal(same.padding, undefined);
    const dense = v.layers.at(-1)!;
    assert.equal(dense.weightLayout, 'in-out');
    assert.deepEqual(dense.tensors, { weight: 'fc1.weight', bias: 'fc1.bias' });

    const k = await describe_(kerasLike().bytes);
    // SAME_LOWER, 3×3, stride 2 on 13×13: out 7, total (7 − 1)·2 + 3 − 13 = 2 → 1 each side
    assert.deepEqual(k.layers[4].pads, [1, 1, 1, 1]);
    assert.equal(k.layers[3].ceilMode, true);
    assert.deepEqual([k.layers[6].order, k.layers[6].op], ['hwc', 'Transpose+Reshape']);
    assert.deepEqual([k.layers[7].op, k.layers[7].weightLayout], ['MatMul+Add', 'in-out']);
    assert.deepEqual(k.layers[7].params, { 'dense1/kernel': [294, 32], 'dense1/bias': [32] });
    assert.equal(k.input.batch, 1);

    const p = await describe_(paddedPools().bytes);
    assert.deepEqual([p.layers[4].countIncludePad, p.layers[4].pads], [false, [1, 1, 1, 1]]);
    assert.equal(p.layers[8].op, 'Reshape');
    assert.equal(p.input.batch, 'symbolic');
    const l = await describe_(lenet().bytes);
    assert.equal(l.layers.at(-2)!.weightLayout, 'out-in');
  });

  test('older exporters: initializers also listed as inputs, unnamed nodes, numeric tensors, no kernel_shape', async () => {
    const model = await decodeOnnx(lenet().bytes);
    const graph = model.graph!;
    // keep_initializers_as_inputs=True (IR < 4): every weight is a graph input too
    graph.input = [
      ...graph.input!,
      ...graph.initializer!.map((t) => ({ name: t.name, type: { tensorType: { elemType: 1 } } })),
    ];
    // opset-9-era PyTorch: tensors numbered, nodes unnamed, Conv without kernel_shape
    const rename = new Map<string, string>();
    graph.node!.forEach((n, i) => {
      rename.set(n.output![0], String(10 + i));
      n.name = '';
      if (n.opType === 'Conv') n.attribute = n.attribute!.filter((a) => a.name !== 'kernel_shape');
    });
    for (const n of graph.node!) {
      n.input = n.input!.map((x) => rename.get(x) ?? x);
      n.output = n.output!.map((x) => rename.get(x) ?? x);
    }
    graph.output = graph.output!.map((o) => ({ ...o, name: rename.get(o.name!) }));
    const d = deriveDescription(model);
    assert.deepEqual(
      d.layers.slice(1).map((l) => [l.kind, l.shape]),
      lenet().expected,
    );
    assert.equal(d.layers[1].name, '10');
    assert.equal(d.layers[1].kernel, 5);
    assert.deepEqual(
      d.layers.map((l) => l.label),
      [
        'input',
        'conv',
        'relu',
        'maxpool',
        'conv 2',
        'relu 2',
        'maxpool 2',
        'flatten',
        'dense',
        'relu 3',
        'dense 2',
        'relu 4',
        'dense 3',
        'softmax',
      ],
    );
  });

  test('an .onnx without a description: unit normalisation, bright ink, classes 0…N−1', async () => {
    const d = await describe_(paddedPools().bytes);
    assert.deepEqual(d.input.normalization, { ...NORMALIZATION_PRESETS.unit });
    assert.equal(d.input.ink, 'bright');
    assert.deepEqual(d.classes, ['0', '1', '2', '3', '4']);
    const named = await describe_(paddedPools().bytes, { classes: ['a', 'b', 'c', 'd', 'e'] });
    assert.deepEqual(named.classes, ['a', 'b', 'c', 'd', 'e']);
    await assert.rejects(
      describe_(paddedPools().bytes, { classes: ['a', 'b'] }),
      /2 class names for a model with 5 outputs/,
    );
  });

  test('the shapes the graph declares (value_info) are checked against the computed ones', async () => {
    const b = new OnnxBuilder();
    b.conv(4, 3).act('Relu').flatten().gemm(10);
    b.declare('/conv1/Conv_output_0', ['N', 4, 26, 26]); // right
    assert.equal((await describe_(b.build())).layers.length, 5);
    const wrong = new OnnxBuilder();
    wrong.conv(4, 3).act('Relu').flatten().gemm(10);
    wrong.declare('/relu1/Relu_output_0', ['N', 4, 28, 28]);
    await rejects(wrong.build(), ['Relu', '/relu1/Relu', '[N, 4, 26, 26]', '[N, 4, 28, 28]']);
  });

  test('size: a warning above 100k activations, an error above 500k', async () => {
    const big = new OnnxBuilder({ channels: 3, size: 64 });
    big.conv(16, 3, { pad: 1 }).act('Relu').globalPool('GlobalAveragePool').flatten().gemm(10);
    const d = await describe_(big.build());
    const total = d.layers.reduce((s, l) => s + layerSize(l), 0);
    assert.equal(total, 3 * 64 * 64 + 2 * 16 * 64 * 64 + 16 + 16 + 10);
    assert.match(d.warnings?.[0] ?? '', /143,402 activations/);
    assert.equal((await describe_(lenet().bytes)).warnings, undefined);
    const huge = new OnnxBuilder({ channels: 3, size: 64 });
    huge.conv(64, 3, { pad: 1 }).act('Relu').globalPool('GlobalAveragePool').flatten().gemm(10);
    await rejects(huge.build(), ['activations', '500,000']);
  });
});

describe('refused graphs name the operator and the node', () => {
  test('an unsupported operator', async () => {
    const b = new OnnxBuilder();
    b.conv(4, 3);
    b.node('Clip', [b.cur], {}, { scope: 'act', chain: true });
    b.flatten().gemm(10);
    await rejects(b.build(), ['Clip', '"/act/Clip"', 'not supported'], { opType: 'Clip', node: '/act/Clip' });
  });

  test('a skip connection (Add of two activations)', async () => {
    const b = new OnnxBuilder();
    b.conv(4, 3, { pad: 1 }).act('Relu');
    const skip = b.cur;
    b.conv(4, 3, { pad: 1 });
    b.node('Add', [b.cur, skip], {}, { scope: 'residual', chain: true });
    b.flatten().gemm(10);
    await rejects(b.build(), ['Add', '"/residual/Add"', 'skip connection'], {
      opType: 'Add',
      node: '/residual/Add',
    });
  });

  test('a branch (a tensor read by two nodes)', async () => {
    const b = new OnnxBuilder();
    b.conv(4, 3).act('Relu');
    const fork = b.cur;
    b.flatten().gemm(10);
    b.node('Sigmoid', [fork], {}, { scope: 'side' });
    await rejects(b.build(), [
      'Relu "/relu1/Relu"',
      'Flatten "/flatten1/Flatten"',
      'Sigmoid "/side/Sigmoid"',
      'branches',
    ]);
  });

  test('an input of rank 3', async () => {
    const b = new OnnxBuilder({ inputDims: ['N', 28, 28] });
    b.conv(4, 3).flatten().gemm(10);
    await rejects(b.build(), ['input "input"', 'Conv "/conv1/Conv"', 'rank 3', 'N×C×H×W']);
  });

  test('dilation 2', async () => {
    const b = new OnnxBuilder();
    b.conv(4, 3, { attrs: { dilations: [2, 2] } })
      .flatten()
      .gemm(10);
    await rejects(b.build(), ['Conv', '"/conv1/Conv"', 'dilation [2, 2]'], {
      opType: 'Conv',
      node: '/conv1/Conv',
    });
  });

  test('group 2', async () => {
    const b = new OnnxBuilder({ channels: 3 });
    b.conv(4, 3)
      .conv(4, 3, { attrs: { group: 2 } })
      .flatten()
      .gemm(10);
    await rejects(b.build(), ['Conv', '"/conv2/Conv"', 'group 2'], { opType: 'Conv', node: '/conv2/Conv' });
  });

  test('inputs the view cannot draw: 5 channels, 128×128, channels-last, batch 2, int input', async () => {
    const five = new OnnxBuilder({ channels: 5 });
    five.conv(4, 3).flatten().gemm(10);
    await rejects(five.build(), ['input "input"', 'Conv "/conv1/Conv"', '5 channels']);
    const large = new OnnxBuilder({ size: 128 });
    large.conv(4, 3).globalPool('GlobalAveragePool').flatten().gemm(10);
    await rejects(large.build(), ['128×128', 'at most 64×64']);
    const nhwc = new OnnxBuilder({ inputDims: ['N', 28, 28, 1] });
    nhwc.conv(4, 3).flatten().gemm(10);
    await rejects(nhwc.build(), ['28 channels', '--inputs-as-nchw']);
    const batch2 = new OnnxBuilder({ inputDims: [2, 1, 28, 28] });
    batch2.conv(4, 3).flatten().gemm(10);
    await rejects(batch2.build(), ['batch is fixed at 2']);
  });

  test('operators used in ways the view cannot show', async () => {
    const reshape = new OnnxBuilder();
    reshape.conv(4, 3);
    reshape.node('Reshape', [reshape.cur, reshape.ints('to', [1, 4, -1])], {}, { scope: 'r', chain: true });
    await rejects(reshape.build(), ['Reshape "/r/Reshape"', 'reshapes to [1, 4, -1]']);

    const add = new OnnxBuilder();
    add.conv(4, 3);
    add.node('Add', [add.cur, add.weight('shift', [4, 1, 1])], {}, { scope: 'shift', chain: true });
    await rejects(add.build(), ['Add "/shift/Add"', 'bias of a MatMul']);

    const map = new OnnxBuilder();
    map.conv(4, 3).act('Relu');
    await rejects(map.build(), ['Relu "/relu1/Relu"', 'ends with a map [4, 26, 26]']);

    const softmaxMap = new OnnxBuilder();
    softmaxMap.conv(4, 3).softmax();
    await rejects(softmaxMap.build(), ['Softmax "/softmax1/Softmax"', 'needs a vector']);

    const transpose = new OnnxBuilder();
    transpose.conv(4, 3);
    transpose.node('Transpose', [transpose.cur], { perm: [0, 1, 3, 2] }, { scope: 't', chain: true });
    await rejects(transpose.build(), ['Transpose "/t/Transpose"', 'perm [0, 2, 3, 1]']);

    const gemmOnMap = new OnnxBuilder();
    gemmOnMap.conv(2, 3);
    gemmOnMap.node('Gemm', [gemmOnMap.cur, gemmOnMap.weight('w', [10, 2])], {}, { scope: 'fc', chain: true });
    await rejects(gemmOnMap.build(), ['Gemm "/fc/Gemm"', 'missing Flatten']);

    const computedWeight = new OnnxBuilder();
    const w = computedWeight.node('Neg', [computedWeight.weight('w0', [4, 1, 3, 3])], {}, { scope: 'neg' });
    computedWeight.node(
      'Conv',
      [computedWeight.cur, w],
      { kernel_shape: [3, 3] },
      { scope: 'c', chain: true },
    );
    await rejects(computedWeight.build(), ['Conv "/c/Conv"', 'not a stored tensor']);
  });

  test('bytes that are not an ONNX model', async () => {
    await assert.rejects(decodeOnnx(new TextEncoder().encode('{"layers": []}')), /not an ONNX model/);
  });
});

describe('the shipped model', () => {
  test('model/cnn.onnx reads back as model/cnn.json: names, kinds, shapes, windows, weights', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('cnn.onnx', modelDir)));
    const json = JSON.parse(readFileSync(new URL('cnn.json', modelDir), 'utf8')) as ModelDescription;
    const { description: d } = await loadOnnx(bytes, { normalization: json.input.normalization });
    // the trainer names tensors after layers, so even the names match
    const pick = (l: ModelDescription['layers'][number]) => ({
      name: l.name,
      kind: l.kind,
      shape: l.shape,
      from: l.from,
      kernel: l.kernel,
      stride: l.stride,
      padding: l.padding,
      params: l.params,
    });
    assert.deepEqual(d.layers.map(pick), json.layers.map(pick));
    assert.deepEqual(d.input.shape, json.input.shape);
    assert.equal(d.input.name, json.input.name);
    assert.equal(d.scores, 'probabilities');
    // the version is the trainer's: sha256 of the bytes, 16 hex digits
    assert.equal(d.version, json.version);
    assert.equal(modelVersion(bytes), createHash('sha256').update(bytes).digest('hex').slice(0, 16));
  });
});

describe('normalisation presets', () => {
  test('presets by name, and mean/std for one or every channel', () => {
    assert.deepEqual(parseNormalization('mnist'), NORMALIZATION_PRESETS.mnist);
    assert.deepEqual(parseNormalization(' Unit '), NORMALIZATION_PRESETS.unit);
    assert.deepEqual(parseNormalization('0.5/0.25'), { scale: 1 / 255, mean: 0.5, std: 0.25 });
    assert.deepEqual(parseNormalization('0.4914,0.4822,0.4465/0.247,0.243,0.261', 3).perChannel, {
      mean: [0.4914, 0.4822, 0.4465],
      std: [0.247, 0.243, 0.261],
    });
    assert.throws(() => parseNormalization('imagenet', 1), /for 3 channels, the model has 1/);
    assert.throws(() => parseNormalization('0.1,0.2/0.3,0.4', 3), /lists 2 channels, the model has 3/);
    assert.throws(() => parseNormalization('zscore'), /expected mnist, unit/);
    assert.throws(() => parseNormalization('0.5/0'), /stds not zero/);
  });

  test('validateDescription still accepts cnn.json and checks the new fields', () => {
    const json = JSON.parse(readFileSync(new URL('cnn.json', modelDir), 'utf8'));
    validateDescription(json);
    assert.throws(
      () => validateDescription({ ...json, layers: [json.layers[0], { ...json.layers[1], kind: 'lstm' }] }),
      /unknown kind "lstm"/,
    );
    assert.throws(
      () =>
        validateDescription({
          ...json,
          input: {
            ...json.input,
            normalization: { ...json.input.normalization, perChannel: { mean: [0, 0, 0], std: [1, 1, 1] } },
          },
        }),
      /needs 1 means/,
    );
  });

  test('every built model validates', async () => {
    for (const m of allModels()) validateDescription(await describe_(m.bytes));
  });
});
