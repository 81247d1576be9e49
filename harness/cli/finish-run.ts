import type { RunResults } from '../run/results.js';
import type { Reporter } from '../run/reporter.js';
import { ReportFilesError } from '../../reports/file-reporter.js';
import type { CliIo } from './cli-io.js';
import { finalResults, type BaselineInput } from './final-results.js';
import type { ReporterFailure } from './load-reporters.js';

/** How a run ends: what its reporters hear, and where the verdicts go when the files cannot be written. */
export interface FinishInput {
  raw: RunResults;
  reporters: readonly Reporter[];
  reportDir: string;
  secrets: readonly string[];
  baseline?: BaselineInput;
  /** --json: results.json goes to stdout, also when the files cannot be written. */
  json: boolean;
  /** What user reporters threw during the run. */
  reporterFailures: readonly ReporterFailure[];
  io: CliIo;
  err: (line: string) => void;
  /** Called once the report files are written. */
  onWritten: () => void;
}

/** Hands the final results (redacted, compared with the baseline) to every reporter's onRunEnd; resolves to the exit code: the results', or 3 when the report or a reporter failed. */
export async function finishRun(f: FinishInput): Promise<number> {
  const results = finalResults(f.raw, { secrets: f.secrets, baseline: f.baseline });
  try {
    for (const r of f.reporters) await r.onRunEnd?.(results, f.reportDir);
  } catch (e) {
    if (!(e instanceof ReportFilesError)) throw e;
    // The folder was writable when the run began; whatever happened since, the verdicts must not be lost.
    f.err(`chatfuzz: ${e.message}`);
    f.err(f.json ? 'results.json is on stdout (--json)' : 'results.json follows on stderr:');
    (f.json ? f.io.stdout : f.io.stderr).write(JSON.stringify(results, null, 2) + '\n');
    return 3;
  }
  f.onWritten();
  // A reporter that threw heard nothing after; the files are written, but the run's output is not whole.
  for (const x of f.reporterFailures)
    f.err(`chatfuzz: reporter ${x.reporter} failed in ${x.hook}: ${(x.error as Error)?.stack ?? String(x.error)}`);
  return f.reporterFailures.length ? 3 : results.exitCode;
}
