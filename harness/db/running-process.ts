import fs from 'node:fs';

/**
 * Process `pid` if it is running (a zombie is not), with its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot: a reused pid has another one; null where there is no /proc),
 * or undefined when it is not running.
 */
export function runningProcess(pid: number): { startTime: number | null } | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync('/proc/self/stat')) return undefined;
    // No /proc (macOS): signal 0 tells only whether the pid exists.
    try {
      process.kill(pid, 0);
      return { startTime: null };
    } catch (k) {
      return (k as NodeJS.ErrnoException).code === 'EPERM' ? { startTime: null } : undefined;
    }
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return undefined;
  const startTime = Number(fields[22 - 3]);
  return { startTime: Number.isFinite(startTime) ? startTime : null };
}
