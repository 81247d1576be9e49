import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testServer } from '../../../test/test-server.js';
import { withDatabase } from '../database-server.js';
import { holdRunLock, type HeldRunLock } from './hold-run-lock.js';
import { findLeftoverDatabases } from './find-leftover-databases.js';
import { dropLeftoverDatabases } from './drop-leftover-databases.js';

const server = testServer();
const hex = (bytes = 4) => crypto.randomBytes(bytes).toString('hex');
const dead = `20200101_000000_${hex()}`;
const revived = `20200101_000001_${hex()}`;
const joined = `20200101_000002_${hex()}`;
const live = `20200101_000003_${hex()}`;
const oldFormat = `chatfuzz_20200101_000000_${hex(2)}_1`;
const unrelated = `leftover_unrelated_${hex()}`;
const runs = [dead, revived, joined, live];
const created = [`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`, `chatfuzz_${revived}_1`, `chatfuzz_${joined}_1`, `chatfuzz_${joined}_t1`, `chatfuzz_${live}_1`, oldFormat, unrelated];
let admin: pg.Client;
const locks: HeldRunLock[] = [];
const sessions: pg.Client[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  locks.push(await holdRunLock(server, live));
  for (const name of created) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
});

afterAll(async () => {
  for (const s of sessions) await s.end();
  for (const l of locks) await l.release();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
});

async function existing(): Promise<string[]> {
  return (await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY 1', [created])).rows.map((r) => r.datname);
}

it('a dry run drops nothing; a drop removes the dead run\'s databases and, checking again, none of a run that came alive or got a session since the listing', async () => {
  const found = await findLeftoverDatabases(server, { runIds: runs });
  expect(found.dead.map((d) => d.name).sort()).toEqual([`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`, `chatfuzz_${joined}_1`, `chatfuzz_${joined}_t1`, `chatfuzz_${revived}_1`].sort());

  const dry = await dropLeftoverDatabases(server, found.dead, { dryRun: true });
  expect(dry.dropped.map((d) => d.name).sort()).toEqual(found.dead.map((d) => d.name).sort());
  expect(await existing()).toEqual([...created].sort());

  // After the listing: one run takes its lock, a session opens on one database of another.
  locks.push(await holdRunLock(server, revived));
  const s = new pg.Client({ connectionString: withDatabase(server.adminUrl, `chatfuzz_${joined}_t1`) });
  await s.connect();
  sessions.push(s);
  // A caller's list cannot smuggle in other names: the name decides, not the runId it claims.
  const forged = [{ name: oldFormat, runId: dead, bytes: null, connections: 0 }, { name: unrelated, runId: dead, bytes: null, connections: 0 }];
  const result = await dropLeftoverDatabases(server, [...found.dead, ...forged]);

  expect(result.dropped.map((d) => d.name).sort()).toEqual([`chatfuzz_${dead}_1`, `chatfuzz_${dead}_t1`]);
  expect(result.failed).toEqual([]);
  const reasons = Object.fromEntries(result.skipped.map((x) => [x.database.name, x.reason]));
  expect(reasons[`chatfuzz_${revived}_1`]).toMatch(/alive/);
  expect(reasons[`chatfuzz_${joined}_1`]).toMatch(/connected/);
  expect(reasons[`chatfuzz_${joined}_t1`]).toMatch(/connected/);
  expect(reasons[oldFormat]).toMatch(/not named by a run id/);
  expect(reasons[unrelated]).toMatch(/not named by a run id/);
  expect(await existing()).toEqual(created.filter((n) => !n.startsWith(`chatfuzz_${dead}_`)).sort());
});
