import fc from 'fast-check';
import type { Fault } from './workload.js';

/** The largest statement number a fault is drawn on: transactions of a handful of statements are common, so 1–8 reaches past their BEGIN and first writes. */
export const MAX_FAULT_STATEMENT = 8;

/**
 * A fault on any statement of a call: statement 1–8 (smaller ones shrink first) or the
 * call's COMMIT, so "committed, then the acknowledgement was lost" is drawn for calls of any
 * length; the connection is killed before or after it, or it times out.
 */
export function faultArbitrary(): fc.Arbitrary<Fault> {
  return fc.record({
    statement: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: MAX_FAULT_STATEMENT }), weight: 3 },
      { arbitrary: fc.constant('commit' as const), weight: 1 },
    ),
    when: fc.constantFrom('after' as const, 'before' as const, 'timeout' as const),
  });
}
