import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinReporters } from './builtin-reporters.js';
import { createConsoleReporter } from './console-reporter.js';
import { createFileReporter, ReportFilesError } from './file-reporter.js';
import { multiFailureResults, sampleResults } from './fixtures/sample-results.js';
import { createProgressReporter } from './progress-reporter.js';
import { renderMatrix } from './render-matrix.js';
import type { RunStart, TrialProgress } from '../harness/run/reporter.js';

function sink(extra: Record<string, unknown> = {}) {
  const chunks: string[] = [];
  const out = {
    write: (s: string) => {
      chunks.push(String(s));
      return true;
    },
    ...extra,
  } as unknown as NodeJS.WriteStream;
  return { out, chunks, text: () => chunks.join('') };
}

const runStart = (): RunStart => {
  const r = sampleResults();
  return {
    runId: r.runId,
    seed: r.seed,
    mode: r.mode,
    db: r.db,
    cells: r.cells.map(({ target, scenario }) => ({ target, scenario })),
    reportDir: '/tmp/x',
  };
};

const trial = (p: Partial<TrialProgress>): TrialProgress => ({
  target: 'naive',
  scenario: 'log-before-create',
  cellIndex: 2,
  cellCount: 9,
  trials: 57,
  plannedTrials: 100,
  failed: false,
  shrinking: false,
  elapsedMs: 4200,
  ...p,
});

describe('console reporter', () => {
  it('prints the matrix at the end of the run and nothing per cell', async () => {
    const s = sink();
    const rep = createConsoleReporter({ out: s.out, color: false });
    const r = sampleResults();
    await rep.onCellEnd?.(r.cells[0]!);
    expect(s.text()).toBe('');
    await rep.onRunEnd?.(r, '/tmp/x');
    expect(s.text()).toBe(renderMatrix(r));
  });
});

describe('progress reporter', () => {
  it('without a TTY prints one plain line per finished cell', async () => {
    const s = sink();
    const rep = createProgressReporter({ out: s.out, tty: false });
    const r = sampleResults();
    await rep.onRunStart?.(runStart());
    for (const [i, c] of r.cells.entries()) {
      await rep.onCellStart?.({ target: c.target, scenario: c.scenario, cellIndex: i, cellCount: r.cells.length });
      rep.onTrial?.(trial({ target: c.target, scenario: c.scenario, cellIndex: i, cellCount: 4 }));
      await rep.onCellEnd?.(c);
    }
    await rep.onRunEnd?.(r, '/tmp/x');
    expect(s.text().split('\n')).toEqual([
      '[1/4] naive × log-before-create: fail (expected) in 812 ms, 12 trials',
      '[2/4] naive × hostile-input: FAIL (no-db-error) in 1.5 s, 5 trials',
      '[3/4] session-first × log-before-create: pass (UNEXPECTED, expected fail) in 4.2 s, 100 trials',
      '[4/4] session-first × hostile-input: pass in 3.9 s, 100 trials',
      '',
    ]);
    expect(s.text()).not.toContain('\r');
  });

  it('says how many more distinct failures a cell had and how many known findings it muted', async () => {
    const s = sink();
    const rep = createProgressReporter({ out: s.out, tty: false });
    const r = multiFailureResults();
    await rep.onRunStart?.(runStart());
    for (const c of r.cells) await rep.onCellEnd?.(c);
    expect(s.text().split('\n')).toEqual([
      '[1/4] naive × log-before-create: fail (expected, 1 more distinct failure) in 812 ms, 12 trials',
      '[2/4] naive × hostile-input: FAIL (no-db-error, 1 known finding muted) in 1.5 s, 5 trials',
      '[3/4] session-first × log-before-create: pass (UNEXPECTED, expected fail) in 4.2 s, 100 trials',
      '[4/4] session-first × hostile-input: pass, 1 known finding muted in 3.9 s, 100 trials',
      '',
    ]);
  });

  it('on a TTY rewrites one status line, at most ~10 times a second, and clears it when the cell ends', async () => {
    const s = sink({ columns: 200 });
    let t = 0;
    const rep = createProgressReporter({ out: s.out, tty: true, now: () => t });
    rep.onTrial?.(trial({ trials: 56, elapsedMs: 4100 }));
    t = 50;
    rep.onTrial?.(trial({ trials: 57, elapsedMs: 4150 })); // throttled
    t = 60;
    rep.onTrial?.(trial({ trials: 57, shrinking: true, failed: true, elapsedMs: 4200 })); // phase change: drawn at once
    expect(s.chunks).toEqual([
      '\r\x1b[K[3/9] naive × log-before-create  56/100 trials  4.1 s',
      '\r\x1b[K[3/9] naive × log-before-create  57/100 trials  shrinking…  4.2 s',
    ]);
    t = 100;
    rep.onTrial?.(trial({ trials: 58, shrinking: true, failed: true })); // throttled
    t = 200;
    rep.onTrial?.(trial({ trials: 59, shrinking: true, failed: true }));
    expect(s.chunks).toHaveLength(3);
    await rep.onCellEnd?.(sampleResults().cells[0]!);
    expect(s.chunks.at(-1)).toBe('\r\x1b[K');
    await rep.onRunEnd?.(sampleResults(), '/tmp/x');
    expect(s.chunks).toHaveLength(4); // nothing left to clear
  });

  it('keeps the status line within the terminal width', () => {
    const s = sink({ columns: 30 });
    const rep = createProgressReporter({ out: s.out, tty: true, now: () => 0 });
    rep.onTrial?.(trial({}));
    expect([...s.chunks[0]!.replace('\r\x1b[K', '')].length).toBeLessThan(30);
  });
});

