import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunLock } from './run-dir-lock.js';
import { runningPostmaster } from './running-postmaster.js';
import { runningProcess } from '../running-process.js';

/** How long a postmaster gets to obey SIGQUIT, then SIGKILL, before its dir is left alone. */
const QUIT_WAIT_MS = 10_000;
const KILL_WAIT_MS = 5_000;
/** A dir without a lock is removed only once this old (its run may still be creating it). */
const LOCKLESS_MIN_AGE_MS = 60_000;

async function exited(pid: number, withinMs: number): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await sleep(25)) {
    if (!runningProcess(pid)) return true;
  }
  return !runningProcess(pid);
}

/** Stops the postmaster of `dataDir` if one runs; true when none runs any more. */
async function stopPostmaster(dataDir: string): Promise<boolean> {
  const pid = await runningPostmaster(dataDir);
  if (pid === 'none') return true;
  if (pid === 'unknown') return false;
  // Immediate shutdown: the data is about to be deleted, so a fast shutdown's checkpoint is wasted,
  // and a smart one would wait for whatever clients of the dead run still hold connections.
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    /* gone already */
  }
  if (await exited(pid, QUIT_WAIT_MS)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
  return exited(pid, KILL_WAIT_MS);
}

async function reclaim(runDir: string, dataDirName: string): Promise<boolean> {
  const lock = await RunLock.read(runDir);
  if (lock) {
    if (lock.ownerAlive()) return false;
    if (!(await stopPostmaster(path.join(runDir, dataDirName)))) return false;
  } else {
    // Written before run locks existed (the data dir itself), or by a run killed before it wrote
    // its lock: the rule of that time, over a minute old and nothing running under postmaster.pid.
    const stat = await fs.stat(runDir).catch(() => undefined);
    if (!stat?.isDirectory() || Date.now() - stat.mtimeMs <= LOCKLESS_MIN_AGE_MS) return false;
    const pid = Number((await fs.readFile(path.join(runDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    if (pid > 0 && runningProcess(pid)) return false;
  }
  await fs.rm(runDir, { recursive: true, force: true }).catch(() => {});
  return true;
}

/**
 * Stops the postmaster of, and removes, every run dir (`prefix*` in `parent`) whose run lock names a
 * process no longer running; never touches one whose owner lives or whose postmaster it cannot
 * confirm. A dir without a lock (`legacyPrefix*`, from before run locks, or a run killed before it
 * wrote its lock) goes only when it is over 60 s old and no process runs under its postmaster.pid.
 * Resolves to the dirs removed.
 */
export async function reclaimDeadRuns(options: {
  parent: string;
  prefix: string;
  legacyPrefix: string;
  dataDirName: string;
}): Promise<string[]> {
  const names = await fs.readdir(options.parent).catch(() => [] as string[]);
  const dirs = names
    .filter((n) => n.startsWith(options.prefix) || n.startsWith(options.legacyPrefix))
    .map((n) => path.join(options.parent, n));
  const removed = await Promise.all(dirs.map(async (d) => ((await reclaim(d, options.dataDirName).catch(() => false)) ? d : undefined)));
  return removed.filter((d): d is string => d !== undefined);
}
