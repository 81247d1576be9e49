import { randomBytes } from 'node:crypto';
import { lstat, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResults } from '../harness/run/results.js';
import { prepareReportDir } from './prepare-report-dir.js';
import { renderHtml } from './render-html.js';
import { renderJunit } from './render-junit.js';

/** Writes results.json, index.html and junit.xml into `dir` (created if missing), and points reports/latest at it when it is a run dir under reports/runs/. */
export async function writeReportFiles(
  results: RunResults,
  dir: string,
  // The working directory is a parameter so tests need not chdir (vitest workers cannot).
  opts: { cwd?: string } = {},
): Promise<{ files: string[] }> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const abs = path.resolve(cwd, dir);
  // Not mkdir({ recursive: true }): it never returns on some paths (/proc/nope); this names what is in the way.
  await prepareReportDir(abs);

  const contents: [string, string][] = [
    ['results.json', JSON.stringify(results, null, 2) + '\n'],
    ['index.html', renderHtml(results)],
    ['junit.xml', renderJunit(results)],
  ];
  const files: string[] = [];
  for (const [name, text] of contents) {
    const file = path.join(abs, name);
    await writeWhole(file, text);
    files.push(file);
  }

  const runs = path.join(cwd, 'reports', 'runs');
  const rel = path.relative(runs, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) await pointLatest(path.join(cwd, 'reports', 'latest'), abs);
  return { files };
}

// A CI job or a browser reading the file mid-write must see the old file or the new one, never half of one.
async function writeWhole(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

// `latest` is a convenience: it never replaces something a person made, and failing to link never fails the run.
async function pointLatest(link: string, target: string): Promise<void> {
  try {
    const st = await lstat(link);
    if (!st.isSymbolicLink()) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return;
  }
  const tmp = path.join(path.dirname(link), `.latest.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await symlink(path.relative(path.dirname(link), target), tmp, 'dir');
    // rename() replaces the old link in one step, and refuses if a real directory appeared meanwhile.
    await rename(tmp, link);
  } catch {
    await rm(tmp, { force: true }).catch(() => {});
  }
}
