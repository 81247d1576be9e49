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

/** Writes a case file; returns its path. */
export async function writeCaseFile(dir: string, c: CaseFile): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${c.target}--${c.scenario}--${c.mode}.json`.replace(/[^a-zA-Z0-9._-]/g, '_'));
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
