/** A 28×28 drawing as a PNG (dark ink on white, like the draw pad), upscaled by nearest neighbour. */
import { PNG } from 'pngjs';

export function drawingPng(pixels: Uint8Array, size = 28): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const data = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) {
    const sy = Math.floor((y * 28) / size);
    for (let x = 0; x < size; x++) data[y * size + x] = 255 - pixels[sy * 28 + Math.floor((x * 28) / size)];
  }
  return PNG.sync.write(Object.assign(png, { data }), { colorType: 0, inputColorType: 0 });
}

/** Shown by /api/random_image while the gallery is empty: a faint question mark. */
export function placeholderPng(size = 28): Buffer {
  const q = new Uint8Array(784);
  const mark = ['..###..', '.#...#.', '.....#.', '....#..', '...#...', '.......', '...#...'];
  mark.forEach((row, y) =>
    [...row].forEach((c, x) => {
      if (c !== '#') return;
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++) q[(6 + y * 2 + dy) * 28 + 7 + x * 2 + dx] = 110;
    }),
  );
  return drawingPng(q, size);
}
