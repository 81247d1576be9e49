import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { Reporter } from '../run/reporter.js';
import { guardReporter, loadReporters, type ReporterFailure } from './load-reporters.js';
import { sampleResults } from '../../reports/fixtures/sample-results.js';
import { runFuzzProcess } from '../../test/run-cli-process.js';
import { MACHINE_PG } from '../../test/test-server.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/reporters/summary-reporter.ts');
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'chatfuzz-reporters-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const builtin = (name: string): Reporter[] | undefined => (name === 'default' ? [{ onRunEnd() {} }] : undefined);
const load = (specs: string[], failures: ReporterFailure[] = []) =>
  loadReporters(specs, { cwd: root, builtin, builtinNames: ['default'], failures });

async function write(name: string, text: string): Promise<string> {
  const file = path.join(root, name);
  await fs.writeFile(file, text);
  return `./${name}`;
}

describe('loadReporters', () => {
  it('gives the built-in ones and the example reporter, in the config order; the example writes summary.txt', async () => {
    const reps = await load(['default', EXAMPLE]);
    expect(reps).toHaveLength(2);
    const r = sampleResults();
    const dir = await fs.mkdtemp(path.join(root, 'run-'));
    const example = reps[1]!;
    await example.onRunStart?.({ runId: r.runId, seed: r.seed, mode: r.mode, db: r.db, cells: r.cells, reportDir: dir });
    for (const c of r.cells) await example.onCellEnd?.(c);
    await example.onRunEnd?.(r, dir);
    const text = await fs.readFile(path.join(dir, 'summary.txt'), 'utf8');
    expect(text.split('\n')).toEqual([
      `run ${r.runId} · seed ${r.seed} · 4 cell(s)`,
      ...r.cells.map((c) => expect.stringContaining(`${c.target} × ${c.scenario}: ${c.outcome}`)),
      `${r.summary.ok}/${r.summary.cells} cells met their expectation · exit ${r.exitCode}`,
      '',
    ]);
  });

  it('takes a default export that is a factory or a class', async () => {
    const factory = await write('factory.mjs', 'export default () => ({ onRunEnd() { globalThis.__made = "factory"; } });');
    const klass = await write('klass.mjs', 'export default class R { onRunEnd() { globalThis.__made = "class"; } }');
    for (const [spec, made] of [
      [factory, 'factory'],
      [klass, 'class'],
    ] as const) {
      const [rep] = await load([spec]);
      await rep!.onRunEnd?.(sampleResults(), root);
      expect((globalThis as Record<string, unknown>).__made).toBe(made);
    }
  });

  it('names the spec and the fix for a missing file, an unknown name, a module that fails to load or is no reporter', async () => {
    const broken = await write('broken.mjs', 'export default {;');
    const none = await write('none.mjs', 'export const x = 1;');
    const empty = await write('empty.mjs', 'export default { name: "mine" };');
    const cases: [string, RegExp][] = [
      ['./missing-reporter.ts', /^reporter \.\/missing-reporter\.ts: no such file \(.*missing-reporter\.ts\); fix the path/],
      ['junit', /^unknown reporter "junit" in the config's reporters\. Built-in reporters: default, or a path to a module/],
      [broken, /^reporter \.\/broken\.mjs: the module failed to load/],
      [none, /^reporter \.\/none\.mjs has no default export/],
      [empty, /^reporter \.\/empty\.mjs is not a valid reporter:\n {2}- it has none of the hooks/],
    ];
    for (const [spec, re] of cases) {
      const e = await load([spec]).catch((x) => x);
      expect(e, spec).toBeInstanceOf(UsageError);
      expect(e.message).toMatch(re);
    }
  });
});

describe('guardReporter', () => {
  it('records the first throw or rejection of a hook, and the reporter hears nothing after', async () => {
    const failures: ReporterFailure[] = [];
    let trials = 0;
    const g = guardReporter(
      './mine.ts',
      {
        onTrial() {
          trials++;
          if (trials === 2) throw new Error('boom');
        },
        async onRunEnd() {
          throw new Error('late');
        },
      },
      failures,
    );
    for (let i = 0; i < 4; i++) g.onTrial?.({} as never);
    await g.onRunEnd?.(sampleResults(), root);
    expect(trials).toBe(2);
    expect(failures).toEqual([{ reporter: './mine.ts', hook: 'onTrial', error: new Error('boom') }]);

    const late: ReporterFailure[] = [];
    await guardReporter(
      'x',
      {
        async onRunEnd() {
          throw new Error('late');
        },
      },
      late,
    ).onRunEnd?.(sampleResults(), root);
    expect(late.map((f) => f.hook)).toEqual(['onRunEnd']);
  });
});

describe('reporters in chatfuzz.config.ts', () => {
  it('run a user reporter written against the exported type beside the default output; a bad path exits 2 naming it', async () => {
    const dir = await fs.mkdtemp(path.join(root, 'project-'));
    const config = path.join(dir, 'chatfuzz.config.ts');
    const report = path.join(dir, 'report');
    await fs.writeFile(
      config,
      `export default { targets: ['upsert'], scenarios: ['multi-message-first-request'], reporters: ['default', ${JSON.stringify(EXAMPLE)}] };`,
    );
    const r = await runFuzzProcess([
      '--config',
      config,
      '--db',
      MACHINE_PG,
      '--runs',
      '2',
      '--seed',
      '1',
      '--workers',
      '1',
      '--report',
      report,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^chatfuzz scheduled · seed 1 · url /);
    expect(r.stdout).toContain('1/1 cells met their expectation');
    expect(await fs.readFile(path.join(report, 'summary.txt'), 'utf8')).toMatch(
      /^run \w+ · seed 1 · 1 cell\(s\)\nok {2}upsert × multi-message-first-request: pass \(expected pass\), 2 trials\n1\/1 cells met/,
    );
    expect(JSON.parse(await fs.readFile(path.join(report, 'results.json'), 'utf8')).exitCode).toBe(0);

    // A reporter that throws costs the run its exit code (3), not its report files.
    await fs.writeFile(path.join(dir, 'throws.mjs'), 'export default { onCellEnd() { throw new Error("reporter bug"); } };');
    await fs.writeFile(
      config,
      "export default { targets: ['upsert'], scenarios: ['multi-message-first-request'], reporters: ['./throws.mjs'] };",
    );
    const thrown = await runFuzzProcess([
      '--config',
      config,
      '--db',
      MACHINE_PG,
      '--runs',
      '1',
      '--workers',
      '1',
      '--report',
      path.join(dir, 'thrown'),
    ]);
    expect(thrown.code, thrown.stderr).toBe(3);
    expect(thrown.stderr).toMatch(/chatfuzz: reporter .*throws\.mjs failed in onCellEnd: Error: reporter bug/);
    expect(thrown.stdout).not.toContain('cells met their expectation');
    expect(JSON.parse(await fs.readFile(path.join(dir, 'thrown', 'results.json'), 'utf8')).cells).toHaveLength(1);

    await fs.writeFile(config, "export default { targets: ['upsert'], reporters: ['./nope/my-reporter.ts'] };");
    // An unreachable --db shows no database was tried: the reporter is checked first.
    const bad = await runFuzzProcess(['--config', config, '--db', 'postgres://postgres@127.0.0.1:1/nowhere']);
    expect(bad.code, bad.stderr).toBe(2);
    // The config's folder is outside the working directory, so its path is named whole.
    expect(bad.stderr).toContain(`chatfuzz: reporter ${path.join(dir, 'nope/my-reporter.ts')}: no such file`);
  });
});
