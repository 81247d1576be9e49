import type { History } from '../history/history.js';
import type { InvariantName, Snapshot } from '../../targets/define-target.js';
import type { Invariant, Violation } from './invariant.js';
import { builtinInvariants } from './builtin-invariants.js';

/** Runs every enabled invariant; violations come in the invariants' priority order. */
export function checkInvariants(
  history: History,
  snapshot: Snapshot,
  disabled: Partial<Record<InvariantName, false>> = {},
  invariants: readonly Invariant[] = builtinInvariants,
): Violation[] {
  return invariants.filter((inv) => disabled[inv.name] !== false).flatMap((inv) => inv.check(history, snapshot));
}
