import path from 'node:path';
import type { LoadedTarget } from '../contract/load-target.js';
import type { Mode } from '../contract/define-config.js';
import type { IsolationLevel } from '../contract/define-target.js';
import type { TrialRun } from '../strategy/case-strategy.js';
import type { Violation } from '../invariants/invariant.js';
import { formatStep } from '../gate/format-step.js';
import { replayCommand, writeCaseFile, type CaseFile } from '../cases/case-file.js';
import { saveToCorpus } from '../cases/failure-corpus.js';
import { VERSION } from '../version.js';
import { failureSnapshot } from './failure-snapshot.js';
import type { CellFailure } from './results.js';

/** Where a cell's failure is described and saved. */
export interface FailureContext {
  target: LoadedTarget;
  scenario: string;
  mode: Mode;
  seed: number;
  reportDir: string;
  /** Project directory whose `.chatfuzz/corpus/` keeps every failure; none when the corpus is off. */
  corpusDir?: string;
  /** The run options that change a trial, recorded in the case file so its replay runs the same way. */
  isolation?: IsolationLevel | null;
  latency?: { minMs: number; maxMs: number } | null;
  callTimeoutMs?: number;
}

/** A failure a strategy reported, with what grouped it when the cell reports several. */
export interface ReportedFailure extends TrialRun {
  /** The violation that names it (default: its first). */
  head?: Violation;
  /** The seed of the search round that found it (default: the cell's). */
  seed?: number;
  shrinks?: number;
}

/**
 * Saves a reported failure as a case file of its own (and in the corpus) and describes it for
 * results.json: the shrunk calls, statements, schedule, rows and replay command. The cell's
 * first failure (`index` 0) keeps the case file name `target--scenario--mode.json`.
 */
export async function describeFailure(o: FailureContext, failure: ReportedFailure, index = 0): Promise<CellFailure> {
  const { history, schedule } = failure.result;
  const top = failure.head ?? failure.result.violations[0]!;
  // The violation that names the failure comes first, so reports read it as the cause.
  const violations = [top, ...failure.result.violations.filter((v) => v !== top)];
  const seed = failure.seed ?? o.seed;
  const saved: CaseFile = {
    chatfuzz: VERSION,
    target: o.target.def.name,
    targetSpec: targetSpec(o.target),
    scenario: o.scenario,
    mode: o.mode,
    seed,
    invariant: top.invariant,
    workload: failure.case.workload,
    ...(failure.case.choices ? { choices: failure.case.choices.slice(0, schedule?.length ?? failure.case.choices.length) } : {}),
    ...(o.isolation ? { isolation: o.isolation } : {}),
    ...(o.latency ? { latency: { minMs: o.latency.minMs, maxMs: o.latency.maxMs } } : {}),
    ...(o.callTimeoutMs !== undefined ? { callTimeoutMs: o.callTimeoutMs } : {}),
  };
  const dir = path.join(o.reportDir, 'cases');
  const caseFile = await writeCaseFile(dir, saved, index);
  if (o.corpusDir) await saveToCorpus(o.corpusDir, saved).catch(() => {});
  const rel = path.relative(process.cwd(), caseFile) || caseFile;
  return {
    invariant: top.invariant,
    ...(top.sqlstate ? { sqlstate: top.sqlstate } : {}),
    ...(top.prismaCode ? { prismaCode: top.prismaCode } : {}),
    ...(top.constraint ? { constraint: top.constraint } : {}),
    ...(top.cause ? { cause: top.cause } : {}),
    message: top.message,
    seed,
    counterexample: {
      ops: history.calls.map((c) => ({
        client: c.client,
        label: c.label,
        outcome: c.outcome,
        invokedAt: c.invokedAt,
        completedAt: c.completedAt,
        ...(c.error ? { error: c.error } : {}),
        ...(c.operation?.result !== undefined ? { result: c.operation.result } : {}),
      })),
      ...(schedule ? { schedule: schedule.map(formatStep) } : {}),
    },
    replay: replayCommand(rel),
    caseFile: rel,
    violations,
    statements: history.statements,
    workload: failure.case.workload,
    shrinks: failure.shrinks ?? 0,
    snapshot: failureSnapshot(history, failure.result.snapshot),
    ...(history.model ? { model: { initial: history.model.initial, observed: failure.result.snapshot.model } } : {}),
  };
}

function targetSpec(t: LoadedTarget): string {
  return t.source.startsWith('built-in ') ? t.def.name : t.source;
}
