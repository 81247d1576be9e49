import { redactSecrets } from '../db/redact-url.js';
import type { RunResults } from '../run/results.js';
import { applyBaseline, type Baseline } from '../../reports/baseline-diff.js';

/** The baseline a run compares with: the parsed file, its path as given, and whether a new failure fails the run (--ci). */
export interface BaselineInput {
  baseline: Baseline;
  file: string;
  gate: boolean;
}

/**
 * What every reporter's onRunEnd gets: the run's results with the server's secrets removed (also
 * JSON-escaped, as they appear inside strings) and, with a baseline, each cell compared with it.
 * Pure: the raw results are not changed.
 */
export function finalResults(raw: RunResults, o: { secrets: readonly string[]; baseline?: BaselineInput }): RunResults {
  const redacted = redactValue(raw, o.secrets);
  return o.baseline ? applyBaseline(redacted, o.baseline.baseline, { file: o.baseline.file, gate: o.baseline.gate }) : redacted;
}

/** `value` (a cell's result, say) with the server's secrets removed, for what reporters hear before the run ends. */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (!secrets.length) return value;
  const all = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  return JSON.parse(redactSecrets(JSON.stringify(value), all));
}
