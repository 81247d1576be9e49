import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { CaseFile } from '../cases/case-file.js';
import type { Scenario } from '../workload/scenario.js';
import { CI_DEFAULT_TIME_BUDGET_MS, resolvePlan, type PlanInput } from './resolve-plan.js';
import { readFlags } from './parse-args.js';

const scenarios = ['mixed', 'cross-user', 'hostile-input'].map((name) => ({ name, description: name }) as unknown as Scenario);
const input = (argv: string[], more: Partial<PlanInput> = {}): PlanInput => ({
  flags: readFlags(argv),
  runId: 'r1',
  cwd: '/work/app',
  env: {},
  freshSeed: 42,
  scenarios,
  builtinTargets: ['naive', 'upsert'],
  ...more,
});
const config = (defaults: NonNullable<PlanInput['config']>['defaults']) => ({ file: '/work/app/chatfuzz.config.ts', defaults });
const replayCase = (c: Partial<CaseFile> = {}): CaseFile => ({
  chatfuzz: '1',
  target: 'naive',
  targetSpec: 'naive',
  scenario: 'cross-user',
  mode: 'exhaustive',
  seed: 7,
  invariant: 'no-fk-error',
  workload: { clients: [] } as unknown as CaseFile['workload'],
  choices: [1, 0],
  ...c,
});

describe('resolvePlan', () => {
  it('without flags or config: the short demo (four targets, four scenarios, 10 runs, seed 1), and its footer data', () => {
    const demoScenarios = ['concurrent-duplicates', 'log-before-create', 'multi-message-first-request', 'cross-user', 'mixed'].map(
      (name) => ({ name, description: name }) as unknown as Scenario,
    );
    const plan = resolvePlan(input([], { scenarios: demoScenarios, demoWire: true }));
    expect(plan).toMatchObject({ seed: 1, runs: 10, targetSpecs: ['naive', 'session-first', 'upsert', 'postgresjs-session-first'] });
    expect(plan.scenarios.map((s) => s.name)).toEqual([
      'concurrent-duplicates',
      'log-before-create',
      'multi-message-first-request',
      'cross-user',
    ]);
    expect(resolvePlan(input([], { scenarios: demoScenarios, demoWire: false })).targetSpecs).toEqual(['naive', 'session-first', 'upsert']);
    // A choice of targets, of scenarios, a config or --all is not the demo.
    expect(resolvePlan(input(['--target', 'naive'], { scenarios: demoScenarios })).demo).toBeNull();
    expect(resolvePlan(input(['--all'], { scenarios: demoScenarios })).demo).toBeNull();
  });

  it('with --all and no config: every built-in target and scenario, 100 runs, a fresh seed, reports/runs/<run id>', () => {
    const plan = resolvePlan(input(['--all']));
    expect(plan).toMatchObject({
      runId: 'r1',
      mode: 'scheduled',
      seed: 42,
      runs: 100,
      timeBudgetMs: null,
      ciTimeBudget: false,
      callTimeoutMs: 5000,
      targetSpecs: ['naive', 'upsert'],
      reportDir: '/work/app/reports/runs/r1',
      reportDirGiven: false,
      replay: null,
      reporters: ['default'],
      configFile: null,
      json: false,
      ci: false,
      workers: null,
      shard: null,
      baselineFile: null,
    });
    expect(plan.scenarios.map((s) => s.name)).toEqual(['mixed', 'cross-user', 'hostile-input']);
  });

  it('is frozen, and so are its lists', () => {
    const plan = resolvePlan(input(['--all', '--mode', 'stress', '--latency', '0-5ms']));
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.targetSpecs)).toBe(true);
    expect(Object.isFrozen(plan.scenarios)).toBe(true);
    expect(Object.isFrozen(plan.latency)).toBe(true);
    expect(Object.isFrozen(scenarios)).toBe(false);
  });

  it('takes the config as defaults and lets every flag win', () => {
    const c = config({
      targets: ['./t.ts'],
      scenarios: ['mixed'],
      runs: 7,
      seed: 5,
      reportDir: './out',
      reporters: ['default', './r.ts'],
      mode: 'exhaustive',
    });
    expect(resolvePlan(input([], { config: c }))).toMatchObject({
      targetSpecs: ['./t.ts'],
      runs: 7,
      seed: 5,
      reportDir: '/work/app/out',
      reportDirGiven: true,
      reporters: ['default', './r.ts'],
      mode: 'exhaustive',
      configFile: '/work/app/chatfuzz.config.ts',
    });
    expect(resolvePlan(input(['--target', 'naive', '--runs', '2', '--seed', '9', '--mode', 'scheduled'], { config: c }))).toMatchObject({
      targetSpecs: ['naive'],
      runs: 2,
      seed: 9,
      mode: 'scheduled',
    });
  });

  it('defaults runs by mode, and --ci gives a time budget only when no --runs is set', () => {
    expect(resolvePlan(input(['--all', '--mode', 'exhaustive'])).runs).toBe(3);
    expect(resolvePlan(input(['--all', '--ci']))).toMatchObject({ timeBudgetMs: CI_DEFAULT_TIME_BUDGET_MS, ciTimeBudget: true, ci: true });
    expect(resolvePlan(input(['--all', '--ci', '--runs', '5']))).toMatchObject({ timeBudgetMs: null, ciTimeBudget: false });
    expect(resolvePlan(input(['--all', '--ci', '--time-budget', '1m']))).toMatchObject({ timeBudgetMs: 60_000, ciTimeBudget: false });
  });

  it('a replay runs its case: its target, scenario, seed and mode (exhaustive replays scheduled), 20 runs; --target and --seed win', () => {
    const r = replayCase();
    const plan = resolvePlan(input(['--replay', 'c.json'], { replay: r, config: config({ targets: ['./t.ts'], seed: 3 }) }));
    expect(plan).toMatchObject({
      targetSpecs: ['naive'],
      seed: 7,
      mode: 'scheduled',
      runs: 20,
      replay: { file: 'c.json', case: r, targetGiven: false },
    });
    expect(plan.scenarios.map((s) => s.name)).toEqual(['cross-user']);
    expect(resolvePlan(input(['--replay', 'c.json', '--target', 'upsert', '--seed', '1'], { replay: r }))).toMatchObject({
      targetSpecs: ['upsert'],
      seed: 1,
      replay: { targetGiven: true },
    });
    expect(resolvePlan(input(['--replay', 'c.json'], { replay: replayCase({ mode: 'stress' }) })).mode).toBe('stress');
  });

  it('names the fix for a replay case without a target spec, an unknown scenario, and --shard without a seed', () => {
    expect(() => resolvePlan(input(['--replay', 'c.json'], { replay: replayCase({ target: 'mine', targetSpec: '' }) }))).toThrow(
      /--replay c\.json: the case file does not say where target "mine" is loaded from .* --target \.\/path\/to\/target\.ts/,
    );
    expect(() => resolvePlan(input(['--scenario', 'nope']))).toThrow(
      /unknown scenario "nope"\. Valid scenarios: mixed, cross-user, hostile-input/,
    );
    expect(() => resolvePlan(input(['--shard', '1/2']))).toThrow(UsageError);
    expect(resolvePlan(input(['--shard', '1/2'], { env: { GITHUB_RUN_ID: '123' } })).seed).toBe(
      resolvePlan(input(['--shard', '2/2'], { env: { GITHUB_RUN_ID: '123' } })).seed,
    );
  });
});
