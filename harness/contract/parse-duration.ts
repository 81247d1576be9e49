import { UsageError } from '../errors.js';

/** The durations a run can work with: a call timeout too short for one round trip times every call out; timers overflow past 2^31 ms. */
export const DURATION_RANGES = {
  callTimeout: { minMs: 100, maxMs: 3_600_000 },
  timeBudget: { minMs: 1000, maxMs: 86_400_000 },
} as const;

/** Parses a duration such as `30s`, `500ms`, `2m` or a bare number of seconds; with `range`, one outside it is a UsageError too. */
export function parseDuration(text: string, flag: string, range?: { minMs: number; maxMs: number }): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a duration like 500ms, 30s or 2m (got "${text}")`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
  const problem = range && durationRangeProblem(ms, range);
  if (problem) throw new UsageError(`${flag} ${problem} (got "${text}")`);
  return ms;
}

/** Why `ms` is outside `range` ("must be from 100ms to 1h"), or undefined when it is inside. */
export function durationRangeProblem(ms: number, range: { minMs: number; maxMs: number }): string | undefined {
  return ms >= range.minMs && ms <= range.maxMs ? undefined : `must be from ${formatMs(range.minMs)} to ${formatMs(range.maxMs)}`;
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
