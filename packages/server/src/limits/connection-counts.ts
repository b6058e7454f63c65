/**
 * WebSocket connections open per client, counted across every server process.
 *
 * Each process keeps its own counts in memory and, on Postgres, publishes them in `ws_connections`
 * (one row per process and client hash) as a lease it renews every `leaseMs / 3`. A client's total is its
 * count here plus the unexpired rows of the other processes: a process that is killed (SIGKILL, a crash)
 * stops renewing, and its connections stop counting within `leaseMs`. On the embedded database there is
 * one process, and the counts never leave memory.
 *
 * When the database does not answer within `checkTimeoutMs`, a connection is judged on this process's
 * counts alone: inference never waits on the gallery's database.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.ts';

export const CONNECTIONS_TABLE = 'ws_connections';

export interface ConnectionCountsOptions {
  leaseMs?: number;
  checkTimeoutMs?: number;
  /** called when the shared count could not be read (the limit fell back to this process's count) */
  onError?: (e: unknown) => void;
}

export class ConnectionCounts {
  private readonly local = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private flushing?: Promise<void>;
  private tableReady?: Promise<void>;
  private readonly renewer?: ReturnType<typeof setInterval>;
  private readonly instance = randomUUID();
  private readonly leaseMs: number;
  private readonly checkTimeoutMs: number;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: ConnectionCountsOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 500;
    if (this.shared) {
      void this.table().catch(() => undefined);
      this.renewer = setInterval(() => void this.renew().catch(() => undefined), this.leaseMs / 3);
      this.renewer.unref();
    }
  }

  private get shared() {
    return this.db.kind === 'postgres';
  }

  private table() {
    this.tableReady ??= this.db
      .raw(
        `CREATE TABLE IF NOT EXISTS ?? (
           instance text NOT NULL,
           client_hash text NOT NULL,
           connections integer NOT NULL,
           expires_at bigint NOT NULL,
           PRIMARY KEY (instance, client_hash))`,
        [CONNECTIONS_TABLE],
      )
      .then(
        () => undefined,
        (e: { code?: string }) => {
          // another process created it at the same moment
          if (e.code !== '23505' && e.code !== '42P07') throw e;
        },
      );
    this.tableReady.catch(() => (this.tableReady = undefined));
    return this.tableReady;
  }

  /** Connections `key` holds now, on every process (this one's included). */
  async count(key: string): Promise<number> {
    const here = this.local.get(key) ?? 0;
    if (!this.shared) return here;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const others = await Promise.race([
        this.table().then(() =>
          this.db(CONNECTIONS_TABLE)
            .sum<{ n: string | number | null }>('connections as n')
            .where('client_hash', key)
            .andWhereNot('instance', this.instance)
            .andWhere('expires_at', '>', Date.now())
            .first(),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('the shared connection count did not answer')),
            this.checkTimeoutMs,
          );
        }),
      ]);
      return here + Number(others?.n ?? 0);
    } catch (e) {
      this.options.onError?.(e);
      return here;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One more connection of `key` on this process. */
  add(key: string) {
    this.local.set(key, (this.local.get(key) ?? 0) + 1);
    this.publish(key);
  }

  /** One connection of `key` less on this process. */
  remove(key: string) {
    const n = (this.local.get(key) ?? 1) - 1;
    if (n > 0) this.local.set(key, n);
    else this.local.delete(key);
    this.publish(key);
  }

  private publish(key: string) {
    if (!this.shared || this.closed) return;
    this.dirty.add(key);
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
  }

  /** Writes the changed counts, one statement at a time, so a later count never lands before an earlier one. */
  private async flush() {
    while (this.dirty.size && !this.closed) {
      const keys = [...this.dirty];
      this.dirty.clear();
      try {
        await this.table();
        const expires = Date.now() + this.leaseMs;
        const rows = keys
          .filter((k) => this.local.has(k))
          .map((k) => ({
            instance: this.instance,
            client_hash: k,
            connections: this.local.get(k)!,
            expires_at: expires,
          }));
        const gone = keys.filter((k) => !this.local.has(k));
        if (rows.length)
          await this.db(CONNECTIONS_TABLE)
            .insert(rows)
            .onConflict(['instance', 'client_hash'])
            .merge(['connections', 'expires_at']);
        if (gone.length)
          await this.db(CONNECTIONS_TABLE)
            .where('instance', this.instance)
            .whereIn('client_hash', gone)
            .delete();
      } catch (e) {
        // the database is away: keep the keys for the next change or renewal
        for (const k of keys) this.dirty.add(k);
        this.options.onError?.(e);
        return;
      }
    }
  }

  /** Renews this process's leases (rewriting every count it holds), drops everyone's long-expired rows. */
  private async renew() {
    if (this.closed) return;
    await this.table();
    await this.db(CONNECTIONS_TABLE)
      .where('expires_at', '<', Date.now() - this.leaseMs)
      .delete();
    for (const k of this.local.keys()) this.dirty.add(k);
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  /** Stops renewing and withdraws this process's counts (a graceful stop; a killed process's expire). */
  async close() {
    this.closed = true;
    clearInterval(this.renewer);
    await this.flushing;
    if (this.shared)
      await this.db(CONNECTIONS_TABLE)
        .where('instance', this.instance)
        .delete()
        .catch(() => undefined);
  }
}
