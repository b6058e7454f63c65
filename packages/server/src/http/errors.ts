/** Errors a route can answer with, and the JSON shape of every error: `{ "error": "…" }`. */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The database did not answer: the gallery is unavailable, the rest of the server is fine. */
export const dbUnavailable = () =>
  new HttpError(
    503,
    'the gallery database is unavailable right now; inference still works — try again shortly',
    {
      'Retry-After': '5',
    },
  );

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = err as {
      status?: number;
      statusCode?: number;
      type?: string;
      message?: string;
      headers?: Record<string, string>;
    };
    let status = e instanceof HttpError ? e.status : (e.status ?? e.statusCode ?? 500);
    let message = e.message ?? 'error';
    // body-parser's own errors: too large, malformed JSON
    if (e.type === 'entity.too.large') message = 'the request body is too large';
    else if (e.type === 'entity.parse.failed') message = 'the request body is not valid JSON';
    else if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
      message = 'unsupported body encoding';
    if (status < 400 || status > 599) status = 500;
    if (status >= 500 && !(e instanceof HttpError)) {
      logger.error({ err, reqId: req.id }, 'request failed');
      message = 'internal error';
    }
    if (e instanceof HttpError) for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    if (!res.headersSent) res.status(status).json({ error: message });
  };
}
