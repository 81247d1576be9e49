import type { Fault } from '../workload/workload.js';
import type { StatementGate, StatementInfo } from './trial-pool.js';

/** Ends a backend from outside the trial's connections (the control connection); resolves once it is gone. */
export type KillBackend = (pid: number) => Promise<void>;

/**
 * A gate in front of another gate that kills a call's connection before or after the call's
 * n-th statement, as the workload's faults say; the statement itself is scheduled as usual.
 */
export class FaultInjector implements StatementGate {
  /** Calls whose fault fired, with what happened to them. */
  readonly fired = new Map<number, string>();
  private readonly counts = new Map<number, number>();

  constructor(private readonly inner: StatementGate, private readonly faults: ReadonlyMap<number, Fault>, private readonly kill: KillBackend) {}

  run<T>(stmt: StatementInfo, send: () => Promise<T>): Promise<T> {
    const call = stmt.ctx?.call;
    const fault = call === undefined ? undefined : this.faults.get(call);
    if (call === undefined || !fault || this.fired.has(call)) return this.inner.run(stmt, send);
    // Counted on arrival: a call's statements arrive one after another, whatever the schedule.
    const n = (this.counts.get(call) ?? 0) + 1;
    this.counts.set(call, n);
    const pid = stmt.backendPid;
    if (n !== fault.statement || pid === undefined) return this.inner.run(stmt, send);
    this.fired.set(call, `connection killed ${fault.when} statement ${n}`);
    return this.inner.run(stmt, async () => {
      if (fault.when === 'before') {
        await this.kill(pid);
        return send();
      }
      await send();
      await this.kill(pid);
      // The statement ran; the target only learns that its connection died.
      throw Object.assign(new Error('Connection terminated unexpectedly (chatfuzz killed the connection after the statement ran, before its result arrived)'), { code: '57P01', chatfuzzKilledAfter: true });
    });
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
