import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MNIST_NORMALIZATION,
  normalize,
  preprocess,
  rgbaToGray,
  type GrayImage,
  type Preprocessed,
} from '../src/model/preprocess.ts';
import {
  centerOfMass,
  digitAt,
  drawDigit,
  inkBox,
  loadMnistTest,
  pearson,
  placement,
  seededRandom,
} from './helpers/mnist.ts';

const CANVAS = 280;

function blank(size: number, value: number): GrayImage & { data: Uint8ClampedArray } {
  return { width: size, height: size, data: new Uint8ClampedArray(size * size).fill(value) };
}

function drawn(result: Preprocessed): Extract<Preprocessed, { empty: false }> {
  if (result.empty) assert.fail(`expected a digit, got empty (${result.reason})`);
  return result;
}

test('an empty canvas, a single pixel or a tiny dot is empty', () => {
  const white = blank(CANVAS, 255);
  const r0 = preprocess(white, { polarity: 'dark-on-light' });
  assert.deepEqual(r0, { empty: true, reason: 'nothing drawn' });
  // The same white canvas read with the wrong polarity is all ink; black is nothing too.
  assert.equal(preprocess(blank(CANVAS, 0)).empty, true);

  const pixel = blank(CANVAS, 255);
  pixel.data[140 * CANVAS + 37] = 0;
  assert.equal(preprocess(pixel, { polarity: 'dark-on-light' }).empty, true);

  const dot = blank(CANVAS, 255);
  for (const [x, y] of [
    [100, 100],
    [101, 100],
    [100, 101],
    [101, 101],
  ]) {
    dot.data[y * CANVAS + x] = 0;
  }
  const r2 = preprocess(dot, { polarity: 'dark-on-light' });
  assert.equal(r2.empty, true);
  assert.ok(r2.empty && r2.reason.length > 0);

  // A few scattered specks span a big box but are not a drawing either.
  const specks = blank(CANVAS, 255);
  specks.data[10 * CANVAS + 10] = 0;
  specks.data[200 * CANVAS + 250] = 0;
  specks.data[90 * CANVAS + 30] = 0;
  assert.equal(preprocess(specks, { polarity: 'dark-on-light' }).empty, true);

  // Faint background noise below the threshold is not ink.
  const noisy = blank(CANVAS, 0);
  for (let i = 0; i < noisy.data.length; i += 7) noisy.data[i] = 15;
  assert.equal(preprocess(noisy).empty, true);

  // On a 28×28 image a single pixel and a 2×2 dot are empty as well.
  const small = blank(28, 0);
  small.data[14 * 28 + 14] = 255;
  assert.equal(preprocess(small).empty, true);
  small.data[14 * 28 + 15] = 255;
  small.data[15 * 28 + 14] = 255;
  small.data[15 * 28 + 15] = 255;
  assert.equal(preprocess(small).empty, true);

  // But minInkPixels can be lowered to accept it.
  assert.equal(preprocess(small, { minInkPixels: 1 }).empty, false);
});

