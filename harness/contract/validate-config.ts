import { MODES, SCHEDULERS } from './define-config.js';
import { ISOLATION_LEVELS } from './define-target.js';
import { DURATION_RANGES, durationRangeProblem, parseDuration } from './parse-duration.js';

const FIELDS = [
  'targets',
  'scenarios',
  'mode',
  'scheduler',
  'runs',
  'timeBudget',
  'seed',
  'db',
  'report',
  'ci',
  'baseline',
  'isolation',
  'callTimeout',
  'corpus',
  'workers',
  'reporters',
];

/** Problems with a config file's default export, one sentence each; empty when it is a valid ChatfuzzConfig. */
export function validateConfig(value: unknown): string[] {
  if (typeof value !== 'object' || value === null)
    return ['the default export must be an object made with defineConfig({ targets: [...] })'];
  const c = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(c)) if (!FIELDS.includes(k)) problems.push(`unknown field \`${k}\` (valid: ${FIELDS.join(', ')})`);
  const strings = (k: string, v: unknown) => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.trim() !== ''))
      problems.push(`\`${k}\` must be a non-empty array of strings`);
  };
  if (c.targets === undefined) problems.push("`targets` is missing: list the targets to fuzz, like targets: ['./chatfuzz/target.ts']");
  else strings('targets', c.targets);
  if (c.scenarios !== undefined) strings('scenarios', c.scenarios);
  if (c.reporters !== undefined) strings('reporters', c.reporters);
  if (c.mode !== undefined && !(MODES as readonly unknown[]).includes(c.mode))
    problems.push(`\`mode\` must be one of ${MODES.join(', ')}, not ${JSON.stringify(c.mode)}`);
  if (c.scheduler !== undefined && !(SCHEDULERS as readonly unknown[]).includes(c.scheduler))
    problems.push(`\`scheduler\` must be one of ${SCHEDULERS.join(', ')}, not ${JSON.stringify(c.scheduler)}`);
  if (c.runs !== undefined && !(Number.isInteger(c.runs) && (c.runs as number) >= 1)) problems.push('`runs` must be a positive integer');
  if (c.workers !== undefined && !(Number.isInteger(c.workers) && (c.workers as number) >= 1 && (c.workers as number) <= 64))
    problems.push('`workers` must be an integer from 1 to 64');
  if (c.seed !== undefined && !(Number.isInteger(c.seed) && Math.abs(c.seed as number) <= 2 ** 31))
    problems.push('`seed` must be an integer between -2^31 and 2^31');
  for (const k of ['timeBudget', 'callTimeout'] as const) {
    const v = c[k];
    if (v === undefined) continue;
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? durationMs(v) : undefined;
    if (ms === undefined || !Number.isFinite(ms)) problems.push(`\`${k}\` must be a duration like '30s' or '2m', or milliseconds`);
    else {
      const problem = durationRangeProblem(ms, DURATION_RANGES[k]);
      if (problem) problems.push(`\`${k}\` ${problem} (got ${JSON.stringify(v)})`);
    }
  }
  for (const k of ['db', 'report', 'baseline'])
    if (c[k] !== undefined && (typeof c[k] !== 'string' || c[k] === '')) problems.push(`\`${k}\` must be a non-empty string`);
  for (const k of ['ci', 'corpus']) if (c[k] !== undefined && typeof c[k] !== 'boolean') problems.push(`\`${k}\` must be true or false`);
  if (c.isolation !== undefined && !(ISOLATION_LEVELS as readonly unknown[]).includes(c.isolation))
    problems.push(`\`isolation\` must be one of ${ISOLATION_LEVELS.join(', ')}`);
  return problems;
}

function durationMs(text: string): number | undefined {
  try {
    return parseDuration(text, '');
  } catch {
    return undefined;
  }
}
