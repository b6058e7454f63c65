/**
 * The real server process for the site's tests: the server package's own `spawnServer` (a free port, a
 * fresh embedded database unless DATABASE_URL is given, SIGTERM to stop).
 */
import { fileURLToPath } from 'node:url';
import { spawnServer, type ServerProcess } from '../../../server/test/server-process.ts';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export type RunningServer = ServerProcess;
export const startServer = spawnServer;
