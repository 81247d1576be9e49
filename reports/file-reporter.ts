import path from 'node:path';
import type { Reporter } from '../harness/run/reporter.js';
import { writeReportFiles } from './write-report-files.js';

/** The report files could not be written at the end of a run: the caller keeps the verdicts some other way (exit 3). */
export class ReportFilesError extends Error {
  constructor(
    readonly dir: string,
    readonly cause: unknown,
  ) {
    super(`could not write the report to ${dir}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/**
 * Writes results.json, index.html and junit.xml into the run's report directory when the run ends
 * (and points reports/latest at it under `cwd`), then names the HTML report on `out`; a write that
 * fails rejects with a ReportFilesError.
 */
export function createFileReporter(opts: { cwd?: string; out?: NodeJS.WritableStream } = {}): Reporter {
  return {
    async onRunEnd(results, reportDir) {
      try {
        await writeReportFiles(results, reportDir, { cwd: opts.cwd });
      } catch (e) {
        throw new ReportFilesError(reportDir, e);
      }
      const cwd = opts.cwd ?? process.cwd();
      opts.out?.write(`report: ${path.relative(cwd, path.join(reportDir, 'index.html')) || reportDir}\n`);
    },
  };
}
