// The scheduler: the StatementGate of scheduled and exhaustive mode. Every statement of a scheduled trial waits at this gate; at each
// decision a Chooser (seeded choices from fast-check, or exhaustive mode's explorer) picks which
// waiting statement goes next, and the next decision waits until it completed or is blocked on
// a lock, which the control connection sees through pg_blocking_pids (as PostgreSQL's isolation
// tester does). Hands on: the schedule (ScheduleStep[]), the statement records and the picks
// that replay it exactly.
import type { ErrorInfo } from '../history/classify-error.js';
import type { Clock, StatementRecord } from '../history/history.js';
import { compactSql, newStatementRecord, sendRecorded } from './statement-recorder.js';
import type { StatementGate, StatementInfo } from './statement-gate.js';
import type { ControlConnection } from './control-connection.js';

/** One released statement of a scheduled trial, in release order: the schedule a counterexample prints. */
export interface ScheduleStep {
  step: number;
  call: number;
  client: number;
  sql: string;
  /** How many statements were waiting when this one was chosen. */
  options: number;
  blocked: boolean;
  outcome?: { rowCount: number | null } | { error: ErrorInfo };
}

/** A statement waiting at a decision, as a chooser sees it: `call`/`ordinal` name it the same way in every replay. */
export interface DecisionOption {
  call: number;
  ordinal: number;
  sql: string;
}

/** Picks which waiting statement goes next at decision `k` (an index into `options`). */
export type Chooser = (k: number, options: readonly DecisionOption[]) => number;

interface Entry {
  call: number;
  client: number;
  /** 1 for a call's first statement, 2 for its second, … */
  ordinal: number;
  arrival: number;
  stmt: StatementInfo;
  release: () => void;
  step?: ScheduleStep;
  record?: StatementRecord;
  blocked: boolean;
  done: boolean;
}

/** Tuning of the scheduler; the defaults suit a local server. */
export interface ScheduledGateOptions {
  /** After this long without every live call parked at a gate, decide with what is waiting. */
  settleMs?: number;
  /** How often a released statement is checked for being blocked on a lock. */
  blockPollMs?: number;
}

/**
 * Holds every statement of a trial at a gate and releases one at a time as `choices` dictate;
 * the next decision waits until the released statement completed or is blocked on a lock.
 */
export class ScheduledGate implements StatementGate {
  readonly steps: ScheduleStep[] = [];
  readonly statements: StatementRecord[] = [];
  /** The index picked at each decision: replaying them as `choices` gives this schedule again. */
  readonly picks: number[] = [];
  private pending: Entry[] = [];
  private readonly ordinals = new Map<number, number>();
  private running: Entry[] = [];
  private live = new Set<number>();
  private arrivals = 0;
  private version = 0;
  private checkQueued = false;
  private settleTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private checking = false;
  private recheck = false;
  private closed = false;
  private readonly settleMs: number;
  private readonly blockPollMs: number;

  constructor(
    private readonly choices: readonly number[] | Chooser,
    private readonly clock: Clock,
    private readonly control: ControlConnection,
    options: ScheduledGateOptions = {},
  ) {
    // Long enough for a new connection on a loaded machine: deciding early would make the order depend on timing.
    this.settleMs = options.settleMs ?? 1000;
    this.blockPollMs = options.blockPollMs ?? 4;
  }

  /** The executor announces each call before it invokes the target… */
  callStarted(call: number): void {
    this.live.add(call);
    this.changed();
  }
  /** …and after it settled (or timed out): a finished call no longer holds up decisions. */
  callEnded(call: number): void {
    this.live.delete(call);
    this.changed();
  }

  run<T>(stmt: StatementInfo, send: () => Promise<T>): Promise<T> {
    const record = newStatementRecord(stmt);
    // Statements outside any call (the target's own background work) are not scheduled.
    if (!stmt.ctx || this.closed) return this.send(record, undefined, send);
    return new Promise<T>((resolve, reject) => {
      const call = stmt.ctx!.call;
      const ordinal = (this.ordinals.get(call) ?? 0) + 1;
      this.ordinals.set(call, ordinal);
      const entry: Entry = {
        call,
        client: stmt.ctx!.client,
        ordinal,
        arrival: this.arrivals++,
        stmt,
        blocked: false,
        done: false,
        record,
        release: () => {
          this.send(record, entry, send).then(resolve, reject);
        },
      };
      this.pending.push(entry);
      this.changed();
    });
  }

