import type { Violation } from '../invariants/invariant.js';

/**
 * The group a violation belongs to, one per cause: its invariant, SQLSTATE and constraint, and
 * without a SQLSTATE what the trial shows (the kinds of operation involved, what acked data is
 * missing or altered, the refusal message: Violation.cause), so a lost update and stripped
 * content under acked-durable are two findings, and two different refusals are too.
 */
export function findingKey(v: Pick<Violation, 'invariant' | 'sqlstate' | 'constraint' | 'cause'>): string {
  const base = `${v.invariant} ${v.sqlstate ?? ''} ${v.constraint ?? ''}`.trimEnd();
  return v.cause ? `${base} · ${v.cause}` : base;
}

/** A `valid-calls-succeed` violation that only repeats a raw database error reported on the same calls (same SQLSTATE and constraint): the call failing *is* that error. */
export function isEcho(v: Violation, among: Iterable<Violation>): boolean {
  if (v.invariant !== 'valid-calls-succeed') return false;
  for (const raw of among) {
    if (
      (raw.invariant === 'no-db-error' || raw.invariant === 'no-fk-error') &&
      raw.sqlstate === v.sqlstate &&
      raw.constraint === v.constraint &&
      v.calls.every((c) => raw.calls.includes(c))
    )
      return true;
  }
  return false;
}

/** The distinct failures a cell has reported so far: a trial is a new failure when one of its violations belongs to no known group. */
export class FailureGroups {
  private readonly known = new Set<string>();
  /** Group keys in the order found, one per reported failure. */
  readonly found: string[] = [];

  /** The violations of a trial that belong to no known group, in the trial's (priority) order; an echo of a raw error is never one of its own. */
  fresh(violations: readonly Violation[]): Violation[] {
    return violations.filter((v) => !this.known.has(findingKey(v)) && !isEcho(v, violations));
  }

  /**
   * Records a reported (shrunk) failure: its first new violation names the group, and every
   * group its violations belong to becomes known, since what a minimal case breaks together is
   * one bug seen by several invariants (a refused call whose message was stored anyway).
   * Returns the naming violation, or undefined when nothing in it was new.
   */
  add(violations: readonly Violation[]): Violation | undefined {
    const head = this.fresh(violations)[0];
    if (!head) return undefined;
    this.found.push(findingKey(head));
    for (const v of violations) this.known.add(findingKey(v));
    return head;
  }

  get size(): number {
    return this.found.length;
  }
}
