import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { HANG_MS, runFuzzProcess, startFuzzProcess, type RunningFuzz } from '../../test/run-cli-process.js';
import { MACHINE_PG } from '../../test/test-server.js';
import { runningProcess } from '../db/running-process.js';

const reportRoot = path.join(os.tmpdir(), `chatfuzz-cli-test-${process.pid}`);
const reportDir = (name: string) => path.join(reportRoot, name);

describe('bad input gets a clear message and the documented exit code', () => {
  it('an unknown target exits 2 and lists the valid ones', async () => {
    const r = await runFuzzProcess(['--target', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown target "nope"/);
    for (const name of ['naive', 'session-first', 'upsert']) expect(r.stderr).toContain(name);
  });

  it('an unknown flag exits 2 and names the valid flags', async () => {
    const r = await runFuzzProcess(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bogus/);
    expect(r.stderr).toMatch(/--target/);
  });

  it('an unknown scenario exits 2 listing the built ones', async () => {
    const unknown = await runFuzzProcess(['--scenario', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario "nope".*multi-message-first-request/);
  });

  it('a --baseline that is missing, not JSON or not a results.json exits 2 naming the file, before any database starts', async () => {
    await fs.mkdir(reportRoot, { recursive: true });
    const notJson = path.join(reportRoot, 'not-json.json');
    const notResults = path.join(reportRoot, 'not-results.json');
    await fs.writeFile(notJson, '{ this is not json');
    await fs.writeFile(notResults, JSON.stringify({ tool: 'jest', testResults: [] }));
    const cases: [string, RegExp][] = [
      [path.join(reportRoot, 'missing.json'), /--baseline .*missing\.json: no such file/],
      [notJson, /--baseline .*not-json\.json is not a chatfuzz results\.json: not valid JSON/],
      [notResults, /--baseline .*not-results\.json is not a chatfuzz results\.json: "tool" is "jest"/],
    ];
    for (const [file, re] of cases) {
      // An unreachable --db shows no database was tried: a usage error comes first.
      const r = await runFuzzProcess(['--baseline', file, '--db', 'postgres://postgres@127.0.0.1:1/nowhere']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });

  it('an unusable --report exits 2 naming the folder and why, before any database starts', async () => {
    await fs.mkdir(reportRoot, { recursive: true });
    const file = path.join(reportRoot, 'report-is-a-file');
    await fs.writeFile(file, 'x');
    const cases: [string, RegExp][] = [
      [file, /--report .*report-is-a-file: .*report-is-a-file is a file, not a folder; pass a folder you can write to/],
      // Not writable even by root; /proc/… made fs.mkdir({ recursive: true }) loop for ever after the run.
      ['/sys/chatfuzz-report', /--report \/sys\/chatfuzz-report: cannot create \/sys\/chatfuzz-report \((EACCES|EPERM|EROFS)/],
      ['/proc/chatfuzz-report', /--report \/proc\/chatfuzz-report: cannot create \/proc\/chatfuzz-report \(ENOENT/],
    ];
    for (const [dir, re] of cases) {
      const r = await runFuzzProcess(['--target', 'upsert', '--report', dir, '--db', 'postgres://postgres@127.0.0.1:1/nowhere']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/internal error|ECONNREFUSED/);
    }
  });

  it('a replay whose target cannot be found names the case file and the --target fix', async () => {
    await fs.mkdir(reportRoot, { recursive: true });
    const workload = { users: ['u1'], clients: [[{ op: 'createSession', session: 's1', user: 'u1', valid: true }]] };
    const noSpec = path.join(reportRoot, 'no-spec.json');
    await fs.writeFile(
      noSpec,
      JSON.stringify({
        chatfuzz: '0.1.0',
        target: 'my-app',
        scenario: 'mixed',
        mode: 'scheduled',
        seed: 1,
        invariant: 'no-fk-error',
        workload,
      }),
    );
    const moved = path.join(reportRoot, 'moved.json');
    await fs.writeFile(
      moved,
      JSON.stringify({
        chatfuzz: '0.1.0',
        target: 'my-app',
        targetSpec: './chatfuzz/old-target.ts',
        scenario: 'mixed',
        mode: 'scheduled',
        seed: 1,
        invariant: 'no-fk-error',
        workload,
      }),
    );
    const unreachable = ['--db', 'postgres://postgres@127.0.0.1:1/nowhere'];

    const a = await runFuzzProcess(['--replay', noSpec, ...unreachable]);
    expect(a.code, a.stderr).toBe(2);
    expect(a.stderr).toContain(
      `--replay ${noSpec}: the case file does not say where target "my-app" is loaded from (no targetSpec); pass the target's module: --replay ${noSpec} --target ./path/to/target.ts`,
    );
    expect(a.stderr).not.toContain('undefined');

    const b = await runFuzzProcess(['--replay', moved, ...unreachable]);
    expect(b.code, b.stderr).toBe(2);
    expect(b.stderr).toContain(`--replay ${moved}: cannot load its target "my-app" from "./chatfuzz/old-target.ts"`);
    expect(b.stderr).toMatch(/no such file/);
    expect(b.stderr).toContain(`pass it: --replay ${moved} --target ./path/to/target.ts`);
  });

  it('an unreachable --db exits 3 with the cause', async () => {
    const r = await runFuzzProcess(['--db', 'postgres://postgres:hunter22@127.0.0.1:1/nowhere', '--runs', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    expect(r.stderr + r.stdout).not.toContain('hunter22');
  });

  it('--db container without a Docker engine exits 3 naming the alternatives', async () => {
    const r = await runFuzzProcess(['--db', 'container', '--runs', '1'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Docker/);
    expect(r.stderr).toMatch(/embedded|--db postgres/);
  });

  it('a module that is not a valid target exits 2 and lists every problem', async () => {
    const r = await runFuzzProcess(['--target', './test/fixtures/bad-target.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/create\(ctx\)/);
    expect(r.stderr).toMatch(/unknown scenario "no-such-scenario"/);
    expect(r.stderr).toMatch(/"maybe"/);
  });

  it('a custom-schema target without snapshot() exits 2', async () => {
    const r = await runFuzzProcess([
      '--target',
      './test/fixtures/no-snapshot-target.ts',
      '--db',
      inject('pgAdminUrl'),
      '--runs',
      '1',
      '--report',
      reportDir('no-snapshot'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must implement snapshot/);
  });

  it('--list prints every scenario and invariant with a description', async () => {
    const r = await runFuzzProcess(['--list']);
    expect(r.code).toBe(0);
    for (const name of [
      'multi-message-first-request',
      'log-before-create',
      'concurrent-duplicates',
      'no-fk-error',
      'valid-calls-succeed',
      'upsert',
    ]) {
      expect(r.stdout).toContain(name);
    }
    // Every target, scenario and invariant has its one-line description.
    const entries = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(entries.length).toBeGreaterThanOrEqual(12 + 10 + 9);
    for (const line of entries) expect(line.trim(), line).toMatch(/^\S+\s{2,}\S.{15,}$/);
    expect(r.stdout).toMatch(/\n {2}retry-after-error {2,}the harness kills a call's connection/);
    expect(r.stdout).not.toContain('not built yet');
  });
});

describe('a target that hangs or throws non-Errors', () => {
  it('records the hung call as info after the timeout, the refusal as a domain error, and the run ends', async () => {
    const dir = reportDir('hang');
    const r = await runFuzzProcess([
      '--target',
      './test/fixtures/hang-target.ts',
      '--scenario',
      'log-before-create,multi-message-first-request',
      '--runs',
      '3',
      '--call-timeout',
      '300ms',
      '--db',
      inject('pgAdminUrl'),
      '--report',
      dir,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    const [hang, thrown] = results.cells;
    expect(hang.failure.invariant).toBe('valid-calls-succeed');
    expect(hang.failure.counterexample.ops[0]).toMatchObject({ outcome: 'info', error: { kind: 'timeout' } });
    expect(thrown.failure.invariant).toBe('valid-calls-succeed');
    expect(thrown.failure.message).toMatch(/non-Error value: 'plain string, not an Error'/);
  });
});

// Three scenarios here; run-cli.matrix.test.ts makes the same checks on the full default matrix (every scenario).
describe('a full run on the machine PostgreSQL', () => {
  const SCENARIOS = 'multi-message-first-request,log-before-create,concurrent-duplicates';
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
      '--scenario',
      SCENARIOS,
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

describe('--ci and --baseline: the CI gate', () => {
  it('--ci without --runs or --time-budget runs under the default 5m budget and prints plain lines only', async () => {
    const dir = reportDir('ci-budget');
    const r = await runFuzzProcess(
      [
        '--ci',
        '--target',
        'upsert',
        '--scenario',
        'multi-message-first-request',
        '--seed',
        '3',
        '--db',
        inject('pgAdminUrl'),
        '--report',
        dir,
      ],
      { env: { FORCE_COLOR: '1' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('time budget 5m (--ci default)');
    const results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    expect(results.options.timeBudgetMs).toBe(300_000);
    // No escape sequences and no carriage returns: a CI log shows every line as written.
    expect(r.stdout + r.stderr).not.toMatch(/[\u001b\r]/);
  });

  it('a new failure against the baseline fails a --ci run even where the cell met its expectation; without --ci it is only marked', async () => {
    const first = reportDir('gate-first');
    const base = await runFuzzProcess([
      '--target',
      'naive',
      '--scenario',
      'multi-message-first-request',
      '--runs',
      '10',
      '--seed',
      '5',
      '--db',
      inject('pgAdminUrl'),
      '--report',
      first,
    ]);
    expect(base.code, base.stderr).toBe(0);
    // The baseline: the same results, as if naive had passed on the default branch.
    const baseline = JSON.parse(await fs.readFile(path.join(first, 'results.json'), 'utf8'));
    baseline.cells[0].outcome = 'pass';
    delete baseline.cells[0].failure;
    const baselineFile = path.join(reportRoot, 'gate-baseline.json');
    await fs.writeFile(baselineFile, JSON.stringify(baseline));

    const args = [
      '--target',
      'naive',
      '--scenario',
      'multi-message-first-request',
      '--runs',
      '10',
      '--seed',
      '5',
      '--db',
      inject('pgAdminUrl'),
      '--baseline',
      baselineFile,
    ];
    const view = await runFuzzProcess([...args, '--report', reportDir('gate-view')]);
    expect(view.code, view.stderr).toBe(0);
    expect(view.stdout).toMatch(/naive\s+✓ FAIL\(expected\) NEW FAILURE/);
    const gated = await runFuzzProcess([...args, '--ci', '--report', reportDir('gate-ci'), '--json']);
    expect(gated.code, gated.stderr).toBe(1);
    const results = JSON.parse(gated.stdout);
    expect(results.cells[0]).toMatchObject({ ok: true, baseline: 'new-failure' });
    expect(results.baseline).toMatchObject({ file: baselineFile, gate: true, counts: { 'new-failure': 1 } });
    expect(results.exitCode).toBe(1);
    expect(gated.stderr).toContain(
      'baseline ' + baseline.runId + ': 1 new failure, 0 fixed, 0 still failing, 0 unchanged, 0 new cells (new failures fail the gate)',
    );
    const junit = await fs.readFile(path.join(reportDir('gate-ci'), 'junit.xml'), 'utf8');
    expect(junit).toContain('<failure message="new failure since the baseline: no-fk-error');
  });
});

describe('the default database: embedded PostgreSQL', () => {
  it('with no --db and no DATABASE_URL a run starts its own server, reports its version and removes it', async () => {
    // A temp folder of its own: other test files start embedded servers at the same time.
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'chatfuzz-embedded-'));
    await fs.chmod(tmp, 0o1777);
    try {
      const r = await runFuzzProcess(
        [
          '--target',
          'upsert,naive',
          '--scenario',
          'multi-message-first-request',
          '--runs',
          '20',
          '--report',
          reportDir('embedded'),
          '--json',
        ],
        { env: { TMPDIR: tmp } },
      );
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout);
      expect(results.db.kind).toBe('embedded');
      expect(results.db.serverVersion).toMatch(/^PostgreSQL 18\./);
      expect((await fs.readdir(tmp)).filter((n) => n.startsWith('chatfuzz-postgres-'))).toEqual([]);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  it('an unmet expectation exits 1 on the embedded server too (its exit hook must not turn it into 0)', async () => {
    // The probe expects to pass and refuses every call at read committed: the cell misses its expectation.
    const r = await runFuzzProcess([
      '--target',
      './test/fixtures/isolation-probe-target.ts',
      '--scenario',
      'log-before-create',
      '--runs',
      '3',
      '--report',
      reportDir('embedded-exit'),
    ]);
    expect(r.stdout).toContain('0/1 cells met their expectation');
    expect(r.code, r.stderr).toBe(1);
  });
});

/** Pids of live processes whose command line contains `marker` (a path only one run uses). */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await fs.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    // A zombie is dead already (only its parent's wait is pending): runningProcess says it is not running.
    if (cmdline.includes(marker) && runningProcess(Number(name))) pids.push(Number(name));
  }
  return pids;
}

/** Waits until `done()` holds, or for HANG_MS (the assertion after it then says what did not happen): no deadline a busy machine reaches. */
async function poll(done: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + HANG_MS; !(await done()) && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
}

/** How `run` ended, or 'still running' after HANG_MS. */
async function endOf(run: RunningFuzz): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const still = new Promise((r) => {
    timer = setTimeout(() => r('still running'), HANG_MS);
  });
  try {
    return await Promise.race([run.ended, still]);
  } finally {
    clearTimeout(timer);
  }
}

async function databasesOfRun(runId: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: MACHINE_PG });
  await c.connect();
  try {
    return (
      await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1', [`chatfuzz_${runId}_`])
    ).rows.map((r) => r.datname);
  } finally {
    await c.end();
  }
}

// CI systems and editors signal only the process they started: npm, or the shell of a project's script.
describe.runIf(process.platform === 'linux')('a signal to the process that started the run, and to it alone', () => {
  // Long enough that only the signal can end it.
  const endless = ['--target', 'upsert', '--runs', '1000000', '--seed', '1'];

  it('SIGINT to npm ends the run at once with exit 130: workers stopped, databases dropped, the report says no cell finished', async () => {
    const dir = reportDir(`sigint-${Date.now()}`);
    const run = startFuzzProcess([...endless, '--db', MACHINE_PG, '--workers', '2', '--report', dir], { via: 'npm' });
    const runId = (await run.waitFor(/· run (\w+)/))[1]!;
    // Cells are running once their databases exist.
    await poll(async () => (await databasesOfRun(runId)).length > 0);
    expect(await databasesOfRun(runId)).not.toEqual([]);
    process.kill(run.pid, 'SIGINT');
    // The run would go on for many minutes: ending at all shows the signal was heard.
    const end = await endOf(run);
    expect(end, run.output()).toEqual({ code: 130, signal: null });
    expect(run.output()).toContain("chatfuzz: SIGINT: dropping the run's databases and stopping its server");
    expect(await databasesOfRun(runId)).toEqual([]);
    expect(await processesWith(dir)).toEqual([]);
    // No cell finished: the report says so, every cell not-run (never a pass).
    const results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ interrupted: 'SIGINT', exitCode: 130 });
    expect(results.cells.length).toBeGreaterThan(0);
    expect(results.cells.every((c: { outcome: string }) => c.outcome === 'not-run')).toBe(true);
  });

  it('SIGINT after some cells finished: results.json, index.html and junit.xml hold those verdicts, the rest not-run, interrupted "SIGINT", exit 130', async () => {
    const dir = reportDir(`sigint-partial-${Date.now()}`);
    const run = startFuzzProcess(
      [
        '--target',
        'upsert,./test/fixtures/lifecycle-target.ts',
        '--scenario',
        'log-before-create',
        '--mode',
        'stress',
        '--runs',
        '15',
        '--seed',
        '1',
        '--db',
        MACHINE_PG,
        '--workers',
        '1',
        '--report',
        dir,
      ],
      { via: 'npm', env: { CHATFUZZ_FIXTURE_LIFECYCLE: 'slow-calls' } },
    );
    const runId = (await run.waitFor(/· run (\w+)/))[1]!;
    // The plain progress line of the first cell: it has its verdict; the slow second cell is running.
    await run.waitFor(/\[1\/2\] upsert × log-before-create: pass/, 60_000);
    // …once its database exists: a signal while a CREATE DATABASE is in flight is another test's matter.
    for (let i = 0; i < 200 && !(await databasesOfRun(runId)).some((d) => d.endsWith('_2')); i++)
      await new Promise((r) => setTimeout(r, 50));
    process.kill(run.pid, 'SIGINT');
    const end = await Promise.race([run.ended, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(end, run.output()).toEqual({ code: 130, signal: null });
    expect(run.output()).toMatch(/chatfuzz: SIGINT: 1 of 2 cell\(s\) finished, the rest marked not-run; report: /);
    const results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ interrupted: 'SIGINT', exitCode: 130, summary: { cells: 2, notRun: 1 } });
    expect(results.cells[0]).toMatchObject({ target: 'upsert', outcome: 'pass', ok: true, runs: 15 });
    expect(results.cells[1]).toMatchObject({ target: 'lifecycle', outcome: 'not-run', ok: false, runs: 0 });
    expect(await fs.readFile(path.join(dir, 'index.html'), 'utf8')).toMatch(/data-status="not-run"/);
    expect(await fs.readFile(path.join(dir, 'junit.xml'), 'utf8')).toMatch(/<skipped message="not run: the run was interrupted"\/>/);
    expect(await databasesOfRun(runId)).toEqual([]);
  });

  it('SIGTERM to npm ends a run on the embedded server with exit 143: the server and its files are gone', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'chatfuzz-sigterm-'));
    // As /tmp is: the embedded server runs as an unprivileged user when chatfuzz runs as root.
    await fs.chmod(tmp, 0o1777);
    try {
      const run = startFuzzProcess([...endless, '--scenario', 'mixed', '--workers', '1', '--report', path.join(tmp, 'report')], {
        via: 'npm',
        env: { TMPDIR: tmp },
      });
      await run.waitFor(/· run \w+/);
      const dataDirs = async () => (await fs.readdir(tmp)).filter((n) => n.startsWith('chatfuzz-postgres-'));
      expect(await dataDirs()).toHaveLength(1);
      expect(await processesWith(tmp)).not.toEqual([]);
      process.kill(run.pid, 'SIGTERM');
      const end = await endOf(run);
      expect(end, run.output()).toEqual({ code: 143, signal: null });
      expect(await dataDirs()).toEqual([]);
      expect(await processesWith(tmp)).toEqual([]);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  it('SIGTERM to the shell of a script without exec: the run sees its parent end and cleans up', async () => {
    const dir = reportDir(`orphan-${Date.now()}`);
    const run = startFuzzProcess([...endless, '--scenario', 'mixed', '--db', MACHINE_PG, '--workers', '1', '--report', dir], { via: 'sh' });
    const runId = (await run.waitFor(/· run (\w+)/))[1]!;
    await poll(async () => (await databasesOfRun(runId)).length > 0);
    const [node] = await processesWith(dir);
    expect(node).toBeDefined();
    // The shell dies of it; chatfuzz itself is never signalled.
    process.kill(run.pid, 'SIGTERM');
    await poll(async () => (await processesWith(dir)).length === 0);
    expect(await processesWith(dir), run.output()).toEqual([]);
    expect(await databasesOfRun(runId)).toEqual([]);
  });
});

describe('databases a killed --db run left behind', () => {
  const deadRun = `20200101_000000_${Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`;
  const leftover = `chatfuzz_${deadRun}_1`;
  const admin = new pg.Client({ connectionString: MACHINE_PG });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${leftover}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${leftover}`);
    await admin.end();
  });

  it('are reported with the command that drops them, and left alone; that command drops them', async () => {
    const r = await runFuzzProcess([
      '--db',
      MACHINE_PG,
      '--target',
      'upsert',
      '--scenario',
      'multi-message-first-request',
      '--runs',
      '1',
      '--report',
      reportDir('leftovers'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`left by \\d+ killed chatfuzz runs?[^\\n]*(${leftover}|and \\d+ more)`));
    expect(r.stderr).toMatch(
      new RegExp(`remove (it|them) with: npx chatfuzz drop-leftovers --db '${MACHINE_PG.replace(/[./]/g, '\\$&')}'`),
    );
    expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [leftover])).rowCount).toBe(1);

    // Restricted to this test's dead run: other test files' databases on this server are not its to drop.
    const drop = await runFuzzProcess(['drop-leftovers', '--db', MACHINE_PG, deadRun], { corpus: true });
    expect(drop.code, drop.stderr).toBe(0);
    expect(drop.stdout + drop.stderr).toContain(leftover);
    expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [leftover])).rowCount).toBe(0);
  });
});

describe('a report that cannot be written at the end', () => {
  it('exits 3 and prints results.json to stderr, so the verdicts are not lost', async () => {
    const dir = reportDir(`vanishing-${Date.now()}`);
    const run = startFuzzProcess(
      [
        '--target',
        'upsert',
        '--scenario',
        'multi-message-first-request',
        '--runs',
        '1000000',
        '--time-budget',
        '3s',
        '--seed',
        '2',
        '--db',
        MACHINE_PG,
        '--workers',
        '1',
        '--report',
        dir,
      ],
      { via: 'sh' },
    );
    await run.waitFor(/· run \w+/);
    // Checked before the first cell; gone, and a file in its place, by the end.
    await fs.rm(dir, { recursive: true, force: true });
    await fs.writeFile(dir, 'not a folder');
    const end = await endOf(run);
    expect(end, run.output()).toEqual({ code: 3, signal: null });
    const out = run.output();
    expect(out).toContain(`chatfuzz: could not write the report to ${dir}:`);
    const json = out.slice(out.indexOf('results.json follows on stderr:\n') + 'results.json follows on stderr:\n'.length);
    const results = JSON.parse(json);
    expect(results.cells).toHaveLength(1);
    // A million trials do not fit in 3 s: the cell says the budget cut it, not that it passed.
    expect(results.cells[0]).toMatchObject({ target: 'upsert', scenario: 'multi-message-first-request', outcome: 'budget-exhausted' });
    await fs.rm(dir, { force: true });
  });
});

describe('a target whose lifecycle hangs or answers wrong: a contract error naming the method (exit 2), never a hang or a finding', () => {
  const lifecycle = (how: string, extra: string[] = []) =>
    runFuzzProcess(
      [
        '--target',
        './test/fixtures/lifecycle-target.ts',
        '--scenario',
        'log-before-create',
        '--runs',
        '2',
        '--call-timeout',
        '100ms',
        '--db',
        inject('pgAdminUrl'),
        '--report',
        reportDir(`lifecycle-${how}-${Date.now()}`),
        ...extra,
      ],
      { env: { CHATFUZZ_FIXTURE_LIFECYCLE: how } },
    );

  it('a create() that never resolves exits 2 after its own timeout (ten call timeouts), naming create() and the fix', async () => {
    const r = await lifecycle('create-hangs');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /target lifecycle: create\(\) did not settle within 1000 ms \(ten times --call-timeout\): make create\(\) resolve/,
    );
  });

  it('a registerUsers() that never resolves exits 2 naming registerUsers()', async () => {
    const r = await lifecycle('register-hangs');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/registerUsers\(\) did not settle within 1000 ms/);
  });

  it('a snapshot() that throws, or answers the wrong shape, exits 2 naming snapshot(), not "trial 1 could not be checked"', async () => {
    const thrown = await lifecycle('snapshot-throws');
    expect(thrown.code, thrown.stderr).toBe(2);
    expect(thrown.stderr).toMatch(
      /target lifecycle \(.*\): snapshot\(\) threw: relation "chat_users" does not exist; snapshot\(\) must read the trial's rows/,
    );
    const shape = await lifecycle('snapshot-shape');
    expect(shape.code, shape.stderr).toBe(2);
    expect(shape.stderr).toMatch(/snapshot\(\) returned an object whose users is not an array \(object\)/);
    expect(shape.stderr).not.toMatch(/could not be checked|\.map is not a function/);
  });

  it("--target '' is a usage error, not a run of every built-in", async () => {
    const r = await runFuzzProcess(['--target', '', '--runs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--target is empty/);
  });
});

describe('a replay runs as its case failed, and says so when the failure does not come back', () => {
  it('a failure found only under --isolation serializable comes back with the printed command alone; overridden, it does not, and the replay exits 1 saying so', async () => {
    const env = { CHATFUZZ_FIXTURE_LIFECYCLE: 'fails-serializable' };
    const db = inject('pgAdminUrl');
    const found = await runFuzzProcess(
      [
        '--target',
        './test/fixtures/lifecycle-target.ts',
        '--scenario',
        'log-before-create',
        '--isolation',
        'serializable',
        '--call-timeout',
        '3s',
        '--runs',
        '5',
        '--seed',
        '2',
        '--db',
        db,
        '--report',
        reportDir(`replay-found-${Date.now()}`),
        '--json',
      ],
      { env },
    );
    expect(found.code, found.stderr).toBe(1);
    const failure = JSON.parse(found.stdout).cells[0].failure;
    expect(failure.invariant).toBe('valid-calls-succeed');
    const caseFile = JSON.parse(await fs.readFile(path.resolve(import.meta.dirname, '../..', failure.caseFile), 'utf8'));
    expect(caseFile).toMatchObject({ isolation: 'serializable', callTimeoutMs: 3000, mode: 'scheduled', invariant: 'valid-calls-succeed' });
    // The printed line, as a user pastes it: `npm run fuzz -- --replay FILE`.
    const args = failure.replay.replace(/^npm run fuzz -- /, '').split(' ');
    const again = await runFuzzProcess([...args, '--db', db, '--report', reportDir(`replay-again-${Date.now()}`), '--json'], { env });
    expect(again.code, again.stderr).toBe(1);
    const replayed = JSON.parse(again.stdout).cells[0];
    expect(replayed).toMatchObject({ isolation: 'serializable', replay: { invariant: 'valid-calls-succeed', reproduced: true } });
    expect(replayed.failure.invariant).toBe('valid-calls-succeed');
    // A flag given with --replay wins over the case file: at read committed the bug is not there.
    const gone = await runFuzzProcess(
      [...args, '--isolation', 'read-committed', '--db', db, '--report', reportDir(`replay-gone-${Date.now()}`), '--json'],
      { env },
    );
    expect(gone.code, gone.stderr).toBe(1);
    expect(gone.stderr).toMatch(/chatfuzz: the saved valid-calls-succeed did not reproduce in 1 run \(lifecycle × log-before-create\)/);
    const results = JSON.parse(gone.stdout);
    expect(results.exitCode).toBe(1);
    expect(results.cells[0]).toMatchObject({ outcome: 'pass', ok: false, replay: { invariant: 'valid-calls-succeed', reproduced: false } });
  });
});

describe('without a config or --target, `npm run fuzz` plays the short demo', () => {
  it('4 targets × 4 scenarios on a fixed seed: exit 0, under 40 lines, the first failure told in full, the rest counted, and the command for the whole matrix', async () => {
    const dir = reportDir('demo');
    const r = await runFuzzProcess(['--db', inject('pgAdminUrl'), '--report', dir], {});
    expect(r.code, r.stderr).toBe(0);
    const lines = (r.stdout + r.stderr).trimEnd().split('\n');
    expect(lines.length, r.stdout + r.stderr).toBeLessThanOrEqual(40);
    expect(r.stdout).toContain('seed 1 ·');
    expect(r.stdout).toContain('4 target(s) × 4 scenario(s)');
    // The matrix, then one failure as a story: its calls, its statements in order and its replay line.
    expect(r.stdout).toMatch(/naive × concurrent-duplicates \(expected\): no-db-error/);
    expect(r.stdout).toContain('statements in order:');
    expect(r.stdout).toMatch(/c2 INSERT INTO chat_sessions .* → 23505 chat_sessions_pkey/);
    expect(r.stdout).toMatch(/replay: npm run fuzz -- --replay \S+naive--concurrent-duplicates--scheduled\.json/);
    expect(r.stdout).toMatch(/\d+ more expected failures in \d+ other cells/);
    expect(r.stdout).not.toMatch(/session-first × cross-user \(expected\)/);
    expect(r.stdout).toContain('npm run fuzz -- --all');
    const results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    expect(new Set(results.cells.map((c: any) => c.target))).toEqual(
      new Set(['naive', 'session-first', 'upsert', 'postgresjs-session-first']),
    );
    expect(results.cells).toHaveLength(16);
  });
});

describe("a DBA terminating the run's backends mid-run", () => {
  it('on correct targets gives no finding: the lost trials are rerun and counted (or, if it never stops, exit 3 naming it)', async () => {
    const dir = reportDir(`dba-${Date.now()}`);
    const run = startFuzzProcess(
      [
        '--target',
        'upsert,serializable-retry',
        '--scenario',
        'concurrent-duplicates,parallel-first-messages',
        '--runs',
        '40',
        '--seed',
        '3',
        '--workers',
        '2',
        '--db',
        MACHINE_PG,
        '--report',
        dir,
        '--json',
      ],
      { via: 'sh' },
    );
    const runId = (await run.waitFor(/· run (\w+)/))[1]!;
    const dba = new pg.Client({ connectionString: MACHINE_PG });
    await dba.connect();
    let kills = 0;
    let done = false;
    void run.ended.then(() => {
      done = true;
    });
    try {
      // Every second, as long as the run lasts: pg_terminate_backend on every backend of the run's cell databases.
      while (!done) {
        const r = await dba.query(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname ~ $1 AND pid <> pg_backend_pid()`,
          [`^chatfuzz_${runId}_[0-9]+$`],
        );
        kills += r.rows[0].n;
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      await dba.end();
    }
    const end = await run.ended;
    const out = run.output();
    expect(kills, out).toBeGreaterThan(0);
    expect([0, 3], out).toContain(end.code);
    if (end.code === 3) {
      expect(out).toMatch(/connection was lost .* not by the harness/);
      return;
    }
    const results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8'));
    for (const c of results.cells)
      expect(c, `${c.target} × ${c.scenario}: ${c.failure?.message}`).toMatchObject({ outcome: 'pass', ok: true });
    const rerun = results.cells.reduce((n: number, c: { infraRetries?: number }) => n + (c.infraRetries ?? 0), 0);
    expect(rerun, out).toBeGreaterThan(0);
  });
});
