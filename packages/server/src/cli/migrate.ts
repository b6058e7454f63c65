/** `npm run migrate`: applies the gallery's migrations to DATABASE_URL (or the embedded database). */
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { connect, migrate } from '../db/connect.ts';

const config = loadConfig();
const db = connect({
  databaseUrl: config.databaseUrl,
  pgliteDir: config.databaseUrl ? undefined : join(config.dataDir, 'pglite'),
});
const applied = await migrate(db);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
await db.destroy();
