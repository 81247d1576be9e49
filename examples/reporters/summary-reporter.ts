// A tiny chatfuzz reporter: one line per finished cell, and the verdict, in summary.txt beside the
// run's results.json. Add it to chatfuzz.config.ts: `reporters: ['default', './summary-reporter.ts']`.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Reporter } from 'chatfuzz';

const lines: string[] = [];

export default {
  onRunStart(run) {
    lines.length = 0;
    lines.push(`run ${run.runId} · seed ${run.seed} · ${run.cells.length} cell(s)`);
  },
  onCellEnd(cell) {
    lines.push(
      `${cell.ok ? 'ok ' : 'NOT OK'} ${cell.target} × ${cell.scenario}: ${cell.outcome} (expected ${cell.expected}), ${cell.runs} trials`,
    );
  },
  async onRunEnd(results, reportDir) {
    lines.push(`${results.summary.ok}/${results.summary.cells} cells met their expectation · exit ${results.exitCode}`);
    await writeFile(path.join(reportDir, 'summary.txt'), lines.join('\n') + '\n');
  },
} satisfies Reporter;
