/**
 * The WebSocket inference protocol, defined once: the element's `WebSocketBackend` and the server both
 * import this module (package subpath `cnn-visualizer/protocol`). DOM-free, no dependencies.
 * The format is documented for humans in docs/protocol.md; keep the two in step.
 *
 * Every frame is binary and starts with the same 8-byte header (little-endian):
 *
 *   offset 0  u8   protocol version (PROTOCOL_VERSION)
 *   offset 1  u8   message type (MessageType)
 *   offset 2  u16  aux: the requested encoding and checkpoint (INFER, below), the prediction (RESULT),
 *                  the error code (ERROR), the protocol version (HELLO)
 *   offset 4  u32  request id, chosen by the client, echoed by the server (0 in HELLO)
 *
 * An INFER's aux: low byte the encoding, high byte the checkpoint (0: the model's own weights, k + 1:
 * checkpoint k of HELLO's list). Clients that know nothing of checkpoints send 0 there.
 */

export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 8;
/** A 28×28 drawing after preprocessing, one byte per pixel, 255 = ink (MNIST's convention). */
export const PIXELS = 28 * 28;
/** An INFER for a 1×28×28 model (the shipped LeNet-5). */
export const INFER_FRAME_BYTES = HEADER_BYTES + PIXELS;
/** An INFER's size for a model whose input holds `inputBytes` values (C×H×W, HELLO's `input.shape`). */
export const inferFrameBytes = (inputBytes: number): number => HEADER_BYTES + inputBytes;
/** The largest checkpoint index an INFER can name (its aux's high byte holds index + 1). */
export const MAX_CHECKPOINT_INDEX = 254;

