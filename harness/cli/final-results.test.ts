import { describe, expect, it } from 'vitest';
import { finalResults, redactValue } from './final-results.js';
import { sampleResults } from '../../reports/fixtures/sample-results.js';

describe('finalResults', () => {
  it('removes the server secrets, also where JSON escapes them, and leaves the raw results alone', () => {
    const raw = sampleResults();
    raw.cells[0]!.error = 'connect postgres://app:pa"ss@db failed; password pa"ss';
    const out = finalResults(raw, { secrets: ['pa"ss'] });
    expect(out.cells[0]!.error).toBe('connect postgres://app:***@db failed; password ***');
    expect(raw.cells[0]!.error).toContain('pa"ss');
    expect(JSON.stringify(out)).not.toContain('pa\\"ss');
    expect(finalResults(raw, { secrets: [] })).toBe(raw);
    expect(redactValue(raw.cells[0]!, ['pa"ss']).error).not.toContain('pa"ss');
  });

  it('compares each cell with the baseline after redaction; --ci makes a new failure fail the run', () => {
    const raw = sampleResults();
    const baseline = {
      runId: 'old',
      startedAt: raw.startedAt,
      cells: raw.cells.map(({ target, scenario, mode }) => ({ target, scenario, mode, outcome: 'pass' as const })),
    };
    const out = finalResults(raw, { secrets: [], baseline: { baseline, file: 'old.json', gate: true } });
    expect(out.baseline).toMatchObject({ file: 'old.json', runId: 'old', gate: true });
    expect(out.cells.map((c) => c.baseline)).toEqual(raw.cells.map((c) => (c.outcome === 'fail' ? 'new-failure' : 'unchanged')));
    expect(out.exitCode).toBe(1);
  });
});
