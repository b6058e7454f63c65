/**
 * The gallery's database: knex over `pg` when DATABASE_URL is set, else embedded PGlite (real Postgres
 * compiled to WASM) persisted under DATA_DIR — so `npm start` needs no database and keeps its data.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';

// knex-pglite (and with it PGlite) is loaded only when the embedded database is used: a server on
// Postgres neither starts slower nor holds more memory for it
const require = createRequire(import.meta.url);

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../../migrations', import.meta.url));

export interface DbOptions {
  databaseUrl?: string;
  /** For PGlite: a folder, or undefined for an in-memory database (tests). */
  pgliteDir?: string;
  /** Postgres schema to use (tests isolate themselves in one). */
  schema?: string;
}

export type Db = Knex & { kind: 'postgres' | 'pglite' };

export function connect(options: DbOptions): Db {
  let db: Knex;
  if (options.databaseUrl) {
    db = knexFactory({
      client: 'pg',
      connection: { connectionString: options.databaseUrl, connectionTimeoutMillis: 3000 },
      searchPath: options.schema ? [options.schema] : undefined,
      // fail fast when the database is away, so routes answer 503 instead of hanging
      acquireConnectionTimeout: 4000,
      pool: { min: 0, max: 10, idleTimeoutMillis: 30_000 },
    });
  } else {
    if (options.pgliteDir) mkdirSync(options.pgliteDir, { recursive: true });
    const ClientPgLite: unknown = require('knex-pglite');
    db = knexFactory({
      client: ClientPgLite as unknown as typeof knexFactory.Client,
      dialect: 'postgres',
      connection: options.pgliteDir ? { filename: join(options.pgliteDir, 'pglite') } : {},
      useNullAsDefault: false,
    } as Knex.Config);
  }
  return Object.assign(db, { kind: options.databaseUrl ? ('postgres' as const) : ('pglite' as const) });
}

export async function migrate(db: Knex, schema?: string): Promise<string[]> {
  if (schema) await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  const [, applied] = await db.migrate.latest({
    directory: MIGRATIONS_DIR,
    loadExtensions: ['.mjs'],
    schemaName: schema,
  });
  return applied as string[];
}

/** Answers whether the database responds, within `ms`. */
export async function ping(db: Knex, ms = 2000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      db.raw('select 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
