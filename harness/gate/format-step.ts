import type { ScheduleStep } from './scheduled-gate.js';

/** `c1 INSERT INTO chat_messages … → 23503 chat_messages_session_id_fkey`: one schedule step as a counterexample prints it. */
export function formatStep(s: ScheduleStep): string {
  const sql = s.sql.length > 90 ? s.sql.slice(0, 89) + '…' : s.sql;
  const o = s.outcome;
  const result = !o
    ? '(pending)'
    : 'error' in o && o.error.killedAfter
      ? 'ran, then its connection was killed'
      : 'error' in o
        ? `${[o.error.prismaCode, o.error.sqlstate].filter(Boolean).join('/') || o.error.kind}${o.error.constraint ? ' ' + o.error.constraint : ''}`
        : `${o.rowCount ?? 0} row${o.rowCount === 1 ? '' : 's'}`;
  return `c${s.client + 1} ${sql}${s.blocked ? ' [blocked]' : ''} → ${result}`;
}
