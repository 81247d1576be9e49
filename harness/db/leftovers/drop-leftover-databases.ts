import pg from 'pg';
import { InfraError } from '../../errors.js';
import type { DatabaseServer } from '../database-server.js';
import { redactUrl } from '../redact-url.js';
import { runIdOfDatabase, runState, type ChatfuzzDatabase } from './find-leftover-databases.js';

/** What dropLeftoverDatabases did with each database it was given. */
export interface DropLeftoversResult {
  /** Dropped (with dryRun: would have been). */
  dropped: ChatfuzzDatabase[];
  /** Not dropped because its run was not dead at drop time, or its name is not a run's; the reason says which. */
  skipped: { database: ChatfuzzDatabase; reason: string }[];
  /** DROP DATABASE failed (no privilege, a session or prepared transaction came first, …). */
  failed: { database: ChatfuzzDatabase; error: string }[];
}

/**
 * Drops each of `databases` (the `dead` of findLeftoverDatabases) whose run is still dead when its turn
 * comes, with a plain DROP DATABASE: a database someone is connected to is never forced away.
 */
export async function dropLeftoverDatabases(
  server: DatabaseServer,
  databases: readonly ChatfuzzDatabase[],
  options: { dryRun?: boolean } = {},
): Promise<DropLeftoversResult> {
  const result: DropLeftoversResult = { dropped: [], skipped: [], failed: [] };
  const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw new InfraError(`cannot reach PostgreSQL at ${redactUrl(server.adminUrl)}: ${(e as Error).message}`, { cause: e });
  }
  try {
    for (const database of databases) {
      // The name decides, not the caller's runId: only a name of a run of this chatfuzz can be proven dead.
      const runId = runIdOfDatabase(database.name);
      if (runId === undefined) {
        result.skipped.push({ database, reason: 'not named by a run id of this chatfuzz, so no run can be proven to have left it' });
        continue;
      }
      // Checked again right before each drop: the listing may be minutes old (a --dry-run, a prompt).
      const state = await runState(client, runId).catch((e: Error) => e);
      if (state instanceof Error) {
        result.failed.push({ database, error: state.message });
        continue;
      }
      if (state === 'live') {
        result.skipped.push({ database, reason: `run ${runId} is alive (it holds its lock)` });
        continue;
      }
      if (state === 'in use') {
        result.skipped.push({ database, reason: `someone is connected to a database of run ${runId}` });
        continue;
      }
      if (options.dryRun) {
        result.dropped.push(database);
        continue;
      }
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database.name)}`);
        result.dropped.push(database);
      } catch (e) {
        result.failed.push({ database, error: (e as Error).message });
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
  return result;
}
