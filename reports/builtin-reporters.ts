import { createConsoleReporter } from './console-reporter.js';
import { createFileReporter } from './file-reporter.js';
import { createProgressReporter } from './progress-reporter.js';
import type { Reporter } from '../harness/run/reporter.js';

/** The built-in reporters by name: the one place that lists them. */
export const builtinReporters: Record<
  'console' | 'progress' | 'files',
  (opts: { out: NodeJS.WritableStream; tty: boolean; color: boolean; verbose?: boolean; firstInFull?: boolean }) => Reporter
> = {
  console: (opts) => createConsoleReporter({ out: opts.out, color: opts.color, verbose: opts.verbose, firstInFull: opts.firstInFull }),
  progress: (opts) => createProgressReporter({ out: opts.out, tty: opts.tty }),
  files: () => createFileReporter(),
};
