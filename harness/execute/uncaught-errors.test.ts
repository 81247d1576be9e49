import { describe, expect, it } from 'vitest';
import { catchUncaught } from './uncaught-errors.js';

describe('catchUncaught', () => {
  it('collects an uncaught error instead of ending the process, tells current listeners, and forgets those that stopped listening', async () => {
    const u = catchUncaught();
    try {
      const heard: string[] = [];
      const stopA = u.onError(() => heard.push('a'));
      const stopB = u.onError(() => heard.push('b'));
      stopB();
      expect(u.pending()).toBe(false);
      setImmediate(() => {
        throw new TypeError('boom');
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual(['a']);
      expect(u.pending()).toBe(true);
      // A listener that arrives while an error is pending hears it at once.
      u.onError(() => heard.push('late'));
      expect(heard).toEqual(['a', 'late']);
      const [line, ...rest] = u.take();
      expect(rest).toEqual([]);
      expect(line).toMatch(/^TypeError: boom \(at /);
      expect(u.pending()).toBe(false);
      stopA();
    } finally {
      u.dispose();
    }
  });
});
