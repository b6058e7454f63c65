/**
 * IEEE 754 half precision (binary16), the storage format of the training checkpoints: half the bytes
 * of float32, and its 11-bit significand (relative error ≤ 2⁻¹¹ ≈ 4.9e-4) changes neither a picture
 * of the weights nor, measurably, the accuracy. Node 20 has no Float16Array, so this is done by hand.
 */

const f64 = new Float64Array(1);
const hi = new Uint32Array(f64.buffer, 4, 1); // little-endian: the sign and exponent word

/** Rounds to the nearest half with ties to even, straight from float64 (no double rounding). */
export function toFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 = max half + half an ulp: rounds to infinity
  f64[0] = a;
  const e = ((hi[0] >>> 20) & 0x7ff) - 1023; // a = 1.m × 2^e (a denormal double gives e = −1023)
  // the quantum (value of the last significand bit) of the half that holds a: 2^(e−10), at least 2^−24
  const qExp = Math.max(e, -14) - 10;
  const q = 2 ** qExp;
  const n = roundHalfEven(a / q); // integer: significand in units of q (exact: q is a power of two)
  if (qExp === -24) return sign | n; // subnormal (n < 1024), or n = 1024 = the smallest normal, 0x0400
  // normal: n in [1024, 2048]; 2048 carries into the next exponent
  const exp = qExp + 10 + 15; // biased exponent of 1.m × 2^(qExp+10)
  return n === 2048 ? sign | ((exp + 1) << 10) : sign | (exp << 10) | (n - 1024);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The value of a half's bits. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** x rounded to the nearest half-precision value (as a double). */
export const roundToFloat16 = (x: number): number => fromFloat16Bits(toFloat16Bits(x));

/** Little-endian binary16 bytes of the values (ONNX `raw_data` of a FLOAT16 tensor). */
export function float16Bytes(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  for (let i = 0; i < data.length; i++) {
    const h = toFloat16Bits(data[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
