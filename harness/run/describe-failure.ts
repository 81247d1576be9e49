import path from 'node:path';
import type { LoadedTarget } from '../contract/load-target.js';
import type { Mode } from '../contract/define-config.js';
import type { TrialRun } from '../execute/trial-case.js';
import { formatStep } from '../schedule/format-step.js';
import { writeCaseFile, type CaseFile } from '../shrink/case-file.js';
import { saveToCorpus } from '../shrink/failure-corpus.js';
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
}

/** Saves the reported failure as a case file (and in the corpus) and describes it for results.json: the shrunk calls, statements, schedule, rows and replay command. */
export async function describeFailure(o: FailureContext, failure: TrialRun, shrinks: number): Promise<CellFailure> {
  const { history, violations, schedule } = failure.result;
  const top = violations[0]!;
  const saved: CaseFile = {
    chatfuzz: VERSION, target: o.target.def.name, targetSpec: targetSpec(o.target), scenario: o.scenario,
    mode: o.mode, seed: o.seed, invariant: top.invariant, workload: failure.case.workload,
    ...(failure.case.choices ? { choices: failure.case.choices.slice(0, schedule?.length ?? failure.case.choices.length) } : {}),
  };
  const caseFile = await writeCaseFile(path.join(o.reportDir, 'cases'), saved);
  if (o.corpusDir) await saveToCorpus(o.corpusDir, saved).catch(() => {});
  const rel = path.relative(process.cwd(), caseFile) || caseFile;
  return {
    invariant: top.invariant,
    ...(top.sqlstate ? { sqlstate: top.sqlstate } : {}),
    ...(top.prismaCode ? { prismaCode: top.prismaCode } : {}),
    ...(top.constraint ? { constraint: top.constraint } : {}),
    message: top.message,
    seed: o.seed,
    counterexample: {
      ops: history.calls.map((c) => ({
        client: c.client, label: c.label, outcome: c.outcome, invokedAt: c.invokedAt, completedAt: c.completedAt,
        ...(c.error ? { error: c.error } : {}),
      })),
      ...(schedule ? { schedule: schedule.map(formatStep) } : {}),
    },
    replay: `npm run fuzz -- --replay ${shellQuote(rel)}`,
    caseFile: rel,
    violations,
    statements: history.statements,
    workload: failure.case.workload,
    shrinks,
    snapshot: failureSnapshot(history, failure.result.snapshot),
  };
}

function targetSpec(t: LoadedTarget): string {
  return t.source.startsWith('built-in ') ? t.def.name : t.source;
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
