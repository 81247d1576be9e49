import type { CellFailure, CellResult, RunResults } from '../harness/run/results.js';
import { alsoLines, clip, errorCode, findingText, mutedLines } from './report-text.js';

// CI servers show the message attribute on one line; the full story goes in the element text.
const MAX_ATTRIBUTE = 500;
const MAX_TEXT = 20_000;

/** JUnit XML for a run: one testsuite "chatfuzz", one testcase per cell, a <failure> (with every distinct failure of the cell in its text) on every cell that missed its expectation or, in a --ci run against a baseline, broke what the baseline passed; muted findings in the testcase's output. */
export function renderJunit(results: RunResults): string {
  const cells = results.cells ?? [];
  const gate = !!results.baseline?.gate;
  const failures = cells.filter((c) => failed(c, gate)).length;
  const skipped = cells.filter(unjudged).length;
  const time = seconds(results.durationMs);
  const props: [string, string][] = [
    ['seed', String(results.seed)],
    ['mode', String(results.mode)],
    ['runId', String(results.runId)],
    ['db.kind', String(results.db?.kind ?? '')],
    ['db.serverVersion', String(results.db?.serverVersion ?? '')],
    ['exitCode', String(results.exitCode)],
    ...(results.interrupted ? [['interrupted', String(results.interrupted)] as [string, string]] : []),
    ...(results.baseline ? [['baseline', `${results.baseline.file} (run ${results.baseline.runId})`] as [string, string]] : []),
  ];
  const common = `tests="${cells.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="chatfuzz" ${common}>`,
    `  <testsuite name="chatfuzz" ${common}${results.startedAt ? ` timestamp="${attr(stripIsoZone(results.startedAt))}"` : ''}>`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`),
    '    </properties>',
    ...cells.map((c) => renderCase(c, gate)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** What fails a testcase: an unmet expectation, or a new failure against the baseline when the baseline gates the run. */
function failed(cell: CellResult, gate: boolean): boolean {
  if (unjudged(cell)) return false;
  return !cell.ok || (gate && cell.baseline === 'new-failure');
}

function renderCase(cell: CellResult, gate: boolean): string {
  const open = `    <testcase classname="${attr(cell.target)}" name="${attr(`${cell.scenario} [${cell.mode}]`)}" time="${seconds(cell.durationMs)}"`;
  const out: string[] = [];
  const vsBaseline = cell.baseline
    ? `baseline: ${cell.baseline}${cell.baselineFailure ? ` (baseline failed ${cell.baselineFailure.invariant})` : ''}`
    : '';
  // No verdict either way: the time budget or an interruption stopped the cell (a pass would be a lie, a failure too).
  if (unjudged(cell))
    out.push(
      `      <skipped message="${attr(cell.outcome === 'not-run' ? 'not run: the run was interrupted' : `budget exhausted after ${cell.runs} trials`)}"/>`,
    );
  if (failed(cell, gate)) {
    const { message, type, body } = describe(cell);
    const fresh = cell.baseline === 'new-failure';
    out.push(
      `      <failure message="${attr(clip(`${fresh ? 'new failure since the baseline: ' : ''}${message}`, MAX_ATTRIBUTE))}" type="${attr(type)}">${xmlText(clip(vsBaseline ? `${body}\n${vsBaseline}` : body, MAX_TEXT))}</failure>`,
    );
  }
  // An expected failure passes the gate, but a reader of the CI page still wants to see what was found.
  const info = [
    !failed(cell, gate) && cell.failure
      ? `failed as expected: ${cell.failure.invariant} — ${cell.failure.message}\nreplay: ${cell.failure.replay}`
      : '',
    !failed(cell, gate) ? alsoLines(cell).join('\n') : '',
    !failed(cell, gate) ? vsBaseline : '',
    mutedLines(cell).join('\n'),
    cell.note ?? '',
  ].filter(Boolean);
  if (info.length) out.push(`      <system-out>${xmlText(clip(info.join('\n'), MAX_TEXT))}</system-out>`);
  return out.length ? `${open}>\n${out.join('\n')}\n    </testcase>` : `${open}/>`;
}

function unjudged(cell: CellResult): boolean {
  return cell.outcome === 'budget-exhausted' || cell.outcome === 'not-run';
}

function describe(cell: CellResult): { message: string; type: string; body: string } {
  const f = cell.failure;
  if (f) {
    const lines = [
      `${cell.target} × ${cell.scenario} [${cell.mode}]: expected ${cell.expected}, got ${cell.outcome}`,
      ...failureLines(f, [
        ...(f.violations ?? []).map((v) => `violation ${v.invariant}: ${v.message}`),
        ...(cell.error ? [`error: ${cell.error}`] : []),
      ]),
    ];
    const more = (cell.failures ?? []).slice(1);
    more.forEach((m, i) => lines.push('', `distinct failure ${i + 2} of ${more.length + 1}:`, ...failureLines(m)));
    lines.push(...mutedLines(cell));
    const where = [[f.prismaCode, f.sqlstate].filter(Boolean).join('/'), f.constraint].filter(Boolean).join(' ');
    const also = more.length
      ? ` (and ${more.length} more distinct failure${more.length === 1 ? '' : 's'}: ${more.map((m) => findingText(m)).join(', ')})`
      : '';
    return {
      message: `${f.invariant}: ${oneLine(f.message)}${where ? ` (${where})` : ''}${also}`,
      type: f.invariant,
      body: lines.join('\n'),
    };
  }
  if (cell.error) return { message: `cell error: ${oneLine(cell.error)}`, type: 'error', body: cell.error };
  if (cell.outcome === 'pass') {
    const body = `${cell.target} × ${cell.scenario} [${cell.mode}] was expected to fail but passed ${cell.runs} trials; update the target's expect or check the scenario still provokes the bug.`;
    return { message: 'expected fail but passed', type: 'unexpected-pass', body };
  }
  return {
    message: `expected ${cell.expected}, got ${cell.outcome}`,
    type: 'fail',
    body: `expected ${cell.expected}, got ${cell.outcome}`,
  };
}

