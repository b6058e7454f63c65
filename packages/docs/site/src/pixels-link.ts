/**
 * A drawing in a link: the element's 28×28 input (784 bytes, 255 = ink) compressed with raw DEFLATE
 * and written in base64url, so `/?pixels=…` stays a few hundred characters long. DOM-free (the
 * browser's and Node's `CompressionStream`).
 */

const SIZE = 28 * 28;

async function through(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

const toBase64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('it is not base64url text');
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The link text of a drawing. */
export async function encodePixels(pixels: Uint8Array): Promise<string> {
  if (pixels.length !== SIZE) throw new RangeError(`a drawing has ${SIZE} pixels, not ${pixels.length}`);
  return toBase64url(await through(pixels, new CompressionStream('deflate-raw')));
}

/** The drawing a link carries; throws with a reason when the text is not one. */
export async function decodePixels(text: string): Promise<Uint8Array> {
  if (text.length > 4096) throw new Error('it is too long');
  let pixels: Uint8Array;
  try {
    pixels = await through(fromBase64url(text), new DecompressionStream('deflate-raw'));
  } catch {
    throw new Error('it is not a compressed drawing');
  }
  if (pixels.length !== SIZE) throw new Error(`it holds ${pixels.length} pixels, not ${SIZE}`);
  return pixels;
}
