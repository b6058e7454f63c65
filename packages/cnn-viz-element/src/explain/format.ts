/**
 * Numbers as a reader sees them: 3 significant digits (2–4), rounded to nearest (never outward),
 * a real minus sign, powers of ten for the very small. DOM-free; the legend and the formulas use it.
 */

const MINUS = '\u2212';
const SUPERSCRIPT: Record<string, string> = {
  '-': '\u207b',
  '0': '\u2070',
  '1': '\u00b9',
  '2': '\u00b2',
  '3': '\u00b3',
  '4': '\u2074',
  '5': '\u2075',
  '6': '\u2076',
  '7': '\u2077',
  '8': '\u2078',
  '9': '\u2079',
};

/**
 * `v` with `digits` significant digits (default 3), trailing zeros dropped: 1.2345 → "1.23",
 * −0.000123 → "−1.23×10⁻⁴", 12345.6 → "12346" (whole numbers are never cut), 0 → "0".
 */
export function formatNumber(v: number, digits = 3): string {
  if (v === 0) return '0';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : `${MINUS}∞`;
  const sign = v < 0 ? MINUS : '';
  const a = Math.abs(v);
  let body: string;
  if (a >= 10 ** digits) body = String(Math.round(a));
  else if (a >= 1e-3) body = trimZeros(a.toPrecision(digits));
  else {
    const [mantissa, exponent] = a.toExponential(digits - 1).split('e');
    const exp = String(Number(exponent))
      .split('')
      .map((ch) => SUPERSCRIPT[ch])
      .join('');
    body = `${trimZeros(mantissa)}×10${exp}`;
  }
  // −0.0004 at 1 digit would read "−0": then it is 0
  return body === '0' ? '0' : sign + body;
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** Reads back what `formatNumber` wrote (for tests and for anyone checking a label). */
export function parseFormatted(s: string): number {
  const plain = s.replace(/\u2212/g, '-').replace('∞', 'Infinity');
  const m = /^(-?[\d.]+)×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(plain);
  if (!m) return Number(plain);
  const inverse = Object.fromEntries(Object.entries(SUPERSCRIPT).map(([k, v]) => [v, k]));
  const exp = Number(
    m[2]
      .split('')
      .map((ch) => inverse[ch])
      .join(''),
  );
  return Number(m[1]) * 10 ** exp;
}
