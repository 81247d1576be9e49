import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { UsageError } from '../errors.js';
import { projectPg } from './project-pg.js';

// A project whose node_modules holds its own pg (another minor version) and its own @prisma/adapter-pg, as npm nests them.
const APP = path.resolve('test/fixtures/own-pg-app');
const MODULES = path.join(APP, 'node_modules');
const setVersion = (version: string) => {
  const p = path.join(MODULES, 'pg/package.json');
  fs.writeFileSync(p, JSON.stringify({ ...JSON.parse(fs.readFileSync(p, 'utf8')), version }));
};

beforeAll(() => {
  fs.rmSync(MODULES, { recursive: true, force: true });
  fs.cpSync('node_modules/pg', path.join(MODULES, 'pg'), { recursive: true });
  fs.cpSync('node_modules/@prisma/adapter-pg', path.join(MODULES, '@prisma/adapter-pg'), { recursive: true });
});
afterAll(() => fs.rmSync(MODULES, { recursive: true, force: true }));

describe("the project's own pg", () => {
  it("PrismaPg over ctx.pool works with another minor version of pg: ctx.pool is built from the project's copy, so every statement is gated", async () => {
    setVersion('8.22.0');
    const file = path.join(APP, 'chatfuzz.target.ts');
    const own = projectPg(file)!;
    expect(own).toBeDefined();
    const cell = await runTestCell('./test/fixtures/own-pg-app/chatfuzz.target.ts', 'concurrent-duplicates', {
      mode: 'scheduled',
      seed: 1,
      runs: 20,
    });
    expect(cell).toMatchObject({ gate: 'pool', outcome: 'fail' });
    // The session race, whichever distinct failure of the cell was found first (a duplicate message insert is another).
    const race = cell.failures?.find((f) => f.constraint === 'chat_sessions_pkey');
    expect(race).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    expect(race!.counterexample.ops).toHaveLength(2);
    expect(race!.statements.length).toBeGreaterThan(0);
  });

  it('a project pg of another major version is refused, naming the fix, before any database is created', () => {
    setVersion('9.0.0');
    expect(() => projectPg(path.join(APP, 'chatfuzz.target.ts'))).toThrow(UsageError);
    expect(() => projectPg(path.join(APP, 'chatfuzz.target.ts'))).toThrow(/pg 9\.0\.0 .* is not pg 8.*npm install pg@8.*gate: 'wire'/);
  });

  it("a target without its own pg uses chatfuzz's", () => {
    expect(projectPg(path.resolve('test/fixtures/ungated-postgresjs-target.ts'))).toBeUndefined();
    expect(projectPg(undefined)).toBeUndefined();
  });
});
