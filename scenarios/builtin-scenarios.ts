import type { Scenario } from './scenario.js';
import { multiMessageFirstRequest } from './multi-message-first-request.js';
import { logBeforeCreate } from './log-before-create.js';
import { concurrentDuplicates } from './concurrent-duplicates.js';

/** The built-in scenarios, in the order runs and reports list them. */
export const builtinScenarios: readonly Scenario[] = [multiMessageFirstRequest, logBeforeCreate, concurrentDuplicates];

/** Scenario names DESIGN.md fixes that have no generator yet: asking for one is a usage error that says so. */
export const PLANNED_SCENARIOS: readonly string[] = [
  'parallel-first-messages', 'retry-after-error', 'unknown-user', 'cross-user', 'delete-while-logging', 'hostile-input', 'mixed',
];
