import pg from 'pg';
import { InfraError } from '../../errors.js';
import type { DatabaseServer } from '../database-server.js';

/** First key of every chatfuzz run lock ('cfzz'): keeps them apart from other applications' two-key advisory locks. */
export const RUN_LOCK_CLASS = 0x63667a7a;

const RUN_ID = /^\d{8}_\d{6}_([0-9a-f]{8})$/;

/**
 * Second key of run `runId`'s lock as pg_locks.objid shows it (an oid: unsigned), or undefined for a
 * run id of another format (an older chatfuzz's), whose liveness cannot be told.
 */
export function runLockKey(runId: string): number | undefined {
  const m = RUN_ID.exec(runId);
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

/** A run lock this process holds; release() lets it go (idempotent). */
export interface HeldRunLock {
  release(): Promise<void>;
}

/**
 * Holds run `runId`'s session advisory lock on a connection of its own until release(): while the
 * lock is held no one counts the run's databases as leftovers. Take it before the run creates its
 * first database, so a database of a live run is never seen without its lock.
 */
export async function holdRunLock(server: DatabaseServer, runId: string): Promise<HeldRunLock> {
  const key = runLockKey(runId);
  if (key === undefined) throw new Error(`not a run id of this chatfuzz: ${runId}`);
  const client = new pg.Client({
    connectionString: server.adminUrl,
    connectionTimeoutMillis: 5000,
    application_name: `chatfuzz run ${runId}`,
  });
  // A lost connection only means the lock is gone; the run itself goes on.
  client.on('error', () => {});
  let held = false;
  try {
    await client.connect();
    // The connection idles for the whole run: a server's idle_session_timeout (PostgreSQL 14+) must not end it.
    await client.query('SET idle_session_timeout = 0').catch(() => {});
    // Try, never wait: the key is taken only if another live run drew the same random part.
    held = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [RUN_LOCK_CLASS, key | 0])).rows[0]!.ok;
  } catch (e) {
    await client.end().catch(() => {});
    throw new InfraError(`could not take the run lock of run ${runId}: ${(e as Error).message}`, { cause: e });
  }
  if (!held) {
    await client.end().catch(() => {});
    throw new InfraError(
      `another live chatfuzz run on this server holds the lock of run ${runId} (its random part is the same, a 1 in 4 billion chance): run again`,
    );
  }
  let released: Promise<void> | undefined;
  return { release: () => (released ??= client.end().catch(() => {})) };
}
