import { describe, expect, it } from 'vitest';
import type { CellResult } from '../harness/exec/results.js';
import { sampleResults } from './fixtures/sample-results.js';
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
    const copy = /<code id="([^"]+)">[^<]*<\/code><button type="button" class="copy" data-copy="([^"]+)"/.exec(html)!;
    expect(copy[1]).toBe(copy[2]);
  });

  it('lists statements with their lane and highlights the one that failed', () => {
    const html = renderHtml(sampleResults());
    const errRows = [...html.matchAll(/<tr class="err">(.*?)<\/tr>/g)].map((m) => m[1]!);
    expect(errRows.some((row) => row.includes('<td>c1</td>') && row.includes('23503') && row.includes('chat_messages_session_id_fkey'))).toBe(true);
    expect(html).toContain('<td>harness</td>');
    expect(html).toContain('<td>c2</td><td>#1</td>');
  });

  it('prints the summary: db kind and version, seed, mode, duration, trials, calls, exit code', () => {
    const html = renderHtml(sampleResults());
    expect(html).toContain('url · PostgreSQL 17.2');
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
    const broken: CellResult = { ...r.cells[3]!, scenario: 'mixed', outcome: 'fail', ok: false, error: 'snapshot threw: <b>boom</b>', note: 'stress: replays reproduce the workload, not the timing' };
    r.cells.push(broken);
    const html = renderHtml(r);
    expect(html).toContain('snapshot threw: &lt;b&gt;boom&lt;/b&gt;');
    expect(html).toContain('stress: replays reproduce the workload, not the timing');
    expect(matrixCells(html).find((c) => c.cell === 'session-first/mixed')).toEqual({ cell: 'session-first/mixed', outcome: 'fail', status: 'error' });
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
});
