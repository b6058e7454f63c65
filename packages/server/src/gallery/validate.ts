/** Validation of gallery submissions: every rule a reader (or a script) can break, named clearly. */
import { PIXELS_28 } from '../inference/pixels.ts';

export class ValidationError extends Error {
  override name = 'ValidationError';
}

export interface Submission {
  pixels: Uint8Array;
  label: number;
}

export function parseSubmission(body: unknown): Submission {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('the body must be a JSON object {"pixels": …, "label": 0–9}');
  const { pixels, label } = body as Record<string, unknown>;
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label > 9)
    throw new ValidationError('"label" must be an integer from 0 to 9: the digit you meant to draw');
  return { pixels: parsePixels(pixels), label };
}

function parsePixels(pixels: unknown): Uint8Array {
  if (typeof pixels === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(pixels) || pixels.length % 4 !== 0)
      throw new ValidationError('"pixels" as a string must be base64 of 784 bytes');
    const bytes = Buffer.from(pixels, 'base64');
    if (bytes.length !== PIXELS_28)
      throw new ValidationError(`"pixels" must decode to ${PIXELS_28} bytes (28×28), got ${bytes.length}`);
    return new Uint8Array(bytes);
  }
  if (!Array.isArray(pixels))
    throw new ValidationError(
      `"pixels" must be an array of ${PIXELS_28} numbers 0–255, or base64 of ${PIXELS_28} bytes`,
    );
  if (pixels.length !== PIXELS_28)
    throw new ValidationError(`"pixels" must have ${PIXELS_28} values (28×28), got ${pixels.length}`);
  const out = new Uint8Array(PIXELS_28);
  for (let i = 0; i < PIXELS_28; i++) {
    const v = pixels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255)
      throw new ValidationError(`"pixels[${i}]" must be an integer from 0 to 255`);
    out[i] = v;
  }
  if (out.every((v) => v === 0)) throw new ValidationError('the drawing is empty');
  return out;
}

/** Query parameters of the list: cursor (an id), limit (1–100), misclassified, label. */
export function parseListQuery(q: Record<string, unknown>) {
  const one = (name: string) => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new ValidationError(`"${name}" must be given once`);
    return v;
  };
  const int = (name: string, min: number, max: number) => {
    const v = one(name);
    if (v === undefined) return undefined;
    if (!/^\d{1,18}$/.test(v) || Number(v) < min || Number(v) > max)
      throw new ValidationError(`"${name}" must be an integer from ${min} to ${max}`);
    return Number(v);
  };
  const mis = one('misclassified');
  if (mis !== undefined && mis !== 'true' && mis !== 'false')
    throw new ValidationError('"misclassified" must be true or false');
  return {
    cursor: int('cursor', 1, Number.MAX_SAFE_INTEGER),
    limit: int('limit', 1, 100) ?? 24,
    misclassified: mis === undefined ? undefined : mis === 'true',
    label: int('label', 0, 9),
  };
}

export function parseId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1)
    throw new ValidationError('the drawing id must be a positive integer');
  return Number(raw);
}
