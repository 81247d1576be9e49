// `chatfuzz merge-reports DIR… [--report OUT] [--json]`: joins the report folders of the parts of
// one run made with `--shard i/N` into the report that run would have written unsharded: the
// same cells in matrix order with the same verdicts, failures, case files and server logs, the
// summary, baseline counts and exit code recomputed. Exit code: the merged run's (0/1), 2 for
// parts that do not make one run (each problem named, with the fix).
import { cp, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { shellQuote } from '../../cases/case-file.js';
import type { CliIo } from '../cli-io.js';
import { newRunId } from '../new-run-id.js';
import { summarizeCells } from '../../run/assemble-results.js';
import type { BaselineStatus, BaselineSummary, CellFailure, CellResult, RunResults } from '../../run/results.js';
import { builtinReporters, type BuiltinReporterOptions } from '../../../reports/builtin-reporters.js';
import { ReportFilesError } from '../../../reports/file-reporter.js';
import type { Reporter } from '../../run/reporter.js';
import { prepareReportDir } from '../../../reports/prepare-report-dir.js';
import { BASELINE_STATUSES } from '../../../reports/baseline-diff.js';

const MERGE_USAGE = `usage: chatfuzz merge-reports DIR… [--report OUT] [--json]
  DIR…          the report folders (--report DIR) of every part of one run made with --shard i/N
  --report OUT  where the merged results.json, index.html, junit.xml, cases/ and servers/ go
                (default reports/runs/<new run id>, with reports/latest pointing at it)
  --json        also print the merged results.json to stdout (the human output goes to stderr)
exit codes: 0 every cell met its expectation, 1 some cell did not, 2 the parts do not make one run`;

const FLAGS = { report: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** The report folders a part brings besides its files; both are named per cell, so parts never share a name. */
const COPIED_FOLDERS = ['cases', 'servers'] as const;

interface Part {
  /** The folder as given on the command line (for messages). */
  dir: string;
  abs: string;
  results: RunResults & { shard: { index: number; total: number } };
  /** Names of the files in the part's cases/ and servers/ folders. */
  files: Record<(typeof COPIED_FOLDERS)[number], string[]>;
}

/** Runs `chatfuzz merge-reports` with the arguments after the subcommand; resolves to the exit code. */
export async function runMergeReports(argv: string[], io: CliIo): Promise<number> {
  const err = (s: string) => io.stderr.write(s + '\n');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.split('\n')[0]}. Valid flags: --report OUT, --json, --help`);
    }
    const { values: v, positionals: dirs } = parsed;
    if (v.help) {
      io.stdout.write(MERGE_USAGE + '\n');
      return 0;
    }
    if (!dirs.length)
      throw new UsageError('merge-reports needs the report folders of the --shard parts: chatfuzz merge-reports DIR… [--report OUT]');

    // One at a time: with several bad folders, the first named on the command line is the one reported.
    const parts: Part[] = [];
    for (const dir of dirs) parts.push(await readPart(dir, io.cwd));
    checkParts(parts);
    // A shard on another server (or server version) still ran its cells with the run's seed and flags:
    // the difference is reported, not refused, and the merged report names the first part's server.
    for (const p of parts.slice(1)) {
      const diff = firstDifference(parts[0]!.results.db, p.results.db, 'db');
      if (diff)
        err(
          `chatfuzz merge-reports: warning: the parts ran on different databases (${diff.path}: ${parts[0]!.dir} has ${show(diff.a)}, ${p.dir} has ${show(diff.b)}); the merged report names the first`,
        );
    }
    const ordered = [...parts].sort((a, b) => a.results.shard.index - b.results.shard.index);

    const runId = newRunId();
    // The same default as a run's: reports/runs/<run id>, and writeReportFiles points reports/latest at it.
    // A new run id rather than a part's: a part's own folder may be reports/runs/<its id>, and the merge must not land in it.
    const outDir = path.resolve(io.cwd, v.report ?? path.join('reports', 'runs', runId));
    const clash = parts.find((p) => p.abs === outDir);
    if (clash)
      throw new UsageError(`--report ${v.report} is the folder of part ${clash.dir}; write the merged report to a folder of its own`);
    // Before copying into it: fs.cp would create it with mkdir({ recursive: true }), which never returns on some paths.
    await prepareReportDir(outDir);

    const results = mergeResults(ordered, { runId, outDir, cwd: io.cwd });
    for (const p of ordered) {
      for (const folder of COPIED_FOLDERS) {
        if (p.files[folder].length) await cp(path.join(p.abs, folder), path.join(outDir, folder), { recursive: true, force: true });
      }
    }
    const human = v.json ? io.stderr : io.stdout;
    const color = !!human.isTTY && !io.env.NO_COLOR && !io.env.CI;
    const banner = `chatfuzz merge-reports · ${parts.length} part(s) of ${ordered[0]!.results.shard.total} (run ids ${ordered.map((p) => p.results.runId).join(', ')}) · seed ${results.seed} · ${results.mode}`;
    const o: BuiltinReporterOptions = { out: human, stdout: io.stdout, tty: false, color, banner, cwd: io.cwd };
    const reporters: Reporter[] = [
      ...builtinReporters.console(o),
      ...builtinReporters.files(o),
      ...(v.json ? builtinReporters.json(o) : []),
    ];
    // The merged run is reported as a run is: its start, then its end (the matrix, the files, --json).
    const cellsRun = results.cells.map(({ target, scenario }) => ({ target, scenario }));
    for (const r of reporters)
      await r.onRunStart?.({ runId, seed: results.seed, mode: results.mode, db: results.db, cells: cellsRun, reportDir: outDir });
    for (const r of reporters) await r.onRunEnd?.(results, outDir);
    return results.exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`chatfuzz merge-reports: ${e.message}`);
      err('run `chatfuzz merge-reports --help` for usage');
      return e.exitCode;
    }
    if (e instanceof ReportFilesError) {
      err(`chatfuzz merge-reports: ${e.message}`);
      return 3;
    }
    err(`chatfuzz merge-reports: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 3;
  }
}

