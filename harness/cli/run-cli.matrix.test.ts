// The full-size twin of run-cli.test.ts's run on the machine PostgreSQL (`npm run test:matrix`): the
// default matrix (three targets × every scenario) meets every expectation, follows the results.json
// contract, touches nothing it did not create and never prints the password.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzzProcess } from '../../test/run-cli-process.js';
import { MACHINE_PG } from '../../test/test-server.js';

const reportRoot = path.join(os.tmpdir(), `chatfuzz-cli-matrix-test-${process.pid}`);
const reportDir = (name: string) => path.join(reportRoot, name);
afterAll(async () => {
  await fs.rm(reportRoot, { recursive: true, force: true });
});

describe('a full default-matrix run on the machine PostgreSQL', () => {
  const sentinel = `chatfuzz_sentinel_${process.pid}`;
  const admin = new pg.Client({ connectionString: MACHINE_PG });
  const dir = reportDir('machine');
  const password = 'pw-7e4f1c9a';
  let result: Awaited<ReturnType<typeof runFuzzProcess>>;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE TABLE ${sentinel} (id int PRIMARY KEY, note text)`);
    await admin.query(`INSERT INTO ${sentinel} VALUES (1, 'untouched')`);
    // Trust auth ignores the password, so it can stand for a real one that must never be printed.
    const url = MACHINE_PG.replace('postgres://postgres@', `postgres://postgres:${password}@`);
    result = await runFuzzProcess([
      '--db',
      url,
      '--target',
      'naive,session-first,upsert',
      '--runs',
      '30',
      '--seed',
      '99',
      '--report',
      dir,
      '--json',
      '--ci',
    ]);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${sentinel}`);
    await admin.end();
  });

  it('exits 0 with every cell meeting its expectation, and results.json follows the contract', async () => {
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(result.stdout);
    expect(results.db).toMatchObject({ kind: 'url' });
    expect(results.db.serverVersion).toMatch(/^PostgreSQL 15\./);
    expect(results.cells).toHaveLength(3 * results.options.scenarios.length);
    expect(results.options.scenarios.length).toBeGreaterThanOrEqual(3);
    for (const c of results.cells) {
      for (const key of [
        'target',
        'scenario',
        'mode',
        'expected',
        'outcome',
        'ok',
        'runs',
        'durationMs',
        'runsToFirstFailure',
        'msToFirstFailure',
      ]) {
        expect(c, `${c.target} × ${c.scenario}`).toHaveProperty(key);
      }
      expect(c.ok).toBe(c.outcome === c.expected);
    }
    const naive = results.cells.find((c: any) => c.target === 'naive' && c.scenario === 'multi-message-first-request');
    expect(naive.failure).toMatchObject({
      invariant: 'no-fk-error',
      sqlstate: '23503',
      constraint: 'chat_messages_session_id_fkey',
      seed: 99,
    });
    expect(naive.failure.counterexample.ops[0].label).toMatch(/handleChat\(s1, \[system,user\]/);
    expect(naive.failure.replay).toMatch(/--replay/);
    const onDisk = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    expect(onDisk.cells).toEqual(results.cells);
  });

  it('prints the matrix and, for each failure, the invariant, SQLSTATE, constraint, calls and replay line', () => {
    expect(result.stderr).toMatch(/naive/);
    expect(result.stderr).toMatch(/no-fk-error/);
    expect(result.stderr).toMatch(/chat_messages_session_id_fkey/);
    expect(result.stderr).toMatch(/23503/);
    expect(result.stderr).toMatch(/replay: npm run fuzz -- --replay/);
  });

  it('touches nothing it did not create: the sentinel is intact and none of its databases is left', async () => {
    const rows = await admin.query(`SELECT id, note FROM ${sentinel}`);
    expect(rows.rows).toEqual([{ id: 1, note: 'untouched' }]);
    // Only this run's databases: other runs may share the machine's server.
    const { runId } = JSON.parse(result.stdout);
    expect(runId).toMatch(/^\d{8}_\d{6}_[0-9a-f]{8}$/);
    const left = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`chatfuzz_${runId}_`]);
    expect(left.rows).toEqual([]);
  });

  it('never writes the database password anywhere', async () => {
    const files = await fs.readdir(dir, { recursive: true });
    for (const f of files) {
      const p = path.join(dir, String(f));
      if ((await fs.stat(p)).isFile()) expect(await fs.readFile(p, 'utf8'), String(f)).not.toContain(password);
    }
    expect(result.stdout + result.stderr).not.toContain(password);
  });

  it('a saved case replays: --replay fails the same way', async () => {
    const results = JSON.parse(result.stdout);
    const naive = results.cells.find((c: any) => c.target === 'naive' && c.scenario === 'log-before-create');
    const r = await runFuzzProcess([
      '--replay',
      naive.failure.caseFile,
      '--db',
      MACHINE_PG,
      '--report',
      reportDir('replay'),
      '--json',
      '--ci',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const replayed = JSON.parse(r.stdout).cells[0];
    expect(replayed.failure).toMatchObject({ invariant: 'no-fk-error', constraint: 'chat_messages_session_id_fkey' });
    expect(replayed.failure.counterexample.ops.map((o: any) => o.label)).toEqual(naive.failure.counterexample.ops.map((o: any) => o.label));
  });
});
