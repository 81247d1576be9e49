import fs from 'node:fs';
import path from 'node:path';
import { importUserModule, type UserModule } from '../contract/import-user-module.js';
import { isModulePath } from '../contract/load-target.js';
import { REPORTER_HOOKS, validateReporter } from '../contract/validate-reporter.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../run/reporter.js';

/** A reporter hook that threw: the run goes on without that reporter, and ends with exit code 3. */
export interface ReporterFailure {
  reporter: string;
  hook: string;
  error: unknown;
}

/**
 * The run's reporters for a config's `reporters` list, in its order: a built-in name gives what
 * `builtin(name)` makes, a path a user's module (loaded through tsx, like a target) whose default
 * export is a Reporter or a function or class that makes one. A user's reporter is guarded: what
 * it throws lands in `failures`. Any problem with a spec is a UsageError naming it (exit 2).
 */
export async function loadReporters(
  specs: readonly string[],
  o: { cwd: string; builtin: (name: string) => Reporter[] | undefined; builtinNames: readonly string[]; failures: ReporterFailure[] },
): Promise<Reporter[]> {
  const out: Reporter[] = [];
  for (const spec of specs) {
    const named = isModulePath(spec) ? undefined : o.builtin(spec);
    if (named) out.push(...named);
    else if (isModulePath(spec)) out.push(guardReporter(spec, await loadReporterModule(spec, o.cwd), o.failures));
    else
      throw new UsageError(
        `unknown reporter "${spec}" in the config's reporters. Built-in reporters: ${o.builtinNames.join(', ')}, or a path to a module (./my-reporter.ts)`,
      );
  }
  return out;
}

async function loadReporterModule(spec: string, cwd: string): Promise<Reporter> {
  const file = path.resolve(cwd, spec);
  if (!fs.existsSync(file))
    throw new UsageError(
      `reporter ${spec}: no such file (${file}); fix the path in the config's reporters (it is relative to the config file)`,
    );
  let mod: UserModule;
  try {
    mod = await importUserModule(file);
  } catch (e) {
    throw new UsageError(`reporter ${spec}: the module failed to load: ${(e as Error)?.message ?? String(e)}`);
  }
  if (!mod.hasDefault)
    throw new UsageError(`reporter ${spec} has no default export: write \`export default { onRunEnd(results) { … } } satisfies Reporter\``);
  let value = mod.value;
  try {
    value = typeof value === 'function' ? (isClass(value) ? new (value as new () => unknown)() : (value as () => unknown)()) : value;
  } catch (e) {
    throw new UsageError(`reporter ${spec}: making the reporter threw: ${(e as Error)?.message ?? String(e)}`);
  }
  const problems = validateReporter(value);
  if (problems.length) throw new UsageError(`reporter ${spec} is not a valid reporter:\n  - ${problems.join('\n  - ')}`);
  return value as Reporter;
}

function isClass(f: Function): boolean {
  return /^class\b/.test(Function.prototype.toString.call(f)) || REPORTER_HOOKS.some((h) => typeof f.prototype?.[h] === 'function');
}

/** `reporter` with every hook caught: its first throw (or rejection) is recorded in `failures`, and it hears nothing after. */
export function guardReporter(name: string, reporter: Reporter, failures: ReporterFailure[]): Reporter {
  let broken = false;
  const fail = (hook: string, error: unknown) => {
    if (!broken) failures.push({ reporter: name, hook, error });
    broken = true;
  };
  const guarded: Reporter = {};
  for (const hook of REPORTER_HOOKS) {
    const fn = reporter[hook] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof fn !== 'function') continue;
    // onTrial is synchronous (it runs after every trial); the others may return a promise, awaited.
    (guarded as Record<string, unknown>)[hook] = (...args: unknown[]) => {
      if (broken) return undefined;
      try {
        const r = fn.apply(reporter, args);
        return r && typeof (r as Promise<unknown>).then === 'function' ? Promise.resolve(r).catch((e) => fail(hook, e)) : r;
      } catch (e) {
        fail(hook, e);
        return undefined;
      }
    };
  }
  return guarded;
}
