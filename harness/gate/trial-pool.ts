import pg from 'pg';
import { callContext, type CallContext } from './call-context.js';
import type { StatementGate, StatementInfo } from './statement-gate.js';

/** A pg.Pool whose every statement, on pooled queries and checked-out clients alike, passes the current gate. */
export interface TrialPool extends pg.Pool {
  setGate(gate: StatementGate | undefined): void;
  /** Closes every connection, also those a hung target never released. */
  destroy(timeoutMs?: number): Promise<void>;
  connectionCount(): number;
  /** Closes idle connections a target left inside a transaction (open or aborted); returns how many. */
  evictDirty(): number;
  /** What call `call` of the current trial leaked so far: connections it checked out and still holds, and whether it released one inside a transaction it opened. */
  leaksOf(call: number): CallLeaks;
  /** Ends a trial: closes every connection still checked out and every idle one left inside a transaction, and forgets the trial's calls; returns how many of each. */
  reclaim(): { held: number; dirty: number };
}

/** A call's leaks, as the pool saw them. */
export interface CallLeaks {
  held: number;
  openTransaction: boolean;
}

// pg records the server's transaction status of a connection: 'I' idle, 'T' in a transaction, 'E' in a failed one.
function inTransaction(c: pg.Client): boolean {
  const st = (c as any)._txStatus;
  return st === 'T' || st === 'E';
}

/** Creates the pool handed to targets as `ctx.pool`, from `driver` (the project's own pg 8 when it has one, so its `instanceof pg.Pool` checks hold). */
export function createTrialPool(config: pg.PoolConfig, driver: typeof pg = pg): TrialPool {
  let gate: StatementGate | undefined;
  const clients = new Set<pg.Client>();
  // Who holds each checked-out client, and whether it got it outside a transaction (an inherited one is the previous holder's leak).
  const holders = new Map<pg.Client, { call: number; cleanAtCheckout: boolean }>();
  const leftOpen = new Set<number>();
  const checkedOut = (client: pg.Client, ctx: CallContext | undefined) => {
    if (ctx) holders.set(client, { call: ctx.call, cleanAtCheckout: !inTransaction(client) });
  };

  class GatedClient extends driver.Client {
    constructor(cfg: any) {
      super(cfg);
      clients.add(this);
      // A connection killed while checked out must not become an unhandled error event.
      this.on('error', () => {});
      this.ended = new Promise((resolve) =>
        this.once('end', () => {
          clients.delete(this);
          resolve();
        }),
      );
    }
    /** Resolves once the client has seen its connection end (and stopped being queryable). */
    readonly ended: Promise<void>;
    // pg's overloads are not expressible on a subclass; the shapes are checked at runtime.
    query(config: any, values?: any, callback?: any): any {
      const g = gate;
      if (!g || (config && typeof config.submit === 'function')) return (super.query as any)(config, values, callback);
      const cb = typeof values === 'function' ? values : callback;
      const vals = typeof values === 'function' ? undefined : values;
      const sql: string = typeof config === 'string' ? config : String(config?.text ?? '');
      const stmt: StatementInfo = {
        sql,
        params: vals ?? (typeof config === 'object' ? config?.values : undefined),
        backendPid: (this as any).processID ?? undefined,
        ctx: callContext.getStore(),
        raw: (text) => (super.query as any)(text) as Promise<unknown>,
        ended: this.ended,
      };
      const p = g.run(stmt, () => (super.query as any)(config, vals) as Promise<any>);
      if (typeof cb === 'function') {
        p.then(
          (r) => cb(null, r),
          (e) => cb(e),
        );
        return undefined;
      }
      return p;
    }
  }

  class Pool extends driver.Pool {
    // The caller's call is read when it asks, not when a client is handed over: a client freed by
    // another call reaches a waiting caller inside the releasing call's async context.
    connect(cb?: any): any {
      const ctx = callContext.getStore();
      if (typeof cb === 'function') {
        return super.connect((err: Error | undefined, client: pg.PoolClient | undefined, done: any) => {
          if (client) checkedOut(client, ctx);
          cb(err, client, done);
        });
      }
      return super.connect().then((client) => {
        checkedOut(client, ctx);
        return client;
      });
    }
    // Pooled queries check out a client inside the caller's async context, so statements keep their call.
    query(config: any, values?: any, callback?: any): any {
      const cb = typeof values === 'function' ? values : callback;
      const vals = typeof values === 'function' ? undefined : values;
      if (config && typeof config.submit === 'function') return (super.query as any)(config, values, callback);
      const p = (async () => {
        const client = await this.connect();
        try {
          const r = await client.query(config, vals);
          client.release();
          return r;
        } catch (e) {
          // A broken connection must not go back to the pool.
          client.release(isConnectionLoss(e) ? (e as Error) : undefined);
          throw e;
        }
      })();
      if (typeof cb === 'function') {
        p.then(
          (r) => cb(null, r),
          (e) => cb(e),
        );
        return undefined;
      }
      return p;
    }
  }

  const pool = new Pool({ ...config, Client: GatedClient as any }) as unknown as TrialPool;
  // An idle client killed by the server must not crash the harness.
  pool.on('error', () => {});
  const acquired = new Set<pg.PoolClient>();
  pool.on('acquire', (c) => acquired.add(c));
  pool.on('release', (err, c) => {
    acquired.delete(c);
    const holder = holders.get(c);
    holders.delete(c);
    // A connection released broken or dead is closed by the pool, whatever its transaction status said.
    const alive = !err && (c as any)._queryable !== false && !(c as any)._ending;
    if (holder && holder.cleanAtCheckout && alive && inTransaction(c)) leftOpen.add(holder.call);
  });
  pool.setGate = (g) => {
    gate = g;
  };
  pool.connectionCount = () => clients.size;
  pool.evictDirty = () => {
    // pg-pool keeps its idle clients in `_idle`.
    const idle: { client: pg.Client }[] = (pool as any)._idle ?? [];
    const dirty = idle.map((i) => i.client).filter(inTransaction);
    for (const c of dirty) (pool as any)._remove(c);
    return dirty.length;
  };
  pool.leaksOf = (call) => {
    let held = 0;
    for (const h of holders.values()) if (h.call === call) held++;
    return { held, openTransaction: leftOpen.has(call) };
  };
  pool.reclaim = () => {
    const stuck = [...acquired];
    for (const c of stuck) {
      try {
        c.release(new Error('chatfuzz: still checked out when the trial ended'));
      } catch {
        /* already released */
      }
    }
    const dirty = pool.evictDirty();
    holders.clear();
    leftOpen.clear();
    return { held: stuck.length, dirty };
  };
  pool.destroy = async (timeoutMs = 2000) => {
    for (const c of clients) {
      (c as any).connection?.stream?.destroy?.();
    }
    // A client a hung call still holds is handed back broken, so the pool can end.
    for (const c of acquired) {
      try {
        c.release(new Error('chatfuzz: pool destroyed'));
      } catch {
        /* already released */
      }
    }
    acquired.clear();
    await Promise.race([pool.end().catch(() => {}), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    clients.clear();
  };
  return pool;
}

function isConnectionLoss(e: unknown): boolean {
  const code = (e as any)?.code;
  return (
    (typeof code === 'string' && (code.startsWith('57P') || code.startsWith('08'))) ||
    /Connection terminated|ECONNRESET|EPIPE/.test(String((e as any)?.message))
  );
}
