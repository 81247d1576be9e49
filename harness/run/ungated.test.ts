import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { UsageError } from '../errors.js';

// Never silently ungated (issue 26): a driver built from ctx.databaseUrl without gate: 'wire'.
describe('a postgres.js target without gate: wire', () => {
  for (const mode of ['scheduled', 'exhaustive'] as const) {
    it(`is refused in ${mode} mode, naming the fix, instead of running without a statement log`, async () => {
      const e = await runTestCell('./test/fixtures/ungated-postgresjs-target.ts', 'concurrent-duplicates', {
        mode,
        runs: 5,
        seed: 1,
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(/without a gate during trial 1 \(application_name: postgres\.js\).*gate: 'wire'/s);
    });
  }

  it('runs in stress mode and says so in its result', async () => {
    const cell = await runTestCell('./test/fixtures/ungated-postgresjs-target.ts', 'concurrent-duplicates', {
      mode: 'stress',
      runs: 5,
      seed: 1,
    });
    expect(cell.ungated).toEqual({ connections: expect.any(Number), applications: ['postgres.js'] });
    expect(cell.note).toMatch(/^ungated: /);
  });

  it('the same driver through the wire gate is gated: no ungated connection, statements logged', async () => {
    const cell = await runTestCell('postgresjs-session-first', 'concurrent-duplicates', { mode: 'scheduled', runs: 10, seed: 1 });
    expect(cell.ungated).toBeUndefined();
    expect(cell.failure!.statements.length).toBeGreaterThan(0);
  });
});
