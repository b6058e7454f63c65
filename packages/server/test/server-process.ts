/**
 * The real server as its own process (`src/main.ts`), the way an operator runs it: on a free port, on a
 * fresh embedded database unless DATABASE_URL is given, stopped with SIGTERM. Used by the operations and
 * fault tests, the load and server benchmarks, and the site's end-to-end tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then its exit code (at once if it has already exited). */
  stop(): Promise<number | null>;
  kill(): void;
}

/** Newest modification time of the files under `dir` (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  return t;
}

/**
 * Compiles the server (`npm run build -w packages/server`: `dist/`, run by plain `node`) unless `dist/` is
 * newer than every source file. The element's `dist/` (its DOM-free subpaths) must exist: `npm run build`.
 */
export function ensureCompiled(): void {
  const main = join(SERVER_DIR, 'dist/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(SERVER_DIR, 'src'))) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: SERVER_DIR, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the server does not compile:\n${r.stdout}${r.stderr}`);
}

export interface SpawnOptions {
  /**
   * Run the compiled server (`node dist/main.js`, as `npm run start -w packages/server` and the deploy
   * instructions do) instead of the TypeScript sources through tsx. Compiles first when needed.
   */
  compiled?: boolean;
}

export async function spawnServer(
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const dataDir = env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'cnn-server-'));
  if (options.compiled) ensureCompiled();
  const args = options.compiled
    ? ['dist/main.js']
    : ['--conditions=source', '--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  child.once('exit', () => dataDir && rmSync(dataDir, { recursive: true, force: true }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server printed no URL in 60 s:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /running at (http:\/\/\S+?)\/? /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited early (${code}):\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => out,
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => void child.kill('SIGKILL'),
  };
}
