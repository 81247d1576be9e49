import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../harness/cli/errors.js';
import { builtinTargets } from './builtin-targets.js';
import type { TargetDefinition } from './define-target.js';
import { validateTarget } from './validate-target.js';

/** A target ready to run, with where it came from. */
export interface LoadedTarget { def: TargetDefinition; source: string }

/** Loads `--target` entries: built-in names or paths to modules; any problem is a UsageError naming the fix. */
export async function loadTargets(specs: string[], scenarioNames: readonly string[], cwd = process.cwd()): Promise<LoadedTarget[]> {
  const out: LoadedTarget[] = [];
  for (const spec of specs) {
    const builtin = builtinTargets[spec];
    let value: unknown;
    let source: string;
    if (builtin) {
      value = await builtin();
      source = `built-in ${spec}`;
    } else if (/[\\/]|\.(c|m)?(t|j)s$/.test(spec)) {
      const file = path.resolve(cwd, spec);
      if (!fs.existsSync(file)) throw new UsageError(`--target ${spec}: no such file (${file})`);
      let mod: any;
      try {
        mod = await import(pathToFileURL(file).href);
      } catch (e) {
        throw new UsageError(`--target ${spec}: the module failed to load: ${(e as Error)?.message ?? String(e)}`);
      }
      value = mod?.default ?? mod;
      source = spec;
    } else {
      throw new UsageError(`unknown target "${spec}". Valid targets: ${Object.keys(builtinTargets).join(', ')}, or a path to a module (./my-target.ts)`);
    }
    const problems = validateTarget(value, scenarioNames);
    if (problems.length) throw new UsageError(`--target ${spec} is not a valid target:\n  - ${problems.join('\n  - ')}`);
    out.push({ def: value as TargetDefinition, source });
  }
  const names = out.map((t) => t.def.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`two targets are named "${dup}": target names must be unique in a run`);
  return out;
}
