import { createHash } from 'node:crypto';
import type {
  BaselineStatus,
  CellFailure,
  CellResult,
  CounterexampleOp,
  FailureSnapshot,
  MutedFinding,
  RunResults,
  SnapshotMark,
} from '../harness/run/results.js';
import type { ErrorInfo } from '../harness/history/classify-error.js';
import type { StatementRecord } from '../harness/history/history.js';
import { builtinInvariants } from '../harness/invariants/builtin-invariants.js';
import { callLabel, type CallSpec } from '../harness/workload/workload.js';
import { BASELINE_STATUSES } from './baseline-diff.js';
import { escapeHtml } from './escape-html.js';
import { clip as clipText, errorCode, findingText, formatDuration as duration } from './report-text.js';

// Generated content (100 kB messages, long SQL) must not turn a report into a megabyte per failure.
const MAX_MESSAGE = 4000;
const MAX_ERROR = 1000;
const MAX_LABEL = 500;
const MAX_SQL = 300;
// A shrunk counterexample has a handful of calls; an unshrinkable one must not take the whole report.
const MAX_STATEMENTS = 400;
const MAX_CONTENT = 160;
const MAX_MODEL = 2000;
const MAX_SNAPSHOT_ROWS = 50;

// The one-sentence explanation printed under each failure's invariant.
const INVARIANT_DESCRIPTIONS = new Map<string, string>(builtinInvariants.map((i) => [i.name, i.description]));

const BASELINE_TEXT: Record<BaselineStatus, string> = {
  'new-failure': 'new failure',
  fixed: 'fixed',
  'still-failing': 'still failing',
  unchanged: 'unchanged',
  'new-cell': 'new cell',
};

const CSS = `
:root{--fg:#1d2330;--muted:#667085;--line:#d9dde5;--bg:#fff;--soft:#f5f6f8;--ok:#137333;--okbg:#e6f4ea;--bad:#b3261e;--badbg:#fce8e6;--warn:#8a5a00;--warnbg:#fff4d6}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:24px;max-width:1400px}
h1{font-size:20px;margin:0 0 12px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;margin:4px 0 12px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
code,pre,.mono{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.msg{white-space:pre-wrap;word-break:break-word}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.summary dt{color:var(--muted)}dl.summary dd{margin:0}
.verdict{display:inline-block;padding:2px 8px;border-radius:4px;font-weight:600}
.ok{color:var(--ok);background:var(--okbg)}.notok{color:var(--bad);background:var(--badbg)}
td.cell{min-width:130px;font-weight:600}
td.cell a{color:inherit}
td.cell small{display:block;font-weight:400;color:var(--muted)}
.s-pass{color:var(--ok);background:var(--okbg)}
.s-expected-fail{color:var(--warn);background:var(--warnbg)}
.s-budget-exhausted,.s-not-run{color:var(--muted,#666);background:transparent;font-style:italic}
.s-fail,.s-unexpected-pass,.s-error{color:var(--bad);background:var(--badbg)}
td.none{color:var(--muted)}
section.detail{border:1px solid var(--line);border-radius:6px;padding:8px 16px 12px;margin:16px 0;content-visibility:auto;contain-intrinsic-size:auto 900px}
section.detail h2{margin-top:8px}
.tag{display:inline-block;padding:0 6px;border-radius:3px;background:var(--soft);border:1px solid var(--line);margin-right:4px}
.err{color:var(--bad)}
tr.err td{background:var(--badbg)}
td.o-ok{background:var(--okbg)}td.o-fail{background:var(--badbg)}td.o-info{background:var(--warnbg)}
.replay{display:flex;gap:8px;align-items:flex-start}
.replay code{flex:1;padding:6px 8px;background:var(--soft);border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;word-break:break-all}
button.copy{font:inherit;padding:4px 10px;cursor:pointer}
.muted{color:var(--muted)}
.scroll{overflow-x:auto}
table.timeline{border-collapse:separate;border-spacing:0}
table.timeline th,table.timeline td{border-width:0 0 1px 1px}
table.timeline td[data-event]{min-width:260px;max-width:520px}
table.timeline td.live{border-left:4px solid #9db4e0}
table.timeline td.t{color:var(--muted);white-space:nowrap;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table.timeline td[data-event] code{white-space:pre-wrap;word-break:break-word}
table.timeline i{font-style:normal;color:var(--muted)}
table.snapshot td:nth-child(-n+2){font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
td[data-event=invoke]{background:#eef3fc;border-left:4px solid #3b6fd4!important}
td[data-event=complete]{border-left:4px solid #3b6fd4!important}
td[data-event=statement]{border-left:4px solid #9db4e0!important}
td[data-event=statement].err{background:var(--badbg)}
td[data-event=statement].failing{outline:3px solid var(--bad);outline-offset:-3px;background:#f9d2cd}
td[data-event=statement].blocked{background:var(--warnbg)}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:600;background:var(--soft);border:1px solid var(--line)}
.blocked-badge{color:var(--warn);background:var(--warnbg)}
.failing-badge,.mark-orphan,.mark-duplicate,.mark-phantom,.mark-misplaced,.mark-missing{color:var(--bad);background:var(--badbg)}
tr.marked td{background:var(--badbg)}
tr.mark-missing td{background:#fff;color:var(--bad);font-style:italic}
.content{margin-top:2px}
.detail-text{color:var(--fg);margin-top:2px}
.explain{margin:4px 0}
.b-new-failure{color:#fff;background:var(--bad)}
.b-fixed{color:#fff;background:var(--ok)}
.b-still-failing{color:var(--warn);background:var(--warnbg)}
.b-new-cell{color:var(--muted)}
td.cell .badge{margin-left:4px}
details.failure{border-top:1px solid var(--line);margin-top:12px;padding-top:4px}
details.failure>summary{cursor:pointer;font-weight:600;padding:4px 0}
ul.muted-findings li{margin:2px 0}
`;

