import { describeCall, describeError } from './describe.js';
import type { Invariant } from './invariant.js';

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
        message: c.outcome === 'info'
          ? `${describeCall(c)} is valid but did not complete: ${describeError(c.error, history.ns)}`
          : `${describeCall(c)} is valid but was refused: ${describeError(c.error, history.ns)}${c.error?.causeSqlstate ? ` (wrapping SQLSTATE ${c.error.causeSqlstate})` : ''}`,
        calls: [c.index],
        sqlstate: c.error?.sqlstate ?? c.error?.causeSqlstate,
        ...(c.error?.prismaCode ? { prismaCode: c.error.prismaCode } : {}),
        constraint: c.error?.constraint,
      }));
  },
};
