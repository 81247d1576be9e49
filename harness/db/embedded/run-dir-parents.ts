import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';

/** Linux's memory-backed folder. */
const SHM_DIR = '/dev/shm';
/** A container's /dev/shm is 64 MB by default: a server, its WAL and a cell's databases need room. */
const MIN_FREE_BYTES = 2 * 1024 ** 3;

/**
 * Every folder a run's embedded server may live in, the one to use first: `$TMPDIR` when the user set
 * it; else /dev/shm when it is a writable folder with 2 GiB free, since a warm start writes about a
 * thousand files (about 0.2 s there against 0.7–1.1 s on this machine's disk) and the server is thrown
 * away anyway; else the temp dir. The others are where killed runs' folders are looked for.
 */
export async function runDirParents(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const tmp = os.tmpdir();
  if (env.TMPDIR || process.platform !== 'linux') return [tmp, SHM_DIR];
  const shm = await fs
    .statfs(SHM_DIR)
    .then(async (s) => {
      await fs.access(SHM_DIR, constants.W_OK);
      return (await fs.stat(SHM_DIR)).isDirectory() && s.bavail * s.bsize >= MIN_FREE_BYTES;
    })
    .catch(() => false);
  return shm ? [SHM_DIR, tmp] : [tmp, SHM_DIR];
}
