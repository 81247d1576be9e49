import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../harness/errors.js';

/**
 * Makes sure the run can write its report into `dir` (created if missing) before any cell runs, and
 * returns the folders it created, outermost first; anything in the way is a UsageError naming the folder and the reason.
 */
export async function prepareReportDir(dir: string, flag = '--report'): Promise<string[]> {
  const abs = path.resolve(dir);
  const fail = (why: string): never => {
    throw new UsageError(`${flag} ${dir}: ${why}; pass a folder you can write to (${flag} DIR)`);
  };
  // Created one level at a time: a recursive mkdir loops for ever on some paths (/proc/nope).
  const missing: string[] = [];
  for (let d = abs; ; d = path.dirname(d)) {
    try {
      if (!(await stat(d)).isDirectory()) fail(`${d} is a file, not a folder`);
      break;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || path.dirname(d) === d) fail(`cannot use ${d} (${describeCode(code, e)})`);
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') fail(`cannot create ${d} (${describeCode(code, e)})`);
    }
  }
  const probe = path.join(abs, `.chatfuzz-write-check-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
  } catch (e) {
    fail(`cannot write files there (${describeCode((e as NodeJS.ErrnoException).code, e)})`);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
  return missing;
}

function describeCode(code: string | undefined, e: unknown): string {
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a part of the path is a file',
    ENOSPC: 'no space left on the device',
  };
  return code ? `${code}: ${known[code] ?? (e as Error).message}` : (e as Error).message;
}
