import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDatabase, type RunDatabase } from '../db/run-database.js';
import { classifyError } from '../history/classify-error.js';
import { Clock } from '../history/history.js';
import { callContext } from '../gate/call-context.js';
import { FaultInjector, lockAllTables, terminateBackend } from './fault-injector.js';
import { StatementRecorder } from '../gate/statement-recorder.js';
import { createTrialPool, type TrialPool } from '../gate/trial-pool.js';
import { testServer } from '../../test/test-server.js';
import { runTestCell } from '../../test/run-test-cell.js';
import { TARGET_APPLICATION_NAME } from '../run/cell-env.js';

describe('connection kills at a chosen statement', () => {
  let db: RunDatabase;
  let pool: TrialPool;
  let control: pg.Client;
  let lockPool: pg.Pool;
  beforeAll(async () => {
    db = await createRunDatabase(testServer(), `chatfuzz_faulttest_${process.pid}`);
    pool = createTrialPool({ connectionString: db.url, max: 4 });
    lockPool = new pg.Pool({ connectionString: db.url, max: 1 });
    control = new pg.Client({ connectionString: db.url });
    await control.connect();
    await control.query('CREATE TABLE t (id int primary key)');
  });
  afterAll(async () => {
    await pool.destroy();
    await control.end();
    await lockPool.end();
    await db.drop();
  });

  const ops = () => ({ kill: terminateBackend((sql, p) => control.query(sql, p)), lockTables: lockAllTables(lockPool) });

  async function twoInserts(call: number, when: 'before' | 'after', first: number) {
    const recorder = new StatementRecorder(new Clock());
    const injector = new FaultInjector(recorder, new Map([[call, { statement: 2, when }]]), ops());
    pool.setGate(injector);
    try {
      return await callContext.run({ call, client: 0 }, async () => {
        const c = await pool.connect();
        let error: unknown;
        try {
          await c.query('INSERT INTO t VALUES ($1)', [first]);
          await c.query('INSERT INTO t VALUES ($1)', [first + 1]);
        } catch (e) {
          error = e;
        } finally {
          c.release(error as Error | undefined);
        }
        return { error, injector, recorder };
      });
    } finally {
      pool.setGate(undefined);
    }
  }

  const stored = async (ids: number[]) =>
    (await control.query('SELECT id FROM t WHERE id = ANY($1) ORDER BY id', [ids])).rows.map((r) => r.id);

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

  /** Runs `sqls` on one checked-out client as call `call`, with a timeout injected at statement `at`; the client is kept for a look afterwards. */
  async function withTimeout(call: number, at: number, sqls: string[]) {
    const injector = new FaultInjector(
      new StatementRecorder(new Clock()),
      new Map([[call, { statement: at, when: 'timeout' as const }]]),
      ops(),
    );
    const c = await pool.connect();
    pool.setGate(injector);
    const errors: (string | undefined)[] = [];
    try {
      await callContext.run({ call, client: 0 }, async () => {
        for (const sql of sqls)
          errors.push(
            await c.query(sql).then(
              () => undefined,
              (e) => (e as { code?: string }).code,
            ),
          );
      });
    } finally {
      pool.setGate(undefined);
    }
    const timeout = (await c.query('SHOW statement_timeout')).rows[0].statement_timeout;
    c.release();
    return { errors, fired: injector.fired.get(call), timeout };
  }

  it('a timeout at statement 2 outside a transaction: 57014, the first insert stays, the connection lives on with its old statement_timeout', async () => {
    const r = await withTimeout(4, 2, ['INSERT INTO t VALUES (40)', 'INSERT INTO t VALUES (41)', 'INSERT INTO t VALUES (42)']);
    expect(r).toEqual({ errors: [undefined, '57014', undefined], fired: 'statement timeout at statement 2', timeout: '0' });
    expect(await stored([40, 41, 42])).toEqual([40, 42]);
  });

  it('a timeout inside a transaction poisons it: the next statement gets 25P02 until ROLLBACK, which also restores the setting', async () => {
    const r = await withTimeout(5, 2, ['BEGIN', 'INSERT INTO t VALUES (50)', 'INSERT INTO t VALUES (51)', 'ROLLBACK']);
    expect(r).toEqual({ errors: [undefined, '57014', '25P02', undefined], fired: 'statement timeout at statement 2', timeout: '0' });
    expect(await stored([50, 51])).toEqual([]);
  });

  it('a statement that takes no table lock (BEGIN) cannot time out: the fault does not fire and nothing changes', async () => {
    const r = await withTimeout(6, 1, ['BEGIN', 'INSERT INTO t VALUES (60)', 'COMMIT']);
    expect(r).toEqual({ errors: [undefined, undefined, undefined], fired: undefined, timeout: '0' });
    expect(await stored([60])).toEqual([60]);
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
      const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [
        name,
        TARGET_APPLICATION_NAME,
      ]);
      seen.push({ pool: pool.totalCount, server: r.rows[0].n });
    } finally {
      await c.end();
    }
  };

  it.each(['scheduled', 'stress'] as const)(
    '%s: upsert under kills passes, and the pool count equals the server count afterwards',
    async (mode) => {
      const seen: { pool: number; server: number }[] = [];
      const cell = await runTestCell('upsert', 'retry-after-error', { runs: 40, seed: 5, mode, afterTrials: poolMatchesServer(seen) });
      expect(cell.error).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 40 });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.pool).toBe(seen[0]!.server);
    },
  );

  it('a target that holds connections in transactions (late-lock): kills inside BEGIN … COMMIT never become a harness error or a leak', async () => {
    const seen: { pool: number; server: number }[] = [];
    const cell = await runTestCell('./test/fixtures/late-lock-target.ts', 'retry-after-error', {
      runs: 40,
      seed: 6,
      mode: 'scheduled',
      afterTrials: poolMatchesServer(seen),
    });
    expect(cell.error).toBeUndefined();
    // A kill after COMMIT loses the acknowledgement; the retry then finds its message stored and dies on the primary key.
    if (cell.failure) expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505' });
    expect(seen[0]!.pool).toBe(seen[0]!.server);
  });
});

