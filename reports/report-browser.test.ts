// The report as a person sees it: a real run on the suite's PostgreSQL, opened from disk in
// headless Chromium (Debian's `chromium` package driven by playwright-core).
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runFuzzProcess } from '../test/run-cli-process.js';
import type { RunResults } from '../harness/run/results.js';
import { fullMatrixResults } from './fixtures/full-matrix-results.js';
import { writeReportFiles } from './write-report-files.js';

const CHROMIUM = process.env.CHATFUZZ_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];
// The budget grows with the matrix: 16 KiB a cell (2 MiB for the 128-cell matrix it was set on).
const MAX_BYTES_PER_CELL = 16 * 1024;

const root = path.join(os.tmpdir(), `chatfuzz-browser-test-${process.pid}`);
const runDir = path.join(root, 'run');
const fullDir = path.join(root, 'full-matrix');

// A results.json of an earlier run: html-preview passed hostile-input then, upsert failed it.
const BASELINE = {
  tool: 'chatfuzz',
  runId: 'baseline-run',
  startedAt: '2025-11-01T00:00:00.000Z',
  cells: [
    {
      target: 'naive',
      scenario: 'multi-message-first-request',
      mode: 'scheduled',
      outcome: 'fail',
      failure: { invariant: 'no-fk-error', message: 'then too' },
    },
    { target: 'upsert', scenario: 'multi-message-first-request', mode: 'scheduled', outcome: 'pass' },
    {
      target: 'upsert',
      scenario: 'hostile-input',
      mode: 'scheduled',
      outcome: 'fail',
      failure: { invariant: 'no-db-error', message: '22021' },
    },
    { target: 'html-preview', scenario: 'hostile-input', mode: 'scheduled', outcome: 'pass' },
  ],
};

let browser: Browser;
let run: Awaited<ReturnType<typeof runFuzzProcess>>;
let results: RunResults;
const password = safePassword(inject('pgAdminUrl'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the report browser test needs Debian's chromium package. ` +
        'Install it with `sudo apt-get install -y chromium` (.ci/run does this), or point CHATFUZZ_CHROMIUM at a Chromium binary.',
    );
  }
  await fs.mkdir(root, { recursive: true });
  const baselineFile = path.join(root, 'baseline.json');
  await fs.writeFile(baselineFile, JSON.stringify(BASELINE));
  // A naive failure (23503) and a hostile-input failure whose <script> content reaches the report.
  [run, browser] = await Promise.all([
    runFuzzProcess(
      [
        '--target',
        'naive,upsert,./test/fixtures/html-preview-target.ts',
        '--scenario',
        'multi-message-first-request,hostile-input',
        '--runs',
        '30',
        '--seed',
        '7',
        '--db',
        inject('pgAdminUrl'),
        '--report',
        runDir,
        '--baseline',
        baselineFile,
        '--ci',
        '--json',
      ],
      { timeoutMs: 120_000 },
    ),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
  ]);
  results = JSON.parse(await fs.readFile(path.join(runDir, 'results.json'), 'utf8'));
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a report from disk, recording dialogs, page errors and any request that is not the file itself. */
async function open(file: string): Promise<{ page: Page; dialogs: string[]; errors: string[]; requests: string[]; loadMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const dialogs: string[] = [];
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  // From navigation start to the end of the load event: parse, style, layout of the whole page.
  const loadMs = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return nav.loadEventEnd - nav.startTime;
  });
  return { page, dialogs, errors, requests: requests.filter((u) => u !== url), loadMs };
}