test('a digit drawn in a corner is scaled to 20 px and centred by mass at (14, 14)', () => {
  const set = loadMnistTest();
  const corners: Array<[number, number]> = [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  let clamped = 0;
  for (let i = 0; i < 24; i++) {
    const digit = digitAt(set, i);
    const scale = 6 + (i % 5);
    const [fx, fy] = corners[i % 4];
    const { offsetX, offsetY } = placement(CANVAS, digit, scale, fx, fy);
    const image = drawDigit(CANVAS, digit, scale, offsetX, offsetY, 'dark-on-light');
    const r = drawn(preprocess(image, { polarity: 'dark-on-light' }));
    assert.equal(r.pixels.length, 784);

    const com = centerOfMass(r.pixels);
    const box = inkBox(r.pixels)!;
    const touchesFrame = box.x === 0 || box.y === 0 || box.x + box.width === 28 || box.y + box.height === 28;
    const side = Math.max(box.width, box.height);
    assert.ok(side >= 19 && side <= 21, `digit ${i}: larger side ${side}`);
    // A digit whose mass lies far to one side is clamped to stay inside the frame (as in MNIST,
    // ~1% of digits); otherwise the centre of mass is at (14, 14).
    if (touchesFrame) clamped++;
    else
      assert.ok(
        Math.abs(com.x - 14) <= 0.5 && Math.abs(com.y - 14) <= 0.5,
        `digit ${i}: com ${com.x}, ${com.y}`,
      );

    // The reported box and centre of mass are in canvas pixels, where the digit was drawn.
    const bb = r.boundingBox;
    assert.ok(bb.x >= 0 && bb.y >= 0 && bb.x + bb.width <= CANVAS && bb.y + bb.height <= CANVAS);
    // (within a source pixel of the canvas edge: faint edge pixels enlarge to less than a full pixel)
    const near = scale + 2;
    assert.ok(
      fx === 0 ? bb.x < near : bb.x + bb.width > CANVAS - near,
      `digit ${i}: box ${JSON.stringify(bb)}`,
    );
    assert.ok(
      fy === 0 ? bb.y < near : bb.y + bb.height > CANVAS - near,
      `digit ${i}: box ${JSON.stringify(bb)}`,
    );
    assert.ok(r.centerOfMass.x > bb.x && r.centerOfMass.x < bb.x + bb.width);
    assert.ok(r.centerOfMass.y > bb.y && r.centerOfMass.y < bb.y + bb.height);
    assert.equal(Math.max(...r.pixels), 255, 'levels stretched to full ink');
  }
  assert.ok(clamped <= 3, `${clamped} of 24 digits touch the frame`);
});

test('integer centering keeps the 20-px box on the pixel grid with the centre of mass within half a pixel', () => {
  const set = loadMnistTest();
  for (let i = 0; i < 24; i++) {
    const digit = digitAt(set, i);
    const { offsetX, offsetY } = placement(CANVAS, digit, 8, 0.8, 0.3);
    const image = drawDigit(CANVAS, digit, 8, offsetX, offsetY, 'dark-on-light');
    const r = drawn(preprocess(image, { polarity: 'dark-on-light', centering: 'integer' }));
    const box = inkBox(r.pixels)!;
    assert.equal(Math.max(box.width, box.height), 20, `digit ${i}`);
    const touchesFrame = box.x === 0 || box.y === 0 || box.x + box.width === 28 || box.y + box.height === 28;
    if (!touchesFrame) {
      const com = centerOfMass(r.pixels);
      assert.ok(
        Math.abs(com.x - 14) <= 0.55 && Math.abs(com.y - 14) <= 0.55,
        `digit ${i}: ${com.x}, ${com.y}`,
      );
    }
  }
});

test('polarity: the same digit light-on-dark and dark-on-light gives the same pixels', () => {
  const set = loadMnistTest();
  for (let i = 0; i < 10; i++) {
    const digit = digitAt(set, 100 + i);
    const { offsetX, offsetY } = placement(CANVAS, digit, 7, 0.3, 0.9);
    const dark = drawDigit(CANVAS, digit, 7, offsetX, offsetY, 'dark-on-light');
    const light = drawDigit(CANVAS, digit, 7, offsetX, offsetY, 'light-on-dark');
    const a = drawn(preprocess(dark, { polarity: 'dark-on-light' }));
    const b = drawn(preprocess(light, { polarity: 'light-on-dark' }));
    const c = drawn(preprocess(light)); // light-on-dark is the default
    assert.deepEqual(a.pixels, b.pixels);
    assert.deepEqual(b.pixels, c.pixels);
    assert.deepEqual(a.boundingBox, b.boundingBox);
    // Read with the wrong polarity, the white page is all ink: a full square, not the digit.
    const wrong = drawn(preprocess(dark));
    assert.ok(pearson(wrong.pixels, a.pixels) < 0.5);
  }
});

test('rgbaToGray uses luminance and composites transparent pixels over the background', () => {
  // prettier-ignore
  const rgba = new Uint8ClampedArray([
    0, 0, 0, 0, // transparent (a cleared canvas)
    0, 0, 0, 255, // opaque black
    255, 255, 255, 255, // opaque white
    0, 0, 0, 128, // half-transparent black
    255, 0, 0, 255, // red
    0, 255, 0, 255, // green
  ]);
  const white = rgbaToGray(rgba, 3, 2);
  assert.equal(white.width, 3);
  assert.equal(white.height, 2);
  assert.deepEqual(Array.from(white.data), [255, 0, 255, 127, 76, 150]);
  const black = rgbaToGray(rgba, 3, 2, 0);
  assert.deepEqual(Array.from(black.data), [0, 0, 255, 0, 76, 150]);

  const out = new Uint8Array(6);
  assert.equal(rgbaToGray(rgba, 3, 2, 255, out).data, out);
  assert.throws(() => rgbaToGray(rgba, 4, 2), RangeError);

  // End to end: black strokes on a transparent canvas, as a browser gives them.
  const set = loadMnistTest();
  const digit = digitAt(set, 7);
  const onWhite = drawDigit(CANVAS, digit, 9, 30, 5, 'dark-on-light');
  const canvas = new Uint8ClampedArray(CANVAS * CANVAS * 4);
  for (let p = 0; p < CANVAS * CANVAS; p++) canvas[p * 4 + 3] = 255 - onWhite.data[p]; // black, alpha = ink
  const gray = rgbaToGray(canvas, CANVAS, CANVAS);
  const a = drawn(preprocess(gray, { polarity: 'dark-on-light' }));
  const b = drawn(preprocess(onWhite, { polarity: 'dark-on-light' }));
  assert.deepEqual(a.pixels, b.pixels);
});

test('normalize computes (p/255 − 0.1307)/0.3081 and writes into a given buffer', () => {
  assert.deepEqual({ ...MNIST_NORMALIZATION }, { scale: 1 / 255, mean: 0.1307, std: 0.3081 });
  const pixels = new Uint8Array(784);
  for (let i = 0; i < 784; i++) pixels[i] = (i * 37) % 256;
  pixels[0] = 0;
  pixels[1] = 255;
  const x = normalize(pixels);
  assert.ok(x instanceof Float32Array);
  assert.equal(x.length, 784);
  for (let i = 0; i < 784; i++) {
    const expected = (pixels[i] / 255 - 0.1307) / 0.3081;
    assert.ok(Math.abs(x[i] - expected) < 1e-6, `pixel ${i}: ${x[i]} vs ${expected}`);
  }
  assert.ok(Math.abs(x[0] - -0.4242129) < 1e-6);
  assert.ok(Math.abs(x[1] - 2.8214867) < 1e-6);

  const out = new Float32Array(784).fill(NaN);
  assert.equal(normalize(pixels, MNIST_NORMALIZATION, out), out);
  assert.deepEqual(out, x);

  const plain = normalize(pixels, { scale: 1 / 255, mean: 0, std: 1 });
  assert.ok(Math.abs(plain[1] - 1) < 1e-7);
  assert.throws(() => normalize(pixels, MNIST_NORMALIZATION, new Float32Array(10)), RangeError);
});

test('round trip: MNIST digits drawn big and off-centre come back in MNIST format', (t) => {
  const set = loadMnistTest();
  const random = seededRandom(2051);
  const N = 200;
  let sumSub = 0;
  let sumInt = 0;
  let worst = 1;
  for (let i = 0; i < N; i++) {
    const index = Math.floor(random() * set.count);
    const digit = digitAt(set, index);
    const scale = 6 + 4 * random();
    const { offsetX, offsetY } = placement(CANVAS, digit, scale, random(), random());
    const image = drawDigit(CANVAS, digit, scale, offsetX, offsetY, 'dark-on-light');
    const sub = drawn(preprocess(image, { polarity: 'dark-on-light' }));
    const int = drawn(preprocess(image, { polarity: 'dark-on-light', centering: 'integer' }));
    const r = pearson(sub.pixels, digit);
    sumSub += r;
    sumInt += pearson(int.pixels, digit);
    worst = Math.min(worst, r);
  }
  const meanSub = sumSub / N;
  const meanInt = sumInt / N;
  t.diagnostic(
    `mean Pearson r over ${N} digits: subpixel ${meanSub.toFixed(4)}, integer ${meanInt.toFixed(4)}`,
  );
  t.diagnostic(`worst (subpixel): ${worst.toFixed(4)}`);
  assert.ok(meanSub > 0.8, `mean correlation ${meanSub}`);
  assert.ok(meanInt > 0.8, `mean correlation (integer centering) ${meanInt}`);
});

test('an MNIST digit passed through unchanged stays (almost) unchanged', (t) => {
  const set = loadMnistTest();
  let sum = 0;
  for (let i = 0; i < 100; i++) {
    const digit = digitAt(set, i);
    const r = drawn(preprocess({ width: 28, height: 28, data: digit }));
    sum += pearson(r.pixels, digit);
  }
  t.diagnostic(`mean Pearson r, 28×28 MNIST → preprocess: ${(sum / 100).toFixed(4)}`);
  assert.ok(sum / 100 > 0.9);
});

test('input is not modified, bad sizes throw, and results do not share memory', () => {
  const set = loadMnistTest();
  const image = drawDigit(CANVAS, digitAt(set, 3), 8, 20, 40);
  const copy = image.data.slice();
  const a = drawn(preprocess(image, { polarity: 'dark-on-light' }));
  const b = drawn(preprocess(image, { polarity: 'dark-on-light' }));
  assert.deepEqual(image.data, copy);
  assert.deepEqual(a.pixels, b.pixels);
  assert.notEqual(a.pixels, b.pixels);
  assert.throws(() => preprocess({ width: 10, height: 10, data: new Uint8Array(50) }), RangeError);
  assert.throws(() => preprocess({ width: 0, height: 10, data: [] }), RangeError);
  assert.throws(() => preprocess({ width: 2.5, height: 2, data: new Uint8Array(6) }), RangeError);
});