describe('injected statement timeouts find what kills cannot', () => {
  it('no-rollback × retry-after-error: a timeout inside its transaction leaves a poisoned connection in the pool, and a later call gets 25P02', async () => {
    const cell = await runTestCell('./test/fixtures/no-rollback-target.ts', 'retry-after-error', { seed: 8, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '25P02' });
    const ops = cell.failure!.counterexample.ops;
    expect(ops.some((o) => /\[timeout stmt \d\]$/.test(o.label) && o.outcome === 'info' && o.error?.sqlstate === '57014')).toBe(true);
    expect(ops.length).toBeLessThanOrEqual(3);
  });
});

// False alarms of the harness itself, each found by `npm run sweep` or the report and replayed exactly here on a correct target.
describe('no false alarms from injected timeouts (regressions)', () => {
  const chat = (session: string, id: string) => ({
    op: 'handleChat' as const,
    session,
    user: 'u1',
    valid: true,
    messages: [{ id, role: 'user' as const, content: `Hello #${id}` }],
  });

  it("a timeout on a statement blocked by another client's row lock: the schedule steps around it instead of stalling until the call times out", async () => {
    // c1 inserts the session in its open transaction; c2's double submit then waits on that row. The tables cannot
    // be locked from outside (c1 holds a lock), so the timeout does not fire and c2 waits on a trial lock, which the
    // scheduler must see: it once waited for c2 as if the harness held it, and both calls "did not settle within 5000 ms".
    const workload = {
      users: ['u1'],
      clients: [
        [chat('s1', 'm1')],
        [
          { ...chat('s1', 'm1'), fault: { statement: 2, when: 'timeout' as const } },
          { ...chat('s1', 'm1'), retry: true },
        ],
      ],
    };
    const cell = await runTestCell('./test/fixtures/first-message-target.ts', 'concurrent-duplicates', {
      mode: 'scheduled',
      replay: { workload, choices: [0, 0, 1, 1] },
    });
    expect(cell.failure?.message ?? cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', runs: 1 });
  });

  it('a timeout on the ROLLBACK of a transaction PostgreSQL aborted (40001): the ROLLBACK runs, not a 25P02 the harness made up', async () => {
    // Statement 5 of serializable-retry's third call is the ROLLBACK after a serialization failure; the injector's
    // SET statement_timeout failed in the aborted transaction and that 25P02 reached the target as the ROLLBACK's.
    const workload = {
      users: ['u1'],
      clients: [
        [chat('s1', 'm1')],
        [chat('s2', 'm2')],
        [
          { ...chat('s3', 'm3'), fault: { statement: 5, when: 'timeout' as const } },
          { ...chat('s3', 'm3'), retry: true },
        ],
      ],
    };
    const cell = await runTestCell('serializable-retry', 'retry-after-error', { mode: 'scheduled', replay: { workload, choices: [8, 8] } });
    expect(cell.failure?.message ?? cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', runs: 1 });
  });
});
