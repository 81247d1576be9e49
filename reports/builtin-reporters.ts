import { createConsoleReporter } from './console-reporter.js';
import { createFileReporter } from './file-reporter.js';
import { createJsonReporter } from './json-reporter.js';
import { createProgressReporter } from './progress-reporter.js';
import type { Reporter } from '../harness/run/reporter.js';

/** Where and how the built-in reporters write. */
export interface BuiltinReporterOptions {
  /** The human output (stdout, or stderr with --json). */
  out: NodeJS.WritableStream;
  /** Live progress and warnings. */
  err?: NodeJS.WritableStream;
  /** The machine output (stdout). */
  stdout?: NodeJS.WritableStream;
  tty: boolean;
  color: boolean;
  verbose?: boolean;
  /** The demo: the first expected failure told in full, the others counted. */
  firstInFull?: boolean;
  /** The run's header line, known once its server is up; printed when the run starts. */
  banner?: string | (() => string);
  cwd?: string;
}

/** The built-in reporters by name: the one place that lists them. `default` is the terminal output a run prints without a config. */
export const builtinReporters: Record<'default' | 'console' | 'progress' | 'files' | 'json', (opts: BuiltinReporterOptions) => Reporter[]> =
  {
    default: (opts) => [...builtinReporters.progress(opts), ...builtinReporters.console(opts)],
    console: (opts) => [
      createConsoleReporter({
        out: opts.out,
        color: opts.color,
        verbose: opts.verbose,
        firstInFull: opts.firstInFull,
        banner: opts.banner,
      }),
    ],
    progress: (opts) => [createProgressReporter({ out: opts.err ?? opts.out, tty: opts.tty })],
    files: (opts) => [createFileReporter({ cwd: opts.cwd, out: opts.out })],
    json: (opts) => [createJsonReporter({ out: opts.stdout ?? opts.out })],
  };

/** The names a config's `reporters` may use besides module paths: the terminal output ones (files and json are always on, or a flag's). */
export const CONFIG_REPORTER_NAMES = ['default', 'console', 'progress'] as const;
