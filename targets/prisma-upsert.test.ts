// prisma-upsert on a real database: Prisma's upsert with `update: {}` is run by Prisma Client as
// read-then-write (BEGIN; SELECT; INSERT without ON CONFLICT; …; COMMIT), so concurrent first
// requests fail with P2002; with a non-empty update the same call is one INSERT … ON CONFLICT
// and passes. The statements the harness records show which of the two Prisma chose.
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createRunDatabase, type RunDatabase } from '../harness/db/run-database.js';
import { testServer } from '../test/test-server.js';
import { runTestCell } from '../test/run-test-cell.js';
import { CANONICAL_SCHEMA_SQL, canonicalRegisterUsers } from '../harness/contract/canonical-schema.js';
import { makePrismaUpsertTarget, type UpsertSpelling } from './prisma-upsert.js';
import { NO_APP_INSTANCE } from '../harness/contract/define-target.js';

const dbs: RunDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

/** The SQL one createSession sends, read off a pool that records every statement. */
async function sessionUpsertSql(spelling: UpsertSpelling): Promise<string[]> {
  const db = await createRunDatabase(testServer(), `chatfuzz_upsert_${process.pid}_${spelling.replace('-', '_')}`);
  dbs.push(db);
  const seen: string[] = [];
  // Pooled queries and transactions (on checked-out clients) alike go through Client#query.
  class RecordingClient extends pg.Client {
    query(config: any, values?: any, cb?: any): any {
      if (typeof config === 'string' || typeof config?.text === 'string')
        seen.push(String(typeof config === 'string' ? config : config.text));
      return (super.query as any)(config, values, cb);
    }
  }
  const pool = new pg.Pool({ connectionString: db.url, max: 2, Client: RecordingClient as any });
  try {
    await pool.query(CANONICAL_SCHEMA_SQL);
    await canonicalRegisterUsers(pool, ['u1']);
    const store = await makePrismaUpsertTarget(spelling).create({ pool, databaseUrl: db.url, ...NO_APP_INSTANCE });
    seen.length = 0;
    await store.createSession!({ sessionId: 's1', userId: 'u1' });
    await store.close?.();
    return seen.filter((s) => /chat_sessions/.test(s) || /^(BEGIN|COMMIT)/.test(s));
  } finally {
    await pool.end();
  }
}

describe('prisma-upsert: which upsert Prisma runs', () => {
  it('update: {} is read-then-write in Prisma Client: SELECT, then INSERT with no ON CONFLICT, in a transaction', async () => {
    const sql = await sessionUpsertSql('empty-update');
    expect(sql[0]).toBe('BEGIN');
    expect(sql[1]).toMatch(/^SELECT .* FROM "public"\."chat_sessions" WHERE/);
    expect(sql[2]).toMatch(/^INSERT INTO "public"\."chat_sessions"/);
    expect(sql.some((s) => /ON CONFLICT/.test(s))).toBe(false);
  });

  it('a non-empty update is a database upsert: one INSERT … ON CONFLICT (id) DO UPDATE', async () => {
    const sql = await sessionUpsertSql('native');
    const upsert = sql.filter((s) => /^INSERT INTO "public"\."chat_sessions"/.test(s));
    expect(upsert).toHaveLength(1);
    expect(upsert[0]).toMatch(/ON CONFLICT \("id"\) DO UPDATE/);
    expect(sql).not.toContain('BEGIN');
  });
});

describe('prisma-upsert on the harness', () => {
  it('concurrent-duplicates: the second INSERT of the read-then-write upsert fails with P2002 on chat_sessions_pkey', async () => {
    const cell = await runTestCell('prisma-upsert', 'concurrent-duplicates', { seed: 61, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    const ops = cell.failure!.counterexample.ops;
    expect(ops).toHaveLength(2);
    expect(ops.find((o) => o.outcome === 'fail')!.error).toMatchObject({ prismaCode: 'P2002', sqlstate: '23505' });
    const inserts = cell.failure!.statements.filter((s) => s.sql.startsWith('INSERT INTO "public"."chat_sessions"'));
    expect(inserts.map((s) => s.error?.sqlstate ?? 'ok')).toEqual(['ok', '23505']);
    expect(inserts.every((s) => !/ON CONFLICT/.test(s.sql))).toBe(true);
  });

  it('passes the scenarios where each new session has one writer (log-before-create, unknown-user, hostile-input)', async () => {
    for (const scenario of ['log-before-create', 'unknown-user', 'hostile-input']) {
      const cell = await runTestCell('prisma-upsert', scenario, { runs: 25, seed: 62, mode: 'scheduled' });
      expect(cell.failure?.message, scenario).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 25 });
    }
  });
});
