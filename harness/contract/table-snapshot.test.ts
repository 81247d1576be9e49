import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACHINE_PG } from '../../test/test-server.js';
import { tableRegisterUsers } from './table-snapshot.js';

// A schema of this test's own on the machine's PostgreSQL, dropped at the end.
const schema = `chatfuzz_table_snapshot_test_${process.pid}`;
const pool = new pg.Pool({ connectionString: MACHINE_PG, max: 1, options: `-c search_path=${schema}` });

beforeAll(async () => {
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TYPE ${schema}.plan AS ENUM ('free', 'pro')`);
  await pool.query(`CREATE TABLE "User" (
    id text PRIMARY KEY, email varchar(64) NOT NULL UNIQUE, name text NOT NULL, plan ${schema}.plan NOT NULL, credits int NOT NULL,
    active boolean NOT NULL, "createdAt" timestamptz NOT NULL, prefs jsonb NOT NULL, token uuid NOT NULL UNIQUE,
    "updatedAt" timestamptz NOT NULL DEFAULT now(), nickname text)`);
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

describe('tableRegisterUsers', () => {
  it("fills the columns a users table requires (an app's email, name, enum, counters) from each id, and registers a user once", async () => {
    await tableRegisterUsers(pool, { users: { table: 'User', id: 'id' } } as never, ['t1_u1', 't1_u2']);
    await tableRegisterUsers(pool, { users: { table: 'User', id: 'id' } } as never, ['t1_u1']);
    const { rows } = await pool.query('SELECT id, email, name, plan, credits, active, prefs, nickname FROM "User" ORDER BY id');
    expect(rows).toEqual([
      { id: 't1_u1', email: 't1_u1@chatfuzz.invalid', name: 't1_u1', plan: 'free', credits: 0, active: false, prefs: {}, nickname: null },
      { id: 't1_u2', email: 't1_u2@chatfuzz.invalid', name: 't1_u2', plan: 'free', credits: 0, active: false, prefs: {}, nickname: null },
    ]);
  });
});
