import type { IsolationLevel } from './define-target.js';

/** How a cell runs its trials: statements released in a seeded order, real concurrency, or every interleaving. */
export const MODES = ['scheduled', 'stress', 'exhaustive'] as const;
export type Mode = (typeof MODES)[number];

/** How scheduled mode draws a trial's statement order: PCT priorities with change points over the whole trial (default), or the uniform baseline. */
export const SCHEDULERS = ['pct', 'uniform'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

/** `chatfuzz.config.ts`'s default export: what `npx chatfuzz` runs when no flag says otherwise (flags override each field). */
export interface ChatfuzzConfig {
  /** Paths of target modules, relative to the config file, or built-in target names. */
  targets: string[];
  /** Scenario names (default: all). */
  scenarios?: string[];
  mode?: Mode;
  /** Scheduled mode's scheduler: `'pct'` (default) or `'uniform'` (the baseline). */
  scheduler?: Scheduler;
  /** Trials per cell. */
  runs?: number;
  /** Wall-clock budget of the whole run: `'30s'`, `'5m'` or milliseconds. */
  timeBudget?: string | number;
  seed?: number;
  /** `'embedded'` (the default), `'container'` or a `postgres://` URL; it wins over DATABASE_URL, the `--db` flag over it. */
  db?: string;
  /** Where results.json, index.html and junit.xml go, relative to the config file. */
  report?: string;
  /** The CI gate: plain output, a default time budget, exit 1 on an unmet expectation or a new failure. */
  ci?: boolean;
  /** A previous results.json to compare with, relative to the config file. */
  baseline?: string;
  isolation?: IsolationLevel;
  /** A call still pending after this is recorded as info: `'5s'` or milliseconds. */
  callTimeout?: string | number;
  /** false: neither retry nor save cases in .chatfuzz/corpus/. */
  corpus?: boolean;
  /** Cells run at once, each in a worker process (default: one per core; 1 runs them in turn). */
  workers?: number;
  /**
   * What the run reports to, in order: `'default'` (the live progress and the console summary; also
   * `'progress'` and `'console'` alone) and paths of reporter modules, relative to the config file,
   * whose default export is a `Reporter`. The report files (results.json, index.html, junit.xml) are
   * always written. Default: `['default']`.
   */
  reporters?: string[];
}

/** Identity helper that gives a config file its types. */
export function defineConfig<T extends ChatfuzzConfig>(config: T): T {
  return config;
}
