import type { DatabaseServer } from '../db/database-server.js';
import { redactUrl } from '../db/redact-url.js';
import { assembleResults } from './assemble-results.js';
import { cellWithoutTrials } from './cell-without-trials.js';
import type { CellResult, RunResults } from './results.js';
import { matrixCells, type FuzzPlan } from './run-fuzz.js';

/** The signals that interrupt a run, with the exit code a shell reports for each (128 + its number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** A signal that interrupts a run. */
export type InterruptSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * results.json of a run a signal stopped: the cells that finished keep their verdicts, every
 * other cell of the plan is `not-run` (never a pass), `interrupted` names the signal and the
 * exit code is the process's.
 */
export function interruptedResults(
  plan: FuzzPlan,
  server: Pick<DatabaseServer, 'kind' | 'serverVersion' | 'adminUrl'>,
  startedAt: Date,
  finished: readonly CellResult[],
  signal: InterruptSignal,
): RunResults {
  const cells = matrixCells(plan).map(({ target, scenario }): CellResult => {
    const done = finished.find((c) => c.target === target.def.name && c.scenario === scenario.name);
    return (
      done ??
      cellWithoutTrials(target, scenario.name, plan.run.mode, {
        outcome: 'not-run',
        ok: false,
        note: `not run: the run was interrupted (${signal}) before this cell finished`,
      })
    );
  });
  const db: RunResults['db'] = {
    kind: server.kind,
    serverVersion: server.serverVersion,
    ...(server.kind === 'url' ? { url: redactUrl(server.adminUrl) } : {}),
  };
  return {
    ...assembleResults(plan, db, startedAt, Date.now() - startedAt.getTime(), cells),
    interrupted: signal,
    exitCode: SIGNAL_EXIT_CODES[signal],
  };
}
