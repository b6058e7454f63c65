/**
 * The ONNX classifiers the reader's tests build, each with the layer list a person expects from it
 * (kinds and per-sample shapes worked out by hand from the operators, not by the code under test).
 * Together they use every supported operator: 1 and 3 channels, 28×28 and 32×32, with and without a
 * softmax, symbolic and fixed batch, raw_data / float_data / float16 weights.
 */
import { OnnxBuilder } from './onnx-builder.ts';

export interface TestModel {
  name: string;
  bytes: Uint8Array;
  builder: OnnxBuilder;
  /** The input's per-sample shape [C, H, W]. */
  input: number[];
  /** [kind, shape] of every layer after the input, in order. */
  expected: [string, number[]][];
  scores: 'probabilities' | 'logits' | 'log-probabilities';
}

/** PyTorch's LeNet-5: Conv, Relu, MaxPool, Flatten, Gemm (transB), Softmax; 1×28×28, symbolic batch. */
export function lenet(): TestModel {
  const b = new OnnxBuilder({ channels: 1, size: 28 });
  b.conv(6, 5, { pad: 2 }).act('Relu').pool('MaxPool', 2);
  b.conv(16, 5).act('Relu').pool('MaxPool', 2).flatten();
  b.gemm(120).act('Relu').gemm(84).act('Relu').gemm(10).softmax();
  return {
    name: 'lenet',
    input: [1, 28, 28],
    builder: b,
    bytes: b.build(),
    scores: 'probabilities',
    expected: [
      ['conv', [6, 28, 28]],
      ['relu', [6, 28, 28]],
      ['maxpool', [6, 14, 14]],
      ['conv', [16, 10, 10]],
      ['relu', [16, 10, 10]],
      ['maxpool', [16, 5, 5]],
      ['flatten', [400]],
      ['dense', [120]],
      ['relu', [120]],
      ['dense', [84]],
      ['relu', [84]],
      ['dense', [10]],
      ['softmax', [10]],
    ],
  };
}

/**
 * A small VGG on 3×32×32, ending in logits: Conv (pads, SAME_UPPER stride 2, no bias),
 * BatchNormalization, Relu, LeakyRelu, AveragePool, Sigmoid, GlobalAveragePool, Flatten, Gemm
 * (transB 0); weights as float_data.
 */
export function smallVgg(): TestModel {
  const b = new OnnxBuilder({ channels: 3, size: 32, weights: 'float', seed: 11 });
  b.conv(8, 3, { pad: 1, bias: false }).batchNorm().act('Relu');
  b.conv(8, 3, { pad: 1 }).batchNorm().leakyRelu(0.1).pool('AveragePool', 2);
  b.conv(16, 3, { stride: 2, autoPad: 'SAME_UPPER' })
    .act('Sigmoid')
    .globalPool('GlobalAveragePool')
    .flatten();
  b.gemm(10, { transB: false });
  return {
    name: 'small-vgg',
    input: [3, 32, 32],
    builder: b,
    bytes: b.build(),
    scores: 'logits',
    expected: [
      ['conv', [8, 32, 32]],
      ['batchnorm', [8, 32, 32]],
      ['relu', [8, 32, 32]],
      ['conv', [8, 32, 32]],
      ['batchnorm', [8, 32, 32]],
      ['leakyrelu', [8, 32, 32]],
      ['avgpool', [8, 16, 16]],
      ['conv', [16, 8, 8]],
      ['sigmoid', [16, 8, 8]],
      ['globalavgpool', [16, 1, 1]],
      ['flatten', [16]],
      ['dense', [10]],
    ],
  };
}

/**
 * Keras through tf2onnx, 1×28×28 with batch fixed at 1: Conv (VALID), Tanh, MaxPool (ceil_mode),
 * Conv (SAME_LOWER, stride 2), Transpose to channels-last + Reshape, MatMul + Add, Dropout, Identity,
 * LogSoftmax; float16 weights.
 */
export function kerasLike(): TestModel {
  const b = new OnnxBuilder({
    channels: 1,
    size: 28,
    inputDims: [1, 1, 28, 28],
    weights: 'float16',
    seed: 3,
  });
  b.conv(4, 3, { autoPad: 'VALID' }).act('Tanh');
  // 26 → ceil((26 − 3) / 2) + 1 = 13 with ceil_mode (12 without)
  b.pool('MaxPool', 3, { stride: 2, ceil: true });
  b.conv(6, 3, { stride: 2, autoPad: 'SAME_LOWER' }).act('Relu'); // ceil(13 / 2) = 7
  b.node('Transpose', [b.cur], { perm: [0, 2, 3, 1] }, { chain: true });
  b.shape = [7, 7, 6];
  b.reshapeFlatten('constant');
  b.matmulAdd(32).act('Relu').act('Dropout').matmulAdd(10).act('Identity').softmax('LogSoftmax');
  return {
    name: 'keras-like',
    input: [1, 28, 28],
    builder: b,
    bytes: b.build(),
    scores: 'log-probabilities',
    expected: [
      ['conv', [4, 26, 26]],
      ['tanh', [4, 26, 26]],
      ['maxpool', [4, 13, 13]],
      ['conv', [6, 7, 7]],
      ['relu', [6, 7, 7]],
      ['flatten', [294]],
      ['dense', [32]],
      ['relu', [32]],
      ['dense', [10]],
      ['logsoftmax', [10]],
    ],
  };
}

/**
 * Pooling with padding and PyTorch's `x.view(x.size(0), -1)` (Shape → Gather → Concat → Reshape) on
 * 1×32×32: MaxPool (pad 1), AveragePool (pad 1), GlobalMaxPool, no softmax.
 */
export function paddedPools(): TestModel {
  const b = new OnnxBuilder({ channels: 1, size: 32, seed: 5 });
  b.conv(4, 3, { pad: 1 }).act('Relu');
  b.pool('MaxPool', 3, { stride: 2, pad: 1 }); // (32 + 2 − 3) / 2 + 1 = 16
  b.pool('AveragePool', 3, { stride: 2, pad: 1 }); // (16 + 2 − 3) / 2 + 1 = 8
  b.conv(8, 3).act('Relu'); // 6
  b.globalPool('GlobalMaxPool').reshapeFlatten('shape-of');
  b.gemm(5).softmax();
  return {
    name: 'padded-pools',
    input: [1, 32, 32],
    builder: b,
    bytes: b.build(),
    scores: 'probabilities',
    expected: [
      ['conv', [4, 32, 32]],
      ['relu', [4, 32, 32]],
      ['maxpool', [4, 16, 16]],
      ['avgpool', [4, 8, 8]],
      ['conv', [8, 6, 6]],
      ['relu', [8, 6, 6]],
      ['globalmaxpool', [8, 1, 1]],
      ['flatten', [8]],
      ['dense', [5]],
      ['softmax', [5]],
    ],
  };
}

export const allModels = (): TestModel[] => [lenet(), smallVgg(), kerasLike(), paddedPools()];
