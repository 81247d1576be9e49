// README stays short and points to docs/; every flag `--help` lists is documented in docs/.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USAGE } from '../harness/cli/parse-args.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = fs
  .readdirSync(path.join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8'))
  .join('\n');

/** The flags --help lists: each `--name` that opens an option line or is named inside one. */
function usageFlags(usage: string): string[] {
  return [...new Set([...usage.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))].sort();
}

describe('documentation', () => {
  it('README is at most 300 lines', () => {
    expect(README.trimEnd().split('\n').length).toBeLessThanOrEqual(300);
  });

  it('README keeps the two commands and the test commands', () => {
    expect(README).toMatch(/npm install\s*\nnpm run fuzz/);
    expect(README).toContain('npm run fuzz -- --all');
    expect(README).toContain('`npm test`');
    expect(README).toContain('`npm run test:matrix`');
  });

  it('every flag in --help is documented in docs/ (as `--flag` in a table or text)', () => {
    const flags = usageFlags(USAGE);
    expect(flags).toContain('--all');
    expect(flags).toContain('--target');
    expect(flags.filter((f) => !DOCS.includes('`' + f))).toEqual([]);
  });

  it('every docs/ page README links to that this repository has is linked from docs/README.md too', () => {
    const linked = [...README.matchAll(/\]\(docs\/([\w-]+\.md)/g)].map((m) => m[1]!);
    const index = fs.readFileSync(path.join(ROOT, 'docs', 'README.md'), 'utf8');
    for (const page of new Set(linked)) expect(index, page).toContain(`](${page})`);
    // The pages of this repository are each reachable from README.
    for (const page of fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'README.md'))
      expect(linked, page).toContain(page);
  });
});
