import { describe, expect, it } from 'vitest';
import { attachStatementCauses } from './attach-statement-causes.js';
import type { CallRecord, StatementRecord } from './history.js';
import type { ErrorInfo } from './classify-error.js';

function callRec(index: number, error?: ErrorInfo): CallRecord {
  return {
    index,
    client: index,
    op: 'logMessage',
    label: `c${index}`,
    valid: true,
    sessionId: 't1_s1',
    userId: 't1_u1',
    invokedAt: index * 2 + 1,
    completedAt: index * 2 + 2,
    outcome: error ? 'fail' : 'ok',
    durationMs: 1,
    ...(error ? { error } : {}),
  };
}
function stmt(seq: number, call: number, error?: ErrorInfo): StatementRecord {
  return { seq, call, client: call, sql: 'INSERT …', startedAt: seq, completedAt: seq, ...(error ? { error } : {}) };
}
const unique = (constraint: string): ErrorInfo => ({
  kind: 'db',
  sqlstate: '23505',
  constraint,
  message: `duplicate key value violates unique constraint "${constraint}"`,
});

describe('attachStatementCauses', () => {
  it("gives a refusal that dropped its cause the SQLSTATE and constraint of its call's last failed statement", () => {
    const calls = [callRec(0, { kind: 'domain', errorClass: 'AppError', message: 'could not save' })];
    attachStatementCauses(calls, [stmt(1, 0, unique('chat_messages_pkey')), stmt(2, 0), stmt(3, 0, unique('chat_sessions_pkey'))]);
    expect(calls[0]!.error).toEqual({
      kind: 'domain',
      errorClass: 'AppError',
      message: 'could not save',
      causeSqlstate: '23505',
      causeConstraint: 'chat_sessions_pkey',
    });
  });

  it("keeps a cause the error chain already named, and leaves raw errors, other calls' statements and the harness's own alone", () => {
    const own: ErrorInfo = {
      kind: 'domain',
      message: 'could not save',
      causeSqlstate: '23503',
      causeConstraint: 'chat_messages_session_id_fkey',
    };
    const raw = unique('chat_sessions_pkey');
    const calls = [callRec(0, own), callRec(1, raw), callRec(2, { kind: 'domain', message: 'rate limited' }), callRec(3)];
    attachStatementCauses(calls, [
      stmt(1, 0, unique('chat_messages_pkey')),
      stmt(2, 1, raw),
      stmt(3, -1, unique('x')),
      stmt(4, 3, unique('y')),
    ]);
    expect(calls[0]!.error).toEqual(own);
    expect(calls[1]!.error).toBe(raw);
    expect(calls[2]!.error).toEqual({ kind: 'domain', message: 'rate limited' });
    expect(calls[3]!.error).toBeUndefined();
  });

  it('ignores statements whose failure was the connection or a timeout, not the database refusing', () => {
    const calls = [callRec(0, { kind: 'domain', message: 'could not save' })];
    attachStatementCauses(calls, [stmt(1, 0, { kind: 'connection', sqlstate: '57P01', message: 'terminating connection' })]);
    expect(calls[0]!.error).toEqual({ kind: 'domain', message: 'could not save' });
  });
});
