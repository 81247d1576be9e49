import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initDataDir } from './init-data-dir.js';
import { postgresBinaries } from './postgres-binaries.js';
import { serverOsUser } from './server-os-user.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-initdb-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('initDataDir', () => {
  it("creates a cluster as the server user, and rejects with initdb's own words when it cannot", async () => {
    const owner = await serverOsUser();
    const { initdb } = await postgresBinaries(owner);
    if (owner) fs.chownSync(root, owner.uid, owner.gid);
    const dir = path.join(root, 'data');
    const lines: string[] = [];
    await initDataDir(dir, { initdb, args: ['--username=postgres', '--auth=trust', '--no-sync'], owner, log: (l) => lines.push(l) });
    expect(fs.readFileSync(path.join(dir, 'PG_VERSION'), 'utf8')).toBe('18\n');
    expect(fs.statSync(path.join(dir, 'global/pg_control')).uid).toBe(owner?.uid ?? process.getuid!());
    expect(lines.join('')).toContain('Success.');
    // A second initdb into the same (now full) dir.
    await expect(initDataDir(dir, { initdb, args: ['--no-sync'], owner })).rejects.toThrow(
      /initdb failed \(exit code 1\): .*exists but is not empty/,
    );
  });
});
