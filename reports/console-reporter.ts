import type { Reporter } from '../harness/run/reporter.js';
import { renderMatrix } from './render-matrix.js';

/** Prints the matrix, the failing cells with their replay lines (in full when unexpected, or `verbose`) and the summary when the run ends; silent before that. */
export function createConsoleReporter(opts: { out: NodeJS.WritableStream; color: boolean; verbose?: boolean; firstInFull?: boolean }): Reporter {
  return {
    onRunEnd(results) {
      opts.out.write(renderMatrix(results, { color: opts.color, verbose: opts.verbose, firstInFull: opts.firstInFull }));
    },
  };
}
