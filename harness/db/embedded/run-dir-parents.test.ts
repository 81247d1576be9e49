import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { runDirParents } from './run-dir-parents.js';

describe('runDirParents', () => {
  it('a TMPDIR the user set wins; /dev/shm is still searched for killed runs', async () => {
    expect(await runDirParents({ TMPDIR: os.tmpdir() })).toEqual([os.tmpdir(), '/dev/shm']);
  });

  it.runIf(process.platform === 'linux')('otherwise /dev/shm first when it is writable with 2 GiB free, else the temp dir', async () => {
    let roomy = false;
    try {
      const s = fs.statfsSync('/dev/shm');
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      roomy = s.bavail * s.bsize >= 2 * 1024 ** 3;
    } catch {
      /* no /dev/shm */
    }
    expect(await runDirParents({})).toEqual(roomy ? ['/dev/shm', os.tmpdir()] : [os.tmpdir(), '/dev/shm']);
  });
});
