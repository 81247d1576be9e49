import type { Reporter } from '../harness/run/reporter.js';
import { writeReportFiles } from './write-report-files.js';

/** Writes results.json, index.html and junit.xml into the run's report directory when the run ends. */
export function createFileReporter(): Reporter {
  return {
    async onRunEnd(results, reportDir) {
      await writeReportFiles(results, reportDir);
    },
  };
}
