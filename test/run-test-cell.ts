import os from 'node:os';
import path from 'node:path';
import { runCell, type CellHooks } from '../harness/run/run-cell.js';
import type { RunSettings } from '../harness/run/cell-spec.js';
import type { CellResult } from '../harness/run/results.js';
import type { Mode } from '../harness/contract/define-config.js';
import type { IsolationLevel } from '../harness/contract/define-target.js';
import { builtinScenarios } from '../scenarios/builtin-scenarios.js';
import { loadTargets } from '../harness/contract/load-target.js';
import { builtinTargets } from '../targets/builtin-targets.js';
import { testServer } from './test-server.js';

let cellNo = 0;

/** Runs one cell (stress unless told) of a built-in or file target on the suite's server. */
export async function runTestCell(
  target: string,
  scenario: string,
  o: {
    runs?: number;
    seed?: number;
    callTimeoutMs?: number;
    mode?: Mode;
    isolation?: IsolationLevel;
    latency?: { minMs: number; maxMs: number };
    afterTrials?: CellHooks['afterTrials'];
    prune?: boolean;
    replay?: RunSettings['replay'];
    scheduler?: RunSettings['scheduler'];
    maxFailures?: number;
    trialsInParallel?: number;
  } = {},
): Promise<CellResult> {
  const [loaded] = await loadTargets([target], { registry: builtinTargets, scenarioNames: builtinScenarios.map((s) => s.name) });
  const sc = builtinScenarios.find((s) => s.name === scenario);
  if (!sc) throw new Error(`no scenario ${scenario}`);
  return runCell(
    {
      run: {
        mode: o.mode ?? 'stress',
        runId: `test_${process.pid}_${Date.now().toString(36)}`,
        runs: o.runs ?? 100,
        seed: o.seed ?? 1234,
        callTimeoutMs: o.callTimeoutMs ?? 5000,
        reportDir: path.join(os.tmpdir(), `chatfuzz-test-${process.pid}`),
        isolation: o.isolation,
        latency: o.latency,
        replay: o.replay,
        ...(o.scheduler ? { scheduler: o.scheduler } : {}),
      },
      target: loaded!,
      scenario: sc,
      server: testServer(),
      cellIndex: cellNo++,
      cellCount: 1,
      timeBudgetMs: null,
      prune: o.prune,
      ...(o.maxFailures ? { maxFailures: o.maxFailures } : {}),
      ...(o.trialsInParallel ? { trialsInParallel: o.trialsInParallel } : {}),
    },
    { afterTrials: o.afterTrials },
  );
}
