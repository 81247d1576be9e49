import type { Scenario } from '../harness/workload/scenario.js';
import { multiMessageFirstRequest } from './multi-message-first-request.js';
import { logBeforeCreate } from './log-before-create.js';
import { concurrentDuplicates } from './concurrent-duplicates.js';
import { parallelFirstMessages } from './parallel-first-messages.js';
import { retryAfterError } from './retry-after-error.js';
import { unknownUser } from './unknown-user.js';
import { crossUser } from './cross-user.js';
import { deleteWhileLogging } from './delete-while-logging.js';
import { hostileInput } from './hostile-input.js';
import { mixed } from './mixed.js';
import { deleteByOther } from './delete-by-other.js';
import { operations } from './operations.js';

/** The built-in scenarios, in the order runs and reports list them (the documented order). */
export const builtinScenarios: readonly Scenario[] = [
  multiMessageFirstRequest,
  logBeforeCreate,
  concurrentDuplicates,
  parallelFirstMessages,
  retryAfterError,
  unknownUser,
  crossUser,
  deleteWhileLogging,
  hostileInput,
  mixed,
  // Declared app semantics (issue 24).
  deleteByOther,
  operations,
];
