// Occlusion saliency on real MNIST test digits, with the shipped model in onnxruntime-web (Node):
// it lies on and around the ink (on it, by construction: a wiped patch's drop is shared among the pixels
// it changed), and the pixels it ranks highest are the ones the answer needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchPredictor, occlusionSaliency, saliency } from '../src/explain/index.ts';
import { digitAt, loadMnistTest, seededRandom } from './helpers/mnist.ts';
import { activationsFor, predictBatch } from './helpers/onnx-model.ts';

const set = loadMnistTest();
const DIGITS = 50;

/** log p_c − log Σ_{j≠c} p_j, in doubles. */
function logOdds(p: Float32Array, c: number): number {
  let others = 0;
  for (let j = 0; j < p.length; j++) if (j !== c) others += p[j];
  return Math.log(p[c]) - Math.log(Math.max(others, 1e-30));
}

test('≥ 70% of the saliency mass lies within 2 px of the ink, for every one of 50 test digits', async () => {
  let worst = 1;
  for (let i = 0; i < DIGITS; i++) {
    const pixels = digitAt(set, i);
    const map = await saliency(pixels, predictBatch);
    assert.equal(map.length, 784);
    let near = 0;
    let total = 0;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const v = map[y * 28 + x];
        assert.ok(v >= 0 && Number.isFinite(v), `digit ${i}: saliency ${v} at (${x}, ${y})`);
        total += v;
        let inked = false;
        for (let dy = -2; dy <= 2 && !inked; dy++)
          for (let dx = -2; dx <= 2 && !inked; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (
              dx * dx + dy * dy <= 4 &&
              yy >= 0 &&
              xx >= 0 &&
              yy < 28 &&
              xx < 28 &&
              pixels[yy * 28 + xx] > 0
            )
              inked = true;
          }
        if (inked) near += v;
      }
    assert.ok(total > 0, `digit ${i}: no saliency at all`);
    worst = Math.min(worst, near / total);
  }
  console.log(`# least saliency mass within 2 px of ink over ${DIGITS} digits: ${(worst * 100).toFixed(1)}%`);
  assert.ok(worst >= 0.7);
});

test('wiping the 10% most salient ink pixels hurts the answer more than wiping 10% at random (≥ 45 of 50 digits)', async () => {
  const rng = seededRandom(2026);
  let wins = 0;
  let sumTop = 0;
  let sumRandom = 0;
  for (let i = 0; i < DIGITS; i++) {
    const pixels = digitAt(set, i);
    const r = await occlusionSaliency(pixels, predictBatch);
    const ink = [...pixels.keys()].filter((k) => pixels[k] > 0);
    const k = Math.max(1, Math.round(ink.length * 0.1));
    const top = [...ink].sort((a, b) => r.map[b] - r.map[a]).slice(0, k);
    const random = ink
      .map((v) => [rng(), v])
      .sort((a, b) => a[0] - b[0])
      .slice(0, k)
      .map((x) => x[1]);
    const wipe = (ids: number[]) => {
      const v = pixels.slice();
      for (const j of ids) v[j] = 0;
      return v;
    };
    const [p0, pTop, pRandom] = await predictBatch([pixels, wipe(top), wipe(random)]);
    const c = r.classIndex;
    assert.equal(c, (await activationsFor(pixels)).prediction, 'explains the predicted class');
    const dTop = logOdds(p0, c) - logOdds(pTop, c);
    const dRandom = logOdds(p0, c) - logOdds(pRandom, c);
    sumTop += dTop;
    sumRandom += dRandom;
    if (dTop > dRandom) wins++;
  }
  console.log(
    `# log-odds drop, top 10% salient vs random ink: ${(sumTop / DIGITS).toFixed(2)} vs ${(sumRandom / DIGITS).toFixed(2)}; top wins ${wins}/${DIGITS}`,
  );
  assert.ok(wins >= 45, `only ${wins}/${DIGITS}`);
});

test('a blank drawing has no saliency; another class can be asked for; any backend works through infer', async () => {
  const blank = await occlusionSaliency(new Uint8Array(784), predictBatch);
  assert.equal(blank.variants, 0);
  assert.ok(blank.map.every((v) => v === 0));
  const pixels = digitAt(set, 0); // a 7
  const seven = await occlusionSaliency(pixels, predictBatch);
  const one = await occlusionSaliency(pixels, predictBatch, { classIndex: 1 });
  assert.equal(one.classIndex, 1);
  assert.notDeepEqual(one.map, seven.map);
  let calls = 0;
  const viaInfer = batchPredictor({
    infer: async (p: Uint8Array) => {
      calls++;
      return { probabilities: (await predictBatch([p]))[0] };
    },
  });
  const same = await occlusionSaliency(pixels, viaInfer);
  assert.equal(calls, seven.variants + 1);
  for (let i = 0; i < 784; i++) assert.ok(Math.abs(same.map[i] - seven.map[i]) <= 1e-3 * (1 + seven.map[i]));
  await assert.rejects(saliency(new Uint8Array(10), predictBatch), /28×28/);
  const stop = new AbortController();
  const stale = saliency(pixels, predictBatch, { batchSize: 8, signal: stop.signal });
  stop.abort(new Error('the reader drew on'));
  await assert.rejects(stale, /the reader drew on/);
});
