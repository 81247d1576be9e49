import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { runningProcess } from '../running-process.js';

const FILE = 'chatfuzz-run.lock';
const FORMAT = 'chatfuzz-run-lock/1';

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The lock file a run writes into its directory before anything else: it names the owning process
 * (pid, plus its start time and the boot it belongs to, so a reused pid or a reboot is not mistaken
 * for the owner), and the directory is the owner's for exactly as long as that process lives.
 */
export class RunLock {
  private constructor(
    readonly pid: number,
    readonly startTime: number | null,
    readonly bootId: string | null,
  ) {}

  /** Writes this process's lock into `dir` (whole or not at all: a reader never sees half a lock). */
  static async write(dir: string): Promise<RunLock> {
    const lock = new RunLock(process.pid, runningProcess(process.pid)?.startTime ?? null, bootId());
    const tmp = path.join(dir, `${FILE}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    await fs.writeFile(tmp, JSON.stringify({ format: FORMAT, pid: lock.pid, startTime: lock.startTime, bootId: lock.bootId }) + '\n', {
      mode: 0o644,
    });
    await fs.rename(tmp, path.join(dir, FILE));
    return lock;
  }

  /** The lock in `dir`, or undefined when there is none or it is not one of ours. */
  static async read(dir: string): Promise<RunLock | undefined> {
    try {
      const j = JSON.parse(await fs.readFile(path.join(dir, FILE), 'utf8'));
      if (j?.format !== FORMAT || !Number.isSafeInteger(j.pid) || j.pid <= 0) return undefined;
      const startTime = typeof j.startTime === 'number' ? j.startTime : null;
      return new RunLock(j.pid, startTime, typeof j.bootId === 'string' ? j.bootId : null);
    } catch {
      return undefined;
    }
  }

  /** Whether the process that wrote this lock is still running. */
  ownerAlive(): boolean {
    const current = bootId();
    if (this.bootId && current && this.bootId !== current) return false;
    const p = runningProcess(this.pid);
    if (!p) return false;
    return this.startTime === null || p.startTime === null || p.startTime === this.startTime;
  }
}
