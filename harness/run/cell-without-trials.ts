import type { Mode } from '../contract/define-config.js';
import type { LoadedTarget } from '../contract/load-target.js';
import { cellExpectation } from './cell-expectation.js';
import type { CellResult } from './results.js';

/**
 * The results.json entry of a cell that ran no trial (not applicable, not run, its worker died): its
 * target's expectation, zero counts, and what `rest` says of its outcome and why.
 */
export function cellWithoutTrials(
  target: LoadedTarget,
  scenario: string,
  mode: Mode,
  rest: Pick<CellResult, 'outcome' | 'ok'> & Partial<CellResult>,
): CellResult {
  return {
    target: target.def.name,
    scenario,
    mode,
    expected: cellExpectation(target.def.expect, scenario).expected,
    runs: 0,
    calls: 0,
    durationMs: 0,
    runsToFirstFailure: null,
    msToFirstFailure: null,
    gate: target.def.gate ?? 'pool',
    ...rest,
  };
}