describe('the HTML report of a run with a naive failure and a hostile-input failure, in Chromium', () => {
  it('the run exits 1 (html-preview broke hostile-input) and marks each cell against the baseline', () => {
    expect(run.code, run.stderr).toBe(1);
    const status = Object.fromEntries(results.cells.map((c) => [`${c.target}/${c.scenario}`, [c.outcome, c.ok, c.baseline]]));
    expect(status).toEqual({
      'naive/multi-message-first-request': ['fail', true, 'still-failing'],
      'naive/hostile-input': ['fail', true, 'new-cell'],
      'upsert/multi-message-first-request': ['pass', true, 'unchanged'],
      'upsert/hostile-input': ['pass', true, 'fixed'],
      'html-preview/multi-message-first-request': ['pass', true, 'new-cell'],
      'html-preview/hostile-input': ['fail', false, 'new-failure'],
    });
    expect(run.stderr).toContain('html-preview × hostile-input (NEW FAILURE since the baseline)');
  });

  it('shows the matrix: one cell per result with its status and baseline mark, failing cells linking to their details', async () => {
    const { page } = await open(path.join(runDir, 'index.html'));
    const cells = await page.$$eval('table.matrix td[data-cell]', (tds) =>
      tds.map((td) => ({
        cell: td.getAttribute('data-cell'),
        status: td.getAttribute('data-status'),
        baseline: td.getAttribute('data-baseline'),
        text: (td as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
        href: td.querySelector('a')?.getAttribute('href') ?? null,
      })),
    );
    expect(cells.map((c) => [c.cell, c.status, c.baseline])).toEqual([
      ['naive/multi-message-first-request', 'expected-fail', 'still-failing'],
      ['naive/hostile-input', 'expected-fail', 'new-cell'],
      ['upsert/multi-message-first-request', 'pass', 'unchanged'],
      ['upsert/hostile-input', 'pass', 'fixed'],
      ['html-preview/multi-message-first-request', 'pass', 'new-cell'],
      ['html-preview/hostile-input', 'fail', 'new-failure'],
    ]);
    expect(cells[5]!.text).toMatch(/^✗ fail\s?new failure/);
    expect(cells[3]!.text).toContain('fixed');
    for (const c of cells.filter((x) => x.href)) {
      expect(await page.locator(c.href!).getAttribute('data-detail')).toBe(c.cell);
    }
    expect(cells.filter((c) => c.href)).toHaveLength(3);
    const summary = await page.locator('dl.summary').innerText();
    expect(summary).toMatch(/database\s+embedded · PostgreSQL 18\.|database\s+url · PostgreSQL/);
    expect(summary).toMatch(/seed\s+7/);
    expect(summary).toMatch(/1 new failure\s+1 fixed\s+1 still failing\s+1 unchanged\s+2 new cells/);
    await page.close();
  });

  it('draws the counterexample with one lane per client, every call and statement in order, the failing statement with SQLSTATE, constraint and detail', async () => {
    const { page } = await open(path.join(runDir, 'index.html'));
    // Every distinct failure of a cell, each in its own block; the further ones open on a click.
    for (const [cell, f, n] of results.cells.flatMap((c) => (c.failures ?? []).map((x, i) => [c, x, i + 1] as const))) {
      const detail = page.locator(`section[data-detail="${cell.target}/${cell.scenario}"]`);
      const section = detail.locator(`[data-failure="${n}"]`);
      if (n > 1) {
        await section.locator('summary').click();
        expect(await section.locator('table.timeline').isVisible()).toBe(true);
      }
      const lanes = await section
        .locator('table.timeline th[data-lane]')
        .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-lane')));
      const clients = [...new Set(f.counterexample.ops.map((o) => o.client))].sort();
      expect(lanes.filter((l) => l !== 'outside')).toEqual(clients.map((c) => `c${c + 1}`));
      // Statements in the order they were sent, each in its client's lane.
      const shown = await section
        .locator('td[data-event="statement"]')
        .evaluateAll((tds) => tds.map((td) => `${td.getAttribute('data-client')} ${td.querySelector('code')!.textContent}`));
      const sent = [...f.statements]
        .sort((a, b) => a.startedAt - b.startedAt)
        .map((s) => `${s.client < 0 || s.call < 0 ? 'outside' : `c${s.client + 1}`} ${s.sql}`);
      expect(shown).toEqual(sent);
      expect(await section.locator('td[data-event="invoke"]').count()).toBe(f.counterexample.ops.length);
      expect(await section.locator('td[data-event="complete"]').count()).toBe(f.counterexample.ops.length);
    }
    const naive = page.locator('section[data-detail="naive/multi-message-first-request"]');
    expect(await visibleText(naive.locator('[data-failure="1"] [data-explanation]'))).toBe(
      'no-fk-error: no call fails with a foreign-key violation (SQLSTATE 23503 / Prisma P2003).',
    );
    const failing = naive.locator('[data-failure="1"] td[data-failing]');
    expect(await failing.count()).toBe(1);
    const text = await visibleText(failing);
    expect(text).toContain('INSERT INTO chat_messages');
    expect(text).toMatch(/23503 chat_messages_session_id_fkey: insert or update on table "chat_messages" violates foreign key constraint/);
    expect(text).toContain('detail: Key (session_id)=(s1) is not present in table "chat_sessions".');
    expect(await failing.evaluate((td) => getComputedStyle(td).outlineStyle)).toBe('solid');
    await page.close();
  });

  it('shows hostile content as text: the <script> and onerror from the run never run, nothing is fetched', async () => {
    const { page, dialogs, errors, requests } = await open(path.join(runDir, 'index.html'));
    const hostile = page.locator('section[data-detail="html-preview/hostile-input"]');
    const body = await visibleText(hostile);
    expect(body).toContain('<script>window.__pwned=1</script><img src=x onerror=alert(1)>');
    // The stored row of the refused call is highlighted as a phantom write, its content as text.
    const phantom = hostile.locator('tr[data-marks~="phantom"]');
    expect(await phantom.count()).toBeGreaterThanOrEqual(1);
    expect(await visibleText(phantom.first())).toContain('<script>window.__pwned=1</script>');
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => document.scripts.length)).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('copies the replay command with its button, and saves a screenshot in the report dir', async () => {
    const { page } = await open(path.join(runDir, 'index.html'));
    const section = page.locator('section[data-detail="naive/multi-message-first-request"]');
    const code = section.locator('[data-failure="1"] code[data-replay]');
    expect(await code.innerText()).toBe(results.cells[0]!.failure!.replay);
    const button = section.locator('[data-failure="1"] button[data-copy]');
    expect(await button.getAttribute('data-copy')).toBe(await code.getAttribute('id'));
    await button.click();
    await expect.poll(() => button.innerText()).toBe('copied');
    await section.scrollIntoViewIfNeeded();
    const shot = path.join(runDir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await fs.readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it("junit.xml is well-formed XML (Chromium's parser) with one testcase per cell; each failure carries the explanation and replay command", async () => {
    const xml = await fs.readFile(path.join(runDir, 'junit.xml'), 'utf8');
    const page = await browser.newPage();
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return {
        errors: doc.getElementsByTagName('parsererror').length,
        testcases: [...doc.getElementsByTagName('testcase')].map((t) => `${t.getAttribute('classname')}/${t.getAttribute('name')}`),
        failures: [...doc.getElementsByTagName('failure')].map((f) => ({ message: f.getAttribute('message'), text: f.textContent })),
      };
    }, xml);
    await page.close();
    expect(parsed.errors).toBe(0);
    expect(parsed.testcases).toEqual(results.cells.map((c) => `${c.target}/${c.scenario} [${c.mode}]`));
    expect(parsed.failures).toHaveLength(1);
    expect(parsed.failures[0]!.message).toMatch(/^new failure since the baseline: /);
    expect(parsed.failures[0]!.text).toContain(`replay: ${results.cells[5]!.failure!.replay}`);
    expect(parsed.failures[0]!.text).toContain('<script>window.__pwned=1</script>');
  });

  it.runIf(password)('the database password appears in no file of the report and in no output', async () => {
    const files = await fs.readdir(runDir, { recursive: true });
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const p = path.join(runDir, String(f));
      if ((await fs.stat(p)).isFile()) expect((await fs.readFile(p)).includes(password!), String(f)).toBe(false);
    }
    expect(run.stdout + run.stderr).not.toContain(password);
  });
});

// How fast it opens is report-browser.matrix.test.ts's to say: a time a busy machine can exceed is no `npm test` assertion.
describe('a report for the full built-in matrix', () => {
  it('stays under 16 KiB a cell and opens in Chromium with every cell and detail and no error', async () => {
    const full = fullMatrixResults();
    await writeReportFiles(full, fullDir);
    const size = (await fs.stat(path.join(fullDir, 'index.html'))).size;
    expect(size).toBeLessThan(MAX_BYTES_PER_CELL * full.cells.length);
    const { page, errors } = await open(path.join(fullDir, 'index.html'));
    expect(await page.locator('table.matrix td[data-cell]').count()).toBe(full.cells.length);
    expect(await page.locator('section.detail').count()).toBe(full.cells.length);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** The text a reader sees once scrolled to it: sections off screen are not laid out (content-visibility: auto) until then. */
async function visibleText(locator: Locator): Promise<string> {
  await locator.scrollIntoViewIfNeeded();
  await expect.poll(() => locator.innerText()).not.toBe('');
  return locator.innerText();
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
