// faults: the nemesis. A gate in front of the scheduler's or the recorder's that kills a call's
// connection before or after its n-th statement or makes it hit a real statement timeout
// (fault-injector.ts), and stress mode's seeded statement latency (latency-sampler.ts). Hands
// on: which calls' faults fired, so the history marks them.
import type { Fault } from '../workload/workload.js';
import type { StatementGate, StatementInfo } from '../gate/statement-gate.js';

/** Ends a backend from outside the trial's connections (the control connection); resolves once it is gone. */
export type KillBackend = (pid: number) => Promise<void>;

/** Takes an ACCESS EXCLUSIVE lock on every table of the database from outside the trial; resolves to its release, or undefined when a trial transaction holds a lock already (NOWAIT). */
export type LockTables = () => Promise<(() => Promise<void>) | undefined>;

/** What the injector does to the server, from outside the trial's connections. */
export interface FaultOps {
  kill: KillBackend;
  lockTables: LockTables;
}

/** Statements that open or end a transaction (or a savepoint). */
const TX_CONTROL = /^\s*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE TRANSACTION)\b/i;

/** A statement that commits a transaction. */
const COMMIT = /^\s*(COMMIT|END)\b/i;

/** How long an injected statement timeout lets the held statement wait. */
export const INJECTED_TIMEOUT_MS = 30;

/**
 * A gate in front of another gate that breaks a call's n-th statement as the workload's faults
 * say: its connection killed before or after it, or a statement timeout; the statement itself
 * is scheduled as usual.
 */
export class FaultInjector implements StatementGate {
  /** Calls whose fault fired, with what happened to them. */
  readonly fired = new Map<number, string>();
  private readonly counts = new Map<number, number>();

  constructor(
    private readonly inner: StatementGate,
    private readonly faults: ReadonlyMap<number, Fault>,
    private readonly ops: FaultOps,
  ) {}

  run<T>(stmt: StatementInfo, send: () => Promise<T>): Promise<T> {
    const call = stmt.ctx?.call;
    const fault = call === undefined ? undefined : this.faults.get(call);
    if (call === undefined || !fault || this.fired.has(call)) return this.inner.run(stmt, send);
    // Counted on arrival: a call's statements arrive one after another, whatever the schedule.
    const n = (this.counts.get(call) ?? 0) + 1;
    this.counts.set(call, n);
    const pid = stmt.backendPid;
    const strikes = fault.statement === 'commit' ? COMMIT.test(stmt.sql) : n === fault.statement;
    if (!strikes || pid === undefined) return this.inner.run(stmt, send);
    if (fault.when === 'timeout') return this.timeout(stmt, send, call, n);
    this.fired.set(
      call,
      fault.statement === 'commit'
        ? fault.when === 'after'
          ? `connection killed after its COMMIT (statement ${n}) ran: committed, acknowledgement lost`
          : `connection killed before its COMMIT (statement ${n}): rolled back`
        : `connection killed ${fault.when} statement ${n}`,
    );
    // The client must have seen its connection end before anyone can hand it out again: a pool
    // takes back a client released before that as healthy, and the next call would get a dead one.
    const kill = async () => {
      await this.ops.kill(pid);
      await Promise.race([stmt.ended, new Promise((r) => setTimeout(r, 2000).unref())]);
    };
    return this.inner.run(stmt, async () => {
      if (fault.when === 'before') {
        await kill();
        return send();
      }
      await send();
      await kill();
      // The statement ran; the target only learns that its connection died.
      throw Object.assign(
        new Error('Connection terminated unexpectedly (chatfuzz killed the connection after the statement ran, before its result arrived)'),
        { code: '57P01', chatfuzzKilledAfter: true },
      );
    });
  }

  // A real statement timeout, made certain: every table is locked from outside and the
  // connection's statement_timeout is tiny, so the statement waits and is cancelled (57014).
  // A statement that takes no table lock (BEGIN, COMMIT), or whose tables a trial transaction
  // holds already, just runs: the fault did not fire.
  private timeout<T>(stmt: StatementInfo, send: () => Promise<T>, call: number, n: number): Promise<T> {
    this.fired.set(call, `statement timeout at statement ${n}`);
    // Transaction control takes no table lock, and a SET armed before a BEGIN would be reset
    // inside the transaction it opens: rolled back, the 30 ms would outlive the call.
    if (TX_CONTROL.test(stmt.sql)) {
      this.fired.delete(call);
      return this.inner.run(stmt, send);
    }
    return this.inner.run(stmt, () =>
      this.exclusive(async () => {
        const raw = stmt.raw;
        const release = raw ? await this.ops.lockTables() : undefined;
        if (!release || !raw) {
          this.fired.delete(call);
          return send();
        }
        // Only while the harness's own lock holds it may the scheduler wait for this statement
        // instead of stepping around it: a trial lock that holds it must be seen as one, or the
        // schedule stalls until the call times out.
        stmt.heldByHarness = true;
        let armed = false;
        let timedOut = false;
        try {
          // An aborted transaction takes no SET (25P02): the statement (its ROLLBACK, say) runs as it is.
          armed = await raw(`SET statement_timeout = ${INJECTED_TIMEOUT_MS}`).then(
            () => true,
            () => false,
          );
          return await send();
        } catch (e) {
          timedOut = armed && (e as { code?: string })?.code === '57014';
          throw e;
        } finally {
          await release();
          stmt.heldByHarness = false;
          // Outside a transaction the setting would outlive the call; inside one its rollback undoes it.
          if (armed) await raw('SET statement_timeout = DEFAULT').catch(() => {});
          if (!timedOut) this.fired.delete(call);
        }
      }),
    );
  }

  // One injected timeout at a time: a second would find the tables locked by the first.
  private chain: Promise<unknown> = Promise.resolve();
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }
}

/** Kills a backend with pg_terminate_backend through `query` and resolves once it has left pg_stat_activity. */
export function terminateBackend(query: (sql: string, params: unknown[]) => Promise<unknown>): KillBackend {
  return async (pid) => {
    // The server-side wait (pg_terminate_backend(pid, timeout)) sleeps in 100 ms steps; polling here is ~50× faster.
    await query('SELECT pg_terminate_backend($1::int)', [pid]);
    const deadline = performance.now() + 5000;
    while (performance.now() < deadline) {
      const r = (await query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])) as { rowCount: number };
      if (!r.rowCount) return;
      await new Promise((res) => setTimeout(res, 1));
    }
  };
}

/** Locks every user table on a connection of its own from `pool` (BEGIN; LOCK … NOWAIT) and hands back the ROLLBACK that frees them. */
export function lockAllTables(pool: Pick<import('pg').Pool, 'connect'>): LockTables {
  return async () => {
    // Its own connection: a transaction that may abort must not share a connection with kills or lock polls.
    const c = await pool.connect();
    try {
      const r = await c.query<{ tables: string | null }>(
        `SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') AS tables FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
      );
      const tables = r.rows[0]?.tables;
      if (!tables) {
        c.release();
        return undefined;
      }
      await c.query('BEGIN');
      await c.query(`LOCK TABLE ${tables} IN ACCESS EXCLUSIVE MODE NOWAIT`);
    } catch {
      await c.query('ROLLBACK').catch(() => {});
      c.release();
      return undefined;
    }
    return async () => {
      await c.query('ROLLBACK').catch(() => {});
      c.release();
    };
  };
}