  /** Stops gating: everything waiting is released in arrival order (used when a trial ends or times out). */
  close(): void {
    this.closed = true;
    clearTimeout(this.settleTimer);
    clearTimeout(this.pollTimer);
    const rest = this.pending.splice(0).sort((a, b) => a.arrival - b.arrival);
    for (const e of rest) {
      this.running.push(e);
      e.release();
    }
  }

  private async send<T>(record: StatementRecord, entry: Entry | undefined, send: () => Promise<T>): Promise<T> {
    try {
      const r = await sendRecorded(record, this.statements, this.clock, send);
      if (entry?.step) entry.step.outcome = { rowCount: record.rowCount ?? null };
      return r;
    } catch (e) {
      if (entry?.step) entry.step.outcome = { error: record.error! };
      throw e;
    } finally {
      if (entry) {
        entry.done = true;
        this.running = this.running.filter((x) => x !== entry);
        this.changed();
      }
    }
  }

  private changed(): void {
    this.version++;
    if (this.closed || this.checkQueued) return;
    this.checkQueued = true;
    // Let the target's continuation run up to its next statement before deciding.
    setImmediate(() =>
      setImmediate(() => {
        this.checkQueued = false;
        void this.check();
      }),
    );
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      clearTimeout(this.settleTimer);
      if (this.running.some((e) => !e.blocked)) {
        this.pollBlocked();
        return;
      }
      if (this.pending.length === 0) {
        if (this.running.length) this.pollBlocked();
        return;
      }
      // A statement seen blocked may have been freed by the last completion: ask again before opening a gate.
      if (this.running.length && (await this.refreshBlocked())) return;
      const parked = new Set([...this.pending, ...this.running].map((e) => e.call));
      if ([...this.live].every((c) => parked.has(c))) {
        this.decide();
        return;
      }
      // A live call is still doing other work (connecting, a timer): wait for it, but not forever.
      const v = this.version;
      this.settleTimer = setTimeout(() => {
        if (this.version === v && !this.closed) this.decide();
      }, this.settleMs);
    } finally {
      this.checking = false;
      if (this.recheck) {
        this.recheck = false;
        this.changed();
      }
    }
  }

  private decide(): void {
    if (this.closed || this.running.some((e) => !e.blocked) || this.pending.length === 0) return;
    const options = [...this.pending].sort((a, b) => a.call - b.call || a.arrival - b.arrival);
    const k = this.picks.length;
    const index =
      typeof this.choices === 'function'
        ? this.choices(
            k,
            options.map((e) => ({ call: e.call, ordinal: e.ordinal, sql: e.stmt.sql })),
          )
        : (this.choices[k] ?? 0) % options.length;
    const pick = options[index]!;
    this.picks.push(index);
    this.pending = this.pending.filter((e) => e !== pick);
    pick.step = {
      step: k + 1,
      call: pick.call,
      client: pick.client,
      sql: compactSql(pick.stmt.sql),
      options: options.length,
      blocked: false,
    };
    this.steps.push(pick.step);
    this.running.push(pick);
    pick.release();
    this.pollBlocked();
  }

  /** Asks the server which released statements wait on a lock; true when that changed anything. */
  private async refreshBlocked(): Promise<boolean> {
    // A statement the harness itself holds (an injected timeout) is waited for, not stepped around.
    const watched = this.running.filter((e) => !e.done && e.record?.backendPid && !e.stmt.heldByHarness);
    if (watched.length === 0) return false;
    let changed = false;
    try {
      const pids = watched.map((e) => e.record!.backendPid!);
      const r = await this.control.query<{ pid: number; blocked: boolean }>(
        'SELECT pid, cardinality(pg_blocking_pids(pid)) > 0 AS blocked FROM unnest($1::int[]) AS pid',
        [pids],
      );
      const byPid = new Map(r.rows.map((row) => [row.pid, row.blocked]));
      for (const e of watched) {
        const blocked = !e.done && !!byPid.get(e.record!.backendPid!);
        if (blocked !== e.blocked) {
          e.blocked = blocked;
          if (blocked && e.step) e.step.blocked = true;
          if (blocked && e.record) e.record.blocked = true;
          changed = true;
        }
      }
    } catch {
      // The control connection is best effort: without it a blocked statement waits for the lock timeout.
    }
    if (changed) this.changed();
    return changed;
  }

  // A lock-blocked statement must not stall the schedule: once the server says it waits on a lock, the next gate opens.
  private pollBlocked(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(async () => {
      this.pollTimer = undefined;
      if (this.polling || this.closed) return;
      this.polling = true;
      try {
        await this.refreshBlocked();
      } finally {
        this.polling = false;
      }
      if (this.running.some((e) => !e.done && !e.blocked)) this.pollBlocked();
    }, this.blockPollMs);
  }
}