// Every failure gets the same facts; the first also its violations (`extra`, before its case file).
function failureLines(f: CellFailure, extra: string[] = []): string[] {
  const lines = [`invariant: ${f.invariant}`, `message: ${f.message}`];
  if (f.sqlstate) lines.push(`sqlstate: ${f.sqlstate}`);
  if (f.prismaCode) lines.push(`prisma code: ${f.prismaCode}`);
  if (f.constraint) lines.push(`constraint: ${f.constraint}`);
  lines.push(`seed: ${f.seed}`, 'counterexample:');
  const ops = [...(f.counterexample?.ops ?? [])].sort((a, b) => a.invokedAt - b.invokedAt);
  for (const op of ops)
    lines.push(
      `  c${op.client + 1} ${op.label} → ${op.outcome}${op.error ? ` ${errorCode(op.error)}${op.error.constraint ? ` ${op.error.constraint}` : ''}` : ''}`,
    );
  lines.push(...extra);
  if (f.caseFile) lines.push(`case file: ${f.caseFile}`);
  lines.push(`replay: ${f.replay}`);
  return lines;
}

// XML 1.0 has no escape for these: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF and unpaired surrogates.
function legal(s: string): string {
  return String(s ?? '').replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '',
  );
}

function xmlText(s: string): string {
  return legal(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Attribute values are whitespace-normalized by parsers, so newlines and tabs become character references to survive.
function attr(s: string): string {
  return legal(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function oneLine(s: string): string {
  return String(s ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function seconds(ms: number | null | undefined): string {
  return ms == null || !Number.isFinite(ms) ? '0' : (Math.max(0, ms) / 1000).toFixed(3);
}

// The JUnit schema's timestamp is an ISO 8601 date-time without a zone.
function stripIsoZone(iso: string): string {
  return String(iso).replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '');
}
