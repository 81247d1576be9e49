// cases: where a failure is kept. Takes a reported failure; case-file.ts writes it as a case
// file a replay reads (DIR/cases/), failure-corpus.ts keeps every one in .chatfuzz/corpus/ and
// hands the corpus and committed regressions back to the next run, which tries them first.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Workload } from '../workload/workload.js';
import type { Mode } from '../contract/define-config.js';

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
}

/**
 * Writes a case file; returns its path. A cell's first failure (`index` 0) is `target--scenario--mode.json`;
 * its further failures each get a file of their own beside it, named after their invariant.
 */
export async function writeCaseFile(dir: string, c: CaseFile, index = 0): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const name = index === 0 ? `${c.target}--${c.scenario}--${c.mode}.json` : `${c.target}--${c.scenario}--${c.mode}--${index + 1}-${c.invariant}.json`;
  const file = path.join(dir, name.replace(/[^a-zA-Z0-9._-]/g, '_'));
  await fs.writeFile(file, JSON.stringify(c, null, 2) + '\n');
  return file;
}

/** Reads and checks a case file for `--replay`. */
export async function readCaseFile(file: string): Promise<CaseFile> {
  let raw: string;
  try { raw = await fs.readFile(file, 'utf8'); } catch (e) { throw new UsageError(`--replay ${file}: cannot read it (${(e as Error).message})`); }
  let c: any;
  try { c = JSON.parse(raw); } catch (e) { throw new UsageError(`--replay ${file}: not JSON (${(e as Error).message})`); }
  const ok = c && typeof c.target === 'string' && typeof c.scenario === 'string' && c.workload
    && Array.isArray(c.workload.users) && Array.isArray(c.workload.clients);
  if (!ok) throw new UsageError(`--replay ${file}: not a chatfuzz case file (needs target, scenario, workload.users, workload.clients)`);
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
