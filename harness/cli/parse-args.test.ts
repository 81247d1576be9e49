import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseArgs, parseLatency } from './parse-args.js';

describe('--isolation and --latency', () => {
  it('--isolation takes the three levels by their flag names', () => {
    for (const level of ['read-committed', 'repeatable-read', 'serializable'] as const) {
      expect(parseArgs(['--isolation', level]).isolation).toBe(level);
    }
    expect(parseArgs([]).isolation).toBeNull();
  });

  it('an unknown isolation level is a usage error naming the valid ones', () => {
    expect(() => parseArgs(['--isolation', 'snapshot'])).toThrow(UsageError);
    expect(() => parseArgs(['--isolation', 'snapshot'])).toThrow(
      '--isolation must be one of read-committed, repeatable-read, serializable (got "snapshot")',
    );
  });

  it('--latency reads ranges and single values in ms or s', () => {
    expect(parseLatency('0-5ms')).toEqual({ minMs: 0, maxMs: 5 });
    expect(parseLatency('2ms')).toEqual({ minMs: 2, maxMs: 2 });
    expect(parseLatency('1 - 3')).toEqual({ minMs: 1, maxMs: 3 });
    expect(parseLatency('0.5-1s')).toEqual({ minMs: 500, maxMs: 1000 });
    expect(parseArgs(['--mode', 'stress', '--latency', '0-5ms']).latency).toEqual({ minMs: 0, maxMs: 5 });
  });

  it('a reversed, malformed or huge range is a usage error', () => {
    for (const bad of ['5-1ms', 'fast', '-1ms', '0-20s']) expect(() => parseLatency(bad)).toThrow(/--latency must be a range like 0-5ms/);
  });

  it('--latency outside stress mode is a usage error: the schedule decides timing there', () => {
    expect(() => parseArgs(['--latency', '0-5ms'])).toThrow('--latency applies to --mode stress only (got --mode scheduled)');
    expect(() => parseArgs(['--mode', 'exhaustive', '--latency', '1ms'])).toThrow(UsageError);
  });
});

it('a negative value after a space is refused with the = form named', () => {
  expect(() => parseArgs(['--seed', '-5'])).toThrow(/--seed=-5/);
  expect(parseArgs(['--seed=-5']).seed).toBe(-5);
});

describe('numeric flags outside the range a run can work with are usage errors', () => {
  it.each([
    [['--call-timeout', '0'], /--call-timeout must be from 100ms to 1h \(got "0"\)/],
    [['--call-timeout', '50ms'], /--call-timeout must be from 100ms to 1h/],
    [['--call-timeout', '30d'], /--call-timeout must be a duration/],
    [['--call-timeout', '2h'], /--call-timeout must be from 100ms to 1h/],
    [['--time-budget', '0s'], /--time-budget must be from 1s to 24h \(got "0s"\)/],
    [['--time-budget', '25h'], /--time-budget must be from 1s to 24h/],
    [['--runs', '0'], /--runs must be a positive integer/],
    [['--runs', '2.5'], /--runs must be a positive integer/],
    [['--workers', '0'], /--workers must be an integer from 1 to 64/],
    [['--workers', '65'], /--workers must be an integer from 1 to 64/],
    [['--seed', '4294967296'], /--seed must be an integer between/],
    [['--shard', '0/3'], /--shard must be i\/N/],
    [['--shard', '4/3'], /--shard must be i\/N/],
    [['--mode', 'stress', '--latency', '0-5s'], /--latency 0-5s reaches the call timeout \(5000 ms\)/],
    [['--mode', 'stress', '--latency', '200ms', '--call-timeout', '200ms'], /reaches the call timeout/],
  ])('%j', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseArgs(argv as string[])).toThrow(message as RegExp);
  });

  it('the ends of each range are accepted', () => {
    expect(parseArgs(['--call-timeout', '100ms']).callTimeoutMs).toBe(100);
    expect(parseArgs(['--call-timeout', '1h']).callTimeoutMs).toBe(3_600_000);
    expect(parseArgs(['--time-budget', '1s']).timeBudgetMs).toBe(1000);
    expect(parseArgs(['--time-budget', '24h']).timeBudgetMs).toBe(86_400_000);
    expect(parseArgs(['--mode', 'stress', '--latency', '0-4999ms']).latency).toEqual({ minMs: 0, maxMs: 4999 });
  });
});

describe('empty lists', () => {
  it("--target '' and --scenario '' are usage errors, not \"every built-in\"", () => {
    expect(() => parseArgs(['--target', ''])).toThrow(/--target is empty \(got ""\): name a target or a target module path \(see --list\)/);
    expect(() => parseArgs(['--target', ' , '])).toThrow(/--target is empty/);
    expect(() => parseArgs(['--scenario='])).toThrow(/--scenario is empty/);
  });
});

describe('--all', () => {
  it('is a boolean flag, off by default, and listed in --help', async () => {
    expect(parseArgs([]).all).toBe(false);
    expect(parseArgs(['--all']).all).toBe(true);
    expect((await import('./parse-args.js')).USAGE).toMatch(/^ {2}--all {2,}/m);
  });
});
