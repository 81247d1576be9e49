// gate: where a target's statements meet the harness. The target gets a pg.Pool (trial-pool.ts)
// whose every statement, on pooled queries and checked-out clients alike, is handed to the
// current StatementGate together with the call that sent it (call-context.ts). A gate may
// record it and let it through (statement-recorder.ts, stress mode), hold it until the
// scheduler releases it (scheduled-gate.ts), or break it (faults/). Hands on: StatementRecords.
import type { CallContext } from './call-context.js';

/** What the pool knows of a statement before it is sent. */
export interface StatementInfo {
  sql: string;
  params?: unknown[];
  backendPid?: number;
  ctx?: CallContext;
  /** Sends SQL of the harness's own on the same connection, past every gate (fault injection). */
  raw?: (sql: string) => Promise<unknown>;
  /** Resolves when the connection has ended, as the client sees it. */
  ended?: Promise<void>;
  /** The harness itself holds this statement back (an injected timeout): not a lock the schedule should step around. */
  heldByHarness?: boolean;
}

/** Sits between a target and PostgreSQL: may delay, record or hold each statement before `send`. */
export interface StatementGate {
  run<T>(stmt: StatementInfo, send: () => Promise<T>): Promise<T>;
}