async function readPart(dir: string, cwd: string): Promise<Part> {
  const abs = path.resolve(cwd, dir);
  const kind = await stat(abs).then(
    (st) => (st.isDirectory() ? 'folder' : 'file'),
    () => 'missing',
  );
  if (kind === 'missing')
    throw new UsageError(`${dir}: no such folder (${abs}); pass the report folder (--report DIR) of each --shard part`);
  if (kind === 'file') throw new UsageError(`${dir} is a file, not a report folder; pass the folder that holds a part's results.json`);
  const file = path.join(abs, 'results.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `${dir} has no results.json; pass the report folder (--report DIR) of each --shard part, e.g. the unpacked artifact of each shard job`
        : `cannot read ${path.join(dir, 'results.json')} (${code ?? (e as Error).message})`,
    );
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `${path.join(dir, 'results.json')} is not valid JSON (${(e as Error).message}); was the part's run cut short? run that shard again`,
    );
  }
  if (json?.tool !== 'chatfuzz' || !Array.isArray(json.cells))
    throw new UsageError(`${path.join(dir, 'results.json')} is not a chatfuzz results.json; pass the report folders of the --shard parts`);
  const s = json.shard;
  if (!s)
    throw new UsageError(
      `${dir} is not a shard: its results.json has no "shard" (run each part with --shard i/N; a run without --shard needs no merging)`,
    );
  if (!Number.isInteger(s.index) || !Number.isInteger(s.total) || s.index < 1 || s.index > s.total) {
    throw new UsageError(`${dir}: "shard" is ${JSON.stringify(s)}, expected { index, total } with 1 ≤ index ≤ total`);
  }
  const files = { cases: [] as string[], servers: [] as string[] };
  for (const folder of COPIED_FOLDERS) files[folder] = await readdir(path.join(abs, folder)).catch(() => []);
  return { dir, abs, results: json, files };
}