// The only script: copies a replay command. Falls back to selecting the text where the clipboard API is denied (file://).
const SCRIPT =
  "document.addEventListener('click',function(e){var b=e.target&&e.target.closest?e.target.closest('button[data-copy]'):null;if(!b)return;" +
  "var c=document.getElementById(b.getAttribute('data-copy'));if(!c)return;var s=c.textContent;" +
  "function done(){b.textContent='copied';setTimeout(function(){b.textContent='copy'},1500)}" +
  "function pick(){var r=document.createRange();r.selectNodeContents(c);var g=getSelection();g.removeAllRanges();g.addRange(r);try{document.execCommand('copy');done()}catch(_){}}" +
  'if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(s).then(done,pick)}else{pick()}});';

/** One self-contained HTML page for a run (no network, a single copy-button script); every value from the run is escaped. Each failing cell shows every distinct failure, each cell its muted findings. */
export function renderHtml(results: RunResults): string {
  const cells = results.cells ?? [];
  const anchors = new Map<CellResult, string>(cells.map((c, i) => [c, `cell-${i + 1}-${slug(c.target)}--${slug(c.scenario)}`]));
  const detailed = cells.filter(hasDetail);
  const allOk = results.exitCode === 0;
  const title = `chatfuzz ${allOk ? 'passed' : 'failed'}: ${results.summary?.ok ?? 0}/${results.summary?.cells ?? cells.length} cells`;

  // A hash-based CSP: even if something slipped past escaping, no other script could run and nothing could be fetched.
  const csp = `default-src 'none'; style-src '${sha256(CSS)}'; script-src '${sha256(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${text(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body data-exit-code="${escapeHtml(String(results.exitCode))}">`,
    `<h1>${text(title)}</h1>`,
    renderSummary(results),
    '<h2>Matrix</h2>',
    renderMatrixTable(results, anchors),
    renderCellTable(cells, anchors),
    detailed.length ? '<h2>Failures</h2>' : '',
    ...detailed.map((c) => renderDetail(c, anchors.get(c)!)),
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function renderSummary(r: RunResults): string {
  const s = r.summary ?? { cells: 0, ok: 0, notOk: 0, trials: 0, calls: 0 };
  const rows: [string, string][] = [
    ['verdict', `<span class="verdict ${r.exitCode === 0 ? 'ok' : 'notok'}">${s.ok}/${s.cells} cells met their expectation</span>`],
    ['database', `${text(r.db?.kind)} · ${text(r.db?.serverVersion)}${r.db?.url ? ` · <span class="mono">${text(r.db.url)}</span>` : ''}`],
    ['seed', `<span class="mono">${text(String(r.seed))}</span>`],
    ['mode', text(r.mode)],
    ['duration', text(duration(r.durationMs))],
    ['trials', text(String(s.trials))],
    ['calls', text(String(s.calls))],
    ['exit code', `<span data-summary="exit-code">${text(String(r.exitCode))}</span>`],
    ...(r.interrupted
      ? [
          [
            'interrupted',
            `<span data-summary="interrupted">${text(r.interrupted)}: ${text(String(s.notRun ?? 0))} cell(s) not run</span>`,
          ] as [string, string],
        ]
      : []),
    ...(s.budgetExhausted
      ? [
          [
            'time budget',
            `<span data-summary="budget-exhausted">${text(String(s.budgetExhausted))} cell(s) cut by the time budget (no verdict)</span>`,
          ] as [string, string],
        ]
      : []),
    ['run', `<span class="mono">${text(r.runId)}</span> · started ${text(r.startedAt)} · chatfuzz ${text(r.version)}`],
  ];
  if (r.baseline) {
    const b = r.baseline;
    const counts = BASELINE_STATUSES.map((st) => {
      const n = b.counts?.[st] ?? 0;
      const plural = n !== 1 && (st === 'new-failure' || st === 'new-cell') ? 's' : '';
      return `<span class="badge b-${st}" data-baseline-count="${st}">${text(String(n))} ${BASELINE_TEXT[st]}${plural}</span>`;
    }).join(' ');
    const missing = b.missingCells?.length
      ? ` · not run this time: ${b.missingCells.map((m) => text(`${m.target} × ${m.scenario} [${m.mode}]`)).join(', ')}`
      : '';
    rows.push([
      'baseline',
      `<span class="mono">${text(b.file)}</span> (run ${text(b.runId)}, ${text(b.startedAt)})${b.gate ? ' · gate: a new failure fails the run' : ''}<br>${counts}${missing}`,
    ]);
  }
  return `<dl class="summary">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

interface Column {
  scenario: string;
  mode?: string;
}

function renderMatrixTable(r: RunResults, anchors: Map<CellResult, string>): string {
  const cells = r.cells ?? [];
  const targets = ordered(
    r.options?.targets,
    cells.map((c) => c.target),
  );
  const scenarios = ordered(
    r.options?.scenarios,
    cells.map((c) => c.scenario),
  );
  // results.json is one mode per run today; should several modes ever share a file, each gets its own column.
  const modes = [...new Set(cells.map((c) => c.mode))];
  const columns: Column[] =
    modes.length > 1
      ? scenarios.flatMap((scenario) =>
          modes.filter((m) => cells.some((c) => c.scenario === scenario && c.mode === m)).map((mode) => ({ scenario, mode })),
        )
      : scenarios.map((scenario) => ({ scenario }));

  const head = `<tr><th>target \\ scenario</th>${columns
    .map(
      (col) =>
        `<th data-scenario="${escapeHtml(col.scenario)}">${text(col.scenario)}${col.mode ? ` <small>[${text(col.mode)}]</small>` : ''}</th>`,
    )
    .join('')}</tr>`;
  const body = targets.map((target) => {
    const tds = columns.map((col) => {
      const cell = cells.find((c) => c.target === target && c.scenario === col.scenario && (!col.mode || c.mode === col.mode));
      if (!cell) return '<td class="none" title="not run">—</td>';
      const st = status(cell);
      const label = hasDetail(cell) ? `<a href="#${anchors.get(cell)}">${st.text}</a>` : st.text;
      const more = failuresOf(cell).length - 1;
      const muted = mutedShown(cell);
      const why =
        (cell.failure
          ? `<small>${text(cell.failure.invariant)}${more > 0 ? ` <span data-more-failures="${more}">+${more} more</span>` : ''}</small>`
          : '') + (muted ? `<small data-muted-count="${muted}">${muted} muted</small>` : '');
      const b = cell.baseline && BASELINE_TEXT[cell.baseline] ? cell.baseline : undefined;
      const badge = b && b !== 'unchanged' ? `<span class="badge b-${b}">${BASELINE_TEXT[b]}</span>` : '';
      const gateFail = !!r.baseline?.gate && b === 'new-failure';
      return (
        `<td class="cell s-${st.key}" data-cell="${escapeHtml(`${cell.target}/${cell.scenario}`)}" data-outcome="${escapeHtml(cell.outcome)}"` +
        ` data-expected="${escapeHtml(cell.expected)}" data-ok="${cell.ok}" data-status="${st.key}" data-mode="${escapeHtml(cell.mode)}"` +
        `${b ? ` data-baseline="${b}"` : ''}` +
        ` title="${escapeHtml(`expected ${cell.expected}, got ${cell.outcome}${b ? `; against the baseline: ${BASELINE_TEXT[b]}${cell.baselineFailure ? ` (the baseline failed ${cell.baselineFailure.invariant})` : ''}` : ''}`)}">${st.key === 'budget-exhausted' || st.key === 'not-run' ? '–' : cell.ok && !gateFail ? '✓' : '✗'} ${label}${badge}${why}</td>`
      );
    });
    return `<tr><th scope="row" data-target="${escapeHtml(target)}">${text(target)}</th>${tds.join('')}</tr>`;
  });
  return `<table class="matrix">${head}${body.join('')}</table>`;
}

function renderCellTable(cells: CellResult[], anchors: Map<CellResult, string>): string {
  const withBaseline = cells.some((c) => c.baseline);
  const head = `<tr><th>target</th><th>scenario</th><th>mode</th><th>expected</th><th>outcome</th>${withBaseline ? '<th>vs baseline</th>' : ''}<th>trials</th><th>calls</th><th>duration</th><th>first failure</th></tr>`;
  const rows = cells.map((c) => {
    const st = status(c);
    const first =
      c.runsToFirstFailure == null
        ? '—'
        : `trial ${c.runsToFirstFailure}${c.msToFirstFailure == null ? '' : ` after ${duration(c.msToFirstFailure)}`}`;
    const name = hasDetail(c) ? `<a href="#${anchors.get(c)}">${text(c.scenario)}</a>` : text(c.scenario);
    return (
      `<tr><td>${text(c.target)}</td><td>${name}</td><td>${text(c.mode)}</td><td>${text(c.expected)}</td>` +
      `<td class="s-${st.key}">${st.text}</td>${withBaseline ? `<td>${c.baseline && BASELINE_TEXT[c.baseline] ? BASELINE_TEXT[c.baseline] : '—'}</td>` : ''}<td>${text(String(c.runs))}</td><td>${text(String(c.calls))}</td>` +
      `<td>${text(duration(c.durationMs))}</td><td>${text(first)}</td></tr>`
    );
  });
  return `<details><summary>All cells (${cells.length})</summary><table class="cells">${head}${rows.join('')}</table></details>`;
}

function renderDetail(cell: CellResult, anchor: string): string {
  const st = status(cell);
  const out: string[] = [
    `<section class="detail" id="${anchor}" data-detail="${escapeHtml(`${cell.target}/${cell.scenario}`)}" data-outcome="${escapeHtml(cell.outcome)}">`,
    `<h2>${text(cell.target)} × ${text(cell.scenario)} <small class="muted">[${text(cell.mode)}]</small> <span class="verdict s-${st.key}">${st.text}</span></h2>`,
    `<p class="muted">expected ${text(cell.expected)}, got ${text(cell.outcome)} · ${text(String(cell.runs))} trials · ${text(duration(cell.durationMs))}${cell.gate === 'wire' ? ' · wire gate' : ''}${failuresOf(cell).length > 1 ? ` · ${failuresOf(cell).length} distinct failures` : ''}</p>`,
  ];
  if (cell.baseline && BASELINE_TEXT[cell.baseline]) {
    const was = cell.baselineFailure
      ? ` (the baseline failed <span class="tag">${text(cell.baselineFailure.invariant)}</span>)`
      : cell.baseline === 'new-failure'
        ? ' (the baseline passed it)'
        : '';
    out.push(
      `<p class="baseline" data-baseline="${cell.baseline}">Against the baseline: <span class="badge b-${cell.baseline}">${BASELINE_TEXT[cell.baseline]}</span>${was}</p>`,
    );
  }
  if (cell.note) out.push(`<p class="note"><b>Note:</b> ${text(cell.note)}</p>`);
  if (cell.error)
    out.push(
      `<p class="err cell-error"><b>The cell could not run to a verdict:</b> <span class="msg">${text(clip(cell.error, MAX_MESSAGE))}</span></p>`,
    );
  const failures = failuresOf(cell);
  // The first failure reads as before; each further one is folded under a one-line summary.
  failures.forEach((f, i) =>
    out.push(
      i === 0
        ? `<div class="failure" data-failure="1">\n${renderFailure(f, anchor)}\n</div>`
        : `<details class="failure" data-failure="${i + 1}"><summary>Distinct failure ${i + 1} of ${failures.length}: ${text(findingText(f))} · ${text(String(f.counterexample?.ops?.length ?? 0))} calls</summary>\n${renderFailure(f, `${anchor}-f${i + 1}`)}\n</details>`,
    ),
  );
  if (cell.muted?.length) out.push(renderMuted(cell.muted));
  out.push('</section>');
  return out.join('\n');
}

/** Known findings the target muted for the cell, with how many trials each showed in. */
function renderMuted(muted: MutedFinding[]): string {
  const items = muted.map(
    (m) =>
      `<li data-muted="${escapeHtml(m.invariant)}" data-trials="${escapeHtml(String(m.trials))}"><span class="tag">${text(m.invariant)}</span>` +
      `${m.sqlstate ? `<span class="tag">SQLSTATE ${text(m.sqlstate)}</span>` : ''}${m.constraint ? `<span class="tag">${text(m.constraint)}</span>` : ''}` +
      ` ${text(`${m.trials} trial${m.trials === 1 ? '' : 's'}`)}${m.trials === 0 ? ' <span class="muted">(did not show: fixed?)</span>' : ''}` +
      `${m.note ? ` — <span class="msg">${text(clip(m.note, MAX_MESSAGE))}</span>` : ''}</li>`,
  );
  return `<h3>Muted known findings</h3><p class="muted">The target's expect mutes these: they did not fail the cell.</p><ul class="muted-findings">${items.join('')}</ul>`;
}

function renderFailure(f: CellFailure, anchor: string): string {
  const tags = [
    f.prismaCode ? `<span class="tag" data-prisma-code>Prisma ${text(f.prismaCode)}</span>` : '',
    f.sqlstate ? `<span class="tag" data-sqlstate>SQLSTATE ${text(f.sqlstate)}</span>` : '',
    f.constraint ? `<span class="tag" data-constraint>${text(f.constraint)}</span>` : '',
  ].join('');
  const meta = [
    `seed ${text(String(f.seed))}`,
    `shrunk ${text(String(f.shrinks))} times`,
    f.caseFile ? `case file <span class="mono">${text(f.caseFile)}</span>` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const replayId = `${anchor}-replay`;
  const explanation = INVARIANT_DESCRIPTIONS.get(f.invariant);
  return [
    `<p><span class="tag" data-invariant>${text(f.invariant)}</span>${tags}</p>`,
    explanation ? `<p class="explain" data-explanation><b>${text(f.invariant)}</b>: ${text(explanation)}.</p>` : '',
    `<p class="msg failure-message">${text(clip(f.message, MAX_MESSAGE))}</p>`,
    `<p class="muted">${meta}</p>`,
    '<h3>Replay</h3>',
    `<div class="replay"><code id="${replayId}" data-replay>${text(f.replay)}</code><button type="button" class="copy" data-copy="${replayId}">copy</button></div>`,
    '<h3>Counterexample: one lane per client, every call and statement in order</h3>',
    renderTimeline(f),
    f.model ? renderModel(f.model) : '',
    f.snapshot && !(f.model && !f.snapshot.sessions.length && !f.snapshot.messages.length && !f.snapshot.missing.length)
      ? renderSnapshot(f.snapshot, f.counterexample?.ops ?? [])
      : '',
    `<h3>Violations (${(f.violations ?? []).length})</h3>`,
    `<ul class="violations">${(f.violations ?? [])
      .map(
        (v) =>
          `<li><span class="tag">${text(v.invariant)}</span>${v.sqlstate ? `<span class="tag">${text(v.sqlstate)}</span>` : ''}` +
          `${v.constraint ? `<span class="tag">${text(v.constraint)}</span>` : ''}<span class="msg">${text(clip(v.message, MAX_MESSAGE))}</span>` +
          `${v.calls?.length ? ` <span class="muted">(calls ${v.calls.map((n) => `#${text(String(n))}`).join(', ')})</span>` : ''}</li>`,
      )
      .join('')}</ul>`,
  ]
    .filter(Boolean)
    .join('\n');
}

type TimelineEvent =
  | { tick: number; order: number; lane: number; kind: 'invoke' | 'complete'; op: CounterexampleOp; call: number }
  | { tick: number; order: number; lane: number; kind: 'statement'; s: StatementRecord };

/**
 * The counterexample as a timeline: one column (lane) per client, one row per event in the
 * order of the trial's logical clock: a call is invoked, sends its statements, completes.
 * Statements sent outside any call get a lane of their own. A lane is shaded while its call
 * is in flight, a statement that waited on a lock is marked blocked, and the statement that
 * broke the invariant is highlighted with its SQLSTATE, constraint and detail.
 */
function renderTimeline(f: CellFailure): string {
  const ops = f.counterexample?.ops ?? [];
  const statements = (f.statements ?? []).slice(0, MAX_STATEMENTS);
  if (!ops.length && !statements.length) return '<p class="muted">no calls</p>';
  const clients = Math.max(1, ...ops.map((o) => o.client + 1), ...statements.map((s) => s.client + 1));
  const outside = statements.some((s) => s.client < 0 || s.call < 0);
  const lanes = clients + (outside ? 1 : 0);
  const laneOf = (client: number, call: number) => (client < 0 || call < 0 ? clients : client);

  // History calls are listed in invocation order, and a statement's `call` is the call's index in that list.
  const byInvocation = ops.map((op, i) => ({ op, i })).sort((a, b) => a.op.invokedAt - b.op.invokedAt || a.i - b.i);
  const callNo = new Map(byInvocation.map(({ op }, k) => [op, k]));
  const contents = callContents(f);
  const blocked = blockedStatements(f, statements);
  const failing = failingStatement(f, statements);

  let order = 0;
  const events: TimelineEvent[] = [];
  for (const { op } of byInvocation) {
    events.push({ tick: op.invokedAt, order: order++, lane: op.client, kind: 'invoke', op, call: callNo.get(op)! });
    events.push({ tick: op.completedAt, order: order++, lane: op.client, kind: 'complete', op, call: callNo.get(op)! });
  }
  for (const s of statements) events.push({ tick: s.startedAt, order: order++, lane: laneOf(s.client, s.call), kind: 'statement', s });
  // Ties keep the recorded order (a call's invocation before its first statement, completions after).
  events.sort((a, b) => a.tick - b.tick || rank(a) - rank(b) || a.order - b.order);

  const head = `<tr><th>step</th>${Array.from({ length: lanes }, (_, l) =>
    l < clients ? `<th data-lane="c${l + 1}">client c${l + 1}</th>` : '<th data-lane="outside">outside any call</th>',
  ).join('')}</tr>`;
  const rows = events.map((e) => {
    const tds = Array.from({ length: lanes }, (_, l) => {
      if (l !== e.lane) {
        const live = ops.some((o) => o.client === l && o.invokedAt < e.tick && e.tick < o.completedAt);
        return live ? '<td class="live"></td>' : '<td></td>';
      }
      if (e.kind === 'statement')
        return renderStatementEvent(e.s, l < clients ? `c${l + 1}` : 'outside', blocked.has(e.s), e.s === failing);
      const op = e.op;
      const lane = `c${op.client + 1}`;
      if (e.kind === 'invoke') {
        const content = contents.get(op);
        return (
          `<td data-event="invoke" data-client="${lane}" data-call="${e.call}">` +
          `<span class="mono">▶ #${e.call} ${text(clip(op.label, MAX_LABEL))}</span>` +
          `${content ? `<div class="content"><span class="muted">${text(content.what)}:</span> <span class="msg">${text(clip(content.text, MAX_CONTENT))}</span></div>` : ''}</td>`
        );
      }
      const err = op.error ? `<div class="err">${errorHtml(op.error)}</div>` : '';
      return (
        `<td class="o-${escapeHtml(op.outcome)}" data-event="complete" data-client="${lane}" data-call="${e.call}" data-op-outcome="${escapeHtml(op.outcome)}">` +
        `<span class="mono">◀ #${e.call}</span> → <b>${text(op.outcome)}</b>` +
        // Issue 25: what an operation returned.
        `${op.result !== undefined ? ` <span class="mono" data-result>${text(clip(JSON.stringify(op.result), MAX_CONTENT))}</span>` : ''}${err}</td>`
      );
    });
    return `<tr><td class="t">${text(String(e.tick))}</td>${tds.join('')}</tr>`;
  });
  const more =
    (f.statements?.length ?? 0) > MAX_STATEMENTS
      ? `<p class="muted">… ${f.statements.length - MAX_STATEMENTS} more statements in results.json</p>`
      : '';
  return `<div class="scroll"><table class="timeline" data-lanes="${clients}">${head}${rows.join('')}</table></div>${more}`;
}

