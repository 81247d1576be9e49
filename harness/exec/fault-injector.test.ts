import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDatabase, type RunDatabase } from '../db/run-database.js';
import { classifyError } from '../history/classify-error.js';
import { Clock } from '../history/history.js';
import { callContext } from './call-context.js';
import { FaultInjector, terminateBackend } from './fault-injector.js';
import { StatementRecorder } from './statement-recorder.js';
import { createTrialPool, type TrialPool } from './trial-pool.js';
import { testServer } from '../../test/test-server.js';
import { runTestCell } from '../../test/run-test-cell.js';
import { TARGET_APPLICATION_NAME } from './run-cell.js';

describe('connection kills at a chosen statement', () => {
  let db: RunDatabase;
  let pool: TrialPool;
  let control: pg.Client;
  beforeAll(async () => {
    db = await createRunDatabase(testServer(), `chatfuzz_faulttest_${process.pid}`);
    pool = createTrialPool({ connectionString: db.url, max: 4 });
    control = new pg.Client({ connectionString: db.url });
    await control.connect();
    await control.query('CREATE TABLE t (id int primary key)');
  });
  afterAll(async () => {
    await pool.destroy();
    await control.end();
    await db.drop();
  });

  async function twoInserts(call: number, when: 'before' | 'after', first: number) {
    const recorder = new StatementRecorder(new Clock());
    const injector = new FaultInjector(recorder, new Map([[call, { statement: 2, when }]]), terminateBackend((sql, p) => control.query(sql, p)));
    pool.setGate(injector);
    try {
      return await callContext.run({ call, client: 0 }, async () => {
        const c = await pool.connect();
        let error: unknown;
        try {
          await c.query('INSERT INTO t VALUES ($1)', [first]);
          await c.query('INSERT INTO t VALUES ($1)', [first + 1]);
        } catch (e) { error = e; } finally { c.release(error as Error | undefined); }
        return { error, injector, recorder };
      });
    } finally {
      pool.setGate(undefined);
    }
  }

  const stored = async (ids: number[]) => (await control.query('SELECT id FROM t WHERE id = ANY($1) ORDER BY id', [ids])).rows.map((r) => r.id);

  it('before statement 2: the first insert stays, the second never runs, the call sees a connection error', async () => {
    const { error, injector } = await twoInserts(1, 'before', 10);
    expect(classifyError(error).kind).toBe('connection');
    expect(injector.fired.get(1)).toBe('connection killed before statement 2');
    expect(await stored([10, 11])).toEqual([10]);
  });

  it('after statement 2: both inserts are stored, yet the call sees a connection error (a lost acknowledgement)', async () => {
    const { error, recorder } = await twoInserts(2, 'after', 20);
    const info = classifyError(error);
    expect(info).toMatchObject({ kind: 'connection', sqlstate: '57P01', killedAfter: true });
    expect(await stored([20, 21])).toEqual([20, 21]);
    expect(recorder.statements.map((s) => s.error?.killedAfter ?? false)).toEqual([false, true]);
  });

  it('a killed connection never goes back into the pool: the next query gets a live one', async () => {
    await twoInserts(3, 'before', 30);
    const r = await pool.query('SELECT 1 AS ok');
    expect(r.rows[0].ok).toBe(1);
    expect(pool.totalCount).toBe(pool.connectionCount());
  });
});

describe('retry-after-error leaves no connection behind', () => {
  // After the last trial the pool holds exactly the connections the server has for the cell's database: none dead, none lost.
  const poolMatchesServer = (seen: { pool: number; server: number }[]) => async (pool: TrialPool, name: string) => {
    const c = new pg.Client({ connectionString: testServer().adminUrl });
    await c.connect();
    try {
      const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [name, TARGET_APPLICATION_NAME]);
      seen.push({ pool: pool.totalCount, server: r.rows[0].n });
    } finally { await c.end(); }
  };

  it.each(['scheduled', 'stress'] as const)('%s: upsert under kills passes, and the pool count equals the server count afterwards', async (mode) => {
    const seen: { pool: number; server: number }[] = [];
    const cell = await runTestCell('upsert', 'retry-after-error', { runs: 40, seed: 5, mode, afterTrials: poolMatchesServer(seen) });
    expect(cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 40 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.pool).toBe(seen[0]!.server);
  });

  it('a target that holds connections in transactions (late-lock): kills inside BEGIN … COMMIT never become a harness error or a leak', async () => {
    const seen: { pool: number; server: number }[] = [];
    const cell = await runTestCell('./test/fixtures/late-lock-target.ts', 'retry-after-error', { runs: 40, seed: 6, mode: 'scheduled', afterTrials: poolMatchesServer(seen) });
    expect(cell.error).toBeUndefined();
    // A kill after COMMIT loses the acknowledgement; the retry then finds its message stored and dies on the primary key.
    if (cell.failure) expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505' });
    expect(seen[0]!.pool).toBe(seen[0]!.server);
  });
});
