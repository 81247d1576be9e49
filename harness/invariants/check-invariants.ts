// invariants: the checkers, each a pure function of (history, snapshot) in a file of its own
// with its test on hand-written fixtures; builtin-invariants.ts lists them in reporting
// priority. Hands on: Violations, each one sentence naming calls and rows.
import type { History } from '../history/history.js';
import type { InvariantName, Snapshot } from '../contract/define-target.js';
import type { Invariant, InvariantModel, Violation } from './invariant.js';
import { builtinInvariants } from './builtin-invariants.js';
import { violationCause } from './violation-cause.js';

/** Runs every enabled invariant; violations come in the invariants' priority order, each with its cause when no SQLSTATE names it. */
export function checkInvariants(
  history: History,
  snapshot: Snapshot,
  disabled: Partial<Record<InvariantName, false>> = {},
  invariants: readonly Invariant[] = builtinInvariants,
  model?: InvariantModel,
): Violation[] {
  return invariants
    .filter((inv) => disabled[inv.name] !== false)
    .flatMap((inv) => inv.check(history, snapshot, model))
    .map((v) => {
      const cause = v.cause ?? violationCause(v, history);
      return cause ? { ...v, cause } : v;
    });
}
