// Folders are pipeline stages: no import cycle anywhere, and the engine reaches targets,
// scenarios and reporters only through the registries the CLI wires together.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineToPluginImports, findCycles, importGraph } from './import-graph.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const graph = importGraph(ROOT, ['harness', 'targets', 'scenarios', 'reports', 'bench', 'scripts']);

describe('the import graph', () => {
  it('reads the real imports (static, type-only and dynamic)', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('harness/run/run-cell.ts')).toContain('harness/execute/run-trial.ts');
    expect(graph.get('targets/builtin-targets.ts')).toContain('targets/naive.ts');
  });

  it('has no cycle', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('keeps the engine free of targets/, scenarios/ and reports/ outside the CLI', () => {
    expect(engineToPluginImports(graph)).toEqual([]);
    expect(
      engineToPluginImports(
        new Map([
          ['harness/run/x.ts', ['reports/y.ts']],
          ['harness/cli/z.ts', ['targets/t.ts']],
        ]),
      ),
    ).toEqual(['harness/run/x.ts -> reports/y.ts']);
  });

  it('exports only the target contract from the public entry', () => {
    expect(graph.get('harness/index.ts')!.every((d) => d.startsWith('harness/contract/'))).toBe(true);
  });
});
