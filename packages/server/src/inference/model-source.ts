/**
 * The model a server runs, read from MODEL_PATH: a `cnn.json` description (its ONNX file beside it,
 * every layer already a graph output, its training checkpoints listed) or a bare `.onnx` file, whose
 * layer list comes from the element's own ONNX reader (`cnn-visualizer/onnx`, the code the page runs)
 * and which runs from the reader's rewritten bytes (every drawn layer a graph output).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  parseNormalization,
  validateDescription,
  type CheckpointDescription,
  type ModelDescription,
} from 'cnn-visualizer/description';
import { loadOnnx, sha256Hex } from 'cnn-visualizer/onnx';

export interface ModelSource {
  /** The layer list, input and classes (for an `.onnx`: derived from its graph). */
  description: ModelDescription;
  /** What onnxruntime runs: the ONNX file (cnn.json's, as it is), or the `.onnx` rewritten. */
  runBytes: Uint8Array;
  /** SHA-256 (hex) of the ONNX file's bytes as served: what HELLO's `model.sha256` says. */
  sha256: string;
  /** The ONNX file the model's own weights come from. */
  onnxPath: string;
  /** The description's checkpoints (empty without), each with its file's absolute path. */
  checkpoints: Array<CheckpointDescription & { path: string }>;
}

export interface ReadOptions {
  /** A bare `.onnx` model's input normalisation, as the element's attribute reads it (default `unit`). */
  normalization?: string;
  /** A bare `.onnx` model's ink: `bright` (the default, as MNIST) or `dark`. */
  ink?: 'bright' | 'dark';
}

/** Reads `path` (a `cnn.json` or an `.onnx`); throws an Error naming the file and what is wrong. */
export async function readModel(path: string, options: ReadOptions = {}): Promise<ModelSource> {
  const read = (file: string, what: string) => {
    try {
      return new Uint8Array(readFileSync(file));
    } catch (e) {
      throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
        cause: e,
      });
    }
  };
  if (/\.onnx$/i.test(path)) {
    const bytes = read(path, 'the model');
    let model;
    try {
      model = await loadOnnx(bytes, { onnx: basename(path), ink: options.ink });
    } catch (e) {
      throw new Error(`${path} cannot be served: ${(e as Error).message}`, { cause: e });
    }
    const { description } = model;
    if (options.normalization !== undefined) {
      try {
        description.input.normalization = parseNormalization(
          options.normalization,
          description.input.shape[0],
        );
      } catch (e) {
        throw new Error(`MODEL_NORMALIZATION does not fit ${path}: ${(e as Error).message}`, { cause: e });
      }
    }
    return { description, runBytes: model.bytes, sha256: sha256Hex(bytes), onnxPath: path, checkpoints: [] };
  }
  const text = new TextDecoder().decode(read(path, 'the model description'));
  let description: ModelDescription;
  try {
    description = validateDescription(JSON.parse(text));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
  const dir = dirname(path);
  const onnxPath = resolve(dir, description.onnx);
  const bytes = read(onnxPath, `the ONNX file ${path} names:`);
  const checkpoints = (description.checkpoints ?? []).map((c, i) => {
    if (typeof c?.onnx !== 'string' || !Number.isFinite(c.step))
      throw new Error(`${path}: checkpoints[${i}] needs an "onnx" file and a "step"`);
    return { ...c, path: resolve(dir, c.onnx) };
  });
  return { description, runBytes: bytes, sha256: sha256Hex(bytes), onnxPath, checkpoints };
}
