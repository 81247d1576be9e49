import type { Invariant } from './invariant.js';

/** The target raised no uncaught exception and left no rejected promise unhandled: either stops a Node server. */
export const noCrash: Invariant = {
  name: 'no-crash',
  description: 'the target raises no uncaught exception or unhandled rejection (either stops a Node server process)',
  check(history) {
    return (history.uncaught ?? []).map((e) => ({
      invariant: 'no-crash' as const,
      message: `the target's code threw outside any call, which stops a Node process: ${e}`,
      // The calls in flight are the story; none can be singled out.
      calls: history.calls.map((c) => c.index),
    }));
  },
};
