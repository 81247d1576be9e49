import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Each source file (repo-relative) with the repo files it imports, static, dynamic and type-only alike. */
export type ImportGraph = Map<string, string[]>;

const SKIP = new Set(['node_modules', 'generated', 'runs', 'fixtures']);

/** Reads the relative imports of every non-test .ts file under `dirs` of `root` (TypeScript's own pre-processor finds them). */
export function importGraph(root: string, dirs: readonly string[]): ImportGraph {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) walk(rel);
      } else if (/\.m?ts$/.test(e.name) && !/\.(test|d)\.m?ts$/.test(e.name)) files.push(rel);
    }
  };
  for (const d of dirs) walk(d);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(root, file), 'utf8'), true, true);
    const deps = importedFiles
      .map((i) => i.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.normalize(path.join(path.dirname(file), s)).replace(/\.js$/, '.ts'))
      .filter((t) => fs.existsSync(path.join(root, t)));
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Every import cycle, each as the files along it with the first repeated at the end. */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

/** Imports from the engine (harness/, except the CLI that wires the registries) into the plug-in folders. */
export function engineToPluginImports(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [f, deps] of graph) {
    if (!f.startsWith('harness/') || f.startsWith('harness/cli/')) continue;
    for (const d of deps) if (/^(targets|scenarios|reports)\//.test(d)) out.push(`${f} -> ${d}`);
  }
  return out;
}
