import { describeCall, describeError } from './describe.js';
import type { Invariant } from './invariant.js';
import type { ErrorInfo } from '../history/classify-error.js';

// `refused with AppError, caused by 23505 …`, `refused, caused by 23505 …`, `refused: 23503 on … / rate limited`.
function refusedHow(e: ErrorInfo | undefined): string {
  if (e?.kind !== 'domain' || e.sqlstate) return ': ';
  return e.errorClass ? ' with ' : e.causeSqlstate ? ', ' : ': ';
}

/** A call the workload knows to be valid succeeds: wrapping a raw error in a domain error does not hide a bug. */
// A call whose connection the harness killed may fail; its retry is judged instead.
export const validCallsSucceed: Invariant = {
  name: 'valid-calls-succeed',
  description: 'a call the workload knows to be valid (registered user, own or new session, storable content) succeeds',
  check(history) {
    return history.calls
      .filter((c) => c.valid && c.outcome !== 'ok' && !c.fault)
      .map((c) => ({
        invariant: 'valid-calls-succeed' as const,
        message:
          c.outcome === 'info'
            ? `${describeCall(c)} is valid but did not complete: ${describeError(c.error, history.ns)}`
            : `${describeCall(c)} is valid but was refused${refusedHow(c.error)}${describeError(c.error, history.ns)}`,
        calls: [c.index],
        // A wrapper's cause is the finding: the SQLSTATE and constraint the database refused it with.
        sqlstate: c.error?.sqlstate ?? c.error?.causeSqlstate,
        ...(c.error?.prismaCode ? { prismaCode: c.error.prismaCode } : {}),
        constraint: c.error?.kind === 'domain' ? c.error.causeConstraint : c.error?.constraint,
      }));
  },
};
