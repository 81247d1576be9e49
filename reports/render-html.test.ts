import { describe, expect, it } from 'vitest';
import type { CellResult } from '../harness/run/results.js';
import { multiFailureResults, sampleResults } from './fixtures/sample-results.js';
import { renderHtml } from './render-html.js';

function matrixCells(html: string): { cell: string; outcome: string; status: string }[] {
  return [...html.matchAll(/<td [^>]*data-cell="([^"]*)"[^>]*>/g)].map((m) => ({
    cell: m[1]!,
    outcome: /data-outcome="([^"]*)"/.exec(m[0])![1]!,
    status: /data-status="([^"]*)"/.exec(m[0])![1]!,
  }));
}

describe('renderHtml', () => {
  it('escapes hostile content from the run: only the escaped form appears', () => {
    const html = renderHtml(sampleResults());
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt; &quot;&#39;&amp;');
    // The copy-button script is the page's only script element.
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('escapes target and scenario names, in text and in attributes', () => {
    const r = sampleResults();
    for (const c of r.cells) if (c.target === 'naive') c.target = `<img src=x onerror="alert(1)">`;
    r.options.targets = r.cells.map((c) => c.target);
    const html = renderHtml(r);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="alert');
    expect(html).toContain('data-cell="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;/log-before-create"');
  });

  it('has one matrix cell per result cell, with its outcome and status', () => {
    const r = sampleResults();
    const found = matrixCells(renderHtml(r));
    expect(found).toEqual([
      { cell: 'naive/log-before-create', outcome: 'fail', status: 'expected-fail' },
      { cell: 'naive/hostile-input', outcome: 'fail', status: 'fail' },
      { cell: 'session-first/log-before-create', outcome: 'pass', status: 'unexpected-pass' },
      { cell: 'session-first/hostile-input', outcome: 'pass', status: 'pass' },
    ]);
    expect(found).toHaveLength(r.cells.length);
  });

  it('says pass / fail / expected fail / unexpected pass in the matrix', () => {
    const html = renderHtml(sampleResults());
    const text = (cell: string) => new RegExp(`data-cell="${cell}"[^>]*>(.*?)</td>`).exec(html)![1]!.replace(/<[^>]+>/g, ' ');
    expect(text('naive/log-before-create')).toContain('expected fail');
    expect(text('naive/hostile-input')).toMatch(/✗\s+fail/);
    expect(text('session-first/log-before-create')).toContain('unexpected pass');
    expect(text('session-first/hostile-input')).toMatch(/✓ pass/);
  });

  it('links failing matrix cells to a details section that exists', () => {
    const html = renderHtml(sampleResults());
    const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThanOrEqual(2);
    for (const id of hrefs) expect(html).toContain(`id="${id}"`);
    expect(html.match(/<section class="detail"/g)).toHaveLength(2);
  });

  it('draws one lane per client of the counterexample, named c1, c2', () => {
    const html = renderHtml(sampleResults());
    const fk = html.slice(html.indexOf('data-detail="naive/log-before-create"'), html.indexOf('data-detail="naive/hostile-input"'));
    expect(fk).toContain('data-lane="c1"');
    expect(fk).toContain('data-lane="c2"');
    expect(fk).not.toContain('data-lane="c0"');
    expect(fk).not.toContain('data-lane="c3"');
    // Invocation order: c1's handleChat (t=1) comes before c2's createSession (t=2) although listed after it.
    expect(fk.indexOf('handleChat(s1')).toBeLessThan(fk.indexOf('createSession(s1'));
  });

  it('shows the failure: invariant, message, sqlstate, constraint, violations and the replay command with a copy button', () => {
    const r = sampleResults();
    const f = r.cells[0]!.failure!;
    const html = renderHtml(r);
    expect(html).toContain('no-fk-error');
    expect(html).toContain('SQLSTATE 23503');
    expect(html).toContain('chat_messages_session_id_fkey');
    expect(html).toContain('valid-calls-succeed');
    expect(html).toContain(`>${f.replay}</code><button type="button" class="copy" data-copy="`);
    const copy = /<code id="([^"]+)" data-replay>[^<]*<\/code><button type="button" class="copy" data-copy="([^"]+)"/.exec(html)!;
    expect(copy[1]).toBe(copy[2]);
    // The invariant's one-sentence explanation comes with it.
    expect(html).toContain('<p class="explain" data-explanation><b>no-fk-error</b>: no call fails with a foreign-key violation');
  });

  it('puts every call and statement of the counterexample in order on the lane of its client', () => {
    const html = renderHtml(sampleResults());
    const fk = html.slice(html.indexOf('data-detail="naive/log-before-create"'), html.indexOf('data-detail="naive/hostile-input"'));
    const timeline = /<table class="timeline"[^]*?<\/table>/.exec(fk)![0];
    const events = [...timeline.matchAll(/<td[^>]* data-event="(\w+)" data-client="(\w+)"/g)].map((m) => `${m[2]} ${m[1]}`);
    expect(events).toEqual([
      // The fixture's first statement was sent outside any call, before the trial's calls began.
      'outside statement',
      'c1 invoke',
      'c1 statement',
      'c2 invoke',
      'c2 statement',
      'c2 complete',
      'c1 statement',
      'c1 complete',
    ]);
    // Each row has one cell per lane plus the step column: the event sits in its own client's column.
    const rows = [...timeline.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((m) => [...m[1]!.matchAll(/<td/g)].length);
    expect(new Set(rows)).toEqual(new Set([4]));
    expect(timeline).toContain('SELECT id FROM chat_sessions WHERE id = $1</code> <i>→ 0 rows</i>');
    // c1's call is in flight while c2 works: its lane is shaded on those rows.
    expect(timeline).toMatch(/<td class="live"><\/td><td data-event="invoke" data-client="c2"/);
    expect(timeline).toContain('last of 2 messages, user content:</span> <span class="msg">&quot;hi&quot;');
  });

  it('marks the blocked step and highlights the failing statement with SQLSTATE, constraint and detail', () => {
    const html = renderHtml(sampleResults());
    const blocked = [...html.matchAll(/<td class="([^"]*)" data-event="statement"[^>]*data-blocked[^>]*>(.*?)<\/td>/g)];
    expect(blocked[0]![1]).toBe('blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]![2]).toContain('blocked on a lock');
    expect(blocked[0]![2]).toContain('INSERT INTO chat_sessions');
    const failing = [...html.matchAll(/<td class="([^"]*)" data-event="statement"[^>]*data-failing[^>]*>(.*?)<\/td>/g)];
    expect(failing.length).toBe(2); // one per failure section
    expect(failing[0]![1]).toContain('failing');
    expect(failing[0]![2]).toContain('<b>23503</b> <span class="constraint">chat_messages_session_id_fkey</span>');
    expect(failing[0]![2]).toContain('detail: <span class="msg">Key (session_id)=(s1) is not present in table &quot;chat_sessions&quot;.');
  });

  it('gives statements sent outside any call a lane of their own', () => {
    const r = sampleResults();
    const f = r.cells[0]!.failure!;
    f.statements[0] = { ...f.statements[0]!, startedAt: 11, completedAt: 12, sql: 'LISTEN background_job' };
    const html = renderHtml(r);
    expect(html).toContain('<th data-lane="outside">outside any call</th>');
    expect(html).toMatch(/data-event="statement" data-client="outside"><code>LISTEN background_job/);
  });

  it('shows the database rows with orphans, phantoms and missing messages highlighted, content escaped', () => {
    const html = renderHtml(sampleResults());
    expect(html).toMatch(/<tr data-row="message" class="marked mark-orphan" data-marks="orphan"><td>s0<\/td><td>m9<\/td>/);
    const hostile = html.slice(html.indexOf('data-detail="naive/hostile-input"'));
    expect(hostile).toMatch(
      /<tr data-row="message" class="marked mark-phantom" data-marks="phantom">.*?&lt;script&gt;window.__pwned=1&lt;\/script&gt;.*?#0 \(c1\)/,
    );
    expect(hostile).toMatch(/<tr data-row="missing" class="marked mark-missing" data-marks="missing">.*?m2.*?again/);
  });

  it('marks each matrix cell against a baseline and summarizes the comparison', () => {
    const r = sampleResults();
    const statuses = ['still-failing', 'new-failure', 'fixed', 'unchanged'] as const;
    r.cells.forEach((c, i) => {
      c.baseline = statuses[i];
    });
    r.cells[1]!.baselineFailure = undefined;
    r.cells[0]!.baselineFailure = { invariant: 'no-fk-error', message: 'x' };
    r.cells[2]!.baselineFailure = { invariant: 'no-db-error', message: 'x' };
    r.baseline = {
      file: 'main/results.json',
      runId: 'base-1',
      startedAt: '2025-11-22T10:00:00.000Z',
      gate: true,
      counts: { 'new-failure': 1, fixed: 1, 'still-failing': 1, unchanged: 1, 'new-cell': 0 },
      missingCells: [{ target: 'upsert', scenario: 'mixed', mode: 'scheduled' }],
    };
    const html = renderHtml(r);
    const cells = [...html.matchAll(/<td [^>]*data-cell="([^"]*)"[^>]*data-baseline="([^"]*)"[^>]*>(.*?)<\/td>/g)].map((m) => [
      m[1],
      m[2],
      m[3]!.replace(/<[^>]+>/g, ' '),
    ]);
    expect(cells.map((c) => c.slice(0, 2))).toEqual([
      ['naive/log-before-create', 'still-failing'],
      ['naive/hostile-input', 'new-failure'],
      ['session-first/log-before-create', 'fixed'],
      ['session-first/hostile-input', 'unchanged'],
    ]);
    expect(cells[1]![2]).toContain('new failure');
    expect(cells[2]![2]).toContain('fixed');
    expect(cells[3]![2]).not.toContain('unchanged');
    expect(html).toContain('<span class="mono">main/results.json</span> (run base-1');
    expect(html).toContain('data-baseline-count="new-failure">1 new failure<');
    expect(html).toContain('not run this time: upsert × mixed [scheduled]');
    expect(html).toContain('title="expected fail, got pass; against the baseline: fixed (the baseline failed no-db-error)"');
    expect(html).toContain('the baseline failed <span class="tag">no-fk-error</span>');
    expect(html).toContain('Against the baseline: <span class="badge b-new-failure">new failure</span> (the baseline passed it)');
    expect(html).toContain('<th>vs baseline</th>');
  });

  it('in a gated run a new failure that met its expectation is still drawn as not ok', () => {
    const r = sampleResults();
    r.cells[0]!.baseline = 'new-failure';
    r.baseline = {
      file: 'b.json',
      runId: 'b',
      startedAt: '',
      gate: true,
      counts: { 'new-failure': 1, fixed: 0, 'still-failing': 0, unchanged: 0, 'new-cell': 0 },
      missingCells: [],
    };
    expect(/data-cell="naive\/log-before-create"[^>]*>(.)/.exec(renderHtml(r))![1]).toBe('✗');
    r.baseline.gate = false;
    expect(/data-cell="naive\/log-before-create"[^>]*>(.)/.exec(renderHtml(r))![1]).toBe('✓');
  });

  it('prints the summary: db kind and version, seed, mode, duration, trials, calls, exit code', () => {
    const html = renderHtml(sampleResults());
    expect(html).toContain('url · PostgreSQL 17.2');
    // The server version already names the server (`PostgreSQL 17.2`).
    expect(html).not.toContain('PostgreSQL PostgreSQL');
    expect(html).toContain('postgres://postgres:***@127.0.0.1:5432/test');
    expect(html).toMatch(/<dt>seed<\/dt><dd>[^]*?42/);
    expect(html).toContain('<dt>mode</dt><dd>scheduled</dd>');
    expect(html).toContain('<dt>duration</dt><dd>10.4 s</dd>');
    expect(html).toContain('<dt>trials</dt><dd>217</dd>');
    expect(html).toContain('<dt>calls</dt><dd>957</dd>');
    expect(html).toContain('data-summary="exit-code">1<');
  });

  it('shows a cell error and a note', () => {
    const r = sampleResults();
    const broken: CellResult = {
      ...r.cells[3]!,
      scenario: 'mixed',
      outcome: 'fail',
      ok: false,
      error: 'snapshot threw: <b>boom</b>',
      note: 'stress: replays reproduce the workload, not the timing',
    };
    r.cells.push(broken);
    const html = renderHtml(r);
    expect(html).toContain('snapshot threw: &lt;b&gt;boom&lt;/b&gt;');
    expect(html).toContain('stress: replays reproduce the workload, not the timing');
    expect(matrixCells(html).find((c) => c.cell === 'session-first/mixed')).toEqual({
      cell: 'session-first/mixed',
      outcome: 'fail',
      status: 'error',
    });
  });

  it('is self-contained: no external resources', () => {
    const html = renderHtml(sampleResults());
    expect(html).not.toMatch(/<link\b/);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('stays small: long SQL is truncated, size grows with failures, not with content', () => {
    const r = sampleResults();
    const f = r.cells[0]!.failure!;
    f.statements[1]!.sql = 'SELECT ' + 'x'.repeat(50_000);
    f.message = 'm'.repeat(100_000);
    const html = renderHtml(r);
    expect(html).not.toContain('x'.repeat(301));
    expect(html.length).toBeLessThan(40_000);
  });

  it('makes NUL and other control characters visible instead of emitting them', () => {
    const r = sampleResults();
    r.cells[1]!.failure!.message = 'bad\u0000byte\u001b[31m';
    const html = renderHtml(r);
    expect(html).not.toMatch(/[\u0000\u001b]/);
    expect(html).toContain('bad␀byte␛[31m');
  });

  it('shows every distinct failure of a cell: the first as before, each further one folded with its own timeline and replay', () => {
    const r = multiFailureResults();
    const html = renderHtml(r);
    const section = html.slice(html.indexOf('data-detail="naive/log-before-create"'), html.indexOf('data-detail="naive/hostile-input"'));
    expect(section).toContain('2 distinct failures');
    expect(section.match(/data-failure="/g)).toHaveLength(2);
    const second = section.slice(section.indexOf('data-failure="2"'));
    expect(second).toMatch(
      /^data-failure="2"><summary>Distinct failure 2 of 2: no-db-error 23505 on chat_sessions_pkey · 2 calls<\/summary>/,
    );
    expect(second).toContain('<table class="timeline"');
    expect(second).toContain(`data-replay>${r.cells[0]!.failures![1]!.replay}</code>`);
    // Each replay has its own copy button target.
    const ids = [...section.matchAll(/<code id="([^"]+)" data-replay>/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(2);
    expect(html).not.toContain('<script>window.__pwned');
    expect(html.match(/<script/g)).toHaveLength(1);
    // The matrix says there is more than the first.
    expect(/data-cell="naive\/log-before-create"[^>]*>.*?<\/td>/.exec(html)![0]).toContain('data-more-failures="1"');
  });

  it("lists a cell's muted findings with their trials and note as text, and links a passing cell that muted some", () => {
    const html = renderHtml(multiFailureResults());
    const passing = /data-cell="session-first\/hostile-input"[^>]*>.*?<\/td>/.exec(html)![0];
    expect(passing).toMatch(/<a href="#([^"]+)">pass<\/a>/);
    expect(passing).toContain('data-muted-count="1"');
    const detail = html.slice(html.indexOf('data-detail="session-first/hostile-input"'));
    expect(detail).toContain(
      '<li data-muted="no-db-error" data-trials="12"><span class="tag">no-db-error</span><span class="tag">SQLSTATE 23505</span><span class="tag">chat_sessions_pkey</span> 12 trials — <span class="msg">known, see #123 &lt;script&gt;window.__pwned=1&lt;/script&gt; &quot;&#39;&amp;</span></li>',
    );
    // A mute that never fired is listed as such.
    expect(html).toContain(
      '<li data-muted="acked-durable" data-trials="0"><span class="tag">acked-durable</span> 0 trials <span class="muted">(did not show: fixed?)</span></li>',
    );
    expect(html.match(/<section class="detail"/g)).toHaveLength(3);
  });
});

// Issue 25: an operation's result and the model's states are shown, as text.
describe('renderHtml: operations', () => {
  it('shows what an operation returned and the model state before and after, hostile content escaped', () => {
    const r = sampleResults();
    const f = r.cells[0]!.failure!;
    f.counterexample.ops[0]!.label = 'spend(u1, 3)@c2';
    f.counterexample.ops[0]!.result = { note: '<img src=x onerror=alert(1)>' };
    f.model = { initial: { balance: { u1: 10 } }, observed: { balance: { '<script>x</script>': 9 } } };
    f.snapshot = { users: [], sessions: [], messages: [], missing: [] };
    const html = renderHtml(r);
    expect(html).toContain('spend(u1, 3)@c2');
    expect(html).toContain('data-result>{&quot;note&quot;:&quot;&lt;img src=x onerror=alert(1)&gt;&quot;}</span>');
    expect(html).toMatch(/<pre data-model="initial">\{\n &quot;balance&quot;: \{\n  &quot;u1&quot;: 10/);
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html.match(/<script/g)).toHaveLength(1);
    // An operations target has no chat rows: the empty rows tables are left out.
    expect(html.split('<h3>Database rows after the trial</h3>').length).toBe(
      renderHtml(sampleResults()).split('<h3>Database rows after the trial</h3>').length - 1,
    );
  });
});
