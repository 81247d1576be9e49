// npm run bench: the harness's speed, measured on the embedded server (or --db / DATABASE_URL).
// Prints one line per measurement and writes bench/results.json; nothing here asserts timings.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startDatabaseServer } from '../harness/db/start-database-server.js';
import { runCell, type CellHooks } from '../harness/run/run-cell.js';
import type { Mode, Scheduler } from '../harness/contract/define-config.js';
import type { Workload } from '../harness/workload/workload.js';
import { builtinScenarios } from '../scenarios/builtin-scenarios.js';
import type { Scenario } from '../harness/workload/scenario.js';
import { loadTargets, type TargetRegistry } from '../harness/contract/load-target.js';
import { builtinTargets } from '../targets/builtin-targets.js';
import upsertWire, { directUpsertWireTarget } from './upsert-wire-target.js';
import { driveDirectly } from './drive-directly.js';
import upsert from '../targets/upsert.js';
import { applySchema } from '../harness/db/apply-schema.js';
import { createRunDatabase } from '../harness/db/run-database.js';
import { openCellEnv } from '../harness/run/cell-env.js';
import { benchSerializable } from './checker-bench.js';
import { RACE_FIXTURES } from '../test/race-fixture-cases.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const skipMatrix = process.argv.includes('--no-matrix');
// --only-races: just the deep-race fixtures, PCT against the uniform baseline (--seeds N, --cap N trials a cell).
const onlyRaces = process.argv.includes('--only-races');
// --only-parallel: just scheduled trials/s of the six-call workload, one trial at a time against several at once.
const onlyParallel = process.argv.includes('--only-parallel');
const argNumber = (flag: string, dflt: number) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

const dbArg = process.argv.indexOf('--db');
const server = await startDatabaseServer(dbArg > 0 ? process.argv[dbArg + 1] : undefined);
const reportDir = await mkdtemp(path.join(os.tmpdir(), 'chatfuzz-bench-'));
const runId = `bench_${Date.now().toString(36)}`;
let cellIndex = 0;
const out: Record<string, unknown> = { server: `${server.kind} ${server.serverVersion}`, cpus: os.cpus().length, node: process.version };

// Issue 25: the serializable checker's time per trial (no database; bench/checker-bench.ts).
for (const row of benchSerializable())
  line(`serializable checker: ${row.calls} overlapping calls, ms per trial (goal: median ≤ 5 at 8)`, row);

// Six calls on three clients: two first requests for one session and a conversation beside them.
const SIX_CALLS: Workload = {
  users: ['u1', 'u2'],
  clients: [
    [
      {
        op: 'handleChat',
        session: 's1',
        user: 'u1',
        valid: true,
        messages: [
          { id: 'm1', role: 'system', content: 'sys #m1' },
          { id: 'm2', role: 'user', content: 'hi #m2' },
        ],
      },
      { op: 'logMessage', session: 's1', user: 'u1', valid: true, messages: [{ id: 'm3', role: 'assistant', content: 'hello #m3' }] },
    ],
    [
      { op: 'handleChat', session: 's1', user: 'u1', valid: true, messages: [{ id: 'm4', role: 'user', content: 'tab 2 #m4' }] },
      { op: 'logMessage', session: 's1', user: 'u1', valid: true, messages: [{ id: 'm5', role: 'assistant', content: 'reply #m5' }] },
    ],
    [
      { op: 'createSession', session: 's2', user: 'u2', title: 'New chat', valid: true },
      { op: 'logMessage', session: 's2', user: 'u2', valid: true, messages: [{ id: 'm6', role: 'user', content: 'other #m6' }] },
    ],
  ],
};
const fixed: Scenario = { name: 'mixed', description: 'the six-call workload', arbitrary: () => fc.constant(SIX_CALLS) };

// The built-in targets and the bench's own: upsert's logic through the wire gate, and the same connecting past the proxy.
const registry: TargetRegistry = {
  ...builtinTargets,
  'upsert-wire': async () => upsertWire,
  'upsert-wire-direct': async () => directUpsertWireTarget(server.adminUrl),
};

