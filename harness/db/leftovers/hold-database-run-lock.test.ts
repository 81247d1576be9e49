import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HANG_MS } from '../../../test/run-cli-process.js';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testServer } from '../../../test/test-server.js';
import { InfraError } from '../../errors.js';
import { holdRunLock, runLockKey } from './hold-database-run-lock.js';
import { runState } from './find-leftover-databases.js';

const server = testServer();
const hex = () => crypto.randomBytes(4).toString('hex');
// One key with the top bit set: pg_locks shows it as an unsigned oid, pg_advisory_lock takes it signed.
const highRun = `20200101_000000_${(0x80 | crypto.randomBytes(1)[0]!).toString(16)}${hex().slice(2)}`;
const lowRun = `20200101_000000_${(crypto.randomBytes(1)[0]! & 0x7f).toString(16).padStart(2, '0')}${hex().slice(2)}`;
const children: ChildProcess[] = [];
let admin: pg.Client;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await admin.end();
});

/** Waits until run `runId` reaches `state` (the server notices a killed client's connection on its own time). */
async function until(runId: string, state: string): Promise<string> {
  let now = await runState(admin, runId);
  for (const deadline = Date.now() + HANG_MS; now !== state && Date.now() < deadline; now = await runState(admin, runId)) await sleep(50);
  return now;
}

it('runLockKey reads the eight hex digits of a run id as pg_locks shows them, and nothing of an older run id', () => {
  expect(runLockKey('20261124_161514_75a2b78a')).toBe(0x75a2b78a);
  expect(runLockKey('20261124_161514_ffffffff')).toBe(4294967295);
  expect(runLockKey('20250101_000000_abcd')).toBeUndefined();
  expect(runLockKey('test_123_abc')).toBeUndefined();
});

it.each([
  ['high', highRun],
  ['low', lowRun],
])('a run holding its lock (%s key) is live; release() makes it dead; a second holder of the same run id is refused', async (_, runId) => {
  expect(await runState(admin, runId)).toBe('dead');
  const lock = await holdRunLock(server, runId);
  expect(await runState(admin, runId)).toBe('live');
  const err = await holdRunLock(server, runId).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InfraError);
  expect((err as Error).message).toMatch(/holds the lock of run/);
  await lock.release();
  await lock.release();
  expect(await runState(admin, runId)).toBe('dead');
  // Released means free: a later holder gets it.
  const again = await holdRunLock(server, runId);
  expect(await runState(admin, runId)).toBe('live');
  await again.release();
});

it('the lock of a run held by another process makes the run live, and its SIGKILL makes the run dead', async () => {
  const runId = `20200101_000000_${hex()}`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `
    const { holdRunLock } = await import(${JSON.stringify(new URL('./hold-database-run-lock.ts', import.meta.url).pathname)});
    await holdRunLock({ kind: 'url', adminUrl: ${JSON.stringify(server.adminUrl)}, serverVersion: '', secrets: [], stop: async () => {} }, ${JSON.stringify(runId)});
    process.stdout.write('held\\n');
    setInterval(() => {}, 1 << 30);
  `,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      if (String(d).includes('held')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}): ${stderr}`)));
  });
  expect(await runState(admin, runId)).toBe('live');
  child.kill('SIGKILL');
  expect(await until(runId, 'dead')).toBe('dead');
});
