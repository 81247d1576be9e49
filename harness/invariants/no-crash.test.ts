import { describe, expect, it } from 'vitest';
import { noCrash } from './no-crash.js';
import type { History } from '../history/history.js';

const empty = { users: [], sessions: [], messages: [] };

describe('no-crash', () => {
  it('passes a trial without uncaught errors', () => {
    expect(noCrash.check({ ns: 't1_', calls: [], statements: [] }, empty)).toEqual([]);
    expect(noCrash.check({ ns: 't1_', calls: [], statements: [], uncaught: [] }, empty)).toEqual([]);
  });

  it('reports each uncaught error with where it was thrown', () => {
    const h: History = {
      ns: 't1_',
      calls: [],
      statements: [],
      uncaught: ["TypeError: Cannot read properties of null (reading 'write') (at nextWrite (postgres/src/connection.js:255:22))"],
    };
    const [v, ...rest] = noCrash.check(h, empty);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ invariant: 'no-crash', calls: [] });
    expect(v!.message).toMatch(/stops a Node process: TypeError: .*connection\.js:255/);
  });
});