async function cell(
  target: string,
  scenario: Scenario,
  mode: Mode,
  runs: number,
  extra: { seed?: number; prune?: boolean; hooks?: CellHooks; scheduler?: Scheduler; trialsInParallel?: number; maxFailures?: number } = {},
) {
  const [loaded] = await loadTargets([target], { registry, scenarioNames: builtinScenarios.map((s) => s.name) });
  const t0 = performance.now();
  const r = await runCell(
    {
      run: {
        mode,
        runId,
        runs,
        seed: extra.seed ?? 1,
        callTimeoutMs: 5000,
        reportDir,
        ...(extra.scheduler ? { scheduler: extra.scheduler } : {}),
      },
      target: loaded!,
      scenario,
      server,
      cellIndex: cellIndex++,
      cellCount: 1,
      timeBudgetMs: null,
      prune: extra.prune,
      ...(extra.trialsInParallel ? { trialsInParallel: extra.trialsInParallel } : {}),
      ...(extra.maxFailures ? { maxFailures: extra.maxFailures } : {}),
    },
    extra.hooks,
  );
  return { r, ms: performance.now() - t0 };
}

/**
 * Steady rates of targets `a` and `b` on the same cell, run alternately (a b a b …) so drift in the
 * machine's load hits both alike: in each cell trials 2..N count, from the end of the first trial
 * to the end of the last (neither the cell's set-up nor the first trial's new connections count).
 */
