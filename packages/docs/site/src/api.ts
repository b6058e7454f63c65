/** The gallery API as the site uses it: typed calls, and errors carrying the server's own message. */
import type {
  Drawing,
  DrawingDetail,
  ListQuery as ServerListQuery,
  Page as ServerPage,
  Reported,
  Stats,
  SubmissionInput,
  Verdict,
} from '../../../server/src/gallery/schemas.ts';

// The shapes are the server's own (zod schemas in packages/server/src/gallery/schemas.ts): one definition
// for both sides, so a change to an answer breaks this build instead of the page.
export type { Drawing, Stats, Verdict } from '../../../server/src/gallery/schemas.ts';

/** A page of the gallery. The cursor is an opaque token to the site (the server's is an id). */
export type Page = Omit<ServerPage, 'nextCursor'> & { nextCursor: string | null };

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

export async function listDrawings(q: ListQuery = {}): Promise<Page> {
  const query: ServerListQuery = {};
  if (q.limit) query.limit = String(q.limit);
  if (q.cursor) query.cursor = q.cursor;
  if (q.label !== undefined && q.label !== null) query.label = String(q.label);
  if (q.misclassified) query.misclassified = 'true';
  const page = await call<ServerPage>(`/api/gallery?${new URLSearchParams(query as Record<string, string>)}`);
  return { ...page, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
}

/** A drawing's 784 pixels (28×28, 255 = ink). */
export async function drawingPixels(id: number): Promise<Uint8Array> {
  const d = await call<DrawingDetail>(`/api/gallery/${id}`);
  return Uint8Array.from(atob(d.pixels), (c) => c.charCodeAt(0));
}

export function submitDrawing(pixels: Uint8Array, label: number): Promise<Verdict> {
  let binary = '';
  for (const b of pixels) binary += String.fromCharCode(b);
  const body: SubmissionInput = { pixels: btoa(binary), label };
  return call<Verdict>('/api/gallery', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function reportDrawing(id: number): Promise<Reported> {
  return call('/api/gallery/' + id + '/report', { method: 'POST' });
}

export function stats(): Promise<Stats> {
  return call<Stats>('/api/stats');
}

export const imageUrl = (d: Drawing, size: number) => `${d.imageUrl}?size=${size}`;