function rank(e: TimelineEvent): number {
  return e.kind === 'invoke' ? 0 : e.kind === 'statement' ? 1 : 2;
}

function renderStatementEvent(s: StatementRecord, lane: string, blocked: boolean, failing: boolean): string {
  // Markup is kept lean here: a big matrix has thousands of these cells (CSS selects them by data-event).
  const classes = [s.error ? 'err' : '', blocked ? 'blocked' : '', failing ? 'failing' : ''].filter(Boolean).join(' ');
  const result = s.error
    ? `<div class="err">${errorHtml(s.error)}</div>`
    : ` <i>→ ${text(s.completedAt === undefined ? 'pending' : `${s.rowCount ?? 0} row${s.rowCount === 1 ? '' : 's'}`)}</i>`;
  return (
    `<td${classes ? ` class="${classes}"` : ''} data-event="statement" data-client="${lane}"` +
    `${blocked ? ' data-blocked' : ''}${failing ? ' data-failing' : ''}${s.error?.sqlstate ? ` data-sqlstate="${escapeHtml(s.error.sqlstate)}"` : ''}>` +
    `${blocked ? '<span class="badge blocked-badge">blocked on a lock</span> ' : ''}${failing ? '<span class="badge failing-badge">failing statement</span> ' : ''}` +
    `<code>${text(clip(s.sql, MAX_SQL))}</code>${result}</td>`
  );
}