describe('file reporter', () => {
  it('writes the report files into the run dir at the end of the run, then names the HTML report', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'chatfuzz-file-reporter-'));
    try {
      const s = sink();
      await createFileReporter({ cwd: dir, out: s.out }).onRunEnd?.(sampleResults(), dir);
      expect(s.text()).toBe('report: index.html\n');
      expect(JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8'))).toEqual(sampleResults());
      expect(await readFile(path.join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="chatfuzz"');
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('data-cell="naive/log-before-create"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects with a ReportFilesError naming the folder when it cannot write', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'chatfuzz-file-reporter-'));
    try {
      const file = path.join(dir, 'a-file');
      await writeFile(file, 'x');
      const s = sink();
      const e = await Promise.resolve(createFileReporter({ cwd: dir, out: s.out }).onRunEnd?.(sampleResults(), file)).catch((x) => x);
      expect(e).toBeInstanceOf(ReportFilesError);
      expect(e.message).toContain(`could not write the report to ${file}:`);
      expect(s.text()).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('builtinReporters', () => {
  it('lists default, console, progress, files and json, each a factory of reporters; default is progress then console', () => {
    expect(Object.keys(builtinReporters).sort()).toEqual(['console', 'default', 'files', 'json', 'progress']);
    const s = sink();
    for (const make of Object.values(builtinReporters)) {
      const reps = make({ out: s.out, tty: false, color: false });
      expect(reps.length).toBeGreaterThan(0);
      for (const rep of reps) expect(typeof rep).toBe('object');
    }
    expect(builtinReporters.default({ out: s.out, tty: false, color: false })).toHaveLength(2);
    expect(typeof builtinReporters.console({ out: s.out, tty: false, color: false })[0]!.onRunEnd).toBe('function');
    expect(typeof builtinReporters.files({ out: s.out, tty: false, color: false })[0]!.onRunEnd).toBe('function');
  });

  it('console prints the banner when the run starts; json prints results.json when it ends', async () => {
    const s = sink();
    let banner = 'not yet';
    const [console] = builtinReporters.console({ out: s.out, tty: false, color: false, banner: () => banner });
    banner = 'chatfuzz scheduled · seed 1';
    await console!.onRunStart?.(runStart());
    expect(s.text()).toBe('chatfuzz scheduled · seed 1\n');
    const j = sink();
    await builtinReporters.json({ out: s.out, stdout: j.out, tty: false, color: false })[0]!.onRunEnd?.(sampleResults(), '/tmp/x');
    expect(JSON.parse(j.text())).toEqual(sampleResults());
  });
});
