// Half precision by hand (Node 20 has no Float16Array): the checkpoints' weights go through it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16Bytes, fromFloat16Bits, roundToFloat16, toFloat16Bits } from '../src/float16.ts';

const finiteHalves = () => {
  const out: number[] = [];
  for (let h = 0; h < 0x10000; h++) if ((h & 0x7c00) !== 0x7c00) out.push(h);
  return out;
};

test('every finite half survives the round trip, bit for bit (±0 included)', () => {
  for (const h of finiteHalves()) assert.equal(toFloat16Bits(fromFloat16Bits(h)), h, `0x${h.toString(16)}`);
  assert.equal(fromFloat16Bits(0x3c00), 1);
  assert.equal(fromFloat16Bits(0x7bff), 65504);
  assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
  assert.equal(fromFloat16Bits(0x0400), 2 ** -14);
  assert.equal(fromFloat16Bits(0xc000), -2);
});

test('rounds to nearest, ties to even, across normals, subnormals and the normal/subnormal border', () => {
  for (const h of finiteHalves()) {
    if ((h & 0x7fff) === 0x7bff) continue; // the largest half: above it lies infinity
    const a = fromFloat16Bits(h);
    const b = fromFloat16Bits(h + 1); // the next half away from zero
    const mid = (a + b) / 2; // exact in float64
    const even = (h & 1) === 0 ? h : h + 1;
    assert.equal(toFloat16Bits(mid), even, `tie between 0x${h.toString(16)} and its neighbour`);
    const eps = Math.abs(b - a) / 1024;
    assert.equal(toFloat16Bits(mid - Math.sign(b) * eps), h, `just below the tie of 0x${h.toString(16)}`);
    assert.equal(toFloat16Bits(mid + Math.sign(b) * eps), h + 1, `just above the tie of 0x${h.toString(16)}`);
  }
});

test('overflow, NaN, tiny values and little-endian bytes', () => {
  assert.equal(toFloat16Bits(65519.99), 0x7bff);
  assert.equal(toFloat16Bits(65520), 0x7c00);
  assert.equal(toFloat16Bits(-1e9), 0xfc00);
  assert.equal(toFloat16Bits(Infinity), 0x7c00);
  assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN))));
  assert.equal(toFloat16Bits(2 ** -26), 0); // below half the smallest subnormal
  assert.equal(toFloat16Bits(-(2 ** -25) * 1.0001), 0x8001);
  assert.equal(toFloat16Bits(1e-310), 0); // a subnormal double
  assert.equal(toFloat16Bits(-0), 0x8000);
  assert.equal(roundToFloat16(0.1), 0.0999755859375);
  assert.deepEqual([...float16Bytes([1, -2, 65504])], [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b]);
});
