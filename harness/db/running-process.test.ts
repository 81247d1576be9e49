import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runningProcess } from './running-process.js';

const state = (pid: number) => {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
};

describe('runningProcess', () => {
  it('finds this process, with the start time in field 22 of /proc/<pid>/stat', () => {
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    expect(runningProcess(process.pid)).toEqual({ startTime: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) });
    expect(runningProcess(process.pid)!.startTime).toBeGreaterThan(0);
  });

  it('a process that has exited (and been reaped) is not running', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await once(child, 'exit');
    expect(runningProcess(pid)).toBeUndefined();
  });

  it('a zombie (exited, not yet reaped) is not running', async () => {
    // `sleep 0` exits at once; its parent, now `sleep`, never reaps it.
    const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 1000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = await once(sh.stdout, 'data');
      const pid = Number(String(line).trim());
      while (state(pid) !== 'Z') await sleep(10);
      expect(runningProcess(pid)).toBeUndefined();
    } finally {
      sh.kill('SIGKILL');
    }
  });

  it('no pid, or one that cannot be, is not running', () => {
    for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 31 - 1]) expect(runningProcess(pid)).toBeUndefined();
  });
});
