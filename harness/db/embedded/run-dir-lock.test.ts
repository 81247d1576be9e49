import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunLock } from './run-dir-lock.js';
import { runningProcess } from '../running-process.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-run-lock-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const dir = () => {
  const d = path.join(root, String(n++));
  fs.mkdirSync(d);
  return d;
};
const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const ourStart = runningProcess(process.pid)!.startTime;

/** A lock as another process would have written it. */
function lockIn(fields: Record<string, unknown>): string {
  const d = dir();
  fs.writeFileSync(path.join(d, 'chatfuzz-run.lock'), JSON.stringify({ format: 'chatfuzz-run-lock/1', ...fields }));
  return d;
}

describe('RunLock', () => {
  it('names this process (pid, start time, boot), whose lock it is while it runs', async () => {
    const d = dir();
    await RunLock.write(d);
    // Written whole under its name: no temp file stays beside it.
    expect(fs.readdirSync(d)).toEqual(['chatfuzz-run.lock']);
    const lock = await RunLock.read(d);
    expect(lock).toMatchObject({ pid: process.pid, startTime: ourStart, bootId });
    expect(lock!.ownerAlive()).toBe(true);
  });

  it('a process that has exited owns nothing any more', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    await once(child, 'spawn');
    const d = lockIn({ pid: child.pid, startTime: runningProcess(child.pid!)!.startTime, bootId });
    expect((await RunLock.read(d))!.ownerAlive()).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect((await RunLock.read(d))!.ownerAlive()).toBe(false);
  });

  it('a reused pid is not the owner: the same pid started at another time', async () => {
    expect((await RunLock.read(lockIn({ pid: process.pid, startTime: ourStart! + 1, bootId })))!.ownerAlive()).toBe(false);
  });

  it('a lock from before a reboot names a dead owner, whatever runs under its pid now', async () => {
    expect((await RunLock.read(lockIn({ pid: process.pid, startTime: ourStart, bootId: 'another-boot' })))!.ownerAlive()).toBe(false);
  });

  it('no lock file, or one chatfuzz did not write, is no lock', async () => {
    expect(await RunLock.read(dir())).toBeUndefined();
    expect(await RunLock.read(path.join(root, 'missing'))).toBeUndefined();
    const garbage = dir();
    fs.writeFileSync(path.join(garbage, 'chatfuzz-run.lock'), '{"format": "chatfuzz-run-lo');
    expect(await RunLock.read(garbage)).toBeUndefined();
    expect(await RunLock.read(lockIn({ format: 'something-else/1', pid: process.pid }))).toBeUndefined();
    expect(await RunLock.read(lockIn({ pid: 'x' }))).toBeUndefined();
  });
});
