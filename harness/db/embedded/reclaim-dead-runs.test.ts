// reclaimDeadRuns on run dirs made up in a private parent dir (the reclaim of a real killed server
// is in embedded-postgres.test.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reclaimDeadRuns } from './reclaim-dead-runs.js';
import { RunLock } from './run-dir-lock.js';
import { runningProcess } from '../running-process.js';

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-reclaim-test-'));
afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));
const options = { parent, prefix: 'run-', legacyPrefix: 'old-', dataDirName: 'data' };
const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

async function deadPid(): Promise<{ pid: number; startTime: number | null }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  await once(child, 'spawn');
  const startTime = runningProcess(child.pid!)!.startTime;
  child.kill('SIGKILL');
  await once(child, 'exit');
  return { pid: child.pid!, startTime };
}

function runDir(name: string, files: Record<string, string> = {}, ageMs = 0): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  const t = (Date.now() - ageMs) / 1000;
  fs.utimesSync(dir, t, t);
  return dir;
}

const lock = (owner: { pid: number; startTime: number | null }) =>
  JSON.stringify({ format: 'chatfuzz-run-lock/1', pid: owner.pid, startTime: owner.startTime, bootId });

describe('reclaimDeadRuns', () => {
  it("removes the dir of a dead run, and no live run's, nor anything not named like a run dir", async () => {
    const dead = runDir('run-dead', { 'chatfuzz-run.lock': lock(await deadPid()) });
    const live = runDir('run-live');
    await RunLock.write(live);
    const other = path.join(parent, 'other-dead');
    fs.cpSync(dead, other, { recursive: true });
    expect(await reclaimDeadRuns(options)).toEqual([dead]);
    expect([fs.existsSync(dead), fs.existsSync(live), fs.existsSync(other)]).toEqual([false, true, true]);
  });

  it('a reused pid does not keep a dead run alive, and the process now under its postmaster.pid is not signalled', async () => {
    let signalled = false;
    const onQuit = () => {
      signalled = true;
    };
    process.on('SIGQUIT', onQuit);
    try {
      // Our pid, another start time: the owner is dead; its postmaster.pid names this (non-postgres) process.
      const me = runningProcess(process.pid)!;
      const dir = runDir('run-reused', { 'chatfuzz-run.lock': lock({ pid: process.pid, startTime: me.startTime! + 1 }) });
      fs.writeFileSync(path.join(dir, 'data/postmaster.pid'), `${process.pid}\n${path.join(dir, 'data')}\n`);
      expect(await reclaimDeadRuns(options)).toEqual([dir]);
      expect(signalled).toBe(false);
    } finally {
      process.off('SIGQUIT', onQuit);
    }
  });

  it('a dir without a lock (an older chatfuzz, or killed before its lock): removed once over a minute old with nothing running under its postmaster.pid', async () => {
    const young = runDir('old-young', {}, 0);
    const old = runDir('old-old', {}, 120_000);
    const oldDeadPid = runDir('old-dead-pid', { 'postmaster.pid': `${2 ** 22 + 1}\n` }, 120_000);
    const oldLivePid = runDir('old-live-pid', { 'postmaster.pid': `${process.pid}\n` }, 120_000);
    const lockless = runDir('run-lockless', {}, 120_000);
    const notOurs = runDir('run-foreign-lock', { 'chatfuzz-run.lock': '{"format":"something-else"}' }, 0);
    expect((await reclaimDeadRuns(options)).sort()).toEqual([old, oldDeadPid, lockless].sort());
    expect([young, oldLivePid, notOurs].map((d) => fs.existsSync(d))).toEqual([true, true, true]);
  });
});
