/** The gallery API as the site uses it: typed calls, and errors carrying the server's own message. */

export interface Drawing {
  id: number;
  label: number;
  prediction: number;
  confidence: number;
  misclassified: boolean;
  createdAt: string;
  imageUrl: string;
}

export interface Page {
  items: Drawing[];
  nextCursor: string | null;
}

export interface Verdict {
  id: number;
  prediction: number;
  confidence: number;
  misclassified: boolean;
}

export interface Stats {
  total: number;
  correct: number;
  misclassified: number;
  accuracy: number | null;
  perLabel: { label: number; total: number; correct: number; accuracy: number | null }[];
  /** rows: the digit meant; columns: the network's prediction */
  confusion: number[][];
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!res.ok) throw new ApiError(res.status, body?.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export interface ListQuery {
  limit?: number;
  cursor?: string | null;
  label?: number | null;
  misclassified?: boolean;
}

export function listDrawings(q: ListQuery = {}): Promise<Page> {
  const p = new URLSearchParams();
  if (q.limit) p.set('limit', String(q.limit));
  if (q.cursor) p.set('cursor', q.cursor);
  if (q.label !== undefined && q.label !== null) p.set('label', String(q.label));
  if (q.misclassified) p.set('misclassified', 'true');
  return call<Page>(`/api/gallery?${p}`);
}

/** A drawing's 784 pixels (28×28, 255 = ink). */
export async function drawingPixels(id: number): Promise<Uint8Array> {
  const d = await call<{ pixels: string }>(`/api/gallery/${id}`);
  return Uint8Array.from(atob(d.pixels), (c) => c.charCodeAt(0));
}

export function submitDrawing(pixels: Uint8Array, label: number): Promise<Verdict> {
  let binary = '';
  for (const b of pixels) binary += String.fromCharCode(b);
  return call<Verdict>('/api/gallery', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ pixels: btoa(binary), label }),
  });
}

export function reportDrawing(id: number): Promise<{ reported: boolean }> {
  return call('/api/gallery/' + id + '/report', { method: 'POST' });
}

export function stats(): Promise<Stats> {
  return call<Stats>('/api/stats');
}

export const imageUrl = (d: Drawing, size: number) => `${d.imageUrl}?size=${size}`;
