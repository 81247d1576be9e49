// The PCT chooser on a pure model of a trial: calls are lists of steps that run one at a time,
// the chooser picks among each call's next step, as the scheduled gate asks it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Chooser, DecisionOption } from '../gate/scheduled-gate.js';
import { changeSteps, pctChooser, pctParams, StepEstimate, PCT_POSITION_UNITS, type PctParams } from './pct-chooser.js';

/** Runs calls of `lengths[i]` steps under `choose`; returns the order as [call, ordinal] pairs. */
function simulate(lengths: number[], choose: Chooser): [number, number][] {
  const next = lengths.map(() => 1);
  const order: [number, number][] = [];
  for (let k = 0; ; k++) {
    const options: DecisionOption[] = lengths.flatMap((n, call) =>
      next[call]! <= n ? [{ call, ordinal: next[call]!, sql: 'SELECT 1' }] : [],
    );
    if (!options.length) return order;
    const o = options[choose(k, options)]!;
    order.push([o.call, o.ordinal]);
    next[o.call]!++;
  }
}

/** A lost update 10 steps into each of two 12-step calls: both read (step 10) before either writes (step 11). */
function lostUpdate(order: [number, number][]): boolean {
  const at = (call: number, ordinal: number) => order.findIndex(([c, o]) => c === call && o === ordinal);
  return at(0, 10) < at(1, 11) && at(1, 10) < at(0, 11);
}

describe('pctChooser', () => {
  it('without change points runs the calls one after another, highest priority first', () => {
    const order = simulate([3, 2, 2], pctChooser({ priorities: [5, 9, 1], changePoints: [] }, 7));
    expect(order.map(([c]) => c)).toEqual([1, 1, 0, 0, 0, 2, 2]);
  });

  it('at a change point the running call drops below every other one', () => {
    // Change point at step 1 of 7: call 1 ran step 0, then calls 0 and 2 both go before its last step.
    const p: PctParams = { priorities: [5, 9, 1], changePoints: [Math.ceil(PCT_POSITION_UNITS / 7)] };
    expect(changeSteps(p, 7)).toEqual([1]);
    expect(simulate([3, 2, 2], pctChooser(p, 7)).map(([c]) => c)).toEqual([1, 0, 0, 0, 2, 2, 1]);
  });

  it('is a pure function of its parameters: the same parameters give the same schedule', () => {
    fc.assert(
      fc.property(pctParams(), (p) => {
        expect(simulate([4, 5, 3], pctChooser(p, 12))).toEqual(simulate([4, 5, 3], pctChooser(p, 12)));
      }),
      { numRuns: 50 },
    );
  });

  it('draws depth 1 to 3 (0 to 2 change points) across trials', () => {
    const counts = [0, 0, 0];
    for (const p of fc.sample(pctParams(), { seed: 1, numRuns: 300 })) counts[p.changePoints.length]!++;
    expect(counts.every((n) => n > 50)).toBe(true);
  });

  it('hits a depth-2 race whose window opens 10 steps into each call far more often than the uniform baseline', () => {
    const trials = 300;
    let pct = 0;
    for (const p of fc.sample(pctParams(), { seed: 7, numRuns: trials })) if (lostUpdate(simulate([12, 12], pctChooser(p, 24)))) pct++;
    let uniform = 0;
    for (const choices of fc.sample(fc.array(fc.nat({ max: 15 }), { maxLength: 64 }), { seed: 7, numRuns: trials })) {
      if (lostUpdate(simulate([12, 12], (k, options) => (choices[k] ?? 0) % options.length))) uniform++;
    }
    // PCT's bound for d = 2, n = 2, k = 24 is 1/48 per trial, a third of the trials having depth 2.
    expect(pct).toBeGreaterThan(trials / 60);
    expect(pct).toBeGreaterThan(5 * Math.max(1, uniform));
  });
});

describe('StepEstimate', () => {
  it('uses the guess during the warm-up, then the decisions per call it learnt, frozen', () => {
    const e = new StepEstimate(2, 4);
    expect(e.steps(1, 3)).toBe(12);
    e.learn(1, 30, 3);
    e.learn(2, 10, 1);
    expect(e.steps(2, 3)).toBe(12);
    expect(e.steps(3, 3)).toBe(30);
    e.learn(3, 1000, 1);
    expect(e.steps(9, 2)).toBe(20);
  });
});
