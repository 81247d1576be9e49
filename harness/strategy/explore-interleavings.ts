import type { Chooser, DecisionOption } from '../gate/scheduled-gate.js';
import { commute } from './commuting-statements.js';

/** How far an exploration got. */
export interface ExplorationResult {
  /** Schedules run. */
  explored: number;
  complete: boolean;
  /** Branches not run because they only reorder commuting statements of a branch already run. */
  pruned: number;
  /** Runs that found every waiting statement asleep: redundant, run only because a trial cannot stop halfway. */
  redundant: number;
}

interface Node {
  options: readonly DecisionOption[];
  chosen: string;
  /** Siblings already explored from this node. */
  done: string[];
  /** Statements that need not go next here: a sibling already covered every order that starts with them. */
  sleep: Map<string, DecisionOption>;
}

const key = (o: DecisionOption) => `${o.call}:${o.ordinal}`;

/**
 * Runs every schedule of one workload, depth first, replaying a prefix and branching at its
 * end. With `prune`, sleep sets (Godefroid) skip schedules that differ from one already run
 * only by the order of commuting statements; every distinct outcome is still reached.
 */
export async function exploreInterleavings(
  run: (chooser: Chooser) => Promise<void>,
  o: { cap: number; deadline: number; prune?: boolean },
): Promise<ExplorationResult> {
  const prune = o.prune ?? true;
  const stack: Node[] = [];
  let explored = 0;
  let pruned = 0;
  let redundant = 0;
  for (;;) {
    let asleep = false;
    const chooser: Chooser = (k, options) => {
      if (k < stack.length) {
        // Replaying the prefix: the same statements wait as in the run that built it.
        const i = options.findIndex((x) => key(x) === stack[k]!.chosen);
        return i < 0 ? 0 : i;
      }
      const parent = stack[k - 1];
      const sleep = new Map<string, DecisionOption>();
      if (parent && prune) {
        const chosen = parent.options.find((x) => key(x) === parent.chosen)!;
        const covered = [...parent.sleep.values(), ...parent.options.filter((x) => parent.done.includes(key(x)))];
        for (const q of covered) if (commute(q, chosen)) sleep.set(key(q), q);
      }
      const awake = options.find((x) => !sleep.has(key(x)));
      if (!awake) asleep = true;
      const pick = awake ?? options[0]!;
      stack.push({ options, chosen: key(pick), done: [], sleep });
      return options.indexOf(pick);
    };
    await run(chooser);
    explored++;
    if (asleep) redundant++;
    // Backtrack to the deepest node with an awake, unexplored sibling.
    for (;;) {
      const top = stack.at(-1);
      if (!top) return { explored, complete: true, pruned, redundant };
      top.done.push(top.chosen);
      const rest = top.options.filter((x) => !top.done.includes(key(x)));
      const next = rest.find((x) => !top.sleep.has(key(x)));
      if (next) {
        top.chosen = key(next);
        break;
      }
      pruned += rest.length;
      stack.pop();
    }
    if (explored >= o.cap || performance.now() > o.deadline) return { explored, complete: false, pruned, redundant };
  }
}
