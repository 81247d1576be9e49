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
export function createdDatabases(): string[] { return [...created]; }

async function admin<T>(server: DatabaseServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try { return await fn(client); } finally { await client.end().catch(() => {}); }
}

/** Creates `name` (which must start with `chatfuzz_`) on the server. */
export async function createRunDatabase(server: DatabaseServer, name: string): Promise<RunDatabase> {
  if (!NAME.test(name)) throw new Error(`refusing to create a database not named chatfuzz_*: ${name}`);
  try {
    await admin(server, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`));
  } catch (e) {
    throw new InfraError(`could not create database ${name}: ${(e as Error).message}. The --db user needs the CREATEDB privilege.`, { cause: e });
  }
  created.add(name);
  return { name, url: withDatabase(server.adminUrl, name), drop: () => dropRunDatabase(server, name) };
}

/** Drops a database this process created; refuses any other name. */
export async function dropRunDatabase(server: DatabaseServer, name: string): Promise<void> {
  if (!created.has(name)) throw new Error(`refusing to drop ${name}: this run did not create it`);
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
