import { InfraError } from '../errors.js';
import type { TrialResult } from '../execute/run-trial.js';
import { isConnectionLoss } from '../history/classify-error.js';
import type { Workload } from '../workload/workload.js';

/** How many times in a row one case may lose its connection from outside before the run ends (exit 3). */
export const MAX_OUTSIDE_FAULT_ATTEMPTS = 4;

/**
 * What in a trial shows a connection loss the harness did not cause (a restart, a failover, a
 * DBA's pg_terminate_backend), or undefined. A call whose fault fired, or that the fired fault
 * took down with it, carries `fault`; any other call that lost its connection did so from
 * outside. A statement error counts only when the workload injects no faults at all: a driver may
 * retry a statement the harness's kill cut, and its call then succeeds.
 */
export function outsideConnectionLoss(result: TrialResult, workload: Workload): string | undefined {
  const call = result.history.calls.find((c) => !c.fault && isConnectionLoss(c.error));
  if (call) return `${call.label}: ${call.error!.message}`;
  if (workload.clients.some((list) => list.some((spec) => spec.fault))) return undefined;
  const stmt = result.history.statements.find((s) => isConnectionLoss(s.error));
  return stmt ? `a statement of ${stmt.call < 0 ? 'the harness' : `call ${stmt.call}`}: ${stmt.error!.message}` : undefined;
}

/** A cell's count of trials thrown away for outside connection losses, and the InfraError once one case keeps losing it. */
export class OutsideFaults {
  retries = 0;
  error: InfraError | undefined;

  /** Counts a lost trial; true when it may run again, false when the cell must stop (`error` then says why). */
  retry(what: string, attempt: number, stateful: boolean): boolean {
    this.retries++;
    if (stateful) {
      // An exhaustive exploration decides online: the same interleaving cannot be asked for again.
      this.error = new InfraError(
        `the database connection was lost during an exhaustive exploration, not by the harness (${what}); exhaustive mode cannot rerun an interleaving, so the run stops. Is something terminating the run's connections or restarting the server? Run again once it is stable`,
      );
      return false;
    }
    if (attempt + 1 < MAX_OUTSIDE_FAULT_ATTEMPTS) return true;
    this.error = new InfraError(
      `the database connection was lost ${attempt + 1} times in a row on the same trial, not by the harness (last: ${what}); something is terminating the run's connections or restarting the server. No finding was reported for it; run again once the server is stable`,
    );
    return false;
  }
}
