import { describe, expect, it } from 'vitest';
import { multiFailureResults, sampleResults } from './fixtures/sample-results.js';
import { applyBaseline, parseBaseline } from './baseline-diff.js';
import { renderMatrix } from './render-matrix.js';

describe('renderMatrix', () => {
  it('prints an aligned target × scenario matrix with short cell texts and ✓/✗ marks', () => {
    const lines = renderMatrix(sampleResults()).split('\n');
    expect(lines[0]).toMatch(/^\s+log-before-create\s+hostile-input$/);
    expect(lines[1]).toMatch(/^naive\s+✓ FAIL\(expected\)\s+✗ FAIL$/);
    expect(lines[2]).toMatch(/^session-first\s+✗ pass\(UNEXPECTED\)\s+✓ pass$/);
    // Columns line up: every row's second column starts where its header does.
    const col = lines[0]!.indexOf('hostile-input');
    expect([...lines[1]!].join('').indexOf('✗ FAIL')).toBe(col);
    expect(lines[2]!.indexOf('✓ pass')).toBe(col);
    expect(lines[1]!.indexOf('✓')).toBe(lines[0]!.indexOf('log-before-create'));
  });

  it('explains each failing cell: invariant, message, sqlstate and constraint, ops in invocation order, replay', () => {
    const r = sampleResults();
    const out = renderMatrix(r, { verbose: true });
    expect(out).toMatch(/^naive × log-before-create \(expected\): no-fk-error — handleChat.*\[23503 chat_messages_session_id_fkey\]$/m);
    const c1 = out.indexOf('  handleChat(s1, [system,user], m2, u1)@c1 → fail 23503 chat_messages_session_id_fkey\n');
    const c2 = out.indexOf('  createSession(s1, u1)@c2 → ok\n');
    expect(c1).toBeGreaterThan(0);
    expect(c2).toBeGreaterThan(c1);
    expect(out).toContain(`\n  replay: ${r.cells[0]!.failure!.replay}\n`);
    expect(out).toMatch(/^naive × hostile-input: no-db-error — .*\[22021\]$/m);
  });

  it('by default gives an expected failure one line, and an unexpected one its whole story', () => {
    const r = sampleResults();
    const out = renderMatrix(r);
    expect(out).toContain(
      `\nnaive × log-before-create (expected): no-fk-error [23503 chat_messages_session_id_fkey], 2 calls · replay: ${r.cells[0]!.failure!.replay}\n`,
    );
    expect(out).not.toContain('  createSession(s1, u1)@c2 → ok');
    expect(out).toMatch(/^naive × hostile-input: no-db-error — .*\[22021\]$/m);
    expect(out).toContain(`\n  replay: ${r.cells[1]!.failure!.replay}\n`);
  });

  it('with firstInFull (the demo) tells the first expected failure in full and counts the other ones', () => {
    const r = sampleResults();
    const second = { ...r.cells[0]!, scenario: 'cross-user' };
    const third = { ...r.cells[0]!, scenario: 'mixed', failures: [r.cells[0]!.failure!, r.cells[0]!.failure!] };
    const out = renderMatrix({ ...r, cells: [r.cells[0]!, second, third, ...r.cells.slice(1)] }, { firstInFull: true });
    expect(out).toContain('  createSession(s1, u1)@c2 → ok');
    expect(out).toContain(`\n  replay: ${r.cells[0]!.failure!.replay}\n`);
    expect(out).not.toContain('naive × cross-user (expected)');
    expect(out).toContain('\n3 more expected failures in 2 other cells: --verbose prints them all');
    // An unexpected failure is still told in full.
    expect(out).toMatch(/^naive × hostile-input: no-db-error — .*\[22021\]$/m);
    // --verbose wins: every failure in full, nothing counted.
    const verbose = renderMatrix({ ...r, cells: [r.cells[0]!, second, ...r.cells.slice(1)] }, { firstInFull: true, verbose: true });
    expect(verbose).toMatch(/^naive × cross-user \(expected\): no-fk-error — /m);
    expect(verbose).not.toContain('more expected failure');
  });

  it('lists no block for passing cells', () => {
    const out = renderMatrix(sampleResults());
    expect(out).not.toMatch(/^session-first × /m);
    expect(out.match(/replay:/g)).toHaveLength(2);
  });

  it('ends with a one-line summary', () => {
    const out = renderMatrix(sampleResults());
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      '2/4 cells met their expectation · 217 trials · 957 calls · 10.4 s · url PostgreSQL 17.2',
    );
  });

  it('rounds a run of minutes to whole seconds once (2 min 59.6 s is 3 min 0 s)', () => {
    const r = sampleResults();
    r.durationMs = 179_600;
    expect(renderMatrix(r).trimEnd().split('\n').at(-1)).toContain(' · 3 min 0 s · ');
  });

  it('uses ANSI colour only when asked', () => {
    expect(renderMatrix(sampleResults())).not.toContain('\x1b[');
    const coloured = renderMatrix(sampleResults(), { color: true });
    expect(coloured).toContain('\x1b[31m');
    // Colour must not change what the text says.
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderMatrix(sampleResults()));
  });

  it('does not pass terminal control sequences or newlines from the run through', () => {
    const r = sampleResults();
    r.cells[1]!.failure!.message = 'evil\x1b[2J\nsecond line\u0000';
    const out = renderMatrix(r);
    expect(out).not.toMatch(/[\u0000\u001b]/);
    expect(out).toMatch(/^naive × hostile-input: no-db-error — evil␛\[2J ⏎ second line␀ \[22021\]$/m);
  });

  it('shows a cell error and a note', () => {
    const r = sampleResults();
    r.cells[3] = {
      ...r.cells[3]!,
      outcome: 'fail',
      ok: false,
      error: 'snapshot threw',
      note: 'stress: replays reproduce the workload, not the timing',
    };
    const out = renderMatrix(r);
    expect(out).toContain('✗ ERROR');
    expect(out).toContain('session-first × hostile-input: error — snapshot threw');
    expect(out).toContain('  note: stress: replays reproduce the workload, not the timing');
  });

  it('tags cells that differ from the baseline, lists fixed and missing cells and the counts', () => {
    const r = sampleResults();
    const base = JSON.parse(JSON.stringify(r));
    base.runId = 'main-1';
    base.cells[1].outcome = 'pass';
    base.cells[2].outcome = 'fail';
    base.cells[2].failure = { invariant: 'no-db-error', message: 'was' };
    base.cells.push({ ...base.cells[3], scenario: 'mixed' });
    const out = renderMatrix(applyBaseline(r, parseBaseline(base, 'b.json'), { file: 'b.json', gate: true }));
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^naive\s+✓ FAIL\(expected\) still failing\s+✗ FAIL NEW FAILURE$/);
    expect(lines[2]).toMatch(/^session-first\s+✗ pass\(UNEXPECTED\) fixed\s+✓ pass$/);
    expect(out).toContain(
      'baseline main-1: 1 new failure, 1 fixed, 1 still failing, 1 unchanged, 0 new cells, 1 baseline cell not run (new failures fail the gate)',
    );
    expect(out).toContain('  fixed: session-first × log-before-create (was no-db-error)');
    expect(out).toContain('  not run: session-first × mixed [scheduled]');
    expect(out).toContain('naive × hostile-input (NEW FAILURE since the baseline): no-db-error');
  });

  it('in a gated run marks a new failure ✗ even where the cell failed as expected', () => {
    const r = sampleResults();
    r.cells = [r.cells[0]!];
    const base = JSON.parse(JSON.stringify(r));
    base.cells[0].outcome = 'pass';
    const gated = renderMatrix(applyBaseline(r, parseBaseline(base, 'b'), { file: 'b', gate: true }));
    expect(gated.split('\n')[1]).toMatch(/^naive\s+✗ FAIL\(expected\) NEW FAILURE$/);
    const view = renderMatrix(applyBaseline(r, parseBaseline(base, 'b'), { file: 'b', gate: false }));
    expect(view.split('\n')[1]).toMatch(/^naive\s+✓ FAIL\(expected\) NEW FAILURE$/);
  });

  it('prints the first failure as before, then one line per further distinct failure with its own replay', () => {
    const r = multiFailureResults();
    const out = renderMatrix(r);
    const brief = `naive × log-before-create (expected): no-fk-error [23503 chat_messages_session_id_fkey], 2 calls · replay: ${r.cells[0]!.failure!.replay}`;
    const also =
      '  also: no-db-error 23505 on chat_sessions_pkey — 2 calls — replay: npm run fuzz -- --replay .chatfuzz/cases/naive--log-before-create--scheduled--2-no-db-error.json';
    expect(out).toContain(`\n${brief}\n${also}\n`);
    // In a cell's whole story too, after its replay line.
    expect(renderMatrix(r, { verbose: true })).toContain(`\n  replay: ${r.cells[0]!.failure!.replay}\n${also}\n`);
    expect(out.match(/also:/g)).toHaveLength(1);
  });

  it('lists the known findings a cell muted that showed, with their trials and note, also for a passing cell', () => {
    const out = renderMatrix(multiFailureResults());
    expect(out).toContain('\n  muted: valid-calls-succeed 22021 (1 trial)\n');
    expect(out).toContain(
      `\nsession-first × hostile-input: pass apart from known findings\n  muted: no-db-error 23505 on chat_sessions_pkey (12 trials) — known, see #123 <script>window.__pwned=1</script> "'&\n`,
    );
    // A mute that did not fire in this cell is not news.
    expect(out).not.toContain('muted: acked-durable');
    expect(renderMatrix(sampleResults())).not.toContain('muted:');
  });
});
