import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CaseFile } from './case-file.js';
import type { TrialCase } from '../strategy/case-strategy.js';

/** Where failing cases are kept between runs (git-ignored). */
export const CORPUS_DIR = path.join('.chatfuzz', 'corpus');
/** Where promoted cases live: committed, they run on every run of their target. */
export const REGRESSIONS_DIR = path.join('scenarios', 'regressions');

/** Saves a failing case into the corpus under a name derived from its content; returns the path. */
export async function saveToCorpus(cwd: string, c: CaseFile): Promise<string> {
  const dir = path.join(cwd, CORPUS_DIR);
  await fs.mkdir(dir, { recursive: true });
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify([c.workload, c.choices ?? null]))
    .digest('hex')
    .slice(0, 10);
  const file = path.join(dir, `${c.target}--${c.scenario}--${c.mode}--${hash}.json`.replace(/[^a-zA-Z0-9._-]/g, '_'));
  await fs.writeFile(file, JSON.stringify(c, null, 2) + '\n');
  return file;
}

/** Every corpus and regression case on disk, with the file it came from. */
export async function loadCorpus(cwd: string): Promise<{ file: string; c: CaseFile }[]> {
  const out: { file: string; c: CaseFile }[] = [];
  for (const dir of [REGRESSIONS_DIR, CORPUS_DIR]) {
    const names = await fs.readdir(path.join(cwd, dir)).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const file = path.join(dir, name);
      try {
        const c = JSON.parse(await fs.readFile(path.join(cwd, file), 'utf8')) as CaseFile;
        if (c && typeof c.target === 'string' && c.workload && Array.isArray(c.workload.clients)) out.push({ file, c });
      } catch {
        // A corrupt corpus entry is skipped, never fatal: the corpus is a cache.
      }
    }
  }
  return out;
}

/** The saved cases a cell retries first: same target and scenario; stress cases keep no schedule. */
export function corpusExamples(corpus: { c: CaseFile }[], target: string, scenario: string, mode: string): TrialCase[] {
  return corpus
    .filter(({ c }) => c.target === target && c.scenario === scenario)
    .map(({ c }) => (mode === 'stress' || !c.choices ? { workload: c.workload } : { workload: c.workload, choices: c.choices }));
}
