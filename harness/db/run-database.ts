import pg from 'pg';
import { InfraError } from '../errors.js';
import { withDatabase, type DatabaseServer } from './database-server.js';

/** A database the run created; `drop()` removes it and nothing else. */
export interface RunDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const created = new Set<string>();
const NAME = /^chatfuzz_[a-z0-9_]+$/;

/** Names of databases this process created and has not dropped yet (for clean-up on a signal). */
export function createdDatabases(): string[] {
  return [...created];
}

async function admin<T>(server: DatabaseServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates `name` (which must start with `chatfuzz_`) on the server: empty, or a copy of `template` (a database this run created). */
export async function createRunDatabase(server: DatabaseServer, name: string, template?: string): Promise<RunDatabase> {
  if (!NAME.test(name)) throw new Error(`refusing to create a database not named chatfuzz_*: ${name}`);
  if (template !== undefined && !NAME.test(template)) throw new Error(`refusing to copy a database not named chatfuzz_*: ${template}`);
  try {
    await admin(server, (c) =>
      c.query(
        template
          ? `CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(template)}${server.copyStrategy ? ` STRATEGY ${server.copyStrategy}` : ''}`
          : `CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`,
      ),
    );
  } catch (e) {
    throw new InfraError(`could not create database ${name}: ${(e as Error).message}. The --db user needs the CREATEDB privilege.`, {
      cause: e,
    });
  }
  created.add(name);
  return { name, url: withDatabase(server.adminUrl, name), drop: () => dropRunDatabase(server, name) };
}

/**
 * Drops every database of run `runId` (`chatfuzz_<runId>_…`), also those its worker processes
 * created and could not drop; the run id's random part makes the prefix this run's alone.
 */
export async function dropDatabasesOfRun(server: DatabaseServer, runId: string): Promise<string[]> {
  if (!/^[a-z0-9_]+$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  const prefix = `chatfuzz_${runId}_`;
  const names = await admin(server, async (c) =>
    (
      await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY datname', [prefix])
    ).rows.map((r) => r.datname),
  );
  for (const name of names.filter((n) => NAME.test(n))) await drop(server, name);
  return names;
}

/** Drops a database this process created; refuses any other name. */
export async function dropRunDatabase(server: DatabaseServer, name: string): Promise<void> {
  if (!created.has(name)) throw new Error(`refusing to drop ${name}: this run did not create it`);
  await drop(server, name);
}

async function drop(server: DatabaseServer, name: string): Promise<void> {
  await admin(server, async (c) => {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
    } catch {
      // Servers before 13 have no FORCE: end the run's own sessions on that database first.
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)}`);
    }
  });
  created.delete(name);
}
