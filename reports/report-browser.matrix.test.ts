// The full built-in matrix's report opens fast in headless Chromium (`npm run test:matrix`): the
// load-time half of report-browser.test.ts's full-matrix check, which `npm test` leaves out because a
// busy machine can exceed any time.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
const MAX_OPEN_MS = 1000;
const fullDir = path.join(os.tmpdir(), `chatfuzz-browser-matrix-test-${process.pid}`);

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the report browser test needs Debian's chromium package. ` +
        'Install it with `sudo apt-get install -y chromium` (.ci/run does this), or point CHATFUZZ_CHROMIUM at a Chromium binary.',
    );
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await fs.rm(fullDir, { recursive: true, force: true });
});

/** From navigation start to the end of the load event: parse, style, layout of the whole page. */
async function loadMs(file: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return nav.loadEventEnd - nav.startTime;
    });
  } finally {
    await page.close();
  }
}

it(`a report for the full built-in matrix opens in Chromium in under ${MAX_OPEN_MS} ms`, async () => {
  const full = fullMatrixResults();
  await writeReportFiles(full, fullDir);
  const file = path.join(fullDir, 'index.html');
  // Other test files share the machine's cores: the best of three loads is the page's own cost.
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push(await loadMs(file));
  console.log(
    `full-matrix report: ${full.cells.length} cells, ${((await fs.stat(file)).size / 1024).toFixed(0)} KiB, load event after ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
  );
  expect(Math.min(...times)).toBeLessThan(MAX_OPEN_MS);
});
