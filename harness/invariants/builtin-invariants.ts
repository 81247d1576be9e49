import type { Invariant } from './invariant.js';
import { noFkError } from './no-fk-error.js';
import { noDbError } from './no-db-error.js';
import { noLeaks } from './no-leaks.js';
import { noCrash } from './no-crash.js';
import { noOrphans } from './no-orphans.js';
import { ackedDurable } from './acked-durable.js';
import { noDuplicates } from './no-duplicates.js';
import { sessionOwnership } from './session-ownership.js';
import { orderPreserved } from './order-preserved.js';
import { noPhantomWrites } from './no-phantom-writes.js';
import { validCallsSucceed } from './valid-calls-succeed.js';
import { deleteOwnership } from './delete-ownership.js';
import { deletedStaysDeleted } from './deleted-stays-deleted.js';
import { serializable } from './serializable.js';

/** The built-in invariants, in reporting priority: a trial's verdict names the first one violated. */
export const builtinInvariants: readonly Invariant[] = [
  noFkError,
  noDbError,
  noLeaks,
  noCrash,
  noOrphans,
  ackedDurable,
  noDuplicates,
  sessionOwnership,
  deleteOwnership,
  deletedStaysDeleted,
  orderPreserved,
  noPhantomWrites,
  validCallsSucceed,
  serializable,
];
