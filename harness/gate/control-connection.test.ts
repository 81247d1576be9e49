import { afterAll, afterEach, beforeAll, beforeEach, expect, inject, it } from 'vitest';
import { ControlConnection } from './control-connection.js';

let control: ControlConnection;
const warnings: Error[] = [];
const unhandled: unknown[] = [];
const onWarning = (w: Error) => {
  warnings.push(w);
};
const onUnhandled = (e: unknown) => {
  unhandled.push(e);
};
beforeAll(() => {
  process.on('warning', onWarning);
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('warning', onWarning);
  process.off('unhandledRejection', onUnhandled);
});
beforeEach(async () => {
  control = new ControlConnection({ connectionString: inject('pgAdminUrl') });
  await control.connect();
  warnings.length = 0;
  unhandled.length = 0;
});
afterEach(() => control.end());

// pg emits its warning on the next tick, an unhandled rejection is reported after the microtasks.
const settle = () => new Promise((r) => setTimeout(r, 20));

it('answers many concurrent queries, each once, run on the server in the order they were asked for, with no pg DeprecationWarning', async () => {
  await control.query('CREATE TEMP SEQUENCE control_order');
  const answered: number[] = [];
  const asked = Array.from({ length: 50 }, (_, i) =>
    control.query<{ i: number; n: string }>("SELECT $1::int AS i, nextval('control_order') AS n", [i]).then((r) => {
      answered.push(i);
      return r.rows[0]!;
    }),
  );
  const rows = await Promise.all(asked);
  expect(rows.map((r) => r.i)).toEqual([...Array(50).keys()]);
  // The sequence counts on the server: query i was the (i+1)-th to run there.
  expect(rows.map((r) => Number(r.n))).toEqual([...Array(50).keys()].map((i) => i + 1));
  expect(answered).toEqual([...Array(50).keys()]);
  await settle();
  expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
});

it('a failing query rejects alone: the queries around it are still answered', async () => {
  const results = await Promise.allSettled([
    control.query('SELECT 1 AS n'),
    control.query('SELECT * FROM no_such_table'),
    control.query('SELECT 3 AS n'),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason.code).toBe('42P01');
  expect((results[2] as PromiseFulfilledResult<{ rows: { n: number }[] }>).value.rows[0]!.n).toBe(3);
});

it('end() refuses the queries not sent yet, closes without waiting for the one in flight, and leaves no unhandled rejection', async () => {
  const hung = control.query('SELECT pg_sleep(5)');
  const queued = [control.query('SELECT 1'), control.query('SELECT 2')];
  // Each caller handles its own query's failure; nothing else may reject unhandled.
  const settled = Promise.allSettled([hung, ...queued]);
  await control.end();
  const [h, ...q] = await settled;
  expect(h!.status).toBe('rejected');
  for (const r of q) expect((r as PromiseRejectedResult).reason?.message).toBe('the control connection was ended');
  await expect(control.query('SELECT 1')).rejects.toThrow('the control connection was ended');
  await settle();
  expect(unhandled).toEqual([]);
});
