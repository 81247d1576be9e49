import type { RunCase, TrialRun } from './case-strategy.js';
import type { TrialResult } from '../execute/run-trial.js';
import type { Chooser } from '../gate/scheduled-gate.js';
import type { CallSpec, Workload } from '../workload/workload.js';

/** A smaller workload and, per old call index, its new one (undefined when the call was dropped). */
interface Candidate {
  workload: Workload;
  index: (old: number) => number | undefined;
}

/**
 * Shrinks a failing scheduled case further than fast-check can: schedule choices are indexes
 * into whatever is waiting, so the same choices on a workload without an unrelated client run
 * another schedule, and fast-check keeps clients the bug does not need. This tries the case
 * without each whole client, then without each call (a faulted call with its retry), replaying
 * the remaining calls' statements in the order they ran, and keeps every smaller case that
 * still fails as `stillFails` says; the picks it ran become the case's choices.
 */
export async function dropCalls(
  found: TrialRun,
  stillFails: (r: TrialResult) => boolean,
  runCase: RunCase,
): Promise<{ run: TrialRun; shrinks: number }> {
  let best = found;
  let shrinks = 0;
  const attempt = async (c: Candidate): Promise<boolean> => {
    const order = (best.result.schedule ?? []).map((s) => c.index(s.call)).filter((i): i is number => i !== undefined);
    let next = 0;
    // Follow the order the statements ran in; a statement that order no longer names goes first-come.
    const chooser: Chooser = (_k, options) => {
      const i = options.findIndex((o) => o.call === order[next]);
      if (i < 0) return 0;
      next++;
      return i;
    };
    const tried = { workload: c.workload, chooser } as { workload: Workload; chooser?: Chooser; choices?: number[] };
    const result = await runCase(tried);
    if (!result || !stillFails(result)) return false;
    best = { case: { workload: c.workload, choices: result.picks ?? tried.choices ?? [] }, result };
    shrinks++;
    return true;
  };
  for (let ci = best.case.workload.clients.length - 1; ci >= 0; ci--) {
    if (best.case.workload.clients.length > 1) await attempt(without(best.case.workload, (client) => client === ci));
  }
  for (let ci = best.case.workload.clients.length - 1; ci >= 0; ci--) {
    for (let k = best.case.workload.clients[ci]!.length - 1; k >= 0; k--) {
      const calls = best.case.workload.clients[ci]!;
      if (calls[k]?.retry || calls.length + best.case.workload.clients.length <= 2) continue;
      // A faulted call goes together with the retry that follows it.
      const span = calls[k + 1]?.retry ? 2 : 1;
      await attempt(without(best.case.workload, (client, pos) => client === ci && pos >= k && pos < k + span));
    }
  }
  return { run: best, shrinks };
}

/** The workload without the calls `drop` names, with the map from old call indexes (flat, client by client) to new ones. */
function without(w: Workload, drop: (client: number, pos: number) => boolean): Candidate {
  const map = new Map<number, number>();
  let old = 0;
  let kept = 0;
  const clients: CallSpec[][] = [];
  w.clients.forEach((calls, client) => {
    const rest: CallSpec[] = [];
    calls.forEach((call, pos) => {
      if (!drop(client, pos)) {
        map.set(old, kept++);
        rest.push(call);
      }
      old++;
    });
    if (rest.length) clients.push(rest);
  });
  return { workload: { ...w, clients }, index: (i) => map.get(i) };
}
