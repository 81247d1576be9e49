import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleResults } from './fixtures/sample-results.js';
import { writeReportFiles } from './write-report-files.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'chatfuzz-report-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('writeReportFiles', () => {
  it('creates the directory and writes results.json, index.html and junit.xml', async () => {
    const dir = path.join(tmp, 'a', 'b');
    const { files } = await writeReportFiles(sampleResults(), dir, { cwd: tmp });
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
    for (const f of files) expect(path.dirname(f)).toBe(dir);
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(await readFile(path.join(dir, 'junit.xml'), 'utf8')).toMatch(/^<\?xml/);
  });

  it('writes a results.json that round-trips', async () => {
    const results = sampleResults();
    await writeReportFiles(results, tmp, { cwd: tmp });
    expect(JSON.parse(await readFile(path.join(tmp, 'results.json'), 'utf8'))).toEqual(results);
  });

  it('leaves no temporary files behind', async () => {
    await writeReportFiles(sampleResults(), tmp, { cwd: tmp });
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(tmp)).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
  });

  it('points reports/latest at a run dir under reports/runs, relatively, and repoints it', async () => {
    await writeReportFiles(sampleResults(), 'reports/runs/r1', { cwd: tmp });
    const latest = path.join(tmp, 'reports', 'latest');
    expect((await lstat(latest)).isSymbolicLink()).toBe(true);
    expect(await readlink(latest)).toBe(path.join('runs', 'r1'));

    await writeReportFiles(sampleResults(), path.join(tmp, 'reports', 'runs', 'r2'), { cwd: tmp });
    expect(await readlink(latest)).toBe(path.join('runs', 'r2'));
    expect(JSON.parse(await readFile(path.join(latest, 'results.json'), 'utf8')).runId).toBe(sampleResults().runId);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(path.join(tmp, 'reports'))).sort()).toEqual(['latest', 'runs']);
  });

  it('never replaces a real directory named latest', async () => {
    const latest = path.join(tmp, 'reports', 'latest');
    await mkdir(latest, { recursive: true });
    await writeFile(path.join(latest, 'keep.txt'), 'mine');
    await writeReportFiles(sampleResults(), 'reports/runs/r1', { cwd: tmp });
    expect((await lstat(latest)).isDirectory()).toBe(true);
    expect(await readFile(path.join(latest, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('does not touch reports/latest for a dir outside reports/runs', async () => {
    await writeReportFiles(sampleResults(), 'elsewhere/r1', { cwd: tmp });
    await writeReportFiles(sampleResults(), 'reports/runs', { cwd: tmp });
    await expect(lstat(path.join(tmp, 'reports', 'latest'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
