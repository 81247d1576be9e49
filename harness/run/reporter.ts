// The engine's name for the reporter contract (harness/contract/reporter.ts).
export type { Reporter, RunStart, TrialProgress } from '../contract/reporter.js';
