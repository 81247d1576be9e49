// npm run sweep: the false-alarm sweep. Correct targets (one of them SERIALIZABLE with retries,
// one with no createSession and the reply saved in the request, one declaring explicit create,
// tombstones, strip-nul and server ids) run every scenario with several
// seeds, scheduled and stress; any failing cell is a false alarm of the harness (or a bug in a
// target that should be correct) and is printed with its replay command. Nothing asserts
// timings. Options: --db URL (default: DATABASE_URL, else embedded), --seeds N (4), --runs N
// per cell (90: 4 targets × 11 scenarios × 4 seeds × 90 ≈ 15,840 trials per mode),
// --modes scheduled,stress, --targets a,b (built-in names or paths).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDatabaseServer } from '../harness/db/start-database-server.js';
import { runCell } from '../harness/run/run-cell.js';
import type { Mode } from '../harness/contract/define-config.js';
import { loadTargets } from '../harness/contract/load-target.js';
import { builtinScenarios } from '../scenarios/builtin-scenarios.js';
import { builtinTargets } from '../targets/builtin-targets.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    seeds: { type: 'string', default: '4' },
    runs: { type: 'string', default: '90' },
    modes: { type: 'string', default: 'scheduled,stress' },
    targets: { type: 'string', default: 'upsert,serializable-retry,./test/fixtures/first-message-target.ts,semantic-chat' },
  },
});
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => 1000 + 7919 * i);
const runs = Number(values.runs);
const modes = values.modes!.split(',') as Mode[];
const targets = await loadTargets(values.targets!.split(','), {
  registry: builtinTargets,
  scenarioNames: builtinScenarios.map((s) => s.name),
  cwd: process.cwd(),
});
const server = await startDatabaseServer(values.db ?? process.env.DATABASE_URL);
const reportDir = await mkdtemp(path.join(os.tmpdir(), 'chatfuzz-sweep-'));
const failing: string[] = [];
let cellIndex = 0;
try {
  for (const mode of modes) {
    const t0 = performance.now();
    let trials = 0;
    let cells = 0;
    for (const target of targets)
      for (const scenario of builtinScenarios)
        for (const seed of seeds) {
          const r = await runCell({
            run: { mode, runId: `sweep_${process.pid}`, runs, seed, callTimeoutMs: 5000, reportDir },
            target,
            scenario,
            server,
            cellIndex: cellIndex++,
            cellCount: 1,
            timeBudgetMs: null,
          });
          trials += r.runs;
          cells++;
          if (r.outcome !== 'pass') {
            const line = `${mode} ${target.def.name} × ${scenario.name} seed ${seed}: ${r.failure ? `${r.failure.invariant}: ${r.failure.message}\n    ${r.failure.replay}` : r.error}`;
            failing.push(line);
            console.log(`FAIL ${line}`);
          }
        }
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${mode}: ${trials} trials in ${cells} cells, ${failing.filter((f) => f.startsWith(mode)).length} failing, ${Math.round(s)} s (${Math.round(trials / s)} trials/s)`,
    );
  }
  console.log(failing.length ? `${failing.length} failing cells: each is a false alarm to fix` : 'no failing cells');
  process.exitCode = failing.length ? 1 : 0;
} finally {
  await server.stop();
}
