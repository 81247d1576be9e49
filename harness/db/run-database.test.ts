import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import type { DatabaseServer } from './database-server.js';
import { createRunDatabase, dropDatabasesOfRun } from './run-database.js';

const server: DatabaseServer = { kind: 'url', adminUrl: inject('pgAdminUrl'), serverVersion: '', secrets: [], stop: async () => {} };
const stamp = Date.now().toString(36);
const other = `chatfuzz_${stamp}_b_1`;

async function databases(prefix: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: server.adminUrl });
  await c.connect();
  try {
    return (
      await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1', [prefix])
    ).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

afterAll(async () => {
  const c = new pg.Client({ connectionString: server.adminUrl });
  await c.connect();
  for (const name of await databases(`chatfuzz_${stamp}_`))
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
  await c.end();
});

it("a cell database copied from a template has its schema; dropDatabasesOfRun drops that run's databases, also ones another process made, and no other run's", async () => {
  const tpl = await createRunDatabase(server, `chatfuzz_${stamp}_a_t1`);
  const c = new pg.Client({ connectionString: tpl.url });
  await c.connect();
  await c.query('CREATE TABLE kept (id int)');
  await c.end();
  const cell = await createRunDatabase(server, `chatfuzz_${stamp}_a_1`, tpl.name);
  const q = new pg.Client({ connectionString: cell.url });
  await q.connect();
  expect((await q.query("SELECT to_regclass('kept') IS NOT NULL AS has")).rows[0].has).toBe(true);
  await q.end();
  // As a worker process would leave it: made outside this module, so not in its list of created databases.
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE chatfuzz_${stamp}_a_2`);
  await admin.query(`CREATE DATABASE ${other}`);
  await admin.end();

  const dropped = await dropDatabasesOfRun(server, `${stamp}_a`);
  expect(dropped).toEqual([`chatfuzz_${stamp}_a_1`, `chatfuzz_${stamp}_a_2`, `chatfuzz_${stamp}_a_t1`]);
  expect(await databases(`chatfuzz_${stamp}_`)).toEqual([other]);
});
