import { createHash } from 'node:crypto';
import type { CellFailure, CellResult, CounterexampleOp, RunResults } from '../harness/exec/results.js';
import type { ErrorInfo } from '../harness/history/classify-error.js';
import type { StatementRecord } from '../harness/history/history.js';
import { escapeHtml } from './escape-html.js';

// Generated content (100 kB messages, long SQL) must not turn a report into a megabyte per failure.
const MAX_MESSAGE = 4000;
const MAX_ERROR = 1000;
const MAX_LABEL = 500;
const MAX_SQL = 300;
const MAX_STATEMENTS = 2000;
const MAX_SCHEDULE = 2000;

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
.s-fail,.s-unexpected-pass,.s-error{color:var(--bad);background:var(--badbg)}
td.none{color:var(--muted)}
section.detail{border:1px solid var(--line);border-radius:6px;padding:8px 16px 12px;margin:16px 0}
section.detail h2{margin-top:8px}
.tag{display:inline-block;padding:0 6px;border-radius:3px;background:var(--soft);border:1px solid var(--line);margin-right:4px}
.err{color:var(--bad)}
tr.err td{background:var(--badbg)}
table.timeline td.op{min-width:220px}
td.o-ok{background:var(--okbg)}td.o-fail{background:var(--badbg)}td.o-info{background:var(--warnbg)}
td.tick{color:var(--muted);white-space:nowrap}
.replay{display:flex;gap:8px;align-items:flex-start}
.replay code{flex:1;padding:6px 8px;background:var(--soft);border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;word-break:break-all}
button.copy{font:inherit;padding:4px 10px;cursor:pointer}
.muted{color:var(--muted)}
`;

// The only script: copies a replay command. Falls back to selecting the text where the clipboard API is denied (file://).
const SCRIPT =
  "document.addEventListener('click',function(e){var b=e.target&&e.target.closest?e.target.closest('button[data-copy]'):null;if(!b)return;" +
  "var c=document.getElementById(b.getAttribute('data-copy'));if(!c)return;var s=c.textContent;" +
  "function done(){b.textContent='copied';setTimeout(function(){b.textContent='copy'},1500)}" +
  "function pick(){var r=document.createRange();r.selectNodeContents(c);var g=getSelection();g.removeAllRanges();g.addRange(r);try{document.execCommand('copy');done()}catch(_){}}" +
  "if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(s).then(done,pick)}else{pick()}});";

/** One self-contained HTML page for a run (no network, a single copy-button script); every value from the run is escaped. */
export function renderHtml(results: RunResults): string {
  const cells = results.cells ?? [];
  const anchors = new Map<CellResult, string>(cells.map((c, i) => [c, `cell-${i + 1}-${slug(c.target)}--${slug(c.scenario)}`]));
  const detailed = cells.filter((c) => c.failure || c.error);
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
    ['database', `${text(r.db?.kind)} · PostgreSQL ${text(r.db?.serverVersion)}${r.db?.url ? ` · <span class="mono">${text(r.db.url)}</span>` : ''}`],
    ['seed', `<span class="mono">${text(String(r.seed))}</span>`],
    ['mode', text(r.mode)],
    ['duration', text(duration(r.durationMs))],
    ['trials', text(String(s.trials))],
    ['calls', text(String(s.calls))],
    ['exit code', `<span data-summary="exit-code">${text(String(r.exitCode))}</span>`],
    ['run', `<span class="mono">${text(r.runId)}</span> · started ${text(r.startedAt)} · chatfuzz ${text(r.version)}`],
  ];
  return `<dl class="summary">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

interface Column { scenario: string; mode?: string }

