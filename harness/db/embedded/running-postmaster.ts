import fs from 'node:fs/promises';
import path from 'node:path';
import { runningProcess } from '../running-process.js';

/**
 * The postmaster serving `dataDir`: its pid when the dir's postmaster.pid names a running `postgres`
 * whose working directory is that very dir (a postmaster lives in its data dir), 'none' when no such
 * process runs (no pid file, or its pid is gone or now another process), 'unknown' when that cannot
 * be told (no /proc, or /proc or the pid file is not readable to this user).
 */
export async function runningPostmaster(dataDir: string): Promise<number | 'none' | 'unknown'> {
  let pidFile: string;
  try {
    pidFile = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'none' : 'unknown';
  }
  const pid = Number(pidFile.split('\n')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !runningProcess(pid)) return 'none';
  let cwd: string;
  let argv0: string;
  try {
    [cwd, argv0] = await Promise.all([
      fs.readlink(`/proc/${pid}/cwd`),
      fs.readFile(`/proc/${pid}/cmdline`, 'utf8').then((c) => c.split('\0')[0] ?? ''),
    ]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && runningProcess(pid) === undefined) return 'none';
    return 'unknown';
  }
  const dir = await fs.realpath(dataDir).catch(() => path.resolve(dataDir));
  return cwd === dir && path.basename(argv0) === 'postgres' ? pid : 'none';
}
