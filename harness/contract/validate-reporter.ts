/** The hooks a reporter may have (harness/run/reporter.ts), in the order a run calls them. */
export const REPORTER_HOOKS = ['onRunStart', 'onCellStart', 'onTrial', 'onCellEnd', 'onRunEnd'] as const;

/** Problems with what a reporter module made, one sentence each; empty when it is a Reporter with at least one hook. */
export function validateReporter(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [
      `it must be a Reporter, an object with one or more of ${REPORTER_HOOKS.join(', ')} (got ${value === null ? 'null' : typeof value})`,
    ];
  }
  const r = value as Record<string, unknown>;
  const problems = REPORTER_HOOKS.filter((h) => r[h] !== undefined && typeof r[h] !== 'function').map(
    (h) => `\`${h}\` must be a function, not ${typeof r[h]}`,
  );
  if (!REPORTER_HOOKS.some((h) => typeof r[h] === 'function'))
    problems.push(`it has none of the hooks ${REPORTER_HOOKS.join(', ')}: a reporter that hears nothing is likely a mistake`);
  return problems;
}