function errorHtml(e: ErrorInfo): string {
  return (
    `<b>${text(errorCode(e))}</b>${e.constraint ? ` <span class="constraint">${text(e.constraint)}</span>` : ''}: <span class="msg">${text(clip(e.message, MAX_ERROR))}</span>` +
    `${e.detail ? `<div class="detail-text">detail: <span class="msg">${text(clip(e.detail, MAX_ERROR))}</span></div>` : ''}`
  );
}

/** The content each call carried, from the workload: client c's k-th call (in invocation order) is the workload's clients[c][k]. */
function callContents(f: CellFailure): Map<CounterexampleOp, { what: string; text: string }> {
  const out = new Map<CounterexampleOp, { what: string; text: string }>();
  const clients = f.workload?.clients;
  if (!Array.isArray(clients)) return out;
  const ops = f.counterexample?.ops ?? [];
  for (let c = 0; c < clients.length; c++) {
    const mine = ops.filter((o) => o.client === c).sort((a, b) => a.invokedAt - b.invokedAt);
    mine.forEach((op, k) => {
      const spec = clients[c]?.[k];
      // Only where the label proves it is the same call: a results.json from another version may not line up.
      if (!spec || safeLabel(spec, c) !== op.label) return;
      const last = spec.messages?.at(-1);
      if (last)
        out.set(op, {
          what: `${spec.op === 'handleChat' ? `last of ${spec.messages!.length} messages, ` : ''}${last.role} content`,
          text: JSON.stringify(last.content),
        });
      else if (spec.title !== undefined) out.set(op, { what: 'title', text: JSON.stringify(spec.title) });
    });
  }
  return out;
}

