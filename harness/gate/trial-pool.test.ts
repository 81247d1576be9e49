import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDatabase, type RunDatabase } from '../db/run-database.js';
import { Clock } from '../history/history.js';
import { callContext } from './call-context.js';
import { StatementRecorder } from './statement-recorder.js';
import { createTrialPool, type TrialPool } from './trial-pool.js';
import { testServer } from '../../test/test-server.js';

describe('trial pool', () => {
  let db: RunDatabase;
  let pool: TrialPool;
  beforeAll(async () => {
    db = await createRunDatabase(testServer(), `chatfuzz_pooltest_${process.pid}`);
    pool = createTrialPool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool.destroy();
    await db.drop();
  });

  it('attributes every statement to the call that sent it, also when calls wait for a pooled connection', async () => {
    const recorder = new StatementRecorder(new Clock());
    pool.setGate(recorder);
    // Six calls on a pool of two: most wait for a connection another call releases.
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        callContext.run({ call: i, client: i }, async () => {
          await pool.query('SELECT $1::int AS n, pg_sleep(0.01)', [i]);
          const c = await pool.connect();
          try {
            await c.query('SELECT $1::int AS again', [i]);
          } finally {
            c.release();
          }
        }),
      ),
    );
    pool.setGate(undefined);
    expect(recorder.statements).toHaveLength(12);
    for (let i = 0; i < 6; i++) expect(recorder.statements.filter((s) => s.call === i)).toHaveLength(2);
    expect(recorder.statements.every((s) => s.completedAt! > s.startedAt)).toBe(true);
  });

  it('records a failing statement with its SQLSTATE and still throws it to the target', async () => {
    const recorder = new StatementRecorder(new Clock());
    pool.setGate(recorder);
    const err = await callContext.run({ call: 9, client: 1 }, () => pool.query('SELECT * FROM no_such_table').catch((e) => e));
    pool.setGate(undefined);
    expect(err).toBeInstanceOf(pg.DatabaseError);
    expect(recorder.statements[0]).toMatchObject({ call: 9, client: 1, error: { kind: 'db', sqlstate: '42P01' } });
  });

  it('evictDirty() closes the idle connections left inside a transaction (open or aborted) and keeps clean ones', async () => {
    const p = createTrialPool({ connectionString: db.url, max: 3 });
    const [open, aborted, clean] = [await p.connect(), await p.connect(), await p.connect()];
    await open.query('BEGIN');
    await aborted.query('BEGIN');
    await aborted.query('SELECT 1/0').catch(() => {});
    await clean.query('SELECT 1');
    for (const c of [open, aborted, clean]) c.release();
    expect(p.idleCount).toBe(3);
    expect(p.evictDirty()).toBe(2);
    expect(p.idleCount).toBe(1);
    // What is left is usable: no 25P02 for the next caller.
    expect((await p.query('SELECT 2 AS n')).rows[0].n).toBe(2);
    await p.destroy(1000);
  });

  it('leaksOf() counts the connections a call still holds, by the call that asked for them, also when another call handed them over', async () => {
    const p = createTrialPool({ connectionString: db.url, max: 1 });
    const first = await callContext.run({ call: 0, client: 0 }, () => p.connect());
    // Call 1 waits for the only connection; it reaches call 1 inside call 0's release.
    const waiting = callContext.run({ call: 1, client: 1 }, () => p.connect());
    callContext.run({ call: 0, client: 0 }, () => first.release());
    const second = await waiting;
    expect(second).toBe(first);
    expect(p.leaksOf(0)).toEqual({ held: 0, openTransaction: false });
    expect(p.leaksOf(1)).toEqual({ held: 1, openTransaction: false });
    second.release();
    expect(p.leaksOf(1)).toEqual({ held: 0, openTransaction: false });
    await p.destroy(1000);
  });

  it('leaksOf() says a call released a connection inside the transaction it opened (checked out or pooled), not one it inherited, nor a broken one', async () => {
    const p = createTrialPool({ connectionString: db.url, max: 3 });
    await callContext.run({ call: 0, client: 0 }, async () => {
      const c = await p.connect();
      await c.query('BEGIN');
      c.release();
    });
    p.evictDirty();
    await callContext.run({ call: 1, client: 1 }, () => p.query('BEGIN'));
    // Call 2 gets a connection already inside a transaction and hands it back as it found it.
    await callContext.run({ call: 2, client: 2 }, async () => {
      const c = await p.connect();
      c.release();
    });
    await callContext.run({ call: 3, client: 3 }, async () => {
      const c = await p.connect();
      await c.query('BEGIN');
      c.release(new Error('broken'));
    });
    await callContext.run({ call: 4, client: 4 }, () => p.query('SELECT 1'));
    expect([0, 1, 2, 3, 4].map((i) => p.leaksOf(i).openTransaction)).toEqual([true, true, false, false, false]);
    await p.destroy(1000);
  });

  it("reclaim() closes what is still checked out and what idles in a transaction, forgets the trial's calls, and the pool is whole again", async () => {
    const p = createTrialPool({ connectionString: db.url, max: 3 });
    const kept = await callContext.run({ call: 0, client: 0 }, () => p.connect());
    await kept.query('BEGIN');
    await callContext.run({ call: 1, client: 1 }, () => p.query('BEGIN'));
    await callContext.run({ call: 2, client: 2 }, () => p.query('SELECT 1'));
    expect(p.totalCount).toBe(2);
    expect(p.reclaim()).toEqual({ held: 1, dirty: 1 });
    expect(p.leaksOf(0)).toEqual({ held: 0, openTransaction: false });
    expect(p.leaksOf(1)).toEqual({ held: 0, openTransaction: false });
    // Every slot is free: three callers get a connection at once, none inside a transaction.
    const three = await Promise.all([p.connect(), p.connect(), p.connect()]);
    for (const c of three) expect((await c.query('SELECT now() = statement_timestamp() AS fresh')).rows[0].fresh).toBe(true);
    for (const c of three) c.release();
    // The leaked client is closed: a late release by its caller cannot hand it back.
    expect(() => kept.release()).toThrow(/already been released/);
    await p.destroy(1000);
  });

  it('destroy() ends connections a hung caller never released', async () => {
    const p = createTrialPool({ connectionString: db.url, max: 2 });
    await p.connect(); // never released
    expect(p.connectionCount()).toBe(1);
    await p.destroy(1000);
    expect(p.connectionCount()).toBe(0);
  });
});
