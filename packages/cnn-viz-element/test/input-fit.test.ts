// Input for any model (model/fit.ts, model/resample.ts, normalizeInput): the pad's drawing, a sample
// and a page's picture made into C×H×W bytes, with expected values worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitDrawing, fitPicture, fitSample, inputBytes, inputToRgba } from '../src/model/fit.ts';
import { inputShape } from '../src/model/input-shape.ts';
import { applyNormalization, normalizeInput } from '../src/model/normalization.ts';
import { preprocess, type GrayImage } from '../src/model/preprocess.ts';
import { resizeImage } from '../src/model/resample.ts';
import { digitAt, loadMnistTest } from './helpers/mnist.ts';

const grey32 = { channels: 1, height: 32, width: 32 };
const colour32 = { channels: 3, height: 32, width: 32 };

/** A white 280×280 pad with a black rectangle (inclusive-exclusive pad pixels). */
function pad(x0: number, y0: number, x1: number, y1: number): GrayImage {
  const data = new Uint8ClampedArray(280 * 280).fill(255);
  for (let y = y0; y < y1; y++) data.fill(0, y * 280 + x0, y * 280 + x1);
  return { width: 280, height: 280, data };
}

test('input shapes: 1 or 3 channels up to 64×64, anything else refused in words', () => {
  assert.deepEqual(inputShape([3, 32, 24]), { channels: 3, height: 32, width: 24 });
  assert.throws(() => inputShape([2, 28, 28]), /2×28×28 inputs: pictures of 1 \(grey\) or 3 \(colour\)/);
  assert.throws(() => inputShape([1, 65, 28]), /at most 64×64/);
  assert.throws(() => inputShape([1, 28]), /1×28 inputs/);
});

test('resizing: exact area averages when shrinking, a whole image to any size, channels picked from interleaved pixels', () => {
  // 4×2 RGBA-like (step 2): channel 0 = 0, 10, 20, 30 / 40, 50, 60, 70; channel 1 = 1
  const src = [0, 1, 10, 1, 20, 1, 30, 1, 40, 1, 50, 1, 60, 1, 70, 1];
  const out = resizeImage(src, 4, 2, 2, [0, 1], 2, 1);
  assert.deepEqual(Array.from(out), [(0 + 10 + 40 + 50) / 4, (20 + 30 + 60 + 70) / 4, 1, 1]);
  // 3 → 2 columns: output 0 covers source 0 and half of 1
  const thirds = resizeImage([0, 30, 60], 3, 1, 1, [0], 2, 1);
  assert.ok(Math.abs(thirds[0] - (0 + 15) / 1.5) < 1e-9 && Math.abs(thirds[1] - (15 + 60) / 1.5) < 1e-9);
  // enlarging 2 → 4 interpolates, and the edges repeat the edge pixels (no dark rim)
  const up = resizeImage([100, 200], 2, 1, 1, [0], 4, 1);
  assert.deepEqual(Array.from(up), [100, 125, 175, 200]);
});

test('a drawing for a 1×28×28 model is MNIST-style: the same as preprocess', () => {
  const image = pad(30, 40, 90, 200);
  const a = fitDrawing(image, { channels: 1, height: 28, width: 28 });
  const b = preprocess(image, { polarity: 'dark-on-light' });
  assert.ok(!a.empty && !b.empty);
  assert.deepEqual(a.pixels, b.pixels);
  assert.deepEqual(a.frame, b.frame);
});

test('a drawing for other shapes: the whole pad resized, no centring, ink in every channel', () => {
  // black square over pad pixels 35…105 (×32/280 = 4…12): input pixels 4–11 full ink, the rest none
  const r = fitDrawing(pad(35, 35, 105, 105), colour32);
  assert.ok(!r.empty);
  assert.equal(r.pixels.length, 3 * 32 * 32);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const inside = x >= 4 && x < 12 && y >= 4 && y < 12;
        assert.equal(r.pixels[c * 1024 + y * 32 + x], inside ? 255 : 0, `channel ${c} (${x}, ${y})`);
      }
  assert.deepEqual(r.frame, { x: 0, y: 0, scale: 32 / 280, scaleY: 32 / 280, width: 32, height: 32 });
  // ink over 4 of the 8.75 pad columns input column 4 covers: that share of full ink
  const half = fitDrawing(pad(35, 35, 35 + 4, 105), grey32);
  assert.ok(!half.empty);
  assert.ok(Math.abs(half.pixels[5 * 32 + 4] - Math.round((255 * 4) / 8.75)) <= 1);
  assert.deepEqual(fitDrawing(pad(0, 0, 0, 0), grey32), { empty: true, reason: 'nothing drawn' });
});

