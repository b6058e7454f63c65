/** Command-line numbers shared by `train` and `export`. */

/** A non-negative integer option, or `fallback` when absent. */
export function intOption(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** A comma-separated list of non-negative integers ("" = none), or `fallback` when absent. */
export function intsOption(v: string | undefined, name: string, fallback: number[]): number[] {
  if (v === undefined) return fallback;
  return v === '' ? [] : v.split(',').map((x) => intOption(x.trim(), name, 0));
}

export const CHECKPOINT_OPTIONS = {
  'checkpoint-steps': { type: 'string' },
  'checkpoint-epochs': { type: 'string' },
} as const;
