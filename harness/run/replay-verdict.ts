import type { CaseFile } from '../cases/case-file.js';
import { summarizeCells } from './assemble-results.js';
import type { CellResult, RunResults } from './results.js';

/**
 * A replay's results judged by what it was asked to show: the saved failure. A cell of the case's
 * target and scenario that ran without failing the saved invariant did not reproduce it; it
 * misses its expectation (exit 1, whatever the target expects) and says so, as the returned
 * sentences do. Cells without a verdict (budget, interruption) and other targets are left as they are.
 */
export function replayVerdict(
  results: RunResults,
  saved: Pick<CaseFile, 'target' | 'scenario' | 'invariant'>,
): { results: RunResults; messages: string[] } {
  const messages: string[] = [];
  const cells = results.cells.map((c): CellResult => {
    if (c.target !== saved.target || c.scenario !== saved.scenario || (c.outcome !== 'pass' && c.outcome !== 'fail')) return c;
    const reproduced = [c.failure, ...(c.failures ?? [])].some((f) => f?.invariant === saved.invariant);
    if (reproduced) return { ...c, replay: { invariant: saved.invariant, reproduced: true } };
    const sentence = `the saved ${saved.invariant} did not reproduce in ${c.runs} run${c.runs === 1 ? '' : 's'}`;
    messages.push(
      `${sentence} (${c.target} × ${c.scenario}): if the bug is fixed, delete or refresh the case file; a stress-mode case may need more --runs to line up its timing again`,
    );
    return {
      ...c,
      ok: false,
      replay: { invariant: saved.invariant, reproduced: false },
      note: c.note ? `${sentence} · ${c.note}` : sentence,
    };
  });
  if (!messages.length) return { results: { ...results, cells }, messages };
  return { results: { ...results, cells, summary: summarizeCells(cells), exitCode: 1 }, messages };
}
