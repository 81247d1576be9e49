import type fc from 'fast-check';
import type { Workload } from './workload.js';

/** Which optional ChatStore methods a target has; scenarios only generate calls a target can take. */
export interface TargetCapabilities { handleChat: boolean; deleteSession: boolean }

/** A named workload generator (DESIGN.md's scenario names are stable). */
export interface Scenario {
  name: string;
  description: string;
  arbitrary(caps: TargetCapabilities): fc.Arbitrary<Workload>;
}
