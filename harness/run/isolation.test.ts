// --isolation and a target's own `isolation` on a real database.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';

const PROBE = './test/fixtures/isolation-probe-target.ts';
const DECLARED = './test/fixtures/isolation-declared-target.ts';

describe('transaction isolation', () => {
  it('without --isolation a target runs at the server default, and the probe refuses (read committed)', async () => {
    const cell = await runTestCell(PROBE, 'log-before-create', { runs: 5, mode: 'scheduled' });
    expect(cell.failure).toMatchObject({ invariant: 'valid-calls-succeed' });
    expect(cell.failure!.message).toContain('ran at read committed, not serializable');
  });

  it('--isolation repeatable-read reaches the server as "repeatable read" (a level with a space in it)', async () => {
    const cell = await runTestCell(PROBE, 'log-before-create', { runs: 5, mode: 'scheduled', isolation: 'repeatable-read' });
    expect(cell.failure!.message).toContain('ran at repeatable read, not serializable');
    expect(cell.isolation).toBe('repeatable-read');
  });

  it('--isolation serializable applies to every transaction of the target, and the cell records it', async () => {
    const cell = await runTestCell(PROBE, 'log-before-create', { runs: 30, mode: 'scheduled', isolation: 'serializable' });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', isolation: 'serializable' });
  });

  it("a target's declared isolation wins over --isolation", async () => {
    const cell = await runTestCell(DECLARED, 'log-before-create', { runs: 30, mode: 'scheduled', isolation: 'read-committed' });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', isolation: 'serializable' });
  });

  it('under serializable a racing check-then-insert dies with 40001: a finding of no-db-error, not a harness error', async () => {
    const cell = await runTestCell('./test/fixtures/late-lock-target.ts', 'concurrent-duplicates', {
      runs: 100,
      seed: 3,
      mode: 'scheduled',
      isolation: 'serializable',
    });
    expect(cell.error).toBeUndefined();
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '40001' });
  });

  it('--latency widens race windows in stress mode without breaking a correct target', async () => {
    const cell = await runTestCell('upsert', 'concurrent-duplicates', { runs: 30, mode: 'stress', latency: { minMs: 0, maxMs: 3 } });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', runs: 30 });
  });
});
