import { classifyError } from '../history/classify-error.js';
import type { Clock, StatementRecord } from '../history/history.js';
import type { StatementGate } from './trial-pool.js';

const MAX_SQL = 500;

/** A gate that lets every statement through at once and records it, with optional latency (stress mode). */
export class StatementRecorder implements StatementGate {
  readonly statements: StatementRecord[] = [];
  private seq = 0;
  constructor(private readonly clock: Clock, private readonly latency?: () => number) {}

  async run<T>(stmt: import('./trial-pool.js').StatementInfo, send: () => Promise<T>): Promise<T> {
    const rec: StatementRecord = {
      seq: ++this.seq,
      call: stmt.ctx?.call ?? -1,
      client: stmt.ctx?.client ?? -1,
      backendPid: stmt.backendPid,
      sql: compactSql(stmt.sql),
      startedAt: this.clock.tick(),
    };
    this.statements.push(rec);
    const delay = this.latency?.() ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    try {
      const result: any = await send();
      rec.completedAt = this.clock.tick();
      rec.rowCount = result?.rowCount ?? null;
      return result;
    } catch (e) {
      rec.completedAt = this.clock.tick();
      rec.error = classifyError(e);
      throw e;
    }
  }
}

/** One line of SQL, whitespace collapsed and long texts cut, for step logs. */
export function compactSql(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > MAX_SQL ? one.slice(0, MAX_SQL - 1) + '…' : one;
}
