import type { Reporter } from '../harness/run/reporter.js';

/** `--json`: prints the whole results.json on `out` (stdout) when the run ends. */
export function createJsonReporter(opts: { out: NodeJS.WritableStream }): Reporter {
  return {
    onRunEnd(results) {
      opts.out.write(JSON.stringify(results, null, 2) + '\n');
    },
  };
}
