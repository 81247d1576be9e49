import net from 'node:net';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDatabase, type RunDatabase } from '../db/run-database.js';
import { FaultInjector, terminateBackend } from '../faults/fault-injector.js';
import { Clock } from '../history/history.js';
import { StatementRecorder } from './statement-recorder.js';
import { WireProxy } from './wire-proxy.js';
import { testServer } from '../../test/test-server.js';
import { HANG_MS } from '../../test/run-cli-process.js';

/** Waits until `done()` holds, or for HANG_MS (the assertion after it then fails): what the test waits for has no deadline a busy machine reaches. */
async function eventually(done: () => boolean | Promise<boolean>): Promise<void> {
  for (const end = Date.now() + HANG_MS; !(await done()) && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
}

describe('wire proxy', () => {
  let db: RunDatabase;
  let control: pg.Client;
  beforeAll(async () => {
    db = await createRunDatabase(testServer(), `chatfuzz_wiretest_${process.pid}`);
    control = new pg.Client({ connectionString: db.url });
    await control.connect();
    await control.query('CREATE TABLE t (id int PRIMARY KEY, note text)');
  });
  afterAll(async () => {
    await control.end();
    await db.drop();
  });

  /** A proxy with a recorder for client 0, running `fn` as call `call`. */
  async function through<T>(fn: (url: string, proxy: WireProxy, rec: StatementRecorder) => Promise<T>): Promise<T> {
    const proxy = new WireProxy(db.url);
    const rec = new StatementRecorder(new Clock());
    proxy.setGate(rec);
    proxy.setCall(0, { call: 7, client: 0 });
    try {
      return await fn(await proxy.urlFor(0), proxy, rec);
    } finally {
      await proxy.close();
    }
  }

  it("passes node-postgres and postgres.js (SSL refused, startup and auth untouched) and records each statement with its SQL, row count and error, attributed to the client's call", async () => {
    await through(async (url, _proxy, rec) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('INSERT INTO t VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
      const dup = await c.query('INSERT INTO t VALUES (1, $1)', ['x']).catch((e) => e);
      await c.end();
      expect(dup).toMatchObject({ code: '23505', constraint: 't_pkey' });
      // postgres.js asks for SSL first ('prefer'), prepares named statements and fetches types on connect.
      const sql = postgres(url, { max: 1, ssl: 'prefer', onnotice: () => {} });
      for (let i = 0; i < 2; i++) expect((await sql`SELECT note FROM t WHERE id = ${1}`)[0]).toEqual({ note: 'a' });
      await sql.end();
      expect(rec.statements.map((s) => [s.call, s.client, s.sql, s.rowCount ?? null, s.error?.sqlstate ?? null])).toEqual([
        [7, 0, 'INSERT INTO t VALUES ($1, $2), ($3, $4)', 2, null],
        [7, 0, 'INSERT INTO t VALUES (1, $1)', null, '23505'],
        // The second run binds the statement prepared by the first: still labelled with its SQL.
        [7, 0, 'SELECT note FROM t WHERE id = $1', 1, null],
        [7, 0, 'SELECT note FROM t WHERE id = $1', 1, null],
      ]);
      expect(rec.statements[1]!.error).toMatchObject({ kind: 'db', constraint: 't_pkey' });
      expect(new Set(rec.statements.map((s) => s.backendPid)).size).toBe(2);
    });
  });

  it('releases pipelined statements of one connection in the order they were sent, and forwards CancelRequest and COPY', async () => {
    await through(async (url, proxy, rec) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      const rows = await Promise.all([1, 2, 3, 4, 5].map((n) => sql`SELECT ${n}::int AS n`));
      expect(rows.map((r) => r[0]!.n)).toEqual([1, 2, 3, 4, 5]);
      expect(rec.statements.map((s) => s.sql)).toEqual(Array(5).fill('SELECT $1::int AS n'));
      // A cancel opens a connection of its own with the backend's key, passed through untouched.
      const sleeping = sql`SELECT pg_sleep(10)`;
      const settled = sleeping.then(
        () => 'ran',
        (e) => `${e.code} ${e.message}`,
      );
      // Cancelled once the server runs it (a cancel that arrives before the query is a no-op), however long that takes.
      await eventually(
        async () =>
          (
            await control.query(
              `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query = 'SELECT pg_sleep(10)'`,
              [db.name],
            )
          ).rowCount === 1,
      );
      await sleeping.cancel();
      // The user's cancel, not a statement timeout and not the sleep's end.
      expect(await settled).toBe('57014 canceling statement due to user request');
      // The cancel's own connection is gone; the query's connection is still there.
      expect(proxy.connectionCount()).toBe(1);
      // COPY in and out pass through (the server waits for the client's data: nothing is held back).
      const writable = await sql`COPY t (id, note) FROM STDIN`.writable();
      await new Promise<void>((resolve, reject) => {
        writable.on('error', reject);
        writable.end('10\tcopied\n11\talso\n', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 100));
      const out: Buffer[] = [];
      for await (const chunk of await sql`COPY (SELECT id, note FROM t WHERE id >= 10 ORDER BY id) TO STDOUT`.readable())
        out.push(chunk as Buffer);
      expect(Buffer.concat(out).toString()).toBe('10\tcopied\n11\talso\n');
      await sql.end();
    });
  });

  it('kills before and after a statement, and an injected statement timeout, behave as with the pool gate', async () => {
    for (const when of ['before', 'after', 'timeout'] as const) {
      await through(async (url, proxy) => {
        const inner = new StatementRecorder(new Clock());
        const injector = new FaultInjector(inner, new Map([[7, { when, statement: 1 }]]), {
          kill: terminateBackend((s, p) => control.query(s, p)),
          lockTables: async () => {
            const c = new pg.Client({ connectionString: db.url });
            await c.connect();
            await c.query('BEGIN');
            await c.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT');
            return async () => {
              await c.query('ROLLBACK');
              await c.end();
            };
          },
        });
        proxy.setGate(injector);
        const id = { before: 20, after: 21, timeout: 22 }[when];
        // node-postgres: postgres.js itself throws a killed backend's FATAL as an uncaught error (see no-crash).
        const c = new pg.Client({ connectionString: url });
        c.on('error', () => {});
        await c.connect();
        const err = await c.query('INSERT INTO t VALUES ($1, $2)', [id, when]).then(
          () => undefined,
          (e) => e,
        );
        expect(injector.fired.get(7)).toBeDefined();
        const stored = (await control.query('SELECT 1 FROM t WHERE id = $1', [id])).rowCount;
        // Before: never ran. After: ran and committed, the client only learns that its connection ended.
        if (when === 'before') expect([err?.code, stored]).toEqual(['57P01', 0]);
        if (when === 'after') expect([err instanceof Error, stored]).toEqual([true, 1]);
        if (when === 'timeout') expect([err?.code, stored]).toEqual(['57014', 0]);
        if (when !== 'timeout') {
          await c.end().catch(() => {});
          return;
        }
        // After a timeout the connection is usable again, with its setting reset.
        proxy.setGate(undefined);
        expect((await c.query(`SELECT current_setting('statement_timeout') AS t`)).rows[0].t).toBe('0');
        await c.end();
      });
    }
  });

  it('reclaim() closes a connection left inside a transaction and says which call opened it; close() leaves no connection or listener', async () => {
    const proxy = new WireProxy(db.url);
    proxy.setGate(new StatementRecorder(new Clock()));
    const url = await proxy.urlFor(0);
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    await c.connect();
    proxy.setCall(0, { call: 3, client: 0 });
    await c.query('BEGIN');
    await c.query('SELECT 1');
    proxy.setCall(0, undefined);
    expect(proxy.leaksOf(3)).toEqual({ held: 0, openTransaction: true });
    expect(proxy.leaksOf(4)).toEqual({ held: 0, openTransaction: false });
    expect(proxy.reclaim()).toEqual({ held: 0, dirty: 1 });
    await eventually(() => proxy.connectionCount() === 0);
    expect(proxy.connectionCount()).toBe(0);
    const open = new pg.Client({ connectionString: url });
    await open.connect();
    expect(proxy.connectionCount()).toBe(1);
    await proxy.close();
    expect(proxy.connectionCount()).toBe(0);
    const port = Number(new URL(url).port);
    const refused = await new Promise((resolve) =>
      net
        .connect(port, '127.0.0.1')
        .on('error', (e: any) => resolve(e.code))
        .on('connect', () => resolve('connected')),
    );
    expect(refused).toBe('ECONNREFUSED');
    await open.end().catch(() => {});
    // The server notices the closed sockets on its own time.
    let left = -1;
    await eventually(async () => {
      left = (
        await control.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db.name])
      ).rows[0].n;
      return left === 0;
    });
    expect(left).toBe(0);
  });
});
