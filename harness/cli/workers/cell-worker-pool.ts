import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InfraError, TargetContractError, UsageError } from '../../errors.js';
import type { CellJob, CellRunner } from '../../run/run-fuzz.js';
import type { CellSpec } from '../../run/cell-spec.js';
import type { CellResult } from '../../run/results.js';
import type { TrialProgress } from '../../run/reporter.js';
import type { DatabaseServer } from '../../db/database-server.js';
import { cellWithoutTrials } from '../../run/cell-without-trials.js';

/** The environment variable that makes bin/chatfuzz.mjs a cell worker instead of the CLI. */
export const CELL_WORKER_ENV = 'CHATFUZZ_CELL_WORKER';

/** A cell job as it crosses to a worker process: the target and scenario by name, the server without its stop(). */
export interface WorkerJob extends Omit<CellSpec, 'target' | 'scenario' | 'server'> {
  target: { spec: string; cwd: string };
  scenario: string;
  server: Omit<DatabaseServer, 'stop'>;
}

/** What the parent sends a worker. */
export type ToWorker = { type: 'run'; job: WorkerJob } | { type: 'abort' };

/** What a worker sends back about the job it runs. */
export type FromWorker =
  | { type: 'trial'; progress: TrialProgress }
  | { type: 'done'; result: CellResult }
  | { type: 'failed'; error: { name: string; message: string; stack?: string } };

interface Worker {
  child: ChildProcess;
  busy: boolean;
  exit: Promise<void>;
}

const BIN = fileURLToPath(new URL('../../../bin/chatfuzz.mjs', import.meta.url));

/**
 * Runs cells in child processes, one cell at a time each: a cell's uncaught errors, servers and
 * global state stay in its own process. Workers start at once (their start-up overlaps the
 * database's) and a worker that dies is replaced.
 */
export class CellWorkerPool implements CellRunner {
  private readonly workers: Worker[] = [];
  private closed = false;

  constructor(
    readonly slots: number,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    for (let i = 0; i < slots; i++) this.workers.push(this.spawn());
  }

  async run({ spec, abort }: CellJob, onTrial: (p: TrialProgress) => void): Promise<CellResult> {
    if (this.closed) throw new Error('the cell workers were closed');
    if (!spec.target.load) throw new Error(`target ${spec.target.def.name} cannot run in a worker: it was not loaded from a spec`);
    const w = this.take();
    const {
      target,
      scenario,
      server: { stop, ...server },
      ...rest
    } = spec;
    const message: ToWorker = { type: 'run', job: { ...rest, target: target.load!, scenario: scenario.name, server } };
    const onAbort = () => {
      w.child.send({ type: 'abort' } satisfies ToWorker, () => {});
    };
    abort?.addEventListener('abort', onAbort);
    try {
      return await new Promise<CellResult>((resolve, reject) => {
        const onMessage = (m: FromWorker) => {
          if (m.type === 'trial') {
            onTrial(m.progress);
            return;
          }
          w.child.off('message', onMessage);
          w.child.off('exit', onExit);
          if (m.type === 'done') resolve(m.result);
          else reject(reviveError(m.error));
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
          w.child.off('message', onMessage);
          if (this.closed) {
            reject(new Error('the run was stopped'));
            return;
          }
          // The target took its process down (process.exit, a native crash, out of memory): a finding of the cell, not the end of the run.
          resolve(crashedCell(spec, code, signal));
        };
        w.child.on('message', onMessage);
        w.child.once('exit', onExit);
        w.child.send(message);
      });
    } finally {
      abort?.removeEventListener('abort', onAbort);
      this.release(w);
    }
  }

  /** Ends every worker: SIGTERM (a worker stops its target's servers first), SIGKILL after `waitMs`. */
  async close(waitMs = 2000): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        w.child.kill('SIGTERM');
        const timer = setTimeout(() => w.child.kill('SIGKILL'), waitMs);
        await w.exit;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(): Worker {
    const child = fork(BIN, [], {
      env: { ...this.env, [CELL_WORKER_ENV]: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.on('error', () => {});
    return { child, busy: false, exit };
  }

  private take(): Worker {
    let i = this.workers.findIndex((w) => !w.busy);
    if (i < 0) throw new Error('more cells than worker slots');
    // A worker that exited (its target crashed it) is replaced before it gets another cell.
    if (this.workers[i]!.child.exitCode !== null || this.workers[i]!.child.signalCode !== null) this.workers[i] = this.spawn();
    const w = this.workers[i]!;
    w.busy = true;
    return w;
  }

  private release(w: Worker): void {
    w.busy = false;
  }
}

function reviveError(e: { name: string; message: string; stack?: string }): Error {
  if (e.name === 'TargetContractError') return new TargetContractError(e.message);
  if (e.name === 'UsageError') return new UsageError(e.message);
  if (e.name === 'InfraError') return new InfraError(e.message);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

function crashedCell(job: CellSpec, code: number | null, signal: NodeJS.Signals | null): CellResult {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return cellWithoutTrials(job.target, job.scenario.name, job.run.mode, {
    outcome: 'fail',
    ok: false,
    error: `the worker process running this cell ${how}: the target (or a library it uses) ended the process; run this cell with --workers 1 to see it happen in the foreground`,
  });
}