export const MessageType = {
  /** client → server: classify these pixels. */
  Infer: 0x01,
  /** server → client, once on connect: the model and the server's limits. */
  Hello: 0x81,
  /** server → client: every layer's activations for one request. */
  Result: 0x82,
  /** server → client: a request (or frame) was refused; the connection stays open. */
  Error: 0x8f,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** How activations travel. `float32` is exact; `uint8` quantises each layer to 0–255 between its min and max (4× smaller). */
export const Encoding = { Float32: 0, Uint8: 1 } as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

export const ErrorCode = {
  /** The frame is not a protocol frame (text, too short, wrong size for its type). */
  MalformedFrame: 1,
  /** The protocol version byte is not one this server speaks. */
  UnsupportedVersion: 2,
  /** The message type is unknown or not one a client may send. */
  UnsupportedType: 3,
  /** The requested encoding is unknown. */
  UnsupportedEncoding: 4,
  /** Too many requests: slow down (see HELLO's limits). */
  RateLimited: 5,
  /** Too many requests in flight on this connection. */
  TooManyInFlight: 6,
  /** The server failed to run the model. */
  Internal: 7,
  /** The server is shutting down or not ready. */
  Unavailable: 8,
  /** The INFER names a checkpoint the server does not have (see HELLO's `checkpoints`). */
  UnknownCheckpoint: 9,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface HelloInfo {
  protocol: number;
  /**
   * The model the server runs: its name, its version (cnn.json's `version`, or the first 16 hex digits
   * of `sha256` for a bare ONNX file) and the SHA-256 (64 hex digits) of its ONNX file's bytes as served
   * (absent from servers older than this field).
   */
  model: { name: string; version: string; sha256?: string };
  /**
   * The input the model takes, per sample: `shape` [C, H, W] — an INFER carries C×H×W bytes, one per
   * value — and how the server turns each byte p into the network's input:
   * x = (p · scale − mean) / std (per channel with `perChannel`), after p → 255 − p when `ink` is
   * `dark` (a model trained on dark ink on a light background). Absent from older servers: 1×28×28.
   */
  input?: {
    shape: number[];
    normalization?: {
      scale: number;
      mean: number;
      std: number;
      perChannel?: { mean: number[]; std: number[] };
    };
    ink?: 'bright' | 'dark';
  };
  /** The activations in a RESULT, in this order. */
  layers: Array<{ name: string; kind: string; shape: number[] }>;
  /**
   * The moments of training the server can run instead of the model's own weights (cnn.json's
   * `checkpoints`), oldest first; an INFER names one by its index here. Empty or absent: none.
   */
  checkpoints?: Array<{ step: number; epoch: number; testAccuracy: number }>;
  limits: { maxInFlight: number; requestsPerSecond: number; maxFrameBytes: number };
}

export interface InferRequest {
  id: number;
  encoding: Encoding;
  /** The checkpoint to run (an index into HELLO's `checkpoints`), or null: the model's own weights. */
  checkpoint: number | null;
  /** C×H×W bytes (784 for 1×28×28); a view into the frame (copy it if you keep it). */
  pixels: Uint8Array;
}

export type ServerMessage =
  | { type: 'hello'; hello: HelloInfo }
  /** `layers` are in HELLO's order: exact (float32) or dequantised (uint8). */
  | { type: 'result'; id: number; prediction: number; encoding: Encoding; layers: Float32Array[] }
  | { type: 'error'; id: number; code: ErrorCode; message: string };

/** A frame the server could not accept: what to answer (the id is 0 when the frame had none). */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly id = 0,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

type Bytes = Uint8Array;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function header(bytes: Bytes, type: MessageType, aux: number, id: number): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint8(0, PROTOCOL_VERSION);
  view.setUint8(1, type);
  view.setUint16(2, aux, true);
  view.setUint32(4, id >>> 0, true);
  return view;
}

function asBytes(frame: ArrayBuffer | ArrayBufferView): Bytes {
  if (frame instanceof Uint8Array) return frame;
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  return new Uint8Array(frame);
}

const isEncoding = (e: number): e is Encoding => e === Encoding.Float32 || e === Encoding.Uint8;

// ── client → server ────────────────────────────────────────────────────────────────────────────

/**
 * An INFER frame: the model's input as bytes (C×H×W, 784 for 1×28×28), the encoding of the answer and
 * the checkpoint to run (`null`, the default: the model's own weights).
 */
export function encodeInferRequest(
  id: number,
  pixels: ArrayLike<number>,
  encoding: Encoding = Encoding.Float32,
  checkpoint: number | null = null,
): Bytes {
  if (pixels.length === 0) throw new RangeError('an INFER needs the input values, got none');
  if (
    checkpoint !== null &&
    !(Number.isInteger(checkpoint) && checkpoint >= 0 && checkpoint <= MAX_CHECKPOINT_INDEX)
  )
    throw new RangeError(
      `checkpoint must be null or an integer 0–${MAX_CHECKPOINT_INDEX}, got ${checkpoint}`,
    );
  const bytes = new Uint8Array(inferFrameBytes(pixels.length));
  header(bytes, MessageType.Infer, encoding | ((checkpoint === null ? 0 : checkpoint + 1) << 8), id);
  bytes.set(pixels, HEADER_BYTES);
  return bytes;
}

/**
 * Parses a client frame for a model whose input holds `inputBytes` values (C×H×W; default 784, a
 * 1×28×28 drawing). Throws `ProtocolError` naming what is wrong; the caller answers it with
 * `encodeError` and keeps the connection. Whether the named checkpoint exists is the caller's to check.
 */
export function decodeClientFrame(frame: ArrayBuffer | ArrayBufferView, inputBytes = PIXELS): InferRequest {
  const bytes = asBytes(frame);
  if (bytes.byteLength < HEADER_BYTES)
    throw new ProtocolError(
      ErrorCode.MalformedFrame,
      `frame of ${bytes.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  const type = view.getUint8(1);
  const aux = view.getUint16(2, true);
  const id = view.getUint32(4, true);
  if (version !== PROTOCOL_VERSION)
    throw new ProtocolError(
      ErrorCode.UnsupportedVersion,
      `protocol version ${version} is not supported (this server speaks ${PROTOCOL_VERSION})`,
      id,
    );
  if (type !== MessageType.Infer)
    throw new ProtocolError(
      ErrorCode.UnsupportedType,
      `message type 0x${type.toString(16)} is not a client request (INFER is 0x01)`,
      id,
    );
  const size = inferFrameBytes(inputBytes);
  if (bytes.byteLength !== size)
    throw new ProtocolError(
      ErrorCode.MalformedFrame,
      `INFER frame must be ${size} bytes (8-byte header + ${inputBytes} input values), got ${bytes.byteLength}`,
      id,
    );
  const encoding = aux & 0xff;
  if (!isEncoding(encoding))
    throw new ProtocolError(
      ErrorCode.UnsupportedEncoding,
      `encoding ${encoding} is unknown (0 = float32, 1 = uint8)`,
      id,
    );
  const checkpoint = aux >> 8 === 0 ? null : (aux >> 8) - 1;
  return { id, encoding, checkpoint, pixels: bytes.subarray(HEADER_BYTES) };
}

// ── server → client ────────────────────────────────────────────────────────────────────────────

export function encodeHello(info: HelloInfo): Bytes {
  const json = encoder.encode(JSON.stringify(info));
  const bytes = new Uint8Array(HEADER_BYTES + json.byteLength);
  header(bytes, MessageType.Hello, PROTOCOL_VERSION, 0);
  bytes.set(json, HEADER_BYTES);
  return bytes;
}

export function encodeError(id: number, code: ErrorCode, message: string): Bytes {
  const text = encoder.encode(message.slice(0, 500));
  const bytes = new Uint8Array(HEADER_BYTES + text.byteLength);
  header(bytes, MessageType.Error, code, id);
  bytes.set(text, HEADER_BYTES);
  return bytes;
}

/** Byte size of one layer's payload in a RESULT. */
function layerBytes(count: number, encoding: Encoding): number {
  return encoding === Encoding.Float32 ? 4 + count * 4 : 4 + 8 + ((count + 3) & ~3);
}

/**
 * RESULT body after the header: u16 layer count, u16 encoding, then per layer
 *   float32: u32 count, count × f32
 *   uint8:   u32 count, f32 min, f32 max, count × u8 (value = min + byte/255 · (max − min)), padded to 4 bytes
 */
export function encodeResult(
  id: number,
  prediction: number,
  layers: ArrayLike<number>[],
  encoding: Encoding,
): Bytes {
  let size = HEADER_BYTES + 4;
  for (const l of layers) size += layerBytes(l.length, encoding);
  const bytes = new Uint8Array(size);
  const view = header(bytes, MessageType.Result, prediction, id);
  view.setUint16(HEADER_BYTES, layers.length, true);
  view.setUint16(HEADER_BYTES + 2, encoding, true);
  let at = HEADER_BYTES + 4;
  for (const l of layers) {
    view.setUint32(at, l.length, true);
    at += 4;
    if (encoding === Encoding.Float32) {
      for (let i = 0; i < l.length; i++, at += 4) view.setFloat32(at, l[i], true);
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < l.length; i++) {
        if (l[i] < min) min = l[i];
        if (l[i] > max) max = l[i];
      }
      if (l.length === 0) min = max = 0;
      view.setFloat32(at, min, true);
      view.setFloat32(at + 4, max, true);
      at += 8;
      const range = max - min || 1;
      for (let i = 0; i < l.length; i++) bytes[at + i] = Math.round(((l[i] - min) / range) * 255);
      at += (l.length + 3) & ~3;
    }
  }
  return bytes;
}

/** Parses a server frame. Throws `ProtocolError` if the server sent something this client cannot read. */
export function decodeServerFrame(frame: ArrayBuffer | ArrayBufferView): ServerMessage {
  const bytes = asBytes(frame);
  if (bytes.byteLength < HEADER_BYTES)
    throw new ProtocolError(ErrorCode.MalformedFrame, 'server frame shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  const type = view.getUint8(1);
  const aux = view.getUint16(2, true);
  const id = view.getUint32(4, true);
  if (version !== PROTOCOL_VERSION)
    throw new ProtocolError(
      ErrorCode.UnsupportedVersion,
      `server speaks protocol ${version}, this client ${PROTOCOL_VERSION}`,
      id,
    );
  const body = bytes.subarray(HEADER_BYTES);
  switch (type) {
    case MessageType.Hello:
      return { type: 'hello', hello: JSON.parse(decoder.decode(body)) as HelloInfo };
    case MessageType.Error:
      return { type: 'error', id, code: aux as ErrorCode, message: decoder.decode(body) };
    case MessageType.Result:
      return decodeResult(view, id, aux);
    default:
      throw new ProtocolError(
        ErrorCode.UnsupportedType,
        `unknown server message type 0x${type.toString(16)}`,
        id,
      );
  }
}

function decodeResult(view: DataView, id: number, prediction: number): ServerMessage {
  const fail = (what: string) => new ProtocolError(ErrorCode.MalformedFrame, `RESULT frame: ${what}`, id);
  const total = view.byteLength;
  if (total < HEADER_BYTES + 4) throw fail('truncated');
  const count = view.getUint16(HEADER_BYTES, true);
  const encoding = view.getUint16(HEADER_BYTES + 2, true);
  if (!isEncoding(encoding)) throw fail(`unknown encoding ${encoding}`);
  let at = HEADER_BYTES + 4;
  const layers: Float32Array[] = [];
  for (let l = 0; l < count; l++) {
    if (at + 4 > total) throw fail('truncated');
    const n = view.getUint32(at, true);
    at += 4;
    if (at + layerBytes(n, encoding) - 4 > total) throw fail('truncated');
    const out = new Float32Array(n);
    if (encoding === Encoding.Float32) {
      for (let i = 0; i < n; i++, at += 4) out[i] = view.getFloat32(at, true);
    } else {
      const min = view.getFloat32(at, true);
      const max = view.getFloat32(at + 4, true);
      at += 8;
      const step = (max - min) / 255;
      for (let i = 0; i < n; i++) out[i] = min + view.getUint8(at + i) * step;
      at += (n + 3) & ~3;
    }
    layers.push(out);
  }
  return { type: 'result', id, prediction, encoding, layers };
}
