// leftovers: databases a killed run left on a user's server (--db). Every run holds a session
// advisory lock for its whole life (hold-run-lock.ts), taken before its first database exists;
// a run whose lock nobody holds and whose databases nobody is connected to is dead beyond doubt,
// and only such a run's databases are ever dropped (drop-leftover-databases.ts).
import pg from 'pg';
import { InfraError } from '../../errors.js';
import type { DatabaseServer } from '../database-server.js';
import { redactUrl } from '../redact-url.js';
import { RUN_LOCK_CLASS, runLockKey } from './hold-database-run-lock.js';

/** A database named `chatfuzz_*` on the server. */
export interface ChatfuzzDatabase {
  name: string;
  /** The run that created it when the name is `chatfuzz_<run id>_<n>` or `_t<k>` with a run id of this chatfuzz; else undefined. */
  runId: string | undefined;
  /** Size on disk; null for a live run's (not read) or when it cannot be read (no CONNECT privilege, dropped meanwhile). */
  bytes: number | null;
  /** Sessions connected to it when it was listed. */
  connections: number;
}

/** The server's `chatfuzz_*` databases by what may be done with them. */
export interface ChatfuzzDatabases {
  /** Of runs whose lock nobody holds and none of whose databases anyone is connected to: left by a killed run. */
  dead: ChatfuzzDatabase[];
  /** Of runs whose lock nobody holds but to one of whose databases someone is connected: not provably dead. */
  inUse: ChatfuzzDatabase[];
  /** Of runs that hold their lock. */
  live: ChatfuzzDatabase[];
  /** Not named by a run id of this chatfuzz (an older chatfuzz's, or not chatfuzz's at all): whether anything uses them cannot be told. */
  unknown: ChatfuzzDatabase[];
}

const NAME = /^chatfuzz_(\d{8}_\d{6}_[0-9a-f]{8})_(?:\d+|t\d+)$/;

/** The run id in a database name of this chatfuzz's form, else undefined. */
export function runIdOfDatabase(name: string): string | undefined {
  return NAME.exec(name)?.[1];
}

/** Whether run `runId` is dead now ('dead'), holds its lock ('live'), or has no lock but a session on one of its databases ('in use'). */
export async function runState(client: pg.Client, runId: string): Promise<'dead' | 'live' | 'in use'> {
  const key = runLockKey(runId);
  if (key === undefined) throw new Error(`not a run id of this chatfuzz: ${runId}`);
  const r = await client.query<{ locked: boolean; used: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted) AS locked,
            EXISTS (SELECT 1 FROM pg_stat_activity WHERE left(datname, length($3)) = $3 AND pid <> pg_backend_pid()) AS used`,
    [RUN_LOCK_CLASS, key, `chatfuzz_${runId}_`],
  );
  return r.rows[0]!.locked ? 'live' : r.rows[0]!.used ? 'in use' : 'dead';
}

/**
 * Lists the server's `chatfuzz_*` databases, sorted into dead, in use, live and unknown; `ownRunId`'s
 * are left out, and with `runIds` only those runs' databases are listed (none unknown).
 */
export async function findLeftoverDatabases(
  server: DatabaseServer,
  options: { ownRunId?: string; runIds?: readonly string[] } = {},
): Promise<ChatfuzzDatabases> {
  const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return await classify(client, options);
  } catch (e) {
    throw new InfraError(`could not list the chatfuzz databases on ${redactUrl(server.adminUrl)}: ${(e as Error).message}`, { cause: e });
  } finally {
    await client.end().catch(() => {});
  }
}

async function classify(client: pg.Client, options: { ownRunId?: string; runIds?: readonly string[] }): Promise<ChatfuzzDatabases> {
  // Names first, locks after: a run takes its lock before it creates a database, so every database
  // of a live run listed here has its lock held by the time the locks are read.
  const names = (
    await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE left(datname, 9) = 'chatfuzz_' ORDER BY datname")
  ).rows
    .map((r) => r.datname)
    .filter((n) => {
      const runId = runIdOfDatabase(n);
      if (options.runIds) return runId !== undefined && options.runIds.includes(runId);
      // A name of another form may still begin with the own run's prefix (a database a later chatfuzz names differently).
      return !(options.ownRunId && n.startsWith(`chatfuzz_${options.ownRunId}_`));
    });
  const locked = new Set(
    (
      await client.query<{ key: string }>(
        "SELECT objid::int8 AS key FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted",
        [RUN_LOCK_CLASS],
      )
    ).rows.map((r) => Number(r.key)),
  );
  const sessions = new Map(
    (
      await client.query<{ datname: string; n: number }>(
        "SELECT datname, count(*)::int AS n FROM pg_stat_activity WHERE left(datname, 9) = 'chatfuzz_' AND pid <> pg_backend_pid() GROUP BY datname",
      )
    ).rows.map((r) => [r.datname, r.n]),
  );
  const out: ChatfuzzDatabases = { dead: [], inUse: [], live: [], unknown: [] };
  for (const name of names) {
    const runId = runIdOfDatabase(name);
    // A session on any database of the run (a worker of a killed run, say) keeps all of them.
    const kind =
      runId === undefined
        ? 'unknown'
        : locked.has(runLockKey(runId)!)
          ? 'live'
          : [...sessions.keys()].some((n) => n.startsWith(`chatfuzz_${runId}_`))
            ? 'inUse'
            : 'dead';
    out[kind].push({ name, runId, bytes: kind === 'live' ? null : await size(client, name), connections: sessions.get(name) ?? 0 });
  }
  return out;
}

async function size(client: pg.Client, name: string): Promise<number | null> {
  try {
    const r = await client.query<{ bytes: string | null }>(
      "SELECT CASE WHEN has_database_privilege($1::name, 'CONNECT') THEN pg_database_size($1::name) END AS bytes",
      [name],
    );
    return r.rows[0]!.bytes === null ? null : Number(r.rows[0]!.bytes);
  } catch {
    return null;
  }
}
