import type { CliOptions } from './parse-args.js';
import { missingPackages } from '../require-packages.js';

/**
 * What `npm run fuzz` plays without a config, --target, --scenario, --replay, --shard or --all: a
 * bug and its fix side by side (naive, session-first, upsert, and one target through the wire gate)
 * on four scenarios, with a fixed seed and few trials, so a first run ends in seconds, exits 0 and
 * tells the same story every time.
 */
export interface DemoPlan {
  targets: string[];
  scenarios: string[];
  runs: number;
  seed: number;
  skipped: string[];
}

const WIRE_TARGET = 'postgresjs-session-first';
const WIRE_PACKAGES = ['postgres'];

/** The demo for these options, or undefined when they ask for something else (a config's targets, --all, …). */
export function demoPlan(
  opts: CliOptions,
  hasConfig: boolean,
  replaying: boolean,
  // The wire target needs postgres.js, an optional peer dependency: without it the demo shows the other three.
  wire = missingPackages(WIRE_PACKAGES).length === 0,
): DemoPlan | undefined {
  if (hasConfig || replaying || opts.all || opts.targets !== null || opts.scenarios !== null || opts.shard !== null) return undefined;
  return {
    targets: ['naive', 'session-first', 'upsert', ...(wire ? [WIRE_TARGET] : [])],
    scenarios: ['concurrent-duplicates', 'log-before-create', 'multi-message-first-request', 'cross-user'],
    runs: 10,
    seed: 1,
    skipped: wire ? [] : [`${WIRE_TARGET} (npm install -D ${WIRE_PACKAGES.join(' ')})`],
  };
}

/** The lines after a demo's report: what it was, and the commands for the whole matrix and for the user's own code. */
export function demoFooter(plan: DemoPlan, builtinCount: number, scenarioCount: number): string {
  return (
    [
      `this was the demo: ${plan.targets.length} of ${builtinCount} built-in targets × ${plan.scenarios.length} of ${scenarioCount} scenarios, ${plan.runs} trials a cell, seed ${plan.seed}` +
        (plan.skipped.length ? ` (skipped ${plan.skipped.join(', ')})` : ''),
      `  the whole built-in matrix: npm run fuzz -- --all · every failure in full: --verbose · your own code: npx chatfuzz init`,
    ].join('\n') + '\n'
  );
}
