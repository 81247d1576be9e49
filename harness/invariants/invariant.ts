import type { History } from '../history/history.js';
import type { InvariantName, OperationDefinition, Snapshot } from '../contract/define-target.js';

/** One broken promise, explained in one sentence that names rows and calls. */
export interface Violation {
  invariant: InvariantName;
  message: string;
  /** Indexes of the calls involved. */
  calls: number[];
  sqlstate?: string;
  /** The Prisma error code (P2002, P2003, …) when the error came through Prisma. */
  prismaCode?: string;
  constraint?: string;
  /** Without a SQLSTATE: what the trial shows of the cause (violation-cause.ts), so distinct causes under one invariant are told apart. */
  cause?: string;
}

/** A checker: a pure function of the trial's history and the database snapshot. */
export interface Invariant {
  name: InvariantName;
  description: string;
  /** `model`: the target's declared operations, for the checkers of a sequential model (Issue 25). */
  check(history: History, snapshot: Snapshot, model?: InvariantModel): Violation[];
}

/** Issue 25: what a checker of the target's sequential model needs from its definition. */
export interface InvariantModel {
  operations: Record<string, OperationDefinition<any, any>>;
}