function safeLabel(spec: CallSpec, client: number): string | undefined {
  try {
    return callLabel(spec, client);
  } catch {
    return undefined;
  }
}

/**
 * Statements the scheduler saw waiting on a lock: flagged on the record; results.json files
 * written before the flag existed are paired with the schedule (the k-th gated statement is the
 * k-th step; a step whose client does not match ends the pairing).
 */
function blockedStatements(f: CellFailure, statements: StatementRecord[]): Set<StatementRecord> {
  const out = new Set<StatementRecord>(statements.filter((s) => s.blocked));
  if (out.size) return out;
  const steps = f.counterexample?.schedule ?? [];
  const gated = statements.filter((s) => s.call >= 0 && s.client >= 0);
  for (let k = 0; k < Math.min(steps.length, gated.length); k++) {
    const s = gated[k]!;
    if (!String(steps[k]).startsWith(`c${s.client + 1} `)) break;
    if (/ \[blocked\] → [^→]*$/.test(String(steps[k]))) out.add(s);
  }
  return out;
}

/** The statement that broke the invariant: the first with the failure's SQLSTATE (and constraint), else the first error of a violating call. */
function failingStatement(f: CellFailure, statements: StatementRecord[]): StatementRecord | undefined {
  if (f.sqlstate) {
    const hit = statements.find((s) => s.error?.sqlstate === f.sqlstate && (!f.constraint || s.error?.constraint === f.constraint));
    if (hit) return hit;
  }
  const calls = new Set(f.violations?.[0]?.calls ?? []);
  return statements.find((s) => s.error && calls.has(s.call));
}

