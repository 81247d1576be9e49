// Issue 25: the `serializable` invariant, judging a target's own operations against its sequential model.
import type { OperationDefinition, OperationStep } from '../contract/define-target.js';
import type { CallRecord, History } from '../history/history.js';
import type { Invariant, InvariantModel, Violation } from './invariant.js';

/** How a call's outcome constrains the search: it took effect with its result, it was refused, or it may or may not have happened. */
type Kind = 'ok' | 'refused' | 'maybe';

interface Entry {
  call: CallRecord;
  kind: Kind;
  op: OperationDefinition<unknown, unknown> | undefined;
  result: string;
  mustFollow: number;
}

/**
 * A clean refusal is a domain error the harness did not cause and no database error lies behind;
 * a raw database error (no-db-error's finding), a wrapped one or a fault leaves the effect unknown.
 */
function kindOf(c: CallRecord): Kind {
  if (c.outcome === 'ok') return 'ok';
  const e = c.error;
  if (c.outcome === 'fail' && !c.fault && e?.kind === 'domain' && !e.sqlstate && !e.causeSqlstate) return 'refused';
  return 'maybe';
}

/** JSON with sorted keys: the memo key of a state and the deep equality of results and states. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

function short(v: unknown): string {
  const s = canonicalJson(v);
  return s.length > 160 ? s.slice(0, 157) + '…' : s;
}

/** `balance.u1 = 6 where the order leaves 3`: up to three leaves where two states differ. */
function stateDiff(observed: unknown, model: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 3) return out;
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObj(observed) && isObj(model)) {
    for (const k of [...new Set([...Object.keys(model), ...Object.keys(observed)])].sort()) {
      if (canonicalJson(observed[k]) !== canonicalJson(model[k])) stateDiff(observed[k], model[k], path ? `${path}.${k}` : k, out);
    }
  } else {
    const show = (x: unknown) => (x === undefined ? 'nothing' : short(x));
    out.push(`${path || 'the state'} is ${show(observed)} where that order gives ${show(model)}`);
  }
  return out;
}

interface Best {
  placed: number[];
  done: number;
  reason: string;
  involved: number[];
}

/**
 * There is a serial order of the `ok` calls, the refused calls and any subset of the calls whose
 * effect is unknown (`info`, faulted, raw database errors), consistent with real time (a call
 * that completed before another was invoked comes first), in which the model gives every `ok`
 * call its result and refuses every refused call, and which ends in the state `observe` read.
 * The search is Wing & Gong's (1993) linearizability check with Lowe's memoisation of visited
 * (placed calls, state) pairs, as in Porcupine: depth first over the calls that may go next.
 */
export function checkSerializable(history: Pick<History, 'calls' | 'model'>, observed: unknown, model: InvariantModel): Violation[] {
  const calls = history.calls.filter((c) => c.op === 'operation' && c.operation);
  if (!calls.length || !history.model) return [];
  if (calls.length > 30) throw new Error(`serializable: ${calls.length} operation calls in one trial; at most 30 can be checked`);
  const entries: Entry[] = calls.map((call) => ({
    call,
    kind: kindOf(call),
    op: model.operations[call.operation!.name],
    result: canonicalJson(call.operation!.result),
    mustFollow: 0,
  }));
  // A call that completed before another was invoked goes first; an `info` call never completed.
  entries.forEach((e) => {
    entries.forEach((d, j) => {
      if (d.call.outcome !== 'info' && d.call.completedAt < e.call.invokedAt) e.mustFollow |= 1 << j;
    });
  });
  const all = (1 << entries.length) - 1;
  const observedKey = canonicalJson(observed);
  const failed = new Set<string>();
  const order: number[] = [];
  let best: Best | undefined;
  const step = (e: Entry, state: unknown): OperationStep<unknown> => {
    try {
      return e.op!.apply(state, e.call.operation!.args);
    } catch (err) {
      // The model is the target's code: its own bug must not read as a finding.
      throw new Error(
        `operation ${e.call.operation!.name}'s apply threw on ${e.call.label} in state ${short(state)}: ${(err as Error)?.message ?? String(err)}`,
      );
    }
  };
  const popcount = (m: number) => {
    let n = 0;
    for (; m; m &= m - 1) n++;
    return n;
  };
  // The closest order: the one that placed the most calls before it got stuck.
  const note = (done: number, reason: string, involved: number[]) => {
    const n = popcount(done) * 2 + (done === all ? 1 : 0);
    if (!best || n > best.done) best = { placed: [...order], done: n, reason, involved };
  };

  const search = (done: number, state: unknown): boolean => {
    const key = `${done}|${canonicalJson(state)}`;
    if (failed.has(key)) return false;
    if (done === all) {
      if (canonicalJson(state) === observedKey) return true;
      note(done, `observe read ${stateDiff(observed, state).join(', ')}`, []);
      failed.add(key);
      return false;
    }
    const reasons: string[] = [];
    const involved: number[] = [];
    for (let i = 0; i < entries.length; i++) {
      const bit = 1 << i;
      const e = entries[i]!;
      if (done & bit || (e.mustFollow & ~done) !== 0) continue;
      // A call whose effect is unknown may not have happened at all.
      if (e.kind === 'maybe' && search(done | bit, state)) return true;
      if (!e.op) {
        reasons.push(`${e.call.label} names no declared operation`);
        involved.push(e.call.index);
        continue;
      }
      const next = step(e, state);
      if ('refuse' in next) {
        if (e.kind === 'refused' && search(done | bit, state)) return true;
        if (e.kind === 'ok') {
          reasons.push(`${e.call.label} succeeded where the model refuses it in state ${short(state)}`);
          involved.push(e.call.index);
        }
        continue;
      }
      if (e.kind === 'refused') {
        reasons.push(`${e.call.label} was refused where the model accepts it in state ${short(state)}`);
        involved.push(e.call.index);
        continue;
      }
      // An expected result of undefined checks nothing; an unknown call's result is unknown.
      if (e.kind === 'ok' && next.result !== undefined && canonicalJson(next.result) !== e.result) {
        reasons.push(`${e.call.label} returned ${short(e.call.operation!.result)} where the model gives ${short(next.result)}`);
        involved.push(e.call.index);
        continue;
      }
      order.push(i);
      const found = search(done | bit, next.state);
      order.pop();
      if (found) return true;
    }
    note(done, reasons.length ? reasons.join('; ') : 'no call may go next', involved);
    failed.add(key);
    return false;
  };

  if (search(0, history.model.initial)) return [];
  const b = best!;
  const unexplained = entries
    .filter((e) => e.kind !== 'maybe')
    .map(
      (e) =>
        `${e.call.label} → ${e.kind === 'refused' ? 'refused' : e.call.operation!.result === undefined ? 'ok' : short(e.call.operation!.result)}`,
    );
  const closest = b.placed.length ? b.placed.map((i) => entries[i]!.call.label).join(', ') : '(none placed)';
  return [
    {
      invariant: 'serializable',
      message: `no serial order of ${unexplained.join(', ')} explains the trial; closest order ${closest}, then ${b.reason}`,
      calls: [...new Set([...b.placed.map((i) => entries[i]!.call.index), ...b.involved])].sort((x, y) => x - y),
    },
  ];
}

/** Built-in: the target's operations are explained by some serial order of its model (Issue 25). */
export const serializable: Invariant = {
  name: 'serializable',
  description:
    "a target's own operations are explained by some serial order of its sequential model, respecting real time (info calls may or may not have happened), ending in the state observe reads",
  check(history, snapshot, model) {
    return model ? checkSerializable(history, snapshot.model, model) : [];
  },
};