test('a sample digit keeps its 784 bytes for MNIST models and is resized for others', () => {
  const digit = digitAt(loadMnistTest(), 0);
  assert.equal(fitSample(digit, { channels: 1, height: 28, width: 28 }), digit);
  const half = fitSample(digit, { channels: 3, height: 14, width: 14 });
  assert.equal(half.length, 3 * 14 * 14);
  const avg = (x: number, y: number) =>
    (digit[2 * y * 28 + 2 * x] +
      digit[2 * y * 28 + 2 * x + 1] +
      digit[(2 * y + 1) * 28 + 2 * x] +
      digit[(2 * y + 1) * 28 + 2 * x + 1]) /
    4;
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < 196; i++)
      assert.equal(half[c * 196 + i], Math.round(avg(i % 14, Math.floor(i / 14))), `channel ${c} pixel ${i}`);
});

test('a picture: colour kept for 3 channels, luminance for 1, dark ink inverted, transparency is no ink', () => {
  // 2×2 RGBA: red, green / blue, transparent
  const data = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 0];
  const picture = { width: 2, height: 2, data };
  const shape = { channels: 3, height: 2, width: 2 };
  assert.deepEqual(Array.from(fitPicture(picture, shape)), [255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0]);
  // dark ink: the model reads the picture as it is, so the ink bytes are 255 − value; transparent = white paper
  assert.deepEqual(
    Array.from(fitPicture(picture, shape, 'dark')),
    [0, 255, 255, 0, 255, 0, 255, 0, 255, 255, 0, 0],
  );
  const grey = fitPicture(picture, { channels: 1, height: 2, width: 2 });
  assert.deepEqual(Array.from(grey), [
    Math.round(0.299 * 255),
    Math.round(0.587 * 255),
    Math.round(0.114 * 255),
    0,
  ]);
  // shrunk to 1×1: the average of the four
  const one = fitPicture(picture, { channels: 3, height: 1, width: 1 });
  assert.deepEqual(Array.from(one), [64, 64, 64]);
  assert.throws(() => fitPicture({ width: 0, height: 2, data: [] }, shape), /no pixels/);
});

test('bytes given as they are: exact length or a clear error; rounded and clamped', () => {
  const b = inputBytes([1.4, 300, -2, 7], { channels: 1, height: 2, width: 2 });
  assert.deepEqual(Array.from(b), [1, 255, 0, 7]);
  assert.throws(
    () => inputBytes(new Uint8Array(784), colour32),
    /expects 3072 values \(3×32×32, 0–255, 255 = ink\) for this model, got 784/,
  );
  assert.throws(() => inputBytes(new Uint8Array(10), grey32), /expects 1024 values \(32×32/);
});

test('input bytes shown back: paper view dark on white, picture view as the model reads it', () => {
  const shape = { channels: 3, height: 1, width: 2 };
  const px = Uint8Array.from([255, 10, 0, 20, 0, 30]); // R 255, 10; G 0, 20; B 0, 30
  assert.deepEqual(Array.from(inputToRgba(px, shape, 'paper')), [0, 255, 255, 255, 245, 235, 225, 255]);
  assert.deepEqual(Array.from(inputToRgba(px, shape, 'picture')), [255, 0, 0, 255, 10, 20, 30, 255]);
  assert.deepEqual(
    Array.from(inputToRgba(px, shape, 'picture', 'dark')),
    [0, 255, 255, 255, 245, 235, 225, 255],
  );
});

test('normalisation per channel plane, dark ink inverted, and the length checked against the model', () => {
  const pixels = Uint8Array.from([0, 255, 51, 102, 204, 255]); // 3 channels of 2 values
  const perChannel = { mean: [0.5, 0.2, 0], std: [0.5, 0.4, 1] };
  const norm = { scale: 1 / 255, mean: 0.5, std: 0.5, perChannel };
  const x = normalizeInput(pixels, { shape: [3, 1, 2], normalization: norm });
  const want = [-1, 1, (0.2 - 0.2) / 0.4, (0.4 - 0.2) / 0.4, 0.8, 1];
  want.forEach((v, i) => assert.ok(Math.abs(x[i] - v) < 1e-6, `${i}: ${x[i]} vs ${v}`));
  const dark = normalizeInput(pixels, { shape: [3, 1, 2], normalization: norm, ink: 'dark' });
  const wantDark = [1, -1, (0.8 - 0.2) / 0.4, (0.6 - 0.2) / 0.4, 0.2, 0];
  wantDark.forEach((v, i) => assert.ok(Math.abs(dark[i] - v) < 1e-6, `${i}: ${dark[i]} vs ${v}`));
  assert.throws(
    () => normalizeInput(new Uint8Array(784), { shape: [3, 32, 32], normalization: norm }),
    /reads 3×32×32 = 3072 values per picture, got 784/,
  );
  assert.throws(() => applyNormalization(new Uint8Array(4), norm), /do not split into 3 channel planes/);
});
