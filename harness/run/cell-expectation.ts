import type { Expectation, KnownFinding } from '../contract/define-target.js';
import type { Violation } from '../invariants/invariant.js';
import { isEcho } from '../strategy/failure-groups.js';
import type { MutedFinding } from './results.js';

/** What a target expects of one scenario: the outcome, and the known findings that do not count against it. */
export interface CellExpectation {
  expected: 'pass' | 'fail';
  mutes: KnownFinding[];
}

/** A scenario's own entry wins over '*' for the outcome (an object entry means a pass apart from its findings); the mutes of both apply. */
export function cellExpectation(expect: Record<string, Expectation> | undefined, scenario: string): CellExpectation {
  const own = expect && Object.hasOwn(expect, scenario) ? expect[scenario] : undefined;
  const star = expect && Object.hasOwn(expect, '*') ? expect['*'] : undefined;
  const declared = own ?? star ?? 'pass';
  const mutes = [own, star].flatMap((e) => (typeof e === 'object' && e !== null && Array.isArray(e.mute) ? e.mute : []));
  return { expected: typeof declared === 'object' ? 'pass' : declared, mutes };
}

/** A violation matches a known finding when the invariant is the same and, where the finding gives them, the SQLSTATE and constraint too. */
export function matchesFinding(v: Violation, k: KnownFinding): boolean {
  return (
    v.invariant === k.invariant &&
    (k.sqlstate === undefined || v.sqlstate === k.sqlstate) &&
    (k.constraint === undefined || v.constraint === k.constraint)
  );
}

/**
 * Takes a cell's muted findings out of each trial's violations and counts, per finding, the
 * trials it showed in. A `valid-calls-succeed` violation that only repeats a muted raw error of
 * the same calls (same SQLSTATE and constraint) goes with it: the call failing *is* that finding.
 */
export class FindingMuter {
  private readonly trials: number[];

  constructor(readonly mutes: readonly KnownFinding[]) {
    this.trials = mutes.map(() => 0);
  }

  /** The violations that still count; records which muted findings this trial showed. */
  apply(violations: readonly Violation[]): Violation[] {
    if (!this.mutes.length || !violations.length) return [...violations];
    const hit = new Set<number>();
    const muted = new Set<Violation>();
    for (const v of violations) {
      const i = this.mutes.findIndex((k) => matchesFinding(v, k));
      if (i >= 0) {
        hit.add(i);
        muted.add(v);
      }
    }
    for (const v of violations) if (!muted.has(v) && isEcho(v, [...muted])) muted.add(v);
    for (const i of hit) this.trials[i]!++;
    return violations.filter((v) => !muted.has(v));
  }

  /** Every muted finding with the number of trials it showed in (zero too: a mute that never fires may be stale). */
  counts(): MutedFinding[] {
    return this.mutes.map((k, i) => ({
      invariant: k.invariant,
      ...(k.sqlstate !== undefined ? { sqlstate: k.sqlstate } : {}),
      ...(k.constraint !== undefined ? { constraint: k.constraint } : {}),
      ...(k.note !== undefined ? { note: k.note } : {}),
      trials: this.trials[i]!,
    }));
  }
}
