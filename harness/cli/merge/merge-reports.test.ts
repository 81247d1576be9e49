// `chatfuzz merge-reports`: the parts of a --shard run, merged, are the report one unsharded run
// writes (the same seed gives the same cells, verdicts and counterexamples); parts that do not
// make one run are refused with exit 2 and a message naming the problem.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { capturedIo } from '../../../test/captured-io.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../run-cli.js';
import { parseArgs } from '../parse-args.js';
import type { RunResults } from '../../run/results.js';
import { applyBaseline, parseBaseline } from '../../../reports/baseline-diff.js';
import { renderJunit } from '../../../reports/render-junit.js';

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'chatfuzz-merge-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));
const dir = (name: string) => path.join(root, name);

// io.cwd is the process's own, as in the real command: case-file paths are relative to it.
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capturedIo({ NO_COLOR: '1' });
  const code = await runCli(argv, out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

const MATRIX = [
  '--target',
  'naive,upsert',
  '--scenario',
  'log-before-create,multi-message-first-request,concurrent-duplicates',
  '--mode',
  'scheduled',
  '--runs',
  '20',
  '--seed',
  '42',
  '--no-corpus',
  '--workers',
  '1',
];

async function readResults(d: string): Promise<RunResults> {
  return JSON.parse(await fs.readFile(path.join(d, 'results.json'), 'utf8'));
}

/** Runs the matrix unsharded into `name` and as 3 shards into `name-1`…`name-3`, then merges them into `name-merged`. */
async function runAndMerge(name: string): Promise<{ whole: number; shards: number[]; merge: Awaited<ReturnType<typeof cli>> }> {
  const db = ['--db', inject('pgAdminUrl')];
  const whole = await cli([...MATRIX, ...db, '--report', dir(name)]);
  expect(whole.code, whole.stderr).toBeLessThan(2);
  const shards: number[] = [];
  for (const i of [1, 2, 3]) {
    const r = await cli([...MATRIX, ...db, '--shard', `${i}/3`, '--report', dir(`${name}-${i}`)]);
    expect(r.code, r.stderr).toBeLessThan(2);
    shards.push(r.code);
  }
  // Given out of order: the matrix order comes from the shard indexes.
  const merge = await cli(['merge-reports', dir(`${name}-3`), dir(`${name}-1`), dir(`${name}-2`), '--report', dir(`${name}-merged`)]);
  return { whole: whole.code, shards, merge };
}

// What differs between two runs of the same seed: wall-clock times, the run's id and start,
// PostgreSQL backend pids, and the report folder in every path.
const VARYING = new Set(['runId', 'startedAt', 'durationMs', 'msToFirstFailure', 'backendPid']);
function maskPaths(text: string, reportDir: string): string {
  // The relative form first: it ends with the absolute one.
  for (const form of [path.relative(process.cwd(), reportDir), reportDir]) text = text.split(form).join('<REPORT>');
  return text;
}
function maskResults(text: string, reportDir: string): unknown {
  return JSON.parse(maskPaths(text, reportDir), (k, v) => (VARYING.has(k) ? '<varies>' : v));
}
function maskJunit(text: string, reportDir: string): string {
  return maskPaths(text, reportDir)
    .replace(/ time="[\d.]+"/g, ' time="<varies>"')
    .replace(/ timestamp="[^"]*"/g, ' timestamp="<varies>"')
    .replace(/(<property name="runId" value=")[^"]*"/, '$1<varies>"');
}

/** A copy of report folder `from` as `name`, its results.json (and junit.xml) rewritten by `edit`. */
async function withResults(from: string, name: string, edit: (r: RunResults) => RunResults): Promise<string> {
  await fs.cp(from, dir(name), { recursive: true });
  const r = edit(await readResults(from));
  await fs.writeFile(path.join(dir(name), 'results.json'), JSON.stringify(r, null, 2) + '\n');
  await fs.writeFile(path.join(dir(name), 'junit.xml'), renderJunit(r));
  return dir(name);
}

/** `merged` holds what the unsharded run wrote into `whole`, but for what varies between runs; its paths name `wholePaths` (default `whole`). */
async function expectSameReport(whole: string, merged: string, wholePaths = whole): Promise<void> {
  const a = await fs.readFile(path.join(whole, 'results.json'), 'utf8');
  const b = await fs.readFile(path.join(merged, 'results.json'), 'utf8');
  expect(maskResults(b, merged)).toEqual(maskResults(a, wholePaths));
  // Byte for byte once masked: the keys come in the order a run writes them.
  expect(JSON.stringify(maskResults(b, merged))).toBe(JSON.stringify(maskResults(a, wholePaths)));
  expect(maskJunit(await fs.readFile(path.join(merged, 'junit.xml'), 'utf8'), merged)).toBe(
    maskJunit(await fs.readFile(path.join(whole, 'junit.xml'), 'utf8'), wholePaths),
  );
  // Every case file is there, with the same content, and the paths in results.json lead to them.
  const cases = (await fs.readdir(path.join(whole, 'cases'))).sort();
  expect((await fs.readdir(path.join(merged, 'cases'))).sort()).toEqual(cases);
  for (const f of cases) {
    expect(await fs.readFile(path.join(merged, 'cases', f), 'utf8')).toBe(await fs.readFile(path.join(whole, 'cases', f), 'utf8'));
  }
  const results: RunResults = JSON.parse(b);
  const caseFiles = results.cells.flatMap((c) => c.failures ?? []).map((f) => f.caseFile!);
  expect(caseFiles.length).toBe(cases.length);
  for (const f of caseFiles) await expect(fs.access(path.resolve(process.cwd(), f))).resolves.toBeUndefined();
  expect(results.cells.flatMap((c) => c.failures ?? []).every((f) => f.replay.endsWith(f.caseFile!))).toBe(true);
  expect(results.shard).toBeUndefined();
  await expect(fs.access(path.join(merged, 'index.html'))).resolves.toBeUndefined();
}

describe('chatfuzz merge-reports', () => {
  let plain: Awaited<ReturnType<typeof runAndMerge>>;
  beforeAll(async () => {
    plain = await runAndMerge('plain');
  });

  it('merges 3 shards of naive, upsert × 3 scenarios into what the unsharded run wrote', async () => {
    expect(plain.whole).toBe(0);
    expect(plain.shards).toEqual([0, 0, 0]);
    expect(plain.merge.code, plain.merge.stderr).toBe(0);
    expect(plain.merge.stdout).toMatch(/6\/6 cells met their expectation/);
    expect(plain.merge.stdout).toContain(`report: ${path.relative(process.cwd(), path.join(dir('plain-merged'), 'index.html'))}`);
    // Each shard really holds only its slice, round robin.
    expect((await readResults(dir('plain-1'))).cells.map((c) => `${c.target} ${c.scenario}`)).toEqual([
      'naive log-before-create',
      'upsert log-before-create',
    ]);
    const whole = await readResults(dir('plain'));
    const merged = await readResults(dir('plain-merged'));
    // Some cells fail (as expected), so case files and replay lines are part of the comparison.
    expect(whole.cells.filter((c) => c.failures?.length).length).toBe(3);
    await expectSameReport(dir('plain'), dir('plain-merged'));
    // The merged run's time spans its parts: from the first start to the last end.
    const parts = await Promise.all([1, 2, 3].map((i) => readResults(dir(`plain-${i}`))));
    const start = Math.min(...parts.map((p) => Date.parse(p.startedAt)));
    const end = Math.max(...parts.map((p) => Date.parse(p.startedAt) + p.durationMs));
    expect(merged.startedAt).toBe(new Date(start).toISOString());
    expect(merged.durationMs).toBe(end - start);
    expect(parts.map((p) => p.runId)).not.toContain(merged.runId);
  });

  it('with --baseline --ci in every part, the merged statuses, counts, missing cells and gate are those of one run', async () => {
    // A baseline made to show every status: a passing cell that failed before (fixed), a failing
    // one that passed (new-failure, which fails the --ci gate), one it lacked and one it had extra.
    const whole = await readResults(dir('plain'));
    const cells = whole.cells
      .filter((c) => !(c.target === 'upsert' && c.scenario === 'concurrent-duplicates'))
      .map((c) =>
        c.target === 'naive' && c.scenario === 'log-before-create'
          ? { ...c, outcome: 'pass', failure: undefined }
          : c.target === 'upsert' && c.scenario === 'log-before-create'
            ? { ...c, outcome: 'fail', failure: { invariant: 'no-fk-error', message: 'before' } }
            : c,
      );
    cells.push({ ...cells[0]!, target: 'session-first', scenario: 'mixed' });
    const baseline = parseBaseline({ ...whole, runId: 'base', cells }, 'baseline.json');
    // What runCli does with --ci --baseline once the cells have run (a pure function of the results,
    // so applied here to the plain runs' results rather than running the matrix four more times).
    const gate = (name: string, from: string) =>
      withResults(from, name, (r) => applyBaseline(r, baseline, { file: 'baseline.json', gate: true }));
    await gate('gated', dir('plain'));
    for (const i of [1, 2, 3]) await gate(`gated-${i}`, dir(`plain-${i}`));
    expect((await readResults(dir('gated'))).exitCode).toBe(1);
    // Only the shard holding naive × log-before-create (matrix cell 1) sees the new failure.
    expect(await Promise.all([1, 2, 3].map(async (i) => (await readResults(dir(`gated-${i}`))).exitCode))).toEqual([1, 0, 0]);

    const r = await cli(['merge-reports', dir('gated-1'), dir('gated-2'), dir('gated-3'), '--report', dir('gated-merged')]);
    expect(r.code, r.stderr).toBe(1);
    const merged = await readResults(dir('gated-merged'));
    expect(merged.baseline).toMatchObject({
      runId: 'base',
      gate: true,
      counts: { 'new-failure': 1, fixed: 1, 'still-failing': 2, unchanged: 1, 'new-cell': 1 },
      missingCells: [{ target: 'session-first', scenario: 'mixed', mode: 'scheduled' }],
    });
    // The case-file paths of the copies point into plain*/, as the unsharded run's do.
    await expectSameReport(dir('gated'), dir('gated-merged'), dir('plain'));

    // A shard run without --ci (or against another baseline) is not part of the same run.
    await withResults(dir('gated-2'), 'ungated-2', (p) => ({ ...p, baseline: { ...p.baseline!, gate: false } }));
    const bad = await cli(['merge-reports', dir('gated-1'), dir('ungated-2'), dir('gated-3'), '--report', dir('ungated-merged')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /the parts differ in baseline\.gate: .*gated-1 has true, .*ungated-2 has false; give every shard the same --baseline file, and --ci to all or none/,
    );
  });

  it("copies the parts' server logs, whose paths are relative to the report folder; another server version is only a warning", async () => {
    for (const i of [1, 2]) await fs.cp(dir(`plain-${i}`), dir(`logs-${i}`), { recursive: true });
    await withResults(dir('plain-3'), 'logs-3', (r) => ({ ...r, db: { ...r.db, serverVersion: 'PostgreSQL 99' } }));
    await fs.mkdir(dir('logs-2/servers'), { recursive: true });
    await fs.writeFile(dir('logs-2/servers/http-chat--mixed--scheduled--1.log'), 'listening\n');
    const r = await cli(['merge-reports', dir('logs-1'), dir('logs-2'), dir('logs-3'), '--report', dir('logs-merged'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the parts ran on different databases \(db\.serverVersion: .*logs-1 has "PostgreSQL [^"]+", .*logs-3 has "PostgreSQL 99"\); the merged report names the first/,
    );
    expect(JSON.parse(r.stdout).summary).toMatchObject({ cells: 6, ok: 6 });
    expect(JSON.parse(r.stdout).db).toEqual((await readResults(dir('plain-1'))).db);
    expect(await fs.readFile(dir('logs-merged/servers/http-chat--mixed--scheduled--1.log'), 'utf8')).toBe('listening\n');
  });

  describe('parts that do not make one run exit 2 naming the problem, and write nothing', () => {
    /** A copy of shard `i` of the plain run with its results.json edited. */
    async function part(name: string, i: number, edit: (r: any) => void = () => {}): Promise<string> {
      await fs.cp(dir(`plain-${i}`), dir(name), { recursive: true });
      const r = await readResults(dir(name));
      edit(r);
      await fs.writeFile(path.join(dir(name), 'results.json'), JSON.stringify(r));
      return dir(name);
    }
    async function refused(args: string[], message: RegExp): Promise<void> {
      const out = dir(`refused-${Math.random().toString(36).slice(2)}`);
      const r = await cli(['merge-reports', ...args, '--report', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      await expect(fs.access(out)).rejects.toThrow();
    }
    const [p1, p2, p3] = [1, 2, 3].map((i) => dir(`plain-${i}`));

    it('a folder without results.json, and no folder at all', async () => {
      await fs.mkdir(dir('empty'), { recursive: true });
      await refused([p1!, p2!, dir('empty')], /empty has no results\.json; pass the report folder \(--report DIR\) of each --shard part/);
      await refused([p1!, p2!, dir('nowhere')], /nowhere: no such folder \(.*nowhere\); pass the report folder/);
      const r = await cli(['merge-reports']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/needs the report folders of the --shard parts/);
    });

    it('a run that is not a shard', async () => {
      await refused([p1!, p2!, dir('plain')], /plain is not a shard: its results\.json has no "shard" \(run each part with --shard i\/N/);
    });

    it('parts with different totals', async () => {
      const other = await part('total4', 3, (r) => {
        r.shard = { index: 3, total: 4 };
      });
      await refused(
        [p1!, p2!, other],
        /different shard totals: .*plain-1 \(1\/3\) and .*total4 \(3\/4\); every part of one run uses the same N/,
      );
    });

    it('a missing or duplicated shard index, named', async () => {
      await refused([p1!, p3!], /shard 2\/3 is missing \(given: 1\/3, 3\/3\); pass the report folders of all 3 parts/);
      await refused([p1!], /shards 2\/3, 3\/3 are missing/);
      const again = await part('again', 1);
      await refused([p1!, again, p2!, p3!], /shard 1\/3 is given twice: .*plain-1 and .*again; pass each part's folder once/);
    });

    it('parts with a different seed, mode, options, version or baseline, naming the field', async () => {
      const cases: [string, (r: any) => void, RegExp][] = [
        [
          'seed',
          (r) => {
            r.seed = 43;
          },
          /differ in seed: .*plain-1 has 42, .*has 43; every shard must run with the same --seed/,
        ],
        [
          'mode',
          (r) => {
            r.mode = 'stress';
          },
          /differ in mode: .*has "scheduled", .*has "stress"; run every shard with the same --mode/,
        ],
        [
          'runs',
          (r) => {
            r.options.runs = 21;
          },
          /differ in options\.runs: .*has 20, .*has 21; run every shard with the same flags/,
        ],
        [
          'targets',
          (r) => {
            r.options.targets = ['naive'];
          },
          /differ in options\.targets: .*has \["naive","upsert"\], .*has \["naive"\]/,
        ],
        [
          'isolation',
          (r) => {
            r.options.isolation = 'serializable';
          },
          /differ in options\.isolation: .*has none, .*has "serializable"/,
        ],
        [
          'version',
          (r) => {
            r.version = '0.0.1';
          },
          /differ in version: .*has "[\d.]+", .*has "0\.0\.1"; run every shard with the same chatfuzz version/,
        ],
        [
          'baseline',
          (r) => {
            r.baseline = { file: 'b.json', runId: 'x', startedAt: '', gate: false, counts: {}, missingCells: [] };
          },
          /differ in baseline: .*has none, .*has \{"file":"b\.json".*\}; give every shard the same --baseline/,
        ],
      ];
      for (const [name, edit, message] of cases) await refused([p1!, await part(`field-${name}`, 2, edit), p3!], message);
    });

    it('a part whose cells are not its slice of the matrix, and a case file two parts share', async () => {
      const edited = await part('edited', 2, (r) => {
        r.cells.reverse();
      });
      await refused([p1!, edited, p3!], /edited \(2\/3\) does not hold the cells --shard 2\/3 runs of 2 target\(s\) × 3 scenario\(s\)/);
      const shared = await part('shared', 2);
      await fs.cp(path.join(p1!, 'cases'), path.join(shared, 'cases'), { recursive: true });
      await refused(
        [p1!, shared, p3!],
        /plain-1 and .*shared both hold cases\/naive--log-before-create--scheduled\.json; give each shard a report folder of its own/,
      );
    });

    it('an unknown flag, and --report naming one of the parts', async () => {
      const r = await cli(['merge-reports', p1!, '--out', 'x']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out.*Valid flags: --report OUT, --json, --help/);
      const into = await cli(['merge-reports', p1!, p2!, p3!, '--report', p2!]);
      expect(into.code).toBe(2);
      expect(into.stderr).toMatch(/is the folder of part .*plain-2; write the merged report to a folder of its own/);
    });

    it.runIf(process.platform === 'linux')(
      'a --report OUT where nothing can be created, named, instead of a merge that never ends',
      async () => {
        // fs.mkdir(…, { recursive: true }) never returns on this path.
        const r = await cli(['merge-reports', p1!, p2!, p3!, '--report', '/proc/chatfuzz-merged']);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/--report \/proc\/chatfuzz-merged: cannot create \/proc\/chatfuzz-merged \(ENOENT/);
      },
    );
  });
});

// It cannot run here (no GitHub runner): check that it parses and follows the shard-and-merge
// convention of Playwright and vitest, with flags the CLI accepts.
describe('examples/github-actions/chatfuzz-sharded.yml', () => {
  it('is valid YAML: a shard matrix uploading one artifact each, and a merge job that runs even when a shard failed', async () => {
    const file = path.resolve(import.meta.dirname, '../../../examples/github-actions/chatfuzz-sharded.yml');
    const wf = parse(await fs.readFile(file, 'utf8'), { strict: true, uniqueKeys: true });
    const fuzz = wf.jobs.fuzz;
    expect(fuzz.strategy).toEqual({ 'fail-fast': false, matrix: { shardIndex: [1, 2, 3], shardTotal: [3] } });
    const run: string = fuzz.steps.find((s: any) => s.name === 'Fuzz').run;
    const args = /args="([^"]+)"/
      .exec(run)![1]!
      .replace(/\$\{\{ matrix\.(\w+) \}\}/g, (_, k) => String(fuzz.strategy.matrix[k][0]))
      .split(' ');
    expect(parseArgs(args)).toMatchObject({ ci: true, shard: { index: 1, total: 3 }, reportDir: 'reports/shard-1', seed: null });
    const upload = fuzz.steps.find((s: any) => String(s.uses).startsWith('actions/upload-artifact@'));
    expect(upload.if).toBe('${{ !cancelled() }}');
    expect(upload.with.name).toBe('chatfuzz-shard-${{ matrix.shardIndex }}');
    expect(upload.with.path).toBe('reports/shard-${{ matrix.shardIndex }}/');

    const merge = wf.jobs.merge;
    expect(merge.needs).toEqual(['fuzz']);
    expect(merge.if).toBe('${{ !cancelled() }}');
    const download = merge.steps.find((s: any) => String(s.uses).startsWith('actions/download-artifact@'));
    expect(download.with).toMatchObject({ pattern: 'chatfuzz-shard-*', 'merge-multiple': false, path: 'all-reports' });
    const mergeRun: string = merge.steps.find((s: any) => s.name === 'Merge the reports').run;
    expect(mergeRun).toMatch(/npx chatfuzz merge-reports all-reports\/chatfuzz-shard-\* --report reports\/ci/);
    const mergedUpload = merge.steps.find((s: any) => String(s.uses).startsWith('actions/upload-artifact@'));
    expect(mergedUpload.with.path).toBe('reports/ci/');
  });
});
