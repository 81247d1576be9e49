/** How far an exploration got. */
export interface ExplorationResult { explored: number; complete: boolean }

/**
 * Runs every schedule of one workload, depth first: each run returns how many statements were
 * waiting at each of its decisions, and the next run takes the next unexplored branch.
 */
export async function exploreInterleavings(
  run: (choices: number[]) => Promise<number[]>,
  o: { cap: number; deadline: number },
): Promise<ExplorationResult> {
  let prefix: number[] = [];
  let explored = 0;
  for (;;) {
    const branching = await run(prefix);
    explored++;
    const used = branching.map((_, i) => prefix[i] ?? 0);
    let i = branching.length - 1;
    while (i >= 0 && used[i]! + 1 >= branching[i]!) i--;
    if (i < 0) return { explored, complete: true };
    if (explored >= o.cap || performance.now() > o.deadline) return { explored, complete: false };
    prefix = [...used.slice(0, i), used[i]! + 1];
  }
}