function renderMatrixTable(r: RunResults, anchors: Map<CellResult, string>): string {
  const cells = r.cells ?? [];
  const targets = ordered(r.options?.targets, cells.map((c) => c.target));
  const scenarios = ordered(r.options?.scenarios, cells.map((c) => c.scenario));
  // results.json is one mode per run today; should several modes ever share a file, each gets its own column.
  const modes = [...new Set(cells.map((c) => c.mode))];
  const columns: Column[] = modes.length > 1
    ? scenarios.flatMap((scenario) => modes.filter((m) => cells.some((c) => c.scenario === scenario && c.mode === m)).map((mode) => ({ scenario, mode })))
    : scenarios.map((scenario) => ({ scenario }));

  const head = `<tr><th>target \\ scenario</th>${columns
    .map((col) => `<th data-scenario="${escapeHtml(col.scenario)}">${text(col.scenario)}${col.mode ? ` <small>[${text(col.mode)}]</small>` : ''}</th>`)
    .join('')}</tr>`;
  const body = targets.map((target) => {
    const tds = columns.map((col) => {
      const cell = cells.find((c) => c.target === target && c.scenario === col.scenario && (!col.mode || c.mode === col.mode));
      if (!cell) return '<td class="none" title="not run">—</td>';
      const st = status(cell);
      const label = cell.failure || cell.error ? `<a href="#${anchors.get(cell)}">${st.text}</a>` : st.text;
      const why = cell.failure ? `<small>${text(cell.failure.invariant)}</small>` : '';
      return (
        `<td class="cell s-${st.key}" data-cell="${escapeHtml(`${cell.target}/${cell.scenario}`)}" data-outcome="${escapeHtml(cell.outcome)}"` +
        ` data-expected="${escapeHtml(cell.expected)}" data-ok="${cell.ok}" data-status="${st.key}" data-mode="${escapeHtml(cell.mode)}"` +
        ` title="${escapeHtml(`expected ${cell.expected}, got ${cell.outcome}`)}">${cell.ok ? '✓' : '✗'} ${label}${why}</td>`
      );
    });
    return `<tr><th scope="row" data-target="${escapeHtml(target)}">${text(target)}</th>${tds.join('')}</tr>`;
  });
  return `<table class="matrix">${head}${body.join('')}</table>`;
}

