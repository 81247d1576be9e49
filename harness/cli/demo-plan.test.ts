import { describe, expect, it } from 'vitest';
import { demoFooter, demoPlan } from './demo-plan.js';
import { parseArgs } from './parse-args.js';
import { builtinTargets } from '../../targets/builtin-targets.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';

describe('demoPlan', () => {
  it('a bare run plays the demo: built-in targets and scenarios that exist, a fixed seed, few trials', () => {
    const plan = demoPlan(parseArgs([]), false, false)!;
    expect(plan.targets).toEqual(['naive', 'session-first', 'upsert', 'postgresjs-session-first']);
    for (const t of plan.targets) expect(Object.hasOwn(builtinTargets, t)).toBe(true);
    for (const s of plan.scenarios) expect(builtinScenarios.map((x) => x.name)).toContain(s);
    expect(plan.scenarios).toHaveLength(4);
    expect(plan).toMatchObject({ runs: 10, seed: 1, skipped: [] });
    // Flags that do not choose the cells keep the demo.
    expect(demoPlan(parseArgs(['--verbose', '--db', 'embedded', '--workers', '1']), false, false)).toBeDefined();
  });

  it('--all, --target, --scenario, --shard, a config or a replay choose the cells themselves', () => {
    expect(demoPlan(parseArgs(['--all']), false, false)).toBeUndefined();
    expect(demoPlan(parseArgs(['--target', 'upsert']), false, false)).toBeUndefined();
    expect(demoPlan(parseArgs(['--scenario', 'cross-user']), false, false)).toBeUndefined();
    expect(demoPlan(parseArgs(['--shard', '1/2', '--seed', '3']), false, false)).toBeUndefined();
    expect(demoPlan(parseArgs([]), true, false)).toBeUndefined();
    expect(demoPlan(parseArgs([]), false, true)).toBeUndefined();
  });

  it('the footer names the whole-matrix command', () => {
    const plan = demoPlan(parseArgs([]), false, false)!;
    expect(demoFooter(plan, 17, 10)).toContain('npm run fuzz -- --all');
    expect(demoFooter({ ...plan, skipped: ['postgresjs-session-first (npm install -D postgres)'] }, 17, 10)).toContain(
      'skipped postgresjs-session-first (npm install -D postgres)',
    );
  });
});
