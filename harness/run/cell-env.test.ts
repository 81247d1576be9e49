import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, expect, inject, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatfuzz-cell-env-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Watches every pg.Client of this process (the control connection, the harness's and the target's pools) for a query sent while one is in flight on it. */
function watchClients() {
  const original = pg.Client.prototype.query;
  const inFlight = new WeakMap<object, number>();
  const overlapping: string[] = [];
  const sent = { kills: 0, lockPolls: 0 };
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const sql = typeof first === 'string' ? first : (first?.text ?? '');
    if (sql.includes('pg_terminate_backend')) sent.kills++;
    if (sql.includes('pg_blocking_pids')) sent.lockPolls++;
    if (inFlight.get(this)) overlapping.push(sql);
    inFlight.set(this, (inFlight.get(this) ?? 0) + 1);
    const done = () => {
      inFlight.set(this, inFlight.get(this)! - 1);
    };
    // pg settles a query through its promise, its callback, or (a Submittable) its events.
    const cb = args.findIndex((a) => typeof a === 'function');
    if (cb >= 0) {
      const fn = args[cb] as (...a: unknown[]) => void;
      args[cb] = (...a: unknown[]) => {
        done();
        fn(...a);
      };
    }
    const r = (original as (...a: unknown[]) => unknown).apply(this, args) as any;
    if (cb < 0 && typeof r?.then === 'function') r.then(done, done);
    else if (cb < 0 && typeof r?.once === 'function') {
      let once = false;
      const end = () => {
        if (!once) {
          once = true;
          done();
        }
      };
      r.once('end', end);
      r.once('error', end);
    }
    return r;
  } as typeof original;
  return {
    overlapping,
    sent,
    restore: () => {
      pg.Client.prototype.query = original;
    },
  };
}

it('a scheduled cell with kills and lock-blocked statements never queries a connection that is busy: no pg "already executing a query" warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on('warning', onWarning);
  const watch = watchClients();
  const stdout = new PassThrough().resume();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => {
    err += d;
  });
  let code: number;
  try {
    // session-first fails retry-after-error and shrinks: dozens of trials with kills, while the scheduler polls for blocked statements.
    code = await runCli(
      [
        '--target',
        'session-first',
        '--scenario',
        'retry-after-error,parallel-first-messages',
        '--runs',
        '8',
        '--seed',
        '1',
        '--workers',
        '1',
        '--db',
        inject('pgAdminUrl'),
        '--no-corpus',
        '--report',
        path.join(root, 'report'),
      ],
      { stdout, stderr, env: { NO_COLOR: '1' }, cwd: process.cwd() },
    );
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    watch.restore();
    process.off('warning', onWarning);
  }
  // The cells ran to a verdict (a usage or infrastructure error would be 2 or 3).
  expect([0, 1], err).toContain(code);
  // What makes the control connection busy from two sides at once did happen.
  expect(watch.sent.kills).toBeGreaterThan(5);
  expect(watch.sent.lockPolls).toBeGreaterThan(5);
  expect(watch.overlapping).toEqual([]);
  expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
});
