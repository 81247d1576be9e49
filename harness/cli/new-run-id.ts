import crypto from 'node:crypto';

/** A run id that sorts by time and is safe in a database name; its eight random hex digits make `chatfuzz_<run id>_` this run's prefix alone. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp.slice(0, 8)}_${stamp.slice(8)}_${crypto.randomBytes(4).toString('hex')}`;
}
