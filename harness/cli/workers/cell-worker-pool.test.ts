import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, expect, inject, it } from 'vitest';
import { runCli } from '../run-cli.js';
import type { RunResults } from '../../run/results.js';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'chatfuzz-workers-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stderr: string; results?: RunResults }> {
  const report = path.join(root, `r${Math.random().toString(36).slice(2)}`);
  const stdout = new PassThrough().resume();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d) => {
    err += d;
  });
  const code = await runCli([...argv, '--db', inject('pgAdminUrl'), '--no-corpus', '--report', report], {
    stdout,
    stderr,
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
  });
  const text = await fs.readFile(path.join(report, 'results.json'), 'utf8').catch(() => undefined);
  // What differs between two runs of one seed: times, the run's id, backend pids and the report folder.
  const masked = text?.split(path.relative(process.cwd(), report)).join('<REPORT>').split(report).join('<REPORT>');
  const VARYING = new Set(['runId', 'startedAt', 'durationMs', 'msToFirstFailure', 'backendPid']);
  return { code, stderr: err, results: masked ? JSON.parse(masked, (k, v) => (VARYING.has(k) ? '<varies>' : v)) : undefined };
}

it('the same seed gives the same results.json with 1 worker and with 3 (pool and wire gates, failing and passing cells)', async () => {
  const matrix = [
    '--target',
    'naive,upsert,postgresjs-session-first',
    '--scenario',
    'concurrent-duplicates,multi-message-first-request,retry-after-error',
    '--runs',
    '15',
    '--seed',
    '7',
  ];
  const one = await cli([...matrix, '--workers', '1']);
  const three = await cli([...matrix, '--workers', '3']);
  expect(one.code, one.stderr).toBe(0);
  expect(three.code, three.stderr).toBe(0);
  expect(one.results!.cells.filter((c) => c.outcome === 'fail').length).toBeGreaterThan(2);
  expect(three.results).toEqual(one.results);
});

it('a target that ends its worker process fails its own cell, names --workers 1, and the other cells still run', async () => {
  const r = await cli([
    '--target',
    './test/fixtures/exit-in-call-target.ts,upsert',
    '--scenario',
    'multi-message-first-request,concurrent-duplicates',
    '--runs',
    '5',
    '--seed',
    '3',
    '--workers',
    '2',
  ]);
  expect(r.code, r.stderr).toBe(1);
  const cells = r.results!.cells;
  expect(cells.map((c) => [c.target, c.scenario, c.ok])).toEqual([
    ['exit-in-call', 'multi-message-first-request', false],
    ['exit-in-call', 'concurrent-duplicates', false],
    ['upsert', 'multi-message-first-request', true],
    ['upsert', 'concurrent-duplicates', true],
  ]);
  for (const c of cells.slice(0, 2)) expect(c.error).toMatch(/exited with code 7.*--workers 1/);
});
