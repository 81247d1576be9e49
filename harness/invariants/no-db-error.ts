import { isForeignKeyError } from '../history/classify-error.js';
import { describeCall, describeError } from './describe.js';
import type { Invariant } from './invariant.js';

/** No call fails with a raw database error other than a foreign-key violation. */
export const noDbError: Invariant = {
  name: 'no-db-error',
  description:
    'no call fails with any other raw database error (23505, 25P02, 40P01, 40001, 22021, …): a concurrent duplicate or a retry is not an excuse',
  check(history) {
    return history.calls
      .filter((c) => c.outcome === 'fail' && c.error?.kind === 'db' && !isForeignKeyError(c.error))
      .map((c) => ({
        invariant: 'no-db-error' as const,
        message: `${describeCall(c)} failed with a raw database error: ${describeError(c.error, history.ns)}`,
        calls: [c.index],
        sqlstate: c.error!.sqlstate,
        ...(c.error!.prismaCode ? { prismaCode: c.error!.prismaCode } : {}),
        constraint: c.error!.constraint,
      }));
  },
};
