import { TargetContractError } from '../errors.js';

/**
 * What a ChatStore method returned, when it is a Promise (any thenable); anything else is a
 * TargetContractError naming the method: with nothing to await, whatever the method started is
 * still running, so any verdict on it would be the harness's guess.
 */
export function returnedPromise(value: unknown, method: string): PromiseLike<unknown> {
  const thenable =
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function';
  if (thenable) return value as PromiseLike<unknown>;
  throw new TargetContractError(
    `${method}() returned ${describeValue(value)}, not a Promise: every ChatStore method must return a Promise (declare it \`async\`, and \`await\`/return its queries)`,
  );
}

function describeValue(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object with no then()';
  if (typeof v === 'function') return 'a function';
  return `a ${typeof v} (${String(v).slice(0, 40)})`;
}
