import { classifyError } from '../history/classify-error.js';
import type { Clock, StatementRecord } from '../history/history.js';
import type { StatementGate, StatementInfo } from './statement-gate.js';

const MAX_SQL = 500;

/** A gate that lets every statement through at once and records it, with optional latency (stress mode). */
export class StatementRecorder implements StatementGate {
  readonly statements: StatementRecord[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly latency?: () => number,
  ) {}

  run<T>(stmt: StatementInfo, send: () => Promise<T>): Promise<T> {
    const delay = this.latency?.() ?? 0;
    return sendRecorded(
      newStatementRecord(stmt),
      this.statements,
      this.clock,
      delay > 0 ? () => new Promise((r) => setTimeout(r, delay)).then(send) : send,
    );
  }
}

/** The record of a statement not sent yet: who sent it and its SQL. */
export function newStatementRecord(stmt: StatementInfo): StatementRecord {
  return {
    seq: 0,
    call: stmt.ctx?.call ?? -1,
    client: stmt.ctx?.client ?? -1,
    backendPid: stmt.backendPid,
    sql: compactSql(stmt.sql),
    startedAt: 0,
  };
}

/** Sends a statement and records it in `statements`: its order and start tick now, its completion tick and row count or classified error when it settles. */
export async function sendRecorded<T>(
  record: StatementRecord,
  statements: StatementRecord[],
  clock: Clock,
  send: () => Promise<T>,
): Promise<T> {
  record.seq = statements.push(record);
  record.startedAt = clock.tick();
  try {
    const result: any = await send();
    record.completedAt = clock.tick();
    record.rowCount = result?.rowCount ?? null;
    return result;
  } catch (e) {
    record.completedAt = clock.tick();
    record.error = classifyError(e);
    throw e;
  }
}

/** One line of SQL, whitespace collapsed and long texts cut, for step logs. */
export function compactSql(sql: string): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > MAX_SQL ? one.slice(0, MAX_SQL - 1) + '…' : one;
}
