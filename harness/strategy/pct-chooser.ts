// PCT: probabilistic concurrency testing, the randomized priority scheduler of Burckhardt,
// Kothari, Musuvathi and Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of
// Finding Bugs" (ASPLOS 2010). Every call gets a random distinct priority; the scheduler always
// releases the waiting statement of the highest-priority call; at d−1 change points spread over
// the whole trial's k steps the running call's priority drops below every other's. A bug of
// depth d among n calls is hit with probability ≥ 1/(n·k^(d−1)) per trial, wherever in the
// trial its window opens. The parameters are fast-check values, so a failing schedule shrinks
// (fewer change points, earlier ones, flatter priorities); the picks it makes replay it exactly.
import fc from 'fast-check';
import type { Chooser } from '../gate/scheduled-gate.js';

/** How many calls of a trial get a priority of their own; later calls share the lowest. */
export const PCT_MAX_CALLS = 32;
/** A change point's position is a fraction of the trial's steps, in these units. */
export const PCT_POSITION_UNITS = 10_000;
/** The deepest bug PCT aims at: d − 1 ≤ this many change points. */
export const PCT_MAX_DEPTH = 3;

/** A PCT schedule's parameters: one priority per call (by call index) and the change points as fractions of the trial's steps. */
export interface PctParams {
  priorities: number[];
  /** Each in [0, PCT_POSITION_UNITS): the change point is at step ⌊p · k / PCT_POSITION_UNITS⌋ of a trial of k steps. */
  changePoints: number[];
}

/** PCT parameters as fast-check draws them: depth d in 1..PCT_MAX_DEPTH (d − 1 change points), unbiased positions and priorities. */
export function pctParams(): fc.Arbitrary<PctParams> {
  const position = fc.noBias(fc.integer({ min: 0, max: PCT_POSITION_UNITS - 1 }));
  return fc.record({
    priorities: fc.array(fc.noBias(fc.nat({ max: 1_000_000 })), { minLength: PCT_MAX_CALLS, maxLength: PCT_MAX_CALLS }),
    // Depth varies across a cell's trials; shrinking removes change points and moves them earlier.
    changePoints: fc
      .noBias(fc.integer({ min: 1, max: PCT_MAX_DEPTH }))
      .chain((d) => fc.array(position, { minLength: d - 1, maxLength: d - 1 })),
  });
}

/** The change points of `p` as step numbers (0-based decision indexes) of a trial estimated at `steps` steps. */
export function changeSteps(p: PctParams, steps: number): number[] {
  const k = Math.max(1, Math.round(steps));
  return p.changePoints.map((u) => Math.floor((u * k) / PCT_POSITION_UNITS));
}

/**
 * A fresh PCT Chooser for one trial of about `steps` decisions: the waiting statement of the
 * call with the highest priority goes next (ties: the lower call index); at each change point
 * the call released at the previous decision drops below every call (later change points lower still).
 */
export function pctChooser(p: PctParams, steps: number): Chooser {
  const at = new Map<number, number>();
  changeSteps(p, steps).forEach((k, i) => {
    if (!at.has(k)) at.set(k, i);
  });
  const lowered = new Map<number, number>();
  let last: number | undefined;
  const priority = (call: number) => lowered.get(call) ?? (call < p.priorities.length ? p.priorities[call]! : -1);
  return (k, options) => {
    const change = at.get(k);
    if (change !== undefined && last !== undefined) lowered.set(last, -2 - change);
    let best = 0;
    for (let i = 1; i < options.length; i++) {
      const a = priority(options[i]!.call),
        b = priority(options[best]!.call);
      if (a > b || (a === b && options[i]!.call < options[best]!.call)) best = i;
    }
    last = options[best]!.call;
    return best;
  };
}

/**
 * The trial length k that PCT spreads its change points over, learnt from the cell's first
 * trials: decisions per call, averaged over the first `warmup` trials, times the calls of the
 * trial at hand. It is frozen once learnt, so a seed always schedules the same way.
 */
export class StepEstimate {
  private decisions = 0;
  private calls = 0;
  private seen = 0;
  private perCall: number | undefined;

  constructor(
    readonly warmup = 8,
    private readonly guess = 4,
  ) {}

  /** Learns from trial `index` (1-based, in generation order); trials past the warm-up teach nothing. */
  learn(index: number, decisions: number, calls: number): void {
    if (this.perCall !== undefined || index > this.warmup) return;
    this.decisions += decisions;
    this.calls += calls;
    if (++this.seen >= this.warmup) this.perCall = this.calls ? Math.max(1, this.decisions / this.calls) : this.guess;
  }

  /** Estimated steps of trial `index` with `calls` calls: the warm-up trials use the guess. */
  steps(index: number, calls: number): number {
    return (index > this.warmup && this.perCall !== undefined ? this.perCall : this.guess) * Math.max(1, calls);
  }
}