const MARK_TEXT: Record<SnapshotMark, string> = {
  orphan: 'orphan: its parent row does not exist',
  duplicate: 'duplicate: stored more than once',
  phantom: 'phantom: stored although the call was refused',
  misplaced: 'misplaced: stored in another session than its call wrote to',
};

/** Issue 25: the model's state before the trial and the one observe read after it, as JSON text. */
function renderModel(m: NonNullable<CellFailure['model']>): string {
  const json = (v: unknown) => text(clip(v === undefined ? 'undefined' : JSON.stringify(v, null, 1), MAX_MODEL));
  return (
    '<h3>Model state</h3><table class="snapshot model"><tr><th>before the trial (initial)</th><th>after it (observe)</th></tr>' +
    `<tr><td><pre data-model="initial">${json(m.initial)}</pre></td><td><pre data-model="observed">${json(m.observed)}</pre></td></tr></table>`
  );
}

/** The rows the trial left in the database, highlighted where they break an invariant, and the acked messages that are missing. */
function renderSnapshot(s: FailureSnapshot, ops: CounterexampleOp[]): string {
  const marks = (m: SnapshotMark[] | undefined) =>
    (m ?? []).map((k) => `<span class="badge mark-${k}" title="${escapeHtml(MARK_TEXT[k])}">${k}</span>`).join(' ');
  const rowAttrs = (m: SnapshotMark[] | undefined) =>
    m?.length ? ` class="marked ${m.map((k) => `mark-${k}`).join(' ')}" data-marks="${m.join(' ')}"` : '';
  // Calls are numbered by invocation order, as in the timeline.
  const byInvocation = ops.map((op, i) => ({ op, i })).sort((a, b) => a.op.invokedAt - b.op.invokedAt || a.i - b.i);
  // The timeline prints each call's label next to its number; here the number and lane are enough.
  const callName = (n: number | undefined) => (n === undefined || !byInvocation[n] ? '—' : `#${n} (c${byInvocation[n]!.op.client + 1})`);
  const sessions = s.sessions.map(
    (r) => `<tr${rowAttrs(r.marks)}><td>${text(r.id)}</td><td>${text(r.userId)}</td><td>${marks(r.marks)}</td></tr>`,
  );
  const messages = s.messages
    .slice(0, MAX_SNAPSHOT_ROWS)
    .map(
      (m) =>
        `<tr data-row="message"${rowAttrs(m.marks)}><td>${text(m.sessionId)}</td><td>${text(m.id ?? '—')}</td><td>${text(m.role)}</td>` +
        `<td><span class="msg">${text(clip(m.content, MAX_CONTENT))}</span>${m.contentLength > m.content.length ? ` <span class="muted">(${text(String(m.contentLength))} chars)</span>` : ''}</td>` +
        `<td>${callName(m.call)}</td><td>${marks(m.marks)}</td></tr>`,
    );
  const missing = s.missing.map(
    (m) =>
      `<tr data-row="missing" class="marked mark-missing" data-marks="missing"><td>${text(m.sessionId)}</td><td>${text(m.id)}</td><td>${text(m.role)}</td>` +
      `<td><span class="msg">${text(clip(m.content, MAX_CONTENT))}</span></td><td>${callName(m.call)}</td>` +
      `<td><span class="badge mark-missing" title="acknowledged to the caller, not in the database">missing</span></td></tr>`,
  );
  return [
    '<h3>Database rows after the trial</h3>',
    `<p class="muted">users: ${s.users.length ? s.users.map((u) => `<span class="mono">${text(u.id)}</span>`).join(', ') : 'none'}</p>`,
    `<table class="snapshot sessions"><tr><th>session</th><th>owner</th><th></th></tr>${sessions.join('') || '<tr><td colspan="3" class="muted">no sessions</td></tr>'}</table>`,
    `<table class="snapshot messages"><tr><th>session</th><th>message</th><th>role</th><th>content</th><th>written by call</th><th></th></tr>` +
      `${[...messages, ...missing].join('') || '<tr><td colspan="6" class="muted">no messages</td></tr>'}</table>`,
    s.messages.length > MAX_SNAPSHOT_ROWS || s.omitted
      ? `<p class="muted">… ${text(String(Math.max(0, s.messages.length - MAX_SNAPSHOT_ROWS) + (s.omitted?.messages ?? 0)))} more messages in results.json or not kept</p>`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A cell's distinct failures, first one first (results.json written before `failures` existed has only `failure`). */
function failuresOf(c: CellResult): CellFailure[] {
  return c.failures?.length ? c.failures : c.failure ? [c.failure] : [];
}

function mutedShown(c: CellResult): number {
  return (c.muted ?? []).filter((m) => m.trials > 0).length;
}

function hasDetail(c: CellResult): boolean {
  return !!(c.failure || c.error || mutedShown(c));
}

function status(c: CellResult): { key: string; text: string } {
  if (c.error && !c.failure) return { key: 'error', text: 'error' };
  if (c.outcome === 'budget-exhausted') return { key: 'budget-exhausted', text: `budget exhausted (${c.runs} trials)` };
  if (c.outcome === 'not-run') return { key: 'not-run', text: 'not run' };
  if (c.outcome === 'pass')
    return c.expected === 'fail' ? { key: 'unexpected-pass', text: 'unexpected pass' } : { key: 'pass', text: 'pass' };
  return c.expected === 'fail' ? { key: 'expected-fail', text: 'expected fail' } : { key: 'fail', text: 'fail' };
}

// Escaped, with control characters (NUL bytes from hostile input) made visible instead of silently vanishing.
function text(s: string | undefined | null): string {
  return escapeHtml(
    String(s ?? '')
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
      .replace(/\u007F/g, '\u2421')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function ordered(preferred: string[] | undefined, seen: string[]): string[] {
  const present = new Set(seen);
  const out = (preferred ?? []).filter((x) => present.has(x));
  for (const x of seen) if (!out.includes(x)) out.push(x);
  return out;
}

function slug(s: string): string {
  return (
    String(s)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'x'
  );
}

function sha256(s: string): string {
  return `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
}

// The HTML report says how much it cut: the whole text is in results.json.
function clip(s: string | undefined, max: number): string {
  return clipText(s, max, { count: true });
}
