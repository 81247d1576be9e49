import { describe, expect, it } from 'vitest';
import { validateReporter } from './validate-reporter.js';

describe('validateReporter', () => {
  it('accepts an object with one or more hooks', () => {
    expect(validateReporter({ onRunEnd() {} })).toEqual([]);
    expect(validateReporter({ onTrial: () => {}, name: 'x', count: 3 })).toEqual([]);
  });

  it('names what is wrong with anything else', () => {
    expect(validateReporter(null)[0]).toMatch(/must be a Reporter.*got null/);
    expect(validateReporter('console')[0]).toMatch(/got string/);
    expect(validateReporter({})).toEqual([
      expect.stringMatching(/has none of the hooks onRunStart, onCellStart, onTrial, onCellEnd, onRunEnd/),
    ]);
    expect(validateReporter({ onRunEnd: 'yes', onTrial() {} })).toEqual(['`onRunEnd` must be a function, not string']);
  });
});
