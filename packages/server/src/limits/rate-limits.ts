/**
 * Per-client rate limits (gallery submissions, reports) through `rate-limiter-flexible`.
 *
 * - On Postgres (DATABASE_URL set: the hosted deployment, N processes behind Caddy) the counters live in
 *   the database, table `rate_limits`, so every process enforces one limit per client, whichever process
 *   the balancer picks, and a restart forgets nothing.
 * - On the embedded database (one process, `npm start`) they live in this process's memory.
 *
 * Keys are the client's salted hash (`http/client-id.ts`), never its address. A limit is a fixed window:
 * `burst` requests, then the window (`burst / rate`) must pass — the sustained rate is the configured one.
 */
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';

export const RATE_LIMIT_TABLE = 'rate_limits';

export type Taken = { ok: true } | { ok: false; retryAfter: number };

export interface RateLimit {
  /** Counts one request of `key`; `ok: false` with the seconds to wait when over the limit. Rejects
   *  when the shared store (the database) does not answer. */
  take(key: string): Promise<Taken>;
}

export interface RateLimitSpec {
  /** name, also the key prefix in the shared table */
  name: string;
  burst: number;
  perSecond: number;
}

/**
 * Builds limits on the app's database: shared when it is Postgres, in memory when it is PGlite. The shared
 * table is created at once (and again on use after a failure, e.g. the database was away at start).
 */
export function createRateLimits<N extends string>(
  db: Db,
  specs: (RateLimitSpec & { name: N })[],
): Record<N, RateLimit> {
  const out = {} as Record<N, RateLimit>;
  for (const spec of specs) {
    const opts = {
      keyPrefix: spec.name,
      points: Math.max(1, Math.floor(spec.burst)),
      duration: Math.max(1, Math.ceil(spec.burst / spec.perSecond)),
    };
    let limiter: Promise<RateLimiterAbstract> | undefined;
    const make = (): Promise<RateLimiterAbstract> =>
      db.kind === 'postgres'
        ? new Promise((resolve, reject) => {
            const l: RateLimiterPostgres = new RateLimiterPostgres(
              {
                ...opts,
                storeClient: db,
                storeType: 'knex',
                tableName: RATE_LIMIT_TABLE,
                // rows expired an hour ago are deleted every 5 minutes
                clearExpiredByTimeout: true,
              },
              (err?: Error) => (err ? reject(err) : resolve(l)),
            );
          })
        : Promise.resolve(new RateLimiterMemory(opts));
    const ready = () => {
      limiter ??= make();
      limiter.catch(() => (limiter = undefined));
      return limiter;
    };
    // the table is made at once, not by the first reader's request
    void ready().catch(() => undefined);
    out[spec.name] = {
      async take(key) {
        const limiter = ready();
        try {
          await (await limiter).consume(key);
          return { ok: true };
        } catch (e) {
          if (e instanceof RateLimiterRes)
            return { ok: false, retryAfter: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
          throw e;
        }
      },
    };
  }
  return out;
}
