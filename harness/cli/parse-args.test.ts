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
    expect(() => parseArgs(['--isolation', 'snapshot'])).toThrow('--isolation must be one of read-committed, repeatable-read, serializable (got "snapshot")');
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