/** Every part of one run: one total, each index once, the same seed, mode, options, version and baseline. */
function checkParts(parts: Part[]): void {
  const name = (p: Part) => `${p.dir} (${p.results.shard.index}/${p.results.shard.total})`;
  const first = parts[0]!;
  const total = first.results.shard.total;
  const other = parts.find((p) => p.results.shard.total !== total);
  if (other)
    throw new UsageError(
      `the parts have different shard totals: ${name(first)} and ${name(other)}; every part of one run uses the same N in --shard i/N`,
    );
  const byIndex = new Map<number, Part>();
  for (const p of parts) {
    const seen = byIndex.get(p.results.shard.index);
    if (seen)
      throw new UsageError(
        `shard ${p.results.shard.index}/${total} is given twice: ${seen.dir} and ${p.dir}; pass each part's folder once`,
      );
    byIndex.set(p.results.shard.index, p);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new UsageError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${[
        ...byIndex.keys(),
      ]
        .sort((a, b) => a - b)
        .map((i) => `${i}/${total}`)
        .join(', ')}); pass the report folders of all ${total} parts`,
    );
  }

  const fix: Record<string, string> = {
    version: 'run every shard with the same chatfuzz version',
    seed: 'every shard must run with the same --seed (without --seed they share the CI run id: run them in one CI run)',
    mode: 'run every shard with the same --mode',
    options: 'run every shard with the same flags and config (targets, scenarios, --runs, --time-budget, …)',
    baseline: 'give every shard the same --baseline file, and --ci to all or none',
  };
  for (const p of parts.slice(1)) {
    for (const field of ['version', 'seed', 'mode', 'options', 'baseline'] as const) {
      const diff = firstDifference(comparable(first.results, field), comparable(p.results, field), field);
      if (diff) {
        throw new UsageError(
          `the parts differ in ${diff.path}: ${first.dir} has ${show(diff.a)}, ${p.dir} has ${show(diff.b)}; ${fix[field]}`,
        );
      }
    }
  }
  // The cells a part holds must be the slice --shard i/N runs: the k-th is matrix cell (i - 1) + k·N.
  const { targets, scenarios } = first.results.options;
  const cellCount = targets.length * scenarios.length;
  for (const p of parts) {
    const { index } = p.results.shard;
    const expected = Math.max(0, Math.ceil((cellCount - (index - 1)) / total));
    const wrong = p.results.cells.findIndex((c, k) => {
      const m = index - 1 + k * total;
      return c.target !== targets[Math.floor(m / scenarios.length)] || c.scenario !== scenarios[m % scenarios.length];
    });
    if (p.results.cells.length !== expected || wrong >= 0) {
      throw new UsageError(
        `${name(p)} does not hold the cells --shard ${index}/${total} runs of ${targets.length} target(s) × ${scenarios.length} scenario(s) (${p.results.cells.length} cell(s), expected ${expected}); was its results.json edited? run that shard again`,
      );
    }
    if (!!p.results.baseline && p.results.cells.some((c) => !c.baseline)) {
      throw new UsageError(`${name(p)} has a "baseline" but not every cell carries its baseline status; run that shard again`);
    }
  }
  // Case files and server logs are named per cell, so two parts never share one, unless a folder was reused.
  for (const folder of COPIED_FOLDERS) {
    const owner = new Map<string, Part>();
    for (const p of parts) {
      for (const f of p.files[folder]) {
        const seen = owner.get(f);
        if (seen)
          throw new UsageError(
            `${seen.dir} and ${p.dir} both hold ${folder}/${f}; give each shard a report folder of its own (--report DIR) that no other run wrote into`,
          );
        owner.set(f, p);
      }
    }
  }
}

// Of a baseline, what names the file the shard compared with; its counts and missing cells are the shard's own.
function comparable(r: RunResults, field: 'version' | 'seed' | 'mode' | 'options' | 'baseline'): unknown {
  if (field !== 'baseline' || !r.baseline) return r[field];
  const { file, runId, startedAt, gate } = r.baseline;
  return { file, runId, startedAt, gate };
}

/** The first place two JSON values differ, as a path like `options.runs`. */
function firstDifference(a: unknown, b: unknown, at: string): { path: string; a: unknown; b: unknown } | null {
  if (a === b) return null;
  // Objects are compared key by key; a list (targets, scenarios) is named whole.
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : { path: at, a, b };
}

function show(v: unknown): string {
  return v === undefined ? 'none' : JSON.stringify(v);
}

/**
 * The results.json one unsharded run would have written: the parts' cells back in matrix order
 * (round robin: part i's k-th cell is matrix cell (i - 1) + k·N), case-file paths moved into the
 * merged folder, summary, baseline counts and exit code recomputed from the cells.
 */
function mergeResults(parts: Part[], o: { runId: string; outDir: string; cwd: string }): RunResults {
  const first = parts[0]!.results;
  const total = first.shard.total;
  const cells: CellResult[] = [];
  for (const p of parts) {
    p.results.cells.forEach((cell, k) => {
      cells[p.results.shard.index - 1 + k * total] = relocateCell(cell, p, o);
    });
  }
  const ok = cells.filter((c) => c.ok).length;
  // startedAt: the earliest part's start. durationMs: wall-clock time from that start to the
  // end of the last part to finish, as an unsharded run's durationMs is its own wall-clock time:
  // the longest part's when the shards ran at once (a CI matrix), their sum when they ran in
  // turn. Each cell keeps its own durationMs and msToFirstFailure.
  const starts = parts.map((p) => Date.parse(p.results.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...parts.map((p, i) => starts[i]! + p.results.durationMs));
  const validTimes = starts.every(Number.isFinite);
  const startedAt = validTimes ? new Date(start).toISOString() : first.startedAt;
  const durationMs = validTimes ? Math.round(end - start) : Math.max(...parts.map((p) => p.results.durationMs));

  let baseline: BaselineSummary | undefined;
  if (first.baseline) {
    const counts = Object.fromEntries(BASELINE_STATUSES.map((s) => [s, 0])) as Record<BaselineStatus, number>;
    for (const c of cells) counts[c.baseline!]++;
    // A baseline cell is missing from the whole run exactly when every part misses it.
    const key = (c: { target: string; scenario: string; mode: string }) => `${c.target}\u0000${c.scenario}\u0000${c.mode}`;
    const missingIn = parts.map((p) => new Set(p.results.baseline!.missingCells.map(key)));
    baseline = {
      ...first.baseline,
      counts,
      missingCells: first.baseline.missingCells.filter((m) => missingIn.every((s) => s.has(key(m)))),
    };
  }
  const gateFails = !!baseline?.gate && baseline.counts['new-failure'] > 0;
  // Spread over the first part so the keys keep the order a run writes them in; only `shard` goes.
  const merged: RunResults = {
    ...first,
    runId: o.runId,
    startedAt,
    durationMs,
    cells,
    summary: summarizeCells(cells),
    exitCode: ok === cells.length && !gateFails ? 0 : 1,
    ...(baseline ? { baseline } : {}),
  };
  delete merged.shard;
  return merged;
}

/** A cell with its failures' case files (and replay lines) pointing into the merged folder; server logs are relative to the report folder already. */
function relocateCell(cell: CellResult, part: Part, o: { outDir: string; cwd: string }): CellResult {
  if (!cell.failure && !cell.failures) return cell;
  const move = (f: CellFailure): CellFailure => {
    if (!f.caseFile) return f;
    // A run writes caseFile relative to its working directory (or absolute), always as <report dir>/cases/<name>.
    const segments = f.caseFile.split(/[\\/]/);
    const name = segments.at(-1)!;
    if (segments.at(-2) !== 'cases' || !part.files.cases.includes(name)) return f;
    const abs = path.join(o.outDir, 'cases', name);
    const caseFile = path.relative(o.cwd, abs) || abs;
    return { ...f, caseFile, replay: f.replay.split(shellQuote(f.caseFile)).join(shellQuote(caseFile)) };
  };
  return {
    ...cell,
    ...(cell.failure ? { failure: move(cell.failure) } : {}),
    ...(cell.failures ? { failures: cell.failures.map(move) } : {}),
  };
}
