// The explorer on a model of the gate (no database): calls are lists of statements, and a run's
// outcome is the order in which non-commuting statements ran, which is what a database can observe.
import { describe, expect, it } from 'vitest';
import { exploreInterleavings } from './explore-interleavings.js';
import { commute } from './commuting-statements.js';
import type { DecisionOption } from '../gate/scheduled-gate.js';

const R = 'SELECT 1 FROM chat_sessions WHERE id = $1';
const W = 'INSERT INTO chat_sessions (id, user_id) VALUES ($1, $2)';

/** Runs the model once under `chooser` and returns the observable trace. */
function model(calls: string[][]) {
  return (chooser: (k: number, o: readonly DecisionOption[]) => number) => {
    const next = calls.map(() => 0);
    const ran: DecisionOption[] = [];
    for (let k = 0; ; k++) {
      const options = calls.flatMap((c, call) =>
        next[call]! < c.length ? [{ call, ordinal: next[call]! + 1, sql: c[next[call]!]! }] : [],
      );
      if (!options.length) break;
      const pick = options[chooser(k, options)]!;
      next[pick.call]!++;
      ran.push(pick);
    }
    // Canonical form of the trace: for every non-commuting pair, which ran first.
    const order: string[] = [];
    ran.forEach((a, i) =>
      ran.slice(i + 1).forEach((b) => {
        if (a.call !== b.call && !commute(a, b)) order.push(`${a.call}:${a.ordinal}<${b.call}:${b.ordinal}`);
      }),
    );
    return order.sort().join(' ');
  };
}

async function explore(calls: string[][], prune: boolean) {
  const run = model(calls);
  const traces = new Set<string>();
  const r = await exploreInterleavings(
    async (chooser) => {
      traces.add(run(chooser));
    },
    { cap: 100_000, deadline: Infinity, prune },
  );
  return { ...r, traces };
}

describe('exploreInterleavings', () => {
  it('without pruning runs every interleaving: C(4,2) = 6 for two calls of two statements', async () => {
    const r = await explore(
      [
        [R, W],
        [R, W],
      ],
      false,
    );
    expect(r).toMatchObject({ explored: 6, complete: true, pruned: 0 });
  });

  it('two calls of read-then-write (the check-then-insert race): pruning skips the order of the two reads and keeps every trace', async () => {
    const full = await explore(
      [
        [R, W],
        [R, W],
      ],
      false,
    );
    const pruned = await explore(
      [
        [R, W],
        [R, W],
      ],
      true,
    );
    expect(pruned.traces).toEqual(full.traces);
    expect(pruned.explored).toBeLessThan(full.explored);
    expect(pruned.explored + pruned.pruned).toBeGreaterThanOrEqual(full.traces.size);
  });

  it('three calls of read, read, write: far fewer runs, every distinct outcome still reached', async () => {
    const calls = [
      [R, R, W],
      [R, R, W],
      [R, W],
    ];
    const full = await explore(calls, false);
    const pruned = await explore(calls, true);
    expect(full.explored).toBe(560); // 8! / (3! 3! 2!)
    expect(pruned.traces).toEqual(full.traces);
    expect(pruned.explored).toBeLessThan(full.explored / 3);
  });

  it('only writes: nothing commutes, nothing is pruned', async () => {
    const r = await explore(
      [
        [W, W],
        [W, W],
      ],
      true,
    );
    expect(r).toMatchObject({ explored: 6, pruned: 0, redundant: 0 });
  });

  it('stops at the cap and says it is incomplete', async () => {
    const r = await exploreInterleavings(
      async (chooser) => {
        model([
          [W, W, W],
          [W, W, W],
        ])(chooser);
      },
      { cap: 5, deadline: Infinity },
    );
    expect(r).toMatchObject({ explored: 5, complete: false });
  });
});
