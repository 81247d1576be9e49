// `chatfuzz drop-leftovers [--db URL] [--dry-run] [RUN_ID…]`: drops the databases killed chatfuzz runs
// left on a server, and only those (harness/db/leftovers/). Exit code: 0 done (databases left alone are
// not an error), 1 a DROP DATABASE failed, 2 usage, 3 the server cannot be reached.
import { parseArgs } from 'node:util';
import { InfraError, UsageError } from '../errors.js';
import type { CliIo } from './cli-io.js';
import { startDatabaseServer } from '../db/start-database-server.js';
import { redactSecrets, redactUrl } from '../db/redact-url.js';
import { findLeftoverDatabases, type ChatfuzzDatabase } from '../db/leftovers/find-leftover-databases.js';
import { dropLeftoverDatabases } from '../db/leftovers/drop-leftover-databases.js';
import { runLockKey } from '../db/leftovers/hold-database-run-lock.js';
import { formatBytes, plural } from './leftover-warning.js';

export const DROP_LEFTOVERS_USAGE = `usage: chatfuzz drop-leftovers [--db URL] [--dry-run] [RUN_ID…]
  --db URL    the PostgreSQL server to clean up (default: DATABASE_URL)
  --dry-run   list what would be dropped and drop nothing
  RUN_ID…     only these runs' databases (a run id is the YYYYMMDD_HHMMSS_xxxxxxxx in reports/runs/<run id>)
Drops the databases (chatfuzz_<run id>_…) of chatfuzz runs that were killed: no live run holds their lock and
no one is connected to them. Live runs' databases, databases in use and chatfuzz_* names of an older chatfuzz
are left alone and listed.
exit codes: 0 done (databases left alone are no error), 1 a DROP DATABASE failed, 2 usage error, 3 server unreachable`;

const FLAGS = { db: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const size = (d: ChatfuzzDatabase) => (d.bytes === null ? '' : ` (${formatBytes(d.bytes)})`);
const sum = (dbs: readonly ChatfuzzDatabase[]) => formatBytes(dbs.reduce((n, d) => n + (d.bytes ?? 0), 0));

/** Runs `chatfuzz drop-leftovers` with the arguments after the subcommand; resolves to the exit code. */
export async function runDropLeftovers(argv: string[], io: CliIo): Promise<number> {
  let secrets: string[] = [];
  const out = (s: string) => io.stdout.write(redactSecrets(s, secrets) + '\n');
  const err = (s: string) => io.stderr.write(redactSecrets(s, secrets) + '\n');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.split('\n')[0]}. Valid flags: --db URL, --dry-run, --help`);
    }
    const { values: v, positionals: runIds } = parsed;
    if (v.help) {
      io.stdout.write(DROP_LEFTOVERS_USAGE + '\n');
      return 0;
    }
    const bad = runIds.find((id) => runLockKey(id) === undefined);
    if (bad !== undefined)
      throw new UsageError(
        `"${bad}" is not a run id of this chatfuzz (YYYYMMDD_HHMMSS_xxxxxxxx); an older chatfuzz's databases cannot be proven unused, drop them yourself (DROP DATABASE)`,
      );
    const url = v.db || io.env.DATABASE_URL;
    // The embedded server starts empty every run and a container is removed with it: neither has leftovers.
    if (!url || url === 'embedded' || url === 'container') {
      throw new UsageError(
        'drop-leftovers needs the server to clean up: --db postgres://… or DATABASE_URL (the embedded server and a container start empty every run, so they have no leftovers)',
      );
    }
    const server = await startDatabaseServer(url, io.env);
    secrets = server.secrets;
    const dryRun = !!v['dry-run'];
    out(`chatfuzz drop-leftovers${dryRun ? ' --dry-run' : ''} · ${redactUrl(server.adminUrl)} · ${server.serverVersion}`);

    const found = await findLeftoverDatabases(server, runIds.length ? { runIds } : {});
    const result = await dropLeftoverDatabases(server, found.dead, { dryRun });
    for (const d of result.dropped) out(`${dryRun ? 'would drop' : 'dropped'} ${d.name}${size(d)}`);
    for (const s of result.skipped) out(`left alone ${s.database.name}: ${s.reason}`);
    for (const f of result.failed) err(`could not drop ${f.database.name}: ${f.error}`);
    if (found.inUse.length)
      out(
        `left alone ${plural(found.inUse.length, 'database')} of ${plural(new Set(found.inUse.map((d) => d.runId)).size, 'run')} holding no lock but with sessions open (a run of an older chatfuzz, or processes of a killed run; run this again once they end): ${found.inUse.map((d) => d.name).join(', ')}`,
      );
    if (found.live.length)
      out(
        `left alone ${plural(found.live.length, 'database')} of ${plural(new Set(found.live.map((d) => d.runId)).size, 'live run')}: ${found.live.map((d) => d.name).join(', ')}`,
      );
    if (found.unknown.length)
      out(
        `left alone ${plural(found.unknown.length, 'database')} not named by a run id of this chatfuzz (an older chatfuzz's, or not chatfuzz's), so no run can be proven to have left ${found.unknown.length === 1 ? 'it' : 'them'}: ${found.unknown.map((d) => d.name).join(', ')}; drop ${found.unknown.length === 1 ? 'it' : 'them'} yourself (DROP DATABASE) once nothing uses ${found.unknown.length === 1 ? 'it' : 'them'}`,
      );
    const runs = new Set(result.dropped.map((d) => d.runId)).size;
    if (!result.dropped.length)
      out(
        runIds.length ? `nothing to drop among run(s) ${runIds.join(', ')}` : 'nothing to drop: no killed chatfuzz run left databases here',
      );
    else
      out(
        `${dryRun ? 'would drop' : 'dropped'} ${plural(result.dropped.length, 'database')} of ${plural(runs, 'killed run')} (${sum(result.dropped)})${dryRun ? '; run without --dry-run to drop them' : ''}`,
      );
    return result.failed.length ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InfraError) {
      err(`chatfuzz drop-leftovers: ${e.message}`);
      if (e instanceof UsageError) err('run `chatfuzz drop-leftovers --help` for usage');
      return e.exitCode;
    }
    err(`chatfuzz drop-leftovers: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 3;
  }
}
