/** /api/gallery, /api/random_image, /api/stats: the shared gallery of drawings readers submitted. */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Limits } from '../config.ts';
import { clientAddress, clientHash } from '../http/client-id.ts';
import { dbUnavailable, HttpError } from '../http/errors.ts';
import type { ModelRunner } from '../inference/model-runner.ts';
import type { RateLimit } from '../limits/rate-limits.ts';
import type { Metrics, SubmissionOutcome } from '../metrics.ts';
import { drawingPng, placeholderPng } from './png.ts';
import type { GalleryRepository } from './repository.ts';
import {
  idSchema,
  listQuerySchema,
  parseWith,
  PIXELS_28,
  pngSizeSchema,
  submissionSchema,
  ValidationError,
  type Page,
  type Reported,
  type Verdict,
} from './schemas.ts';

export interface GalleryDeps {
  repo: GalleryRepository;
  runner: ModelRunner;
  limits: Limits;
  /** per-client limits, shared by every process on Postgres (`limits/rate-limits.ts`) */
  rateLimits: { submissions: RateLimit; reports: RateLimit };
  metrics: Metrics;
  adminToken?: string;
  salt: () => Promise<string>;
}

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

/** Errors that mean "the database is not there", as opposed to a bug. */
export function isDbDown(e: unknown): boolean {
  const err = e as { code?: string; name?: string; message?: string };
  return (
    DB_DOWN_CODES.has(err.code ?? '') ||
    err.name === 'KnexTimeoutError' ||
    /Connection terminated|connect ECONNREFUSED|Timeout acquiring a connection|PGlite is closed/i.test(
      err.message ?? '',
    )
  );
}

/** Runs a route body, turning validation errors into 400 and database outages into 503. */
const handle =
  (fn: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (e) {
      if (e instanceof ValidationError) throw new HttpError(400, e.message);
      if (e instanceof HttpError) throw e;
      if (isDbDown(e)) throw dbUnavailable();
      throw e;
    }
  };

function sameSecret(given: string, expected: string): boolean {
  // hash both so the comparison takes the same time whatever the lengths
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const pngSize = (raw: unknown) => parseWith(pngSizeSchema, raw);
const parseId = (raw: unknown) => parseWith(idSchema, raw);

/** What became of a submission, for `cnn_gallery_submissions_total`. */
function outcomeOf(e: unknown): SubmissionOutcome {
  if (e instanceof ValidationError) return 'invalid';
  if (e instanceof HttpError)
    return e.status === 429 ? 'rate_limited' : e.status === 503 ? 'db_unavailable' : 'invalid';
  if (isDbDown(e)) return 'db_unavailable';
  return 'error';
}

export function galleryRoutes(deps: GalleryDeps): Router {
  const { repo, runner, limits, metrics } = deps;
  const router = Router();
  const { submissions, reports } = deps.rateLimits;

  router.post(
    '/gallery',
    handle(async (req, res) => {
      try {
        await submit(req, res);
        metrics.submissions.inc({ outcome: 'created' });
      } catch (e) {
        metrics.submissions.inc({ outcome: outcomeOf(e) });
        throw e;
      }
    }),
  );
  async function submit(req: Request, res: Response) {
    if (runner.inputSize !== PIXELS_28)
      // MODEL_PATH chose a model that does not read 28×28 drawings: the gallery has nothing to predict with
      throw new HttpError(
        501,
        `the gallery keeps 28×28 drawings; this server's model (${runner.description.name}) reads ${runner.description.input.shape.join('×')} inputs`,
      );
    const salt = await deps.salt();
    const client = clientHash(salt, clientAddress(req));
    const taken = await submissions.take(client);
    if (!taken.ok) {
      metrics.limiterRefusals.inc({ limit: 'submissions' });
      throw new HttpError(
        429,
        `too many submissions: at most ${limits.submissionsPerMinute} a minute; try again in ${taken.retryAfter} s`,
        {
          'Retry-After': String(taken.retryAfter),
        },
      );
    }
    const { pixels, label } = parseWith(submissionSchema, req.body);
    // the server predicts the drawing itself: a client's claimed prediction is never trusted
    const r = await runner.infer(pixels);
    const id = await repo.insert({
      pixels,
      label,
      prediction: r.prediction,
      confidence: r.confidence,
      probabilities: r.probabilities,
      modelVersion: runner.version,
      clientHash: client,
    });
    const verdict: Verdict = {
      id,
      prediction: r.prediction,
      confidence: r.confidence,
      misclassified: r.prediction !== label,
    };
    res.status(201).location(`/api/gallery/${id}`).json(verdict);
  }

  router.get(
    '/gallery',
    handle(async (req, res) => {
      const q = parseWith(listQuerySchema, req.query);
      const page = await repo.list(q);
      const body: Page = {
        items: page.items.map((d) => ({ ...d, imageUrl: `/api/gallery/${d.id}/image.png` })),
        nextCursor: page.nextCursor,
      };
      res.json(body);
    }),
  );

  router.get(
    '/gallery/:id',
    handle(async (req, res) => {
      const d = await repo.get(parseId(req.params.id));
      if (!d) throw new HttpError(404, 'no such drawing');
      const pixels = await repo.pixels(d.id);
      res.json({
        ...d,
        imageUrl: `/api/gallery/${d.id}/image.png`,
        pixels: Buffer.from(pixels!).toString('base64'),
      });
    }),
  );

  router.get(
    '/gallery/:id/image.png',
    handle(async (req, res) => {
      const size = pngSize(req.query.size);
      const pixels = await repo.pixels(parseId(req.params.id));
      if (!pixels) throw new HttpError(404, 'no such drawing');
      res.type('png').set('Cache-Control', 'public, max-age=300').send(drawingPng(pixels, size));
    }),
  );

  router.get(
    '/random_image',
    handle(async (req, res) => {
      const size = pngSize(req.query.size);
      const r = await repo.randomPixels();
      res
        .type('png')
        .set('Cache-Control', 'no-store')
        .set('X-Drawing-Id', r ? String(r.id) : '')
        .send(r ? drawingPng(r.pixels, size) : placeholderPng(size));
    }),
  );

  router.get(
    '/stats',
    handle(async (_req, res) => {
      res.set('Cache-Control', 'public, max-age=10').json(await repo.stats());
    }),
  );

  router.post(
    '/gallery/:id/report',
    handle(async (req, res) => {
      const id = parseId(req.params.id);
      const client = clientHash(await deps.salt(), clientAddress(req));
      const taken = await reports.take(client);
      if (!taken.ok) {
        metrics.limiterRefusals.inc({ limit: 'reports' });
        throw new HttpError(429, `too many reports; try again in ${taken.retryAfter} s`, {
          'Retry-After': String(taken.retryAfter),
        });
      }
      const found = await repo.report(id, client, limits.reportsToHide);
      if (!found) throw new HttpError(404, 'no such drawing');
      const body: Reported = { reported: true };
      res.status(202).json(body);
    }),
  );

  router.delete(
    '/gallery/:id',
    handle(async (req, res) => {
      const auth = req.get('authorization') ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!deps.adminToken)
        throw new HttpError(403, 'hiding drawings is disabled on this server (no ADMIN_TOKEN)');
      if (!token || !sameSecret(token, deps.adminToken))
        throw new HttpError(401, 'a valid admin token is required', { 'WWW-Authenticate': 'Bearer' });
      const found = await repo.hide(parseId(req.params.id));
      if (!found) throw new HttpError(404, 'no such drawing');
      res.status(204).end();
    }),
  );

  return router;
}
