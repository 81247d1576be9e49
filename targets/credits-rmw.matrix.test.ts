// Issue 25: the read-check-write credits example fails `serializable`, shrunk to two spends, and its case file replays.
import { expect, it } from 'vitest';
import { readCaseFile } from '../harness/cases/case-file.js';
import { runTestCell } from '../test/run-test-cell.js';
import { renderHtml } from '../reports/render-html.js';
import { renderJunit } from '../reports/render-junit.js';
import { sampleResults } from '../reports/fixtures/sample-results.js';

it('credits-rmw × operations (scheduled): serializable, shrunk to ≤ 2 spends of one user, and the case file replays it', async () => {
  const cell = await runTestCell('credits-rmw', 'operations', { mode: 'scheduled', runs: 100, seed: 25 });
  expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
  expect(cell.failure!.invariant).toBe('serializable');
  const labels = cell.failure!.counterexample.ops.map((o) => o.label);
  expect(labels.length).toBeLessThanOrEqual(2);
  for (const l of labels) expect(l).toMatch(/^spend\(u[12], [1-4]\)@c\d$/);
  expect(cell.failure!.message).toMatch(/^no serial order of spend\(.*closest order spend\(/);
  // The model's states travel with the failure; the reports show the calls, the states and the verdict.
  expect(cell.failure!.model).toEqual({
    initial: { balance: { u1: 10, u2: 10 } },
    observed: expect.objectContaining({ balance: expect.any(Object) }),
  });
  const results = { ...sampleResults(), cells: [cell] };
  const html = renderHtml(results);
  for (const l of labels) expect(html).toContain(l);
  expect(html).toContain('data-model="observed"');
  expect(html).toContain('<span class="tag" data-invariant>serializable</span>');
  const junit = renderJunit(results);
  expect(junit).toContain('serializable');
  expect(junit).toContain(labels[0]!);
  const saved = await readCaseFile(cell.failure!.caseFile!);
  const replayed = await runTestCell('credits-rmw', 'operations', { mode: 'scheduled', runs: 1, replay: saved });
  expect(replayed.failure?.invariant).toBe('serializable');
  expect(replayed.failure!.message).toBe(cell.failure!.message);
}, 60_000);
