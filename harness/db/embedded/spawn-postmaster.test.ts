import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresBinaries } from './postgres-binaries.js';
import { serverOsUser } from './server-os-user.js';
import { spawnPostmaster } from './spawn-postmaster.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-postmaster-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// Starting and stopping a real server is covered by embedded-postgres.test.ts, which runs every start through here.
describe('spawnPostmaster', () => {
  it("rejects with the server's own last words when it exits before it is ready", async () => {
    const owner = await serverOsUser();
    const { postgres } = await postgresBinaries(owner);
    const lines: string[] = [];
    const started = spawnPostmaster({
      postgres,
      dataDir: path.join(scratch, 'no-such-dir'),
      port: 1,
      flags: [],
      owner,
      log: (l) => lines.push(l),
    });
    await expect(started).rejects.toThrow(/^postgres exited during start-up \(exit code \d+\): .*no-such-dir/);
    expect(lines.join('')).toContain('no-such-dir');
  });

  it('rejects with the spawn error (its code kept) when the executable cannot run', async () => {
    await expect(
      spawnPostmaster({ postgres: path.join(scratch, 'missing-postgres'), dataDir: scratch, port: 1, flags: [] }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