function renderCellTable(cells: CellResult[], anchors: Map<CellResult, string>): string {
  const head = '<tr><th>target</th><th>scenario</th><th>mode</th><th>expected</th><th>outcome</th><th>trials</th><th>calls</th><th>duration</th><th>first failure</th></tr>';
  const rows = cells.map((c) => {
    const st = status(c);
    const first = c.runsToFirstFailure == null ? '—' : `trial ${c.runsToFirstFailure}${c.msToFirstFailure == null ? '' : ` after ${duration(c.msToFirstFailure)}`}`;
    const name = c.failure || c.error ? `<a href="#${anchors.get(c)}">${text(c.scenario)}</a>` : text(c.scenario);
    return (
      `<tr><td>${text(c.target)}</td><td>${name}</td><td>${text(c.mode)}</td><td>${text(c.expected)}</td>` +
      `<td class="s-${st.key}">${st.text}</td><td>${text(String(c.runs))}</td><td>${text(String(c.calls))}</td>` +
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
    `<p class="muted">expected ${text(cell.expected)}, got ${text(cell.outcome)} · ${text(String(cell.runs))} trials · ${text(duration(cell.durationMs))}</p>`,
  ];
  if (cell.note) out.push(`<p class="note"><b>Note:</b> ${text(cell.note)}</p>`);
  if (cell.error) out.push(`<p class="err cell-error"><b>The cell could not run to a verdict:</b> <span class="msg">${text(clip(cell.error, MAX_MESSAGE))}</span></p>`);
  if (cell.failure) out.push(renderFailure(cell.failure, anchor));
  out.push('</section>');
  return out.join('\n');
}

function renderFailure(f: CellFailure, anchor: string): string {
  const tags = [
    f.sqlstate ? `<span class="tag" data-sqlstate>SQLSTATE ${text(f.sqlstate)}</span>` : '',
    f.constraint ? `<span class="tag" data-constraint>${text(f.constraint)}</span>` : '',
  ].join('');
  const meta = [`seed ${text(String(f.seed))}`, `${text(String(f.shrinks))} shrinks`, f.caseFile ? `case file <span class="mono">${text(f.caseFile)}</span>` : '']
    .filter(Boolean)
    .join(' · ');
  const replayId = `${anchor}-replay`;
  return [
    `<p><span class="tag" data-invariant>${text(f.invariant)}</span>${tags}</p>`,
    `<p class="msg failure-message">${text(clip(f.message, MAX_MESSAGE))}</p>`,
    `<p class="muted">${meta}</p>`,
    '<h3>Counterexample</h3>',
    renderTimeline(f.counterexample?.ops ?? []),
    renderSchedule(f.counterexample?.schedule),
    '<h3>Statements</h3>',
    renderStatements(f.statements ?? []),
    `<h3>Violations (${(f.violations ?? []).length})</h3>`,
    `<ul class="violations">${(f.violations ?? [])
      .map(
        (v) =>
          `<li><span class="tag">${text(v.invariant)}</span>${v.sqlstate ? `<span class="tag">${text(v.sqlstate)}</span>` : ''}` +
          `${v.constraint ? `<span class="tag">${text(v.constraint)}</span>` : ''}<span class="msg">${text(clip(v.message, MAX_MESSAGE))}</span>` +
          `${v.calls?.length ? ` <span class="muted">(calls ${v.calls.map((n) => `#${text(String(n))}`).join(', ')})</span>` : ''}</li>`,
      )
      .join('')}</ul>`,
    '<h3>Replay</h3>',
    `<div class="replay"><code id="${replayId}">${text(f.replay)}</code><button type="button" class="copy" data-copy="${replayId}">copy</button></div>`,
  ].join('\n');
}

// One column per client, one row per call in invocation order: the interleaving reads top to bottom.
function renderTimeline(ops: CounterexampleOp[]): string {
  if (!ops.length) return '<p class="muted">no calls</p>';
  const lanes = Math.max(1, ...ops.map((o) => o.client + 1));
  const sorted = ops.map((op, i) => ({ op, i })).sort((a, b) => a.op.invokedAt - b.op.invokedAt || a.op.client - b.op.client || a.i - b.i);
  const head = `<tr><th>t</th>${Array.from({ length: lanes }, (_, l) => `<th data-lane="c${l + 1}">c${l + 1}</th>`).join('')}</tr>`;
  const rows = sorted.map(({ op }) => {
    const tds = Array.from({ length: lanes }, (_, l) => {
      if (l !== op.client) return '<td></td>';
      const err = op.error
        ? `<div class="err">${text(errorCode(op.error))}${op.error.constraint ? ` ${text(op.error.constraint)}` : ''}: <span class="msg">${text(clip(op.error.message, MAX_ERROR))}</span></div>`
        : '';
      return (
        `<td class="op o-${escapeHtml(op.outcome)}" data-client="c${l + 1}" data-op-outcome="${escapeHtml(op.outcome)}">` +
        `<span class="mono">${text(clip(op.label, MAX_LABEL))}</span> → <b>${text(op.outcome)}</b>${err}</td>`
      );
    });
    return `<tr><td class="tick mono">${text(String(op.invokedAt))}–${text(String(op.completedAt))}</td>${tds.join('')}</tr>`;
  });
  return `<table class="timeline">${head}${rows.join('')}</table>`;
}

function renderSchedule(schedule: string[] | undefined): string {
  if (!schedule?.length) return '';
  const shown = schedule.slice(0, MAX_SCHEDULE).map((s) => text(s)).join(' ');
  const more = schedule.length > MAX_SCHEDULE ? ` … ${schedule.length - MAX_SCHEDULE} more in results.json` : '';
  return `<details><summary>schedule (${schedule.length} steps)</summary><p class="mono msg">${shown}${more}</p></details>`;
}

function renderStatements(statements: StatementRecord[]): string {
  if (!statements.length) return '<p class="muted">no statements recorded</p>';
  const head = '<tr><th>seq</th><th>lane</th><th>call</th><th>sql</th><th>error</th></tr>';
  const rows = statements.slice(0, MAX_STATEMENTS).map((s) => {
    const harness = s.call < 0 || s.client < 0;
    const lane = harness ? 'harness' : `c${s.client + 1}`;
    const err = s.error
      ? `<span class="err"><b>${text(errorCode(s.error))}</b>${s.error.constraint ? ` ${text(s.error.constraint)}` : ''}: <span class="msg">${text(clip(s.error.message, MAX_ERROR))}</span></span>`
      : '';
    return (
      `<tr${s.error ? ' class="err"' : ''}><td class="mono">${text(String(s.seq))}</td><td>${lane}</td>` +
      `<td>${harness ? '—' : `#${text(String(s.call))}`}</td><td><code class="msg">${text(clip(s.sql, MAX_SQL))}</code></td><td>${err}</td></tr>`
    );
  });
  const more = statements.length > MAX_STATEMENTS ? `<p class="muted">… ${statements.length - MAX_STATEMENTS} more statements in results.json</p>` : '';
  return `<table class="statements">${head}${rows.join('')}</table>${more}`;
}

function status(c: CellResult): { key: string; text: string } {
  if (c.error && !c.failure) return { key: 'error', text: 'error' };
  if (c.outcome === 'pass') return c.expected === 'fail' ? { key: 'unexpected-pass', text: 'unexpected pass' } : { key: 'pass', text: 'pass' };
  return c.expected === 'fail' ? { key: 'expected-fail', text: 'expected fail' } : { key: 'fail', text: 'fail' };
}

function errorCode(e: ErrorInfo): string {
  return e.sqlstate ?? e.prismaCode ?? (e.causeSqlstate ? `${e.kind} (cause ${e.causeSqlstate})` : e.kind);
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

function clip(s: string | undefined, max: number): string {
  const v = String(s ?? '');
  return v.length > max ? `${v.slice(0, max)}… (${v.length - max} more chars)` : v;
}

function ordered(preferred: string[] | undefined, seen: string[]): string[] {
  const present = new Set(seen);
  const out = (preferred ?? []).filter((x) => present.has(x));
  for (const x of seen) if (!out.includes(x)) out.push(x);
  return out;
}

function slug(s: string): string {
  return String(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'x';
}

function duration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

function sha256(s: string): string {
  return `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
}
