import type { CallRecord, StatementRecord } from './history.js';

/** Gives a call refused with a domain error that names no cause the SQLSTATE and constraint of its own last failed statement, so a wrapper that dropped its cause still shows what the database said. */
export function attachStatementCauses(calls: CallRecord[], statements: readonly StatementRecord[]): void {
  const lastFailed = new Map<number, StatementRecord>();
  for (const s of [...statements].sort((a, b) => a.seq - b.seq)) {
    if (s.call >= 0 && s.error?.kind === 'db' && s.error.sqlstate) lastFailed.set(s.call, s);
  }
  for (const c of calls) {
    const e = c.error;
    if (!e || e.kind !== 'domain' || e.causeSqlstate) continue;
    const s = lastFailed.get(c.index);
    if (!s) continue;
    c.error = { ...e, causeSqlstate: s.error!.sqlstate, ...(s.error!.constraint ? { causeConstraint: s.error!.constraint } : {}) };
  }
}
