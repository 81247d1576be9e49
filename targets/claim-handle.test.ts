// Issue 25: check-then-insert of a unique handle fails `serializable`; the upsert passes.
import { expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';

it('claim-handle × operations (scheduled): serializable, two users told ok for one handle, ≤ 3 calls', async () => {
  const cell = await runTestCell('claim-handle', 'operations', { mode: 'scheduled', runs: 100, seed: 2502 });
  expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
  expect(cell.failure!.invariant).toBe('serializable');
  const labels = cell.failure!.counterexample.ops.map((o) => o.label);
  expect(labels.length).toBeLessThanOrEqual(3);
  for (const l of labels) expect(l).toMatch(/^claim\(u[12], k[12]\)@c\d$/);
  expect(cell.failure!.message).toMatch(/succeeded where the model refuses it|observe read owner\.k[12] is "u[12]"/);
}, 60_000);

for (const mode of ['scheduled', 'stress'] as const) {
  it(`claim-handle-upsert passes 100 ${mode} trials of operations`, async () => {
    const cell = await runTestCell('claim-handle-upsert', 'operations', { mode, runs: 100, seed: 2503 });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 100 });
  }, 60_000);
}