async function compare(a: string, b: string, scenario: Scenario, mode: Mode, rounds: number, runs: number) {
  const sums = new Map<string, { trials: number; ms: number; calls: number; passed: boolean }>();
  for (let i = 0; i < rounds; i++) {
    for (const target of [a, b]) {
      const ends: number[] = [];
      const { r } = await cell(target, scenario, mode, runs, {
        hooks: {
          reporters: [
            {
              onTrial: (p) => {
                ends[p.trials - 1] = p.elapsedMs;
              },
            },
          ],
        },
      });
      const s = sums.get(target) ?? { trials: 0, ms: 0, calls: 0, passed: true };
      s.trials += ends.length - 1;
      s.ms += ends.at(-1)! - ends[0]!;
      s.calls += (ends.length - 1) * (r.calls / r.runs);
      s.passed &&= r.outcome === 'pass';
      sums.set(target, s);
    }
  }
  const rate = (t: string) => {
    const s = sums.get(t)!;
    return { trialsPerSec: s.trials / (s.ms / 1000), callsPerSec: s.calls / (s.ms / 1000), passed: s.passed };
  };
  return [rate(a), rate(b)] as const;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

function line(name: string, value: unknown) {
  out[name] = value;
  console.log(`${name.padEnd(58)} ${typeof value === 'object' ? JSON.stringify(value) : value}`);
}

/** Runs the chatfuzz command; resolves with its exit code, its wall time and when its first cell's verdict line appeared (ms from spawn). */
function chatfuzz(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; ms: number; firstVerdictMs: number | null }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let firstVerdictMs: number | null = null;
    let err = '';
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/chatfuzz.mjs'), '--no-corpus', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d) => {
      err += d;
      // --ci prints a line per finished cell: `[1/N] target × scenario: pass in …`.
      if (firstVerdictMs === null && /^\[1\/\d+\]/m.test(err)) firstVerdictMs = performance.now() - t0;
    });
    child.on('close', (code) => resolve({ code, ms: performance.now() - t0, firstVerdictMs }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Trials and ms to the first failure of each deep-race fixture with PCT and with the uniform
 * baseline, median over `seeds` seeds (a cell stops at its first failure, or after `cap` trials:
 * a seed that found nothing counts as `cap`, and the line says how many found it).
 */
async function raceFixtures(seeds: number, cap: number) {
  console.log(`-- deep-race fixtures: trials and ms to first failure, median of ${seeds} seeds, cap ${cap} trials --`);
  for (const fx of RACE_FIXTURES) {
    const scenario = builtinScenarios.find((s) => s.name === fx.scenario)!;
    const per: Record<string, { trials: number; ms: number; found: number }> = {};
    for (const scheduler of ['pct', 'uniform'] as const) {
      const trials: number[] = [];
      const ms: number[] = [];
      let found = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const { r } = await cell(fx.target, scenario, 'scheduled', cap, { seed, scheduler, maxFailures: 1 });
        if (r.runsToFirstFailure !== null) found++;
        trials.push(r.runsToFirstFailure ?? cap);
        ms.push(r.msToFirstFailure ?? r.durationMs);
      }
      per[scheduler] = { trials: median(trials), ms: Math.round(median(ms)), found };
      line(
        `races: ${fx.target} × ${fx.scenario}, ${scheduler}`,
        `${per[scheduler]!.trials} trials, ${per[scheduler]!.ms} ms to first failure (found with ${found}/${seeds} seeds)`,
      );
    }
    line(
      `races: ${fx.target}, pct/uniform trials to first failure (goal ≤ 0.2 on the deep fixtures)`,
      ratio(per.pct!.trials, per.uniform!.trials),
    );
  }
}

/** Scheduled trials/s of the six-call workload (upsert, `runs` trials) with 1, 2 and 3 trials at once, next to the same calls driven directly. */
async function parallelThroughput(runs: number) {
  console.log(`-- scheduled trials in parallel: upsert, six-call workload, ${runs} trials a cell --`);
  const base = await cell('upsert', fixed, 'scheduled', 1);
  for (const n of [1, 2, 3]) {
    const { r, ms } = await cell('upsert', fixed, 'scheduled', runs, { trialsInParallel: n });
    line(`parallel: scheduled trials/s, ${n} trial(s) at once`, round1(r.runs / ((ms - base.ms) / 1000)));
  }
  const uniform = await cell('upsert', fixed, 'scheduled', runs, { scheduler: 'uniform' });
  line('parallel: scheduled trials/s, 1 at a time, --scheduler uniform', round1(uniform.r.runs / ((uniform.ms - base.ms) / 1000)));
  const direct = await driveDirectly(upsert, server, `chatfuzz_${runId}_floor`, SIX_CALLS, runs);
  line('parallel: the same six calls driven directly, no harness (trials/s)', round1(direct.callsPerSec / 6));
}

try {
  if (onlyParallel) {
    await parallelThroughput(argNumber('--runs', 200));
  } else if (onlyRaces) {
    await raceFixtures(argNumber('--seeds', 10), argNumber('--cap', 1000));
    await writeFile(path.join(import.meta.dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  } else {
    console.log(`-- speed: ${os.cpus().length} cores, ${out.server} --`);
    // Process start to the first verdict: the embedded server from its warm cache (the first run fills it), then a running server.
    await chatfuzz([
      '--target',
      'upsert',
      '--scenario',
      'concurrent-duplicates',
      '--runs',
      '20',
      '--ci',
      '--report',
      path.join(reportDir, 'warm'),
    ]);
    const firstEmbedded: number[] = [];
    const firstUrl: number[] = [];
    for (let i = 0; i < 3; i++) {
      const e = await chatfuzz([
        '--target',
        'upsert',
        '--scenario',
        'concurrent-duplicates',
        '--runs',
        '20',
        '--ci',
        '--report',
        path.join(reportDir, `fe${i}`),
      ]);
      firstEmbedded.push(e.firstVerdictMs ?? NaN);
      const u = await chatfuzz([
        '--target',
        'upsert',
        '--scenario',
        'concurrent-duplicates',
        '--runs',
        '20',
        '--ci',
        '--db',
        server.adminUrl,
        '--report',
        path.join(reportDir, `fu${i}`),
      ]);
      firstUrl.push(u.firstVerdictMs ?? NaN);
    }
    line(
      'first verdict: process start → first cell verdict, embedded server (warm cache), ms (median of 3; goal ≤ 1500)',
      Math.round(median(firstEmbedded)),
    );
    line("first verdict: same on the bench's running server (--db), ms (median of 3)", Math.round(median(firstUrl)));

    // Cell set-up: a copy of the target's template database, the pools, the store and the control connection; then the drop.
    const tpl = await createRunDatabase(server, `chatfuzz_${runId}_tpl`);
    await applySchema(tpl.url, upsert);
    const [loadedUpsert] = await loadTargets(['upsert'], { registry, scenarioNames: builtinScenarios.map((s) => s.name) });
    const setup = async (template?: string) => {
      const t = performance.now();
      const c = await openCellEnv({
        run: { runId, mode: 'scheduled', seed: 1, runs: 1, callTimeoutMs: 5000, reportDir },
        target: loadedUpsert!,
        server,
        cellIndex: 1000 + cellIndex++,
        ...(template ? { template } : {}),
      });
      await c.close();
      return performance.now() - t;
    };
    const fromTemplate: number[] = [];
    const fromScratch: number[] = [];
    for (let i = 0; i < 7; i++) {
      fromTemplate.push(await setup(tpl.name));
      fromScratch.push(await setup());
    }
    await tpl.drop();
    line("cell set-up + tear-down, copied from the target's template, ms (median of 7)", round1(median(fromTemplate)));
    line('cell set-up + tear-down, empty database + schema (before), ms (median of 7)', round1(median(fromScratch)));

    // Stress mode against the same calls driven with no harness at all, alternating.
    const unharnessed: number[] = [];
    const stress: number[] = [];
    for (let round = 0; round < 2; round++) {
      unharnessed.push((await driveDirectly(upsert, server, `chatfuzz_${runId}_direct${round}`, SIX_CALLS, 200)).callsPerSec);
      const ends: number[] = [];
      const { r } = await cell('upsert', fixed, 'stress', 220, {
        hooks: {
          reporters: [
            {
              onTrial: (p) => {
                ends[p.trials - 1] = p.elapsedMs;
              },
            },
          ],
        },
      });
      const counted = ends.slice(20);
      stress.push(((counted.length - 1) * (r.calls / r.runs)) / ((counted.at(-1)! - counted[0]!) / 1000));
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    line('stress: calls/s, upsert 6-call workload through the harness (trials 21..220, 2 rounds)', round1(avg(stress)));
    line('stress: calls/s, the same calls driven directly (no gate, snapshot or checks)', round1(avg(unharnessed)));
    line('stress: harness/direct ratio (goal ≥ 0.8)', ratio(avg(stress), avg(unharnessed)));

    if (!skipMatrix) {
      // The whole built-in matrix as `npm run fuzz -- --all` runs it (every built-in target × scenario, 100 trials a cell), on this server.
      const matrix = ['--all', '--seed', '1', '--db', server.adminUrl];
      const one = await chatfuzz([...matrix, '--workers', '1', '--report', path.join(reportDir, 'm1')]);
      const many = await chatfuzz([...matrix, '--report', path.join(reportDir, 'mN')]);
      line('matrix: `npm run fuzz -- --all`, --workers 1, s', round1(one.ms / 1000));
      line(`matrix: the same, default workers (${os.availableParallelism()}), s (goal ≤ 25)`, round1(many.ms / 1000));
      line('matrix: speed-up of the default workers', ratio(one.ms, many.ms));
      if (one.code !== 0 || many.code !== 0)
        line('matrix: exit codes (1 = some cell missed its expectation)', `${one.code} / ${many.code}`);
    }

    // Per-cell setup (CREATE DATABASE, schema, pools) measured with a single trial.
    const one = await cell('upsert', fixed, 'scheduled', 1);
    line('cell setup + 1 scheduled trial, ms', Math.round(one.ms));
    for (const mode of ['scheduled', 'stress'] as const) {
      const { r, ms } = await cell('upsert', fixed, mode, 200);
      line(`${mode}: trials/s, 6-call workload (upsert, 200 trials)`, Math.round((r.runs / ((ms - one.ms) / 1000)) * 10) / 10);
    }
    const kills = builtinScenarios.find((s) => s.name === 'retry-after-error')!;
    const k = await cell('upsert', kills, 'scheduled', 100);
    line('retry-after-error: scheduled trials/s (upsert, with kills)', Math.round((k.r.runs / (k.ms / 1000)) * 10) / 10);
    const mmfr = builtinScenarios.find((s) => s.name === 'multi-message-first-request')!;
    const naive = await cell('naive', mmfr, 'scheduled', 100, { seed: 42 });
    line('naive × multi-message-first-request: ms to the shrunk counterexample', Math.round(naive.ms));
    line('  … first failure at trial / shrunk to calls', `${naive.r.runsToFirstFailure} / ${naive.r.failure?.counterexample.ops.length}`);
    const dup = builtinScenarios.find((s) => s.name === 'concurrent-duplicates')!;
    for (const prune of [false, true]) {
      const e = await cell('session-first', dup, 'exhaustive', 2, { prune });
      line(`exhaustive session-first × concurrent-duplicates, prune ${prune}`, {
        schedules: e.r.exploration!.interleavings,
        pruned: e.r.exploration!.pruned,
        ms: Math.round(e.ms),
      });
    }
    const prisma = await cell('assistant-logging-after', dup, 'scheduled', 100, { seed: 3 });
    line('assistant-logging-after × concurrent-duplicates (Prisma), ms to verdict', Math.round(prisma.ms));
    line('memory: heap used after the run, MiB', Math.round(process.memoryUsage().heapUsed / 2 ** 20));
    // The wire gate against the pool gate: upsert's logic both ways, on the six-call workload.
    console.log(
      "-- wire gate: upsert's logic via ctx.pool (pool gate) and via a pg.Pool per client on ctx.databaseUrl (bench/upsert-wire-target.ts) --",
    );
    const ROUNDS = 2;
    const RUNS = 150;
    line('wire: cells alternate pool/wire, rounds × trials each', `${ROUNDS} × ${RUNS} (rates over trials 2..N of each cell)`);
    const [viaPool, viaWire] = await compare('upsert', 'upsert-wire', fixed, 'scheduled', ROUNDS, RUNS);
    const wireRatio = ratio(viaWire.trialsPerSec, viaPool.trialsPerSec);
    line('wire: scheduled trials/s, 6-call workload, pool gate (upsert)', round1(viaPool.trialsPerSec));
    line('wire: scheduled trials/s, 6-call workload, wire gate (upsert-wire)', round1(viaWire.trialsPerSec));
    line('wire: scheduled wire/pool ratio (goal ≥ 0.7)', `${wireRatio} (${wireRatio >= 0.7 ? 'goal met' : 'goal NOT met'})`);
    // Stress mode, both through the harness: upsert-wire's pools on the proxy (every statement recorded by the gate) against the same pools connected straight to the database (no gate sees them).
    const [proxied, direct] = await compare('upsert-wire', 'upsert-wire-direct', fixed, 'stress', ROUNDS, RUNS);
    line('wire: stress calls/s, upsert-wire pools through the proxy + gate', round1(proxied.callsPerSec));
    line('wire: stress calls/s, same pools straight to the db (no proxy, no gate)', round1(direct.callsPerSec));
    line('wire: stress proxy/direct ratio', ratio(proxied.callsPerSec, direct.callsPerSec));
    const failed = Object.entries({ viaPool, viaWire, proxied, direct })
      .filter(([, m]) => !m.passed)
      .map(([k]) => k);
    if (failed.length) line('wire: cells that did not pass (their rates are suspect)', failed.join(', '));
    await parallelThroughput(200);
    await raceFixtures(10, 1000);
    await writeFile(path.join(import.meta.dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  }
} finally {
  await rm(reportDir, { recursive: true, force: true });
  await server.stop();
}
