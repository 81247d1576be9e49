import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { runningPostmaster } from './running-postmaster.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-postmaster-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const withPidFile = (content?: string) => {
  const d = path.join(root, String(n++));
  fs.mkdirSync(d);
  if (content !== undefined) fs.writeFileSync(path.join(d, 'postmaster.pid'), content);
  return d;
};

describe('runningPostmaster', () => {
  it("is the pid of a running server's postmaster, and only for that server's own data dir", async () => {
    const server = await startEmbeddedPostgres({ cacheDir: path.join(root, 'cache') });
    try {
      const pidFile = fs.readFileSync(path.join(server.dataDir!, 'postmaster.pid'), 'utf8');
      expect(await runningPostmaster(server.dataDir!)).toBe(Number(pidFile.split('\n')[0]));
      // The same pid file elsewhere (a copied dir) does not make that dir the server's.
      expect(await runningPostmaster(withPidFile(pidFile))).toBe('none');
    } finally {
      await server.stop();
    }
  });

  it('is none without a pid file, for a pid no process runs under, or one another process has now', async () => {
    expect(await runningPostmaster(withPidFile())).toBe('none');
    expect(await runningPostmaster(path.join(root, 'missing'))).toBe('none');
    expect(await runningPostmaster(withPidFile(`${2 ** 22 + 1}\n/some/dir\n`))).toBe('none');
    expect(await runningPostmaster(withPidFile('garbage\n'))).toBe('none');
    // This test process: running, but not a postmaster, and not living in that dir.
    expect(await runningPostmaster(withPidFile(`${process.pid}\n`))).toBe('none');
  });
});
