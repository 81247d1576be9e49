import type { Reporter } from '../harness/run/reporter.js';
import { renderMatrix } from './render-matrix.js';

/** Prints the matrix, the failing cells with their replay lines and the summary when the run ends; silent before that. */
export function createConsoleReporter(opts: { out: NodeJS.WritableStream; color: boolean }): Reporter {
  return {
    onRunEnd(results) {
      opts.out.write(renderMatrix(results, { color: opts.color }));
    },
  };
}
