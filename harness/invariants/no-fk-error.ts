import { isForeignKeyError } from '../history/classify-error.js';
import { describeCall, describeError } from './describe.js';
import type { Invariant } from './invariant.js';

/** No call fails with a foreign-key violation (23503 / P2003). */
export const noFkError: Invariant = {
  name: 'no-fk-error',
  description: 'no call fails with a foreign-key violation (SQLSTATE 23503 / Prisma P2003)',
  check(history) {
    return history.calls
      .filter((c) => c.outcome === 'fail' && isForeignKeyError(c.error))
      .map((c) => ({
        invariant: 'no-fk-error' as const,
        message: `${describeCall(c)} failed with a foreign-key violation: ${describeError(c.error, history.ns)}`,
        calls: [c.index],
        sqlstate: c.error!.sqlstate,
        ...(c.error!.prismaCode ? { prismaCode: c.error!.prismaCode } : {}),
        constraint: c.error!.constraint,
      }));
  },
};
