// cases: where a failure is kept. Takes a reported failure; case-file.ts writes it as a case
// file a replay reads (DIR/cases/), failure-corpus.ts keeps every one in .chatfuzz/corpus/ and
// hands the corpus and committed regressions back to the next run, which tries them first.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Workload } from '../workload/workload.js';
import type { Mode } from '../contract/define-config.js';
import { ISOLATION_LEVELS, type IsolationLevel } from '../contract/define-target.js';
import { DURATION_RANGES } from '../contract/parse-duration.js';

/** A saved failing case: enough to run exactly that workload again. */
export interface CaseFile {
  chatfuzz: string;
  target: string;
  /** What `--target` must say to load it again (a built-in name or a path). */
  targetSpec: string;
  scenario: string;
  mode: Mode;
  seed: number;
  invariant: string;
  workload: Workload;
  /** Scheduled mode: the schedule's choices (which waiting statement goes next, at each decision). */
  choices?: number[];
  // Every run option that changes what a trial does, so `--replay FILE` alone runs it as it failed
  // (a flag given with --replay wins). Workload faults live in `workload`. New options that change
  // behaviour (a `scheduler`, say) belong here beside these.
  /** --isolation of the failing run, when given. */
  isolation?: IsolationLevel;
  /** --latency of the failing run (stress mode), when given. */
  latency?: { minMs: number; maxMs: number };
  /** --call-timeout of the failing run, in ms. */
  callTimeoutMs?: number;
}

/**
 * Writes a case file; returns its path. A cell's first failure (`index` 0) is `target--scenario--mode.json`;
 * its further failures each get a file of their own beside it, named after their invariant.
 */
export async function writeCaseFile(dir: string, c: CaseFile, index = 0): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const name =
    index === 0 ? `${c.target}--${c.scenario}--${c.mode}.json` : `${c.target}--${c.scenario}--${c.mode}--${index + 1}-${c.invariant}.json`;
  const file = path.join(dir, name.replace(/[^a-zA-Z0-9._-]/g, '_'));
  await fs.writeFile(file, JSON.stringify(c, null, 2) + '\n');
  return file;
}

/** Reads and checks a case file for `--replay`. */
export async function readCaseFile(file: string): Promise<CaseFile> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--replay ${file}: cannot read it (${(e as Error).message})`);
  }
  let c: any;
  try {
    c = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`--replay ${file}: not JSON (${(e as Error).message})`);
  }
  const ok =
    c &&
    typeof c.target === 'string' &&
    typeof c.scenario === 'string' &&
    c.workload &&
    Array.isArray(c.workload.users) &&
    Array.isArray(c.workload.clients);
  if (!ok) throw new UsageError(`--replay ${file}: not a chatfuzz case file (needs target, scenario, workload.users, workload.clients)`);
  const bad = (field: string, what: string) =>
    new UsageError(
      `--replay ${file}: its ${field} is ${JSON.stringify(c[field])}, expected ${what}; fix or delete the field (a flag given with --replay wins over it)`,
    );
  if (c.isolation !== undefined && !(ISOLATION_LEVELS as readonly unknown[]).includes(c.isolation))
    throw bad('isolation', `one of ${ISOLATION_LEVELS.join(', ')}`);
  if (
    c.callTimeoutMs !== undefined &&
    !(
      Number.isFinite(c.callTimeoutMs) &&
      c.callTimeoutMs >= DURATION_RANGES.callTimeout.minMs &&
      c.callTimeoutMs <= DURATION_RANGES.callTimeout.maxMs
    )
  )
    throw bad('callTimeoutMs', `milliseconds from ${DURATION_RANGES.callTimeout.minMs} to ${DURATION_RANGES.callTimeout.maxMs}`);
  if (
    c.latency !== undefined &&
    !(
      c.latency &&
      Number.isFinite(c.latency.minMs) &&
      Number.isFinite(c.latency.maxMs) &&
      c.latency.minMs >= 0 &&
      c.latency.maxMs >= c.latency.minMs
    )
  )
    throw bad('latency', '{ minMs, maxMs } with 0 ≤ minMs ≤ maxMs');
  return c as CaseFile;
}

/** The command that replays a case file, its path quoted for a POSIX shell where it needs it. */
export function replayCommand(caseFile: string): string {
  return `npm run fuzz -- --replay ${shellQuote(caseFile)}`;
}

/** `s` as one POSIX shell word. */
export function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
