import fs from 'node:fs';
import path from 'node:path';
import type { ChatfuzzConfig } from '../contract/define-config.js';
import { validateConfig } from '../contract/validate-config.js';
import { importUserModule, type UserModule } from '../contract/import-user-module.js';
import { UsageError } from '../errors.js';
import type { CliDefaults } from './parse-args.js';
import { parseDuration } from '../contract/parse-duration.js';
import { isModulePath } from '../contract/load-target.js';

/** File names looked for in the working directory, in this order. */
export const CONFIG_FILES = ['chatfuzz.config.ts', 'chatfuzz.config.mts', 'chatfuzz.config.js', 'chatfuzz.config.mjs'];

/** A loaded config: its file and the flag defaults it sets. */
export interface LoadedConfig {
  file: string;
  defaults: CliDefaults;
}

/** Finds (or takes `--config`), imports and checks the config; none when there is no config file. A broken one is a UsageError. */
export async function loadConfig(explicit: string | null, cwd: string): Promise<LoadedConfig | undefined> {
  const file = explicit !== null ? path.resolve(cwd, explicit) : CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
  if (!file) return undefined;
  const shown = path.relative(cwd, file) || file;
  if (!fs.existsSync(file)) throw new UsageError(`--config ${explicit}: no such file (${file})`);
  let mod: UserModule;
  try {
    mod = await importUserModule(file);
  } catch (e) {
    throw new UsageError(`config ${shown}: the module failed to load: ${(e as Error)?.message ?? String(e)}`);
  }
  if (!mod.hasDefault)
    throw new UsageError(
      `config ${shown} has no default export: write \`export default defineConfig({ targets: ['./chatfuzz/target.ts'] })\``,
    );
  const problems = validateConfig(mod.value);
  if (problems.length) throw new UsageError(`config ${shown} is not valid:\n  - ${problems.join('\n  - ')}`);
  return { file, defaults: toDefaults(mod.value as ChatfuzzConfig, path.dirname(file), cwd) };
}

/** Paths in a config are relative to its own folder; the run takes them relative to the working directory. */
function toDefaults(c: ChatfuzzConfig, dir: string, cwd: string): CliDefaults {
  const rel = (p: string) => {
    const r = path.relative(cwd, path.resolve(dir, p));
    return r.startsWith('..') || path.isAbsolute(r) ? path.resolve(dir, p) : `./${r}`;
  };
  const duration = (v: string | number, name: string) => (typeof v === 'number' ? v : parseDuration(v, name));
  const out: CliDefaults = {
    targets: c.targets.map((t) => (isModulePath(t) ? rel(t) : t)),
  };
  if (c.scenarios) out.scenarios = c.scenarios;
  if (c.mode) out.mode = c.mode;
  if (c.scheduler) out.scheduler = c.scheduler;
  if (c.runs !== undefined) out.runs = c.runs;
  if (c.timeBudget !== undefined) out.timeBudgetMs = duration(c.timeBudget, 'timeBudget');
  if (c.seed !== undefined) out.seed = c.seed;
  if (c.db !== undefined) out.db = c.db;
  if (c.report !== undefined) out.reportDir = rel(c.report);
  if (c.ci !== undefined) out.ci = c.ci;
  if (c.baseline !== undefined) out.baseline = rel(c.baseline);
  if (c.isolation !== undefined) out.isolation = c.isolation;
  if (c.callTimeout !== undefined) out.callTimeoutMs = duration(c.callTimeout, 'callTimeout');
  if (c.corpus === false) out.noCorpus = true;
  if (c.workers !== undefined) out.workers = c.workers;
  if (c.reporters !== undefined) out.reporters = c.reporters.map((r) => (isModulePath(r) ? rel(r) : r));
  return out;
}
