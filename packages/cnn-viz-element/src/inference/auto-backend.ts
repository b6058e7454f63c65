import type { Activations, InferenceBackend } from './activations.js';

/**
 * Tries the server first and falls back to running in the page when the server cannot be reached
 * (or fails later). `onSwitch` tells the element which backend is answering.
 */
export class AutoBackend implements InferenceBackend {
  private current: 'server' | 'local' = 'server';

  constructor(
    private readonly server: InferenceBackend & { connect(): Promise<void> },
    private readonly local: () => InferenceBackend,
    private readonly onSwitch?: (to: 'server' | 'local', reason?: string) => void,
  ) {}

  private localBackend?: InferenceBackend;
  private checkpoint: number | null = null;

  get active(): 'server' | 'local' {
    return this.current;
  }

  async infer(pixels: Uint8Array): Promise<Activations> {
    if (this.current === 'server') {
      try {
        return await this.server.infer(pixels);
      } catch (e) {
        this.current = 'local';
        this.onSwitch?.('local', (e as Error).message);
      }
    }
    if (!this.localBackend) {
      this.localBackend = this.local();
      if (this.checkpoint !== null) this.localBackend.setCheckpoint?.(this.checkpoint);
    }
    return this.localBackend.infer(pixels);
  }

  /** Forwarded to both backends, so the one answering after a switch runs the same checkpoint. */
  setCheckpoint(index: number | null): void {
    this.checkpoint = index;
    this.server.setCheckpoint?.(index);
    this.localBackend?.setCheckpoint?.(index);
  }

  dispose(): void {
    this.server.dispose?.();
    this.localBackend?.dispose?.();
  }
}
