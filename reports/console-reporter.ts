import type { Reporter } from '../harness/run/reporter.js';
import { renderMatrix } from './render-matrix.js';

/** Prints `banner` (the run's one-line header) when the run starts, and the matrix, the failing cells with their replay lines (in full when unexpected, or `verbose`; with `firstInFull`, the first expected one too) and the summary when it ends. */
export function createConsoleReporter(opts: {
  out: NodeJS.WritableStream;
  color: boolean;
  verbose?: boolean;
  firstInFull?: boolean;
  banner?: string | (() => string);
}): Reporter {
  return {
    onRunStart() {
      const banner = typeof opts.banner === 'function' ? opts.banner() : opts.banner;
      if (banner) opts.out.write(`${banner}\n`);
    },
    onRunEnd(results) {
      opts.out.write(renderMatrix(results, { color: opts.color, verbose: opts.verbose, firstInFull: opts.firstInFull }));
    },
  };
}
