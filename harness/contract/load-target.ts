import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { packageNotFound } from '../require-packages.js';
import type { TargetDefinition } from './define-target.js';
import { validateTarget } from './validate-target.js';
import { importUserModule, type UserModule } from './import-user-module.js';

/** A target ready to run, with where it came from and how another process loads it again (`spec` from `cwd`). */
export interface LoadedTarget {
  def: TargetDefinition;
  source: string;
  load?: { spec: string; cwd: string };
  /** The target module's file, when it is one: `ctx.load` and `alias` resolve from its folder. */
  file?: string;
}

/** Targets known by name, each loaded on demand: the CLI passes the built-in ones. */
export type TargetRegistry = Readonly<Record<string, () => Promise<TargetDefinition>>>;

/** What resolving `--target` needs besides the specs. */
export interface LoadTargetsOptions {
  /** Names a spec may use instead of a path. */
  registry: TargetRegistry;
  /** Scenario names an `expect` map may mention. */
  scenarioNames: readonly string[];
  /** Paths are relative to it (default: the process's working directory). */
  cwd?: string;
}

/** A target spec that names a module file rather than a registry entry: it has a slash or a .ts/.js extension. */
export function isModulePath(spec: string): boolean {
  return /[\\/]|\.(c|m)?(t|j)s$/.test(spec);
}

/** Loads `--target` entries: registry names or paths to modules; any problem is a UsageError naming the fix. */
export async function loadTargets(specs: string[], o: LoadTargetsOptions): Promise<LoadedTarget[]> {
  const out: LoadedTarget[] = [];
  for (const spec of specs) {
    const named = Object.hasOwn(o.registry, spec) ? o.registry[spec] : undefined;
    let value: unknown;
    let source: string;
    let file: string | undefined;
    if (named) {
      value = await named();
      source = `built-in ${spec}`;
    } else if (isModulePath(spec)) {
      file = path.resolve(o.cwd ?? process.cwd(), spec);
      if (!fs.existsSync(file)) throw new UsageError(`--target ${spec}: no such file (${file})`);
      let mod: UserModule;
      try {
        mod = await importUserModule(file);
      } catch (e) {
        const pkg = packageNotFound(e);
        throw new UsageError(
          `--target ${spec}: the module failed to load: ${(e as Error)?.message ?? String(e)}${pkg ? `\n  install it in this project: npm install -D ${pkg}` : ''}`,
        );
      }
      if (!mod.hasDefault) throw new UsageError(noDefaultExport(spec, mod.named));
      value = mod.value;
      source = spec;
    } else {
      throw new UsageError(
        `unknown target "${spec}". Valid targets: ${Object.keys(o.registry).join(', ')}, or a path to a module (./my-target.ts)`,
      );
    }
    const problems = validateTarget(value, o.scenarioNames);
    if (problems.length) throw new UsageError(`--target ${spec} is not a valid target:\n  - ${problems.join('\n  - ')}`);
    const cwd = o.cwd ?? process.cwd();
    out.push({
      def: withAppGate(withAbsoluteMigrations(value as TargetDefinition, cwd)),
      source,
      load: { spec, cwd },
      ...(file ? { file } : {}),
    });
  }
  const names = out.map((t) => t.def.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`two targets are named "${dup}": target names must be unique in a run`);
  return out;
}

// Its named exports are listed, and one that looks like a target (a name and a create()) is named as the fix.
function noDefaultExport(spec: string, named: Record<string, unknown>): string {
  const head = `--target ${spec} has no default export: write \`export default defineTarget({ ... })\``;
  const names = Object.keys(named);
  if (!names.length) return head;
  const target = names.find((n) => {
    const v = named[n] as { name?: unknown; create?: unknown } | null;
    return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.create === 'function';
  });
  const listed = `; its named exports: ${names.join(', ')}`;
  return target ? `${head}${listed}; ${target} looks like a target: add \`export default ${target}\`` : head + listed;
}

// A migrations path is relative to the working directory the run was started in; cells resolve it later, wherever they run.
function withAbsoluteMigrations(def: TargetDefinition, cwd: string): TargetDefinition {
  const schema = def.schema;
  if (typeof schema !== 'object' || !('migrations' in schema)) return def;
  return { ...def, schema: { migrations: path.resolve(cwd, schema.migrations) } };
}

// `env` hands each logical client's app instance its own gated URL: only the wire gate has one per client.
function withAppGate(def: TargetDefinition): TargetDefinition {
  return def.env?.length && def.gate === undefined ? { ...def, gate: 'wire' } : def;
}
